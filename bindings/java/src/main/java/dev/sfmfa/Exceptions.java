package dev.sfmfa;

import dev.sfmfa.SfmfaError.Kind;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.Set;

/**
 * Makes the exception of a failure: the JDK {@link SQLException} subclass its SQLSTATE class calls for, with the
 * kind, Snowflake's code and the hint ({@link SfmfaError} has the table). The native library calls
 * {@link #of(int, String, String, int, String)} for every failure it throws ({@code bindings/java/src/errors.rs}).
 */
final class Exceptions {
    /** SQLSTATE of a client or session used after close: 08003, connection does not exist. */
    static final String CLOSED = "08003";

    /**
     * The kinds of class 08 after which the same login, unchanged, can succeed later: nothing about the login was
     * wrong, the network or Duo was. Every other 08 failure needs someone to act (approve, enrol, unlock, a
     * passcode, fix TLS or the host), so it is non-transient.
     */
    private static final Set<Kind> TRANSIENT = EnumSet.of(Kind.CONNECT, Kind.CONNECTION_LOST, Kind.DUO_EXCEPTION);

    private Exceptions() {}

    /** Called by the native library: {@code kind} is the failure's {@code sfmfa_result} value. */
    static SQLException of(int kind, String message, String sqlState, int vendorCode, String hint) {
        return of(Kind.of(kind), message, sqlState, vendorCode, hint);
    }

    /** The exception for a failure of {@code kind} with {@code sqlState}, by SQLSTATE class. */
    static SQLException of(Kind kind, String message, String sqlState, int vendorCode, String hint) {
        String state = sqlState == null ? "" : sqlState;
        if (state.startsWith("08")) {
            return TRANSIENT.contains(kind)
                    ? new SfmfaTransientConnectionException(kind, message, state, vendorCode, hint)
                    : new SfmfaNonTransientConnectionException(kind, message, state, vendorCode, hint);
        }
        if (state.startsWith("28")) {
            return new SfmfaAuthorizationException(kind, message, state, vendorCode, hint);
        }
        if (state.startsWith("22") || state.equals("HY024")) {
            return new SfmfaDataException(kind, message, state, vendorCode, hint);
        }
        if (state.equals("HYT00") || state.equals("HYT01")) {
            return new SfmfaTimeoutException(kind, message, state, vendorCode, hint);
        }
        return new SfmfaGeneralException(kind, message, state, vendorCode, hint);
    }

    /** A client or session used after {@code close()}: SQLSTATE 08003, kind {@link Kind#NULL_ARGUMENT}. */
    static SQLException closed(String what) {
        return of(Kind.NULL_ARGUMENT, "the " + what + " is closed", CLOSED, 0, null);
    }

    /** The {@code toString()} of every sfmfa exception: class, kind, code, SQLSTATE, message and hint. */
    static String describe(SfmfaError e) {
        StringBuilder s = new StringBuilder(e.getClass().getName()).append('[').append(e.getKind());
        if (e.getErrorCode() != 0) {
            s.append(", ").append(e.getErrorCode());
        }
        s.append(", SQLSTATE ").append(e.getSQLState()).append("]: ").append(e.getMessage());
        if (e.getHint() != null) {
            s.append(" (hint: ").append(e.getHint()).append(')');
        }
        return s.toString();
    }
}
