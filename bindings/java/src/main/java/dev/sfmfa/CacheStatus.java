package dev.sfmfa;

/** What the token cache did during one login. */
public enum CacheStatus {
    /** A cached token was used: no Duo prompt. */
    HIT,
    /** No usable cached token; the login prompted and the issued token was stored. */
    STORED,
    /** The login prompted, but the server issued no token (caching not allowed for the account or user). */
    NOT_ISSUED,
    /** Caching is off by option. */
    DISABLED,
    /** The authenticator is not {@code username_password_mfa}, which alone caches tokens. */
    WRONG_AUTHENTICATOR,
    /** The store could not be used; the login went on without it. */
    UNAVAILABLE,
    /** The token was issued but could not be stored. */
    WRITE_FAILED
}
