package dev.sfmfa;

/**
 * Where a client keeps MFA tokens, supplied by the application (as Node.js's {@code setCustomCredentialManager}
 * allows): give one to {@link SfmfaClient#fromProperties(java.util.Properties, TokenStore)} or
 * {@link SfmfaClient#fromUrl(String, java.util.Properties, TokenStore)}, instead of the store {@code token_cache} names.
 *
 * <p>Keys are Snowflake's v2 keys ({@code SnowflakeTokenCache.v2.MfaToken.<sha256 hex>} of the host and user),
 * never the host or user themselves; tokens are UTF-8 bytes. The methods are called on the threads that log in,
 * possibly several at once: make them thread-safe, and quick ({@code loginTimeout} cannot interrupt them); a
 * method must not log in with a client that uses the same store. There is no in-memory layer: every login calls
 * {@link #get}.
 *
 * <p>An exception a method throws means the store failed: the login goes on without the cache, and the session's
 * {@link SfmfaSession#getCacheStatus()} is {@link CacheStatus#UNAVAILABLE} ({@code get}) or
 * {@link CacheStatus#WRITE_FAILED} ({@code put}); its cache detail and the log name the method and the exception's
 * class, never its message. Caching still needs {@code authenticator=username_password_mfa} and
 * {@code clientStoreTemporaryCredential} on, and the administrator's {@code SFMFA_TOKEN_CACHE=none} (or
 * {@code memory}) still wins over the store. The client holds the store until it is closed (or collected).
 */
public interface TokenStore {
    /**
     * The token stored under {@code key}.
     *
     * @param key the v2 key
     * @return the token (UTF-8 bytes, at most 65536), or null when there is none (an empty array counts as none).
     *     The array stays the application's: sfmfa copies it and never changes it.
     * @throws Exception when the store fails (the login goes on without it)
     */
    byte[] get(String key) throws Exception;

    /**
     * Stores {@code token} under {@code key}, replacing any token there.
     *
     * @param key the v2 key
     * @param token the MFA token the server issued (UTF-8 bytes), a new array that is the application's to keep:
     *     protect it as a password (it logs the user in without a second factor for up to four hours)
     * @throws Exception when the store fails (the login still succeeds)
     */
    void put(String key, byte[] token) throws Exception;

    /**
     * Removes the token under {@code key}: called when the server rejected it, and by
     * {@link SfmfaClient#deleteCachedToken()}. A key with no token is not an error.
     *
     * @param key the v2 key
     * @throws Exception when the store fails
     */
    void delete(String key) throws Exception;
}
