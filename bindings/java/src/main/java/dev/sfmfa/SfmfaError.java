package dev.sfmfa;

import java.sql.SQLException;

/**
 * What every exception sfmfa throws tells besides JDBC's {@link SQLException}: every one of them is an
 * {@code SQLException} of the JDK subclass its SQLSTATE calls for (see the table below) that implements this
 * interface, so catch the JDK class you care about, or {@code SQLException} and then
 * {@code if (e instanceof SfmfaError err) switch (err.getKind()) ...}.
 *
 * <table>
 *   <caption>The class thrown for each SQLSTATE class of the failure table</caption>
 *   <tr><th>SQLSTATE</th><th>kinds</th><th>class thrown (JDK superclass)</th></tr>
 *   <tr><td>22023</td><td>{@code UNKNOWN_OPTION}, {@code INVALID_VALUE}, {@code MISSING_OPTION} and the other 1xx
 *       caller errors</td><td>{@link SfmfaDataException} ({@link java.sql.SQLDataException})</td></tr>
 *   <tr><td>08001, 08S01</td><td>{@code CONNECT}, {@code CONNECTION_LOST}, {@code DUO_EXCEPTION}: the same login,
 *       unchanged, can succeed later</td>
 *       <td>{@link SfmfaTransientConnectionException} ({@link java.sql.SQLTransientConnectionException})</td></tr>
 *   <tr><td>08001, 08S01, 08003</td><td>{@code TLS}, {@code HTTP_STATUS}, {@code PROTOCOL}, every other Duo
 *       refusal, {@code SERVER_ERROR}; 08003: a client or session used after {@code close()}</td>
 *       <td>{@link SfmfaNonTransientConnectionException}
 *       ({@link java.sql.SQLNonTransientConnectionException})</td></tr>
 *   <tr><td>28000</td><td>{@code BAD_CREDENTIALS}</td><td>{@link SfmfaAuthorizationException}
 *       ({@link java.sql.SQLInvalidAuthorizationSpecException})</td></tr>
 *   <tr><td>HYT00</td><td>{@code TIMEOUT} ({@code loginTimeout} passed)</td><td>{@link SfmfaTimeoutException}
 *       ({@link java.sql.SQLTimeoutException})</td></tr>
 *   <tr><td>HY008, HY000, XX000</td><td>{@code CANCELLED}, {@code CACHE}, {@code INTERNAL}, {@code PANIC}</td>
 *       <td>{@link SfmfaGeneralException} ({@link SQLException})</td></tr>
 * </table>
 *
 * <p>{@link #getErrorCode()} is Snowflake's code (e.g. 390120) when the server refused the login, else 0;
 * {@link #getSQLState()} the SQLSTATE drivers report; {@link #getMessage()} the documented message;
 * {@link #getHint()} what the user can do, when there is something to say. Branch on {@link #getKind()}, never on
 * the text. No password, passcode or token is ever in any of them.
 */
public interface SfmfaError {
    /**
     * What kind of failure: one constant per row of sfmfa's failure table, with the name and value of the C
     * library's {@code sfmfa_result} ({@code SFMFA_RESULT_<name>}, e.g. {@code DUO_DENIED} = 320). The tests check
     * the constants against the C header, so every binding says the same.
     */
    public enum Kind {
        /**
         * A required argument was NULL (C library), or in Java a client or session used after {@code close()}: then
         * an {@link SfmfaNonTransientConnectionException} with SQLSTATE 08003 (connection does not exist).
         */
        NULL_ARGUMENT(100),
        /** A string argument was not valid UTF-8 (raised by the C library only). */
        INVALID_UTF8(101),
        /** An option name no driver uses. */
        UNKNOWN_OPTION(102),
        /** An option value that does not parse or is not allowed. */
        INVALID_VALUE(103),
        /** An output buffer was too small (raised by the C library only). */
        BUFFER_TOO_SMALL(104),
        /** A required option (account, user, password) is missing. */
        MISSING_OPTION(105),
        /** The server could not be reached (DNS, refused, unreachable, connect timeout). */
        CONNECT(200),
        /** TLS failed (certificate, host name, handshake). */
        TLS(201),
        /** The server answered with an HTTP status that is not a login answer. */
        HTTP_STATUS(202),
        /** The connection broke after the request was sent (not retried: it may have started a push). */
        CONNECTION_LOST(203),
        /** The answer was not Snowflake's login protocol. */
        PROTOCOL(204),
        /** {@code loginTimeout} passed before the login finished (not the Duo push timeout: see {@link #DUO_TIMEOUT}). */
        TIMEOUT(205),
        /** 390100: incorrect user name or password. */
        BAD_CREDENTIALS(300),
        /** 390120 EXT_AUTHN_DENIED: the Duo push was denied. */
        DUO_DENIED(320),
        /** 390121 EXT_AUTHN_PENDING: Duo authentication is pending. */
        DUO_PENDING(321),
        /** 390122 EXT_AUTHN_NOT_ENROLLED: the user is not enrolled in Duo. */
        DUO_NOT_ENROLLED(322),
        /** 390123 EXT_AUTHN_LOCKED: the user is locked out of Duo. */
        DUO_LOCKED(323),
        /** 390124 EXT_AUTHN_REQUESTED: a second factor is required and none was given. */
        DUO_REQUESTED(324),
        /** 390125 EXT_AUTHN_SMS_SENT: log in again with the passcode from the SMS. */
        DUO_SMS_SENT(325),
        /** 390126 EXT_AUTHN_TIMEOUT: the Duo push was not approved in time; use a passcode. */
        DUO_TIMEOUT(326),
        /** 390127 EXT_AUTHN_INVALID: incorrect passcode (or a cached MFA token the server no longer accepts). */
        DUO_INVALID(327),
        /** 390128 EXT_AUTHN_SUCCEEDED (not expected as a failure; mapped for completeness). */
        DUO_SUCCEEDED(328),
        /** 390129 EXT_AUTHN_EXCEPTION: Snowflake could not reach Duo; try later. */
        DUO_EXCEPTION(329),
        /** 390132 EXT_AUTHN_DUO_PUSH_DISABLED: Duo Push is not enabled for the user; use a passcode. */
        DUO_PUSH_DISABLED(332),
        /** The server refused the login with a code without a constant of its own (see {@link #getServerCode()}). */
        SERVER_ERROR(399),
        /** The token cache could not be used. */
        CACHE(400),
        /** The login was cancelled ({@link SfmfaClient#cancel()} or {@link SfmfaClient#close()}). */
        CANCELLED(900),
        /** A bug in sfmfa (or a JNI failure), reported rather than hidden. */
        INTERNAL(901),
        /** A Rust panic inside sfmfa was caught at the JNI boundary. */
        PANIC(902);

        private final int value;

        Kind(int value) {
            this.value = value;
        }

        /**
         * The stable value, equal to the C library's {@code sfmfa_result} of the same name.
         *
         * @return the value, e.g. 320 for {@link #DUO_DENIED}
         */
        public int value() {
            return value;
        }

        /**
         * The constant of a result value; {@link #INTERNAL} for a value this version does not know.
         *
         * @param value a C {@code sfmfa_result} value
         * @return its constant
         */
        static Kind of(int value) {
            for (Kind k : values()) {
                if (k.value == value) {
                    return k;
                }
            }
            return INTERNAL;
        }
    }


    /**
     * What kind of failure this is.
     *
     * @return its row of the failure table
     */
    Kind getKind();

    /**
     * Snowflake's code (e.g. 390120), or 0 when the server did not refuse the login. Same as
     * {@link #getErrorCode()}.
     *
     * @return the code, or 0
     */
    default int getServerCode() {
        return getErrorCode();
    }

    /**
     * What the user can do about it.
     *
     * @return the hint, or null
     */
    String getHint();

    /**
     * The SQLSTATE (implemented by {@link SQLException#getSQLState()}).
     *
     * @return e.g. {@code "08001"}
     */
    String getSQLState();

    /**
     * Snowflake's code, or 0 (implemented by {@link SQLException#getErrorCode()}).
     *
     * @return the vendor code
     */
    int getErrorCode();

    /**
     * The documented message (implemented by {@link Throwable#getMessage()}).
     *
     * @return the message; never a secret
     */
    String getMessage();
}
