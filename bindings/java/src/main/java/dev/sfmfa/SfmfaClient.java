package dev.sfmfa;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs in to Snowflake with one configuration: password + Duo push, a Duo passcode, or the passcode appended to
 * the password, with a cached MFA token replacing the prompt where the account allows it.
 *
 * <p>Configure it like the JDBC driver: {@link #fromProperties(Properties)} with JDBC's option names
 * ({@code account}, {@code user}, {@code password}, {@code passcode}, {@code passcodeInPassword},
 * {@code authenticator}, {@code clientStoreTemporaryCredential}, {@code loginTimeout}, ...; every name any
 * Snowflake driver uses works), or {@link #fromUrl(String, Properties)} with a JDBC URL plus properties that add
 * to or override it, as {@code DriverManager.getConnection(url, props)} does. Unknown names are not errors: they
 * are listed in {@link #getWarnings()} (and logged).
 *
 * <p>Thread-safe: any number of threads may {@link #login()} at once; any thread may {@link #cancel()}. Close it
 * when done ({@link #close()} cancels running logins, waits for them to return, then frees the native client);
 * a client that is never closed is freed when it becomes unreachable.
 *
 * <p>Secrets: the password and passcode you put in {@code Properties} or a URL are Java {@code String}s, which
 * cannot be wiped; sfmfa copies them into wiped-on-drop memory at once and never puts them in a message.
 */
public final class SfmfaClient implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("dev.sfmfa");

    private final NativeHandle handle;
    private final List<String> warnings;

    private SfmfaClient(String url, Properties properties) throws SfmfaException {
        long config = url == null ? Native.configNew() : Native.configFromUrl(url);
        List<String> found = new ArrayList<>();
        long client;
        try {
            List<String> unknown = new ArrayList<>();
            if (properties != null) {
                for (String name : new TreeSet<>(properties.stringPropertyNames())) {
                    String warning = Native.configSet(config, name, properties.getProperty(name), true);
                    if (warning != null) {
                        unknown.add(warning);
                    }
                }
                for (Map.Entry<Object, Object> e : properties.entrySet()) {
                    if (!(e.getKey() instanceof String) || !(e.getValue() instanceof String)) {
                        unknown.add("a property whose key or value is not a String was ignored (key type "
                                + typeName(e.getKey()) + ", value type " + typeName(e.getValue()) + ")");
                    }
                }
            }
            Collections.addAll(found, Native.configWarnings(config));
            found.addAll(unknown);
            client = Native.clientNew(config);
        } finally {
            Native.configFree(config);
        }
        this.handle = new NativeHandle("client", client, Native::clientFree);
        this.warnings = List.copyOf(found);
        for (String w : warnings) {
            LOG.log(Level.WARNING, "sfmfa configuration: {0}", w);
        }
    }

    private static String typeName(Object o) {
        return o == null ? "null" : o.getClass().getName();
    }

    /** A client configured from properties with JDBC's option names (any driver's name for an option works). */
    public static SfmfaClient fromProperties(Properties properties) throws SfmfaException {
        return new SfmfaClient(null, properties);
    }

    /** A client configured from a JDBC URL ({@code jdbc:snowflake://host[:port]/?key=value&...}). */
    public static SfmfaClient fromUrl(String url) throws SfmfaException {
        return fromUrl(url, null);
    }

    /** A client configured from a JDBC URL, then {@code properties} (which add to or override the URL's keys). */
    public static SfmfaClient fromUrl(String url, Properties properties) throws SfmfaException {
        if (url == null) {
            throw new NullPointerException("url");
        }
        return new SfmfaClient(url, properties);
    }

    /**
     * Logs in within {@code loginTimeout}; blocks while Duo waits for the user. Throws {@link SfmfaException}
     * with the kind and Snowflake code of the failure ({@link SfmfaException.Kind#CANCELLED} when cancelled), and
     * IllegalStateException once the client is closed.
     */
    public SfmfaSession login() throws SfmfaException {
        return new SfmfaSession(handle.call(Native::clientLogin));
    }

    /**
     * Cancels every login of this client running now, from any thread: each throws
     * {@link SfmfaException.Kind#CANCELLED} promptly. Returns how many were cancelled (0 once closed).
     */
    public int cancel() {
        if (handle.isClosed()) {
            return 0;
        }
        try {
            return (int) Math.min(Integer.MAX_VALUE, handle.callUnchecked(Native::clientCancel));
        } catch (IllegalStateException closedMeanwhile) {
            return 0;
        }
    }

    /**
     * Delivers the progress events of later logins to {@code listener} (null: to nobody). Events arrive on the
     * login thread; what the listener throws is logged and ignored.
     */
    public void setProgressListener(ProgressListener listener) {
        ProgressDispatcher dispatcher = listener == null ? null : new ProgressDispatcher(listener);
        handle.callUnchecked(h -> {
            Native.clientSetProgress(h, dispatcher);
            return null;
        });
    }

    /** Unknown option names, options sfmfa accepts but does not honour, options given twice. Never a value. */
    public List<String> getWarnings() {
        return warnings;
    }

    /** The User-Agent sent to Snowflake (it names this binding). */
    public String getUserAgent() {
        return handle.callUnchecked(Native::clientUserAgent);
    }

    /** Deletes the cached MFA token of this configuration's (host, user), if any. */
    public void deleteCachedToken() throws SfmfaException {
        handle.call(h -> {
            Native.cacheDelete(h);
            return null;
        });
    }

    /** Whether a token is cached for this configuration's (host, user); empty when it does not cache. */
    public Optional<CacheInspection> inspectCache() throws SfmfaException {
        return Optional.ofNullable(handle.call(Native::cacheInspect));
    }

    /**
     * Cancels running logins, waits until they have returned, and frees the native client. Idempotent; later
     * calls throw IllegalStateException. Sessions already made stay usable.
     */
    @Override
    public void close() {
        handle.close(Native::clientCancel);
    }

    /** True once {@link #close()} has begun. */
    public boolean isClosed() {
        return handle.isClosed();
    }

    @Override
    public String toString() {
        return "SfmfaClient[" + (isClosed() ? "closed" : "open") + ", " + warnings.size() + " warnings]";
    }
}
