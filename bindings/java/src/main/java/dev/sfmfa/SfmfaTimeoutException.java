package dev.sfmfa;

import java.sql.SQLTimeoutException;

/**
 * {@code loginTimeout} passed before the login finished (SQLSTATE HYT00; JDBC's class for a login timeout, as
 * for {@code DriverManager.setLoginTimeout}). Not Duo's own push timeout, which is
 * {@link SfmfaError.Kind#DUO_TIMEOUT} (a {@link SfmfaNonTransientConnectionException}).
 *
 * <p>Branch on {@link #getKind()}; {@link #getErrorCode()} is Snowflake's code or 0. See {@link SfmfaError} for
 * every class sfmfa throws.
 */
public final class SfmfaTimeoutException extends SQLTimeoutException implements SfmfaError {
    private static final long serialVersionUID = 1L;

    /** The row of the failure table. */
    private final Kind kind;
    /** What the user can do, or null. */
    private final String hint;

    SfmfaTimeoutException(Kind kind, String message, String sqlState, int vendorCode, String hint) {
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
