package dev.sfmfa;

import java.sql.SQLException;

/**
 * A failed sfmfa operation. {@link #getErrorCode()} is Snowflake's code (e.g. 390120) when the server refused
 * the login, else 0; {@link #getSQLState()} the SQLSTATE drivers report; {@link #getMessage()} the documented
 * message; {@link #getHint()} what the user can do, when there is something to say. Branch on {@link #getKind()},
 * never on the text. No password, passcode or token is ever in any of them.
 */
public final class SfmfaException extends SQLException {
    private static final long serialVersionUID = 1L;

    /** What kind of failure; one constant per library error kind and per Duo code. */
    public enum Kind {
        /** An option name no driver uses. */
        UNKNOWN_OPTION,
        /** An option value that does not parse or is not allowed. */
        INVALID_VALUE,
        /** A required option (account, user, password) is missing. */
        MISSING_OPTION,
        /** The server could not be reached (DNS, refused, unreachable, connect timeout). */
        CONNECT,
        /** TLS failed (certificate, host name, handshake). */
        TLS,
        /** The server answered with an HTTP status that is not a login answer. */
        HTTP_STATUS,
        /** The connection broke after the request was sent (not retried: it may have started a push). */
        CONNECTION_LOST,
        /** The answer was not Snowflake's login protocol. */
        PROTOCOL,
        /** {@code loginTimeout} passed before the login finished (not the Duo push timeout: see {@link #PUSH_TIMEOUT}). */
        LOGIN_TIMEOUT,
        /** The login was cancelled ({@link SfmfaClient#cancel()} or {@link SfmfaClient#close()}). */
        CANCELLED,
        /** 390100: incorrect user name or password. */
        BAD_CREDENTIALS,
        /** 390120: the Duo push was denied. */
        DENIED,
        /** 390121: Duo authentication is pending. */
        PENDING,
        /** 390122: the user is not enrolled in Duo. */
        NOT_ENROLLED,
        /** 390123: the user is locked from Duo. */
        LOCKED,
        /** 390124: Duo authentication is required. */
        DUO_REQUIRED,
        /** 390125: a passcode was sent by SMS. */
        SMS_SENT,
        /** 390126: the Duo push was not approved in time. */
        PUSH_TIMEOUT,
        /** 390127: incorrect passcode (or a cached MFA token the server no longer accepts). */
        INVALID_PASSCODE,
        /** 390129: Snowflake could not reach Duo. */
        DUO_UNAVAILABLE,
        /** 390132: Duo Push is not enabled for the user; use a passcode. */
        PUSH_DISABLED,
        /** Another Duo code (390120-390132) without a constant of its own. */
        DUO,
        /** The server refused the login with a code sfmfa does not know specifically. */
        SERVER,
        /** The token cache could not be used. */
        CACHE,
        /** A bug in sfmfa (a caught Rust panic or JNI failure). */
        INTERNAL;

        static Kind of(String name) {
            try {
                return Kind.valueOf(name);
            } catch (IllegalArgumentException | NullPointerException e) {
                return INTERNAL;
            }
        }
    }

    private final Kind kind;
    private final String hint;

    /** Called by the native library. */
    SfmfaException(String kind, String message, String sqlState, int vendorCode, String hint) {
        super(message, sqlState, vendorCode);
        this.kind = Kind.of(kind);
        this.hint = hint;
    }

    /** What kind of failure this is. */
    public Kind getKind() {
        return kind;
    }

    /** Snowflake's code (e.g. 390120), or 0 when the server did not refuse the login. Same as getErrorCode(). */
    public int getServerCode() {
        return getErrorCode();
    }

    /** What the user can do about it, or null. */
    public String getHint() {
        return hint;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(getClass().getName()).append('[').append(kind);
        if (getErrorCode() != 0) {
            s.append(", ").append(getErrorCode());
        }
        s.append(", SQLSTATE ").append(getSQLState()).append("]: ").append(getMessage());
        if (hint != null) {
            s.append(" (hint: ").append(hint).append(')');
        }
        return s.toString();
    }
}
