package dev.sfmfa;

import java.sql.SQLTransientConnectionException;

/**
 * The login could not be completed for a reason that says nothing about the login itself, so the same login,
 * unchanged, can succeed later (SQLSTATE class 08): the server could not be reached ({@code CONNECT}), the
 * connection broke after the request was sent ({@code CONNECTION_LOST}; sfmfa does not resend it itself because
 * it may have started a Duo push), or Snowflake could not reach Duo ({@code DUO_EXCEPTION}, "try again later").
 *
 * <p>Branch on {@link #getKind()}; {@link #getErrorCode()} is Snowflake's code or 0. See {@link SfmfaError} for
 * every class sfmfa throws.
 */
public final class SfmfaTransientConnectionException extends SQLTransientConnectionException implements SfmfaError {
    private static final long serialVersionUID = 1L;

    /** The row of the failure table. */
    private final Kind kind;
    /** What the user can do, or null. */
    private final String hint;

    SfmfaTransientConnectionException(Kind kind, String message, String sqlState, int vendorCode, String hint) {
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
