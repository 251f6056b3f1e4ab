package dev.sfmfa;

import java.sql.SQLException;

/**
 * A failure no narrower JDBC class describes: the login was cancelled ({@code CANCELLED}, SQLSTATE HY008, as
 * drivers report a cancelled operation: not a timeout, and not transient, so that a retry loop does not undo a
 * cancel), the token cache could not be used ({@code CACHE}, HY000), or a bug in sfmfa ({@code INTERNAL},
 * {@code PANIC}, XX000).
 *
 * <p>Branch on {@link #getKind()}; {@link #getErrorCode()} is Snowflake's code or 0. See {@link SfmfaError} for
 * every class sfmfa throws.
 */
public final class SfmfaGeneralException extends SQLException implements SfmfaError {
    private static final long serialVersionUID = 1L;

    /** The row of the failure table. */
    private final Kind kind;
    /** What the user can do, or null. */
    private final String hint;

    SfmfaGeneralException(Kind kind, String message, String sqlState, int vendorCode, String hint) {
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
