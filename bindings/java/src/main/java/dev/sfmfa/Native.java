package dev.sfmfa;

import java.sql.SQLException;

/**
 * The native methods of {@code libsfmfa_jni} (the Rust crate in {@code bindings/java/src}). Package-private:
 * the public API wraps every handle in a {@link NativeHandle}, which guarantees that a handle is never used
 * while it is being freed and is freed exactly once. {@code make test-java} checks that these declarations and
 * the library's {@code Java_dev_sfmfa_Native_*} exports match in both directions.
 */
final class Native {
    static {
        NativeLibrary.load();
    }

    private Native() {}

    /** {@link #sessionText} selectors. */
    static final int TOKEN = 0, MASTER_TOKEN = 1, SECOND_FACTOR = 2, CACHE_STATUS = 3, CACHE_DETAIL = 4,
            CACHE_BACKEND = 5;

    static native long configNew();

    static native long configFromUrl(String url) throws SQLException;

    /** Returns the warning when {@code lenient} and the name is unknown, else null. */
    static native String configSet(long config, String key, String value, boolean lenient) throws SQLException;

    static native String[] configWarnings(long config);

    static native void configFree(long config);

    static native long clientNew(long config) throws SQLException;

    /** {@link #clientNew}, with MFA tokens kept in {@code store} (not null). */
    static native long clientNewWithTokenStore(long config, TokenStore store) throws SQLException;

    static native void clientSetProgress(long client, ProgressDispatcher dispatcher);

    static native long clientLogin(long client) throws SQLException;

    static native long clientCancel(long client);

    static native String clientUserAgent(long client);

    static native void clientFree(long client);

    static native void cacheDelete(long client) throws SQLException;

    static native CacheInspection cacheInspect(long client) throws SQLException;

    static native String sessionText(long session, int which);

    static native long sessionId(long session);

    static native void sessionClose(long session) throws SQLException;

    static native void sessionFree(long session);

    /** How many native objects (configurations, clients, sessions) are live: for tests. */
    static native long liveHandles();

    /** Panics in Rust, inside the JNI boundary: for the test that shows a panic becomes an exception. */
    static native void testingPanic(String message);
}
