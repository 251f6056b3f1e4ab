package dev.sfmfa;

import java.sql.SQLException;
import java.util.Optional;

/**
 * A logged-in Snowflake session. {@link #close()} logs out (idempotent); a session that is never closed is freed
 * when it becomes unreachable, without logging out. The tokens are secrets: they stay in native memory (wiped when
 * freed) until you ask for them, and a Java {@code String} copy cannot be wiped. Thread-safe.
 *
 * <p>After {@link #close()}, every getter but {@link #getSessionId()} throws an
 * {@link SfmfaNonTransientConnectionException} with SQLSTATE 08003, as a JDBC connection does once closed.
 */
public final class SfmfaSession implements AutoCloseable {
    private final NativeHandle handle;
    private final long sessionId;

    SfmfaSession(long session) throws SQLException {
        this.handle = new NativeHandle("session", session, Native::sessionFree);
        this.sessionId = handle.call(Native::sessionId);
    }

    private String text(int which) throws SQLException {
        return handle.call(h -> Native.sessionText(h, which));
    }

    /**
     * The session token ({@code Authorization: Snowflake Token="..."}). A secret.
     *
     * @return the token
     * @throws SQLException SQLSTATE 08003 once the session is closed
     */
    public String getToken() throws SQLException {
        return text(Native.TOKEN);
    }

    /**
     * The master token, used to renew the session token. A secret.
     *
     * @return the master token
     * @throws SQLException SQLSTATE 08003 once the session is closed
     */
    public String getMasterToken() throws SQLException {
        return text(Native.MASTER_TOKEN);
    }

    /**
     * The server's session id (kept after {@link #close()}).
     *
     * @return the id
     */
    public long getSessionId() {
        return sessionId;
    }

    /**
     * The second factor of the login, as far as the exchange with the server proves it: {@link SecondFactor#PUSH}
     * only when the multi-step flow proved an approved push, {@link SecondFactor#PUSH_OR_NONE} when a push was asked
     * for and one answer let the user in.
     *
     * @return the second factor
     * @throws SQLException SQLSTATE 08003 once the session is closed
     */
    public SecondFactor getSecondFactor() throws SQLException {
        return SecondFactor.valueOf(text(Native.SECOND_FACTOR));
    }

    /**
     * What the token cache did during this login.
     *
     * @return the cache status
     * @throws SQLException SQLSTATE 08003 once the session is closed
     */
    public CacheStatus getCacheStatus() throws SQLException {
        return CacheStatus.valueOf(text(Native.CACHE_STATUS));
    }

    /**
     * Why, in one sentence (never a token).
     *
     * @return the sentence
     * @throws SQLException SQLSTATE 08003 once the session is closed
     */
    public String getCacheDetail() throws SQLException {
        return text(Native.CACHE_DETAIL);
    }

    /**
     * The token store used ("file", "memory", ...), if any.
     *
     * @return the store's name, or empty
     * @throws SQLException SQLSTATE 08003 once the session is closed
     */
    public Optional<String> getCacheBackend() throws SQLException {
        return Optional.ofNullable(text(Native.CACHE_BACKEND));
    }

    /**
     * Logs out and frees the native session, even when logging out fails (then it throws after freeing).
     * Closing a closed session does nothing.
     */
    @Override
    public synchronized void close() throws SQLException {
        if (handle.isClosed()) {
            return;
        }
        try {
            handle.call(h -> {
                Native.sessionClose(h);
                return null;
            });
        } finally {
            handle.close(null);
        }
    }

    /**
     * True once {@link #close()} has begun.
     *
     * @return whether close has begun
     */
    public boolean isClosed() {
        return handle.isClosed();
    }

    @Override
    public String toString() {
        return "SfmfaSession[id=" + sessionId + (isClosed() ? ", closed" : "") + "]";
    }
}
