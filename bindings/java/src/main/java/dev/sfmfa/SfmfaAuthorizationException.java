package dev.sfmfa;

import java.sql.SQLInvalidAuthorizationSpecException;

/**
 * Snowflake refused the user name or password (390100, SQLSTATE class 28, 28000).
 *
 * <p>Branch on {@link #getKind()}; {@link #getErrorCode()} is Snowflake's code or 0. See {@link SfmfaError} for
 * every class sfmfa throws.
 */
public final class SfmfaAuthorizationException extends SQLInvalidAuthorizationSpecException implements SfmfaError {
    private static final long serialVersionUID = 1L;

    /** The row of the failure table. */
    private final Kind kind;
    /** What the user can do, or null. */
    private final String hint;

    SfmfaAuthorizationException(Kind kind, String message, String sqlState, int vendorCode, String hint) {
        super(message, sqlState, vendorCode);
        this.kind = kind;
        this.hint = hint;
    }

    @Override
    public Kind getKind() {
        return kind;
    }

    @Override
    public String getHint() {
        return hint;
    }

    @Override
    public String toString() {
        return Exceptions.describe(this);
    }
}
