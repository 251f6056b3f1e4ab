package dev.sfmfa;

/** How the second factor was given in the login request that succeeded. */
public enum SecondFactor {
    /** No Duo field (the {@code snowflake} authenticator without a passcode). */
    NONE,
    /** A Duo push. */
    PUSH,
    /** A Duo passcode. */
    PASSCODE,
    /** A passcode appended to the password. */
    PASSCODE_IN_PASSWORD,
    /** A cached MFA token. */
    CACHED_TOKEN
}
