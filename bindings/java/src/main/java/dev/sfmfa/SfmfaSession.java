package dev.sfmfa;

import java.util.Optional;

/**
 * A logged-in Snowflake session. {@link #close()} logs out (idempotent); a session that is never closed is freed
 * when it becomes unreachable, without logging out. The tokens are secrets: they stay in native memory (wiped when
 * freed) until you ask for them, and a Java {@code String} copy cannot be wiped. Thread-safe.
 */
public final class SfmfaSession implements AutoCloseable {
    private final NativeHandle handle;
    private final long sessionId;

    SfmfaSession(long session) {
        this.handle = new NativeHandle("session", session, Native::sessionFree);
        this.sessionId = handle.callUnchecked(Native::sessionId);
    }

    private String text(int which) {
        return handle.callUnchecked(h -> Native.sessionText(h, which));
    }

    /** The session token ({@code Authorization: Snowflake Token="..."}). A secret. */
    public String getToken() {
        return text(Native.TOKEN);
    }

    /** The master token, used to renew the session token. A secret. */
    public String getMasterToken() {
        return text(Native.MASTER_TOKEN);
    }

    /** The server's session id. */
    public long getSessionId() {
        return sessionId;
    }

    /**
     * The second factor of the login, as far as the exchange with the server proves it: {@link SecondFactor#PUSH}
     * only when the multi-step flow proved an approved push, {@link SecondFactor#PUSH_OR_NONE} when a push was asked
     * for and one answer let the user in.
     */
    public SecondFactor getSecondFactor() {
        return SecondFactor.valueOf(text(Native.SECOND_FACTOR));
    }

    /** What the token cache did during this login. */
    public CacheStatus getCacheStatus() {
        return CacheStatus.valueOf(text(Native.CACHE_STATUS));
    }

    /** Why, in one sentence (never a token). */
    public String getCacheDetail() {
        return text(Native.CACHE_DETAIL);
    }

    /** The token store used ("file", "memory", ...), if any. */
    public Optional<String> getCacheBackend() {
        return Optional.ofNullable(text(Native.CACHE_BACKEND));
    }

    /**
     * Logs out and frees the native session, even when logging out fails (then it throws after freeing).
     * Closing a closed session does nothing.
     */
    @Override
    public synchronized void close() throws SfmfaException {
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

    /** True once {@link #close()} has begun. */
    public boolean isClosed() {
        return handle.isClosed();
    }

    @Override
    public String toString() {
        return "SfmfaSession[id=" + sessionId + (isClosed() ? ", closed" : "") + "]";
    }
}
