package dev.sfmfa;

import java.sql.SQLNonTransientConnectionException;

/**
 * The login was refused or cannot work as configured, and retrying it unchanged will not help (SQLSTATE class
 * 08): TLS, an HTTP status that is not a login answer (sfmfa already retried 429 and 5xx within
 * {@code loginTimeout}), an answer that is not Snowflake's protocol, every Duo refusal but {@code DUO_EXCEPTION}
 * (denied, locked, not enrolled, push timed out, wrong passcode, ...: someone has to act), a server code
 * without a constant of its own; and, with SQLSTATE 08003 and kind {@code NULL_ARGUMENT}, a client or session
 * used after {@code close()}.
 *
 * <p>Branch on {@link #getKind()}; {@link #getErrorCode()} is Snowflake's code or 0. See {@link SfmfaError} for
 * every class sfmfa throws.
 */
public final class SfmfaNonTransientConnectionException extends SQLNonTransientConnectionException implements SfmfaError {
    private static final long serialVersionUID = 1L;

    /** The row of the failure table. */
    private final Kind kind;
    /** What the user can do, or null. */
    private final String hint;

    SfmfaNonTransientConnectionException(Kind kind, String message, String sqlState, int vendorCode, String hint) {
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
