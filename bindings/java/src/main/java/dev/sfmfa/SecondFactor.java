package dev.sfmfa;

/**
 * The second factor of a login, as far as the exchange with the server proves it (never a factor that did not
 * happen).
 */
public enum SecondFactor {
    /**
     * No second factor. Not reported by this version (a push request that succeeds in one answer is
     * {@link #PUSH_OR_NONE}); kept for compatibility.
     */
    NONE,
    /**
     * A Duo push the user approved, proven by the server's multi-step answer ({@code EXT_AUTHN_SUCCESS} after the
     * push step).
     */
    PUSH,
    /** A Duo passcode in its own field, accepted. */
    PASSCODE,
    /** A passcode appended to the password, accepted. */
    PASSCODE_IN_PASSWORD,
    /** A cached MFA token, accepted ({@code MFA_TOKEN} as in Snowflake's login history and the C library). */
    MFA_TOKEN,
    /**
     * A push was asked for and the server let the user in with one answer, which does not say whether it pushed (a
     * user not enrolled in Duo logs in with the password alone). Also the outcome of the {@code snowflake}
     * authenticator without a passcode, which asks for a push too.
     */
    PUSH_OR_NONE
}
