package dev.sfmfa;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * are listed in {@link #getWarnings()} (and logged). Values are read as JDBC drivers read them, with
 * {@code get()} rather than {@code getProperty()}: a {@code String}, or a {@code Boolean}, {@code Number},
 * {@code Character} or other {@code CharSequence} by its {@code toString()}, so {@code props.put("loginTimeout", 5)}
 * and {@code props.put("passcodeInPassword", true)} work; a value of another type (or a key that is not a
 * {@code String}) is ignored with a warning that names its type, never its value.
 *
 * <p>Thread-safe: any number of threads may {@link #login()} at once; any thread may {@link #cancel()}. Close it
 * when done ({@link #close()} cancels running logins, waits for them to return, then frees the native client);
 * a client that is never closed is freed when it becomes unreachable. After {@code close()}, its methods throw an
 * {@link SfmfaNonTransientConnectionException} with SQLSTATE 08003 (but {@link #cancel()} returns 0).
 *
 * <p>Failures are {@link SQLException}s of the JDK subclass their SQLSTATE calls for (timeouts are
 * {@link java.sql.SQLTimeoutException}, a refused password a {@link java.sql.SQLInvalidAuthorizationSpecException},
 * ...), each implementing {@link SfmfaError} with its {@link SfmfaError.Kind}: the table is in {@link SfmfaError}.
 *
 * <p>Secrets: the password and passcode you put in {@code Properties} or a URL are Java {@code String}s, which
 * cannot be wiped; sfmfa copies them into wiped-on-drop memory at once and never puts them in a message.
 */
public final class SfmfaClient implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("dev.sfmfa");

    private final NativeHandle handle;
    private final List<String> warnings;

    private SfmfaClient(String url, Properties properties, TokenStore store) throws SQLException {
        long config = url == null ? Native.configNew() : Native.configFromUrl(url);
        List<String> found = new ArrayList<>();
        long client;
        try {
            List<String> unknown = new ArrayList<>();
            if (properties != null) {
                // The names: every String key, and those of the defaults (which only getProperty sees).
                TreeSet<String> names = new TreeSet<>(properties.stringPropertyNames());
                for (Map.Entry<Object, Object> e : properties.entrySet()) {
                    if (e.getKey() instanceof String name) {
                        names.add(name);
                    } else {
                        unknown.add("a property whose key is not a String was ignored (key type "
                                + typeName(e.getKey()) + ")");
                    }
                }
                for (String name : names) {
                    Object raw = properties.get(name);
                    String value = raw == null ? properties.getProperty(name) : optionText(raw);
                    if (value == null) {
                        // Not the name: a password typed as a name must not reach a warning (ConfigSecretsTest).
                        unknown.add("a property whose value is a " + typeName(raw) + " was ignored (sfmfa reads a"
                                + " String, Boolean, Number, Character or other CharSequence)");
                        continue;
                    }
                    String warning = Native.configSet(config, name, value, true);
                    if (warning != null) {
                        unknown.add(warning);
                    }
                }
            }
            Collections.addAll(found, Native.configWarnings(config));
            found.addAll(unknown);
            client = store == null ? Native.clientNew(config) : Native.clientNewWithTokenStore(config, store);
        } finally {
            Native.configFree(config);
        }
        this.handle = new NativeHandle("client", client, Native::clientFree);
        this.warnings = List.copyOf(found);
        for (String w : warnings) {
            LOG.log(Level.WARNING, "sfmfa configuration: {0}", w);
        }
    }

    /**
     * The text of a property value as JDBC drivers read it ({@code get()}, then {@code toString()}), or null
     * for a type whose {@code toString()} is not its value (an array, an arbitrary object).
     */
    private static String optionText(Object value) {
        if (value instanceof CharSequence || value instanceof Boolean || value instanceof Number
                || value instanceof Character) {
            return value.toString();
        }
        return null;
    }

    private static String typeName(Object o) {
        return o == null ? "null" : o.getClass().getName();
    }

    /**
     * A client configured from properties with JDBC's option names (any driver's name for an option works).
     *
     * @param properties the options; values as described in the class documentation
     * @return a new client (no network traffic yet)
     * @throws SQLException an {@link SfmfaDataException} for a value that does not parse or a missing option
     */
    public static SfmfaClient fromProperties(Properties properties) throws SQLException {
        return new SfmfaClient(null, properties, null);
    }

    /**
     * A client configured from properties, which keeps MFA tokens in the application's {@code store} instead of
     * the store {@code token_cache} names (see {@link TokenStore}).
     *
     * @param properties the options; values as described in the class documentation
     * @param store where MFA tokens are kept; held by the client until it is closed
     * @return a new client (no network traffic yet)
     * @throws SQLException an {@link SfmfaDataException} for a value that does not parse or a missing option
     */
    public static SfmfaClient fromProperties(Properties properties, TokenStore store) throws SQLException {
        return new SfmfaClient(null, properties, Objects.requireNonNull(store, "store"));
    }

    /**
     * A client configured from a JDBC URL ({@code jdbc:snowflake://host[:port]/?key=value&...}).
     *
     * @param url the JDBC URL
     * @return a new client (no network traffic yet)
     * @throws SQLException an {@link SfmfaDataException} for a URL or value that does not parse
     */
    public static SfmfaClient fromUrl(String url) throws SQLException {
        return fromUrl(url, null);
    }

    /**
     * A client configured from a JDBC URL, then {@code properties} (which add to or override the URL's keys).
     *
     * @param url the JDBC URL
     * @param properties more options, or null
     * @return a new client (no network traffic yet)
     * @throws SQLException an {@link SfmfaDataException} for a URL or value that does not parse
     */
    public static SfmfaClient fromUrl(String url, Properties properties) throws SQLException {
        if (url == null) {
            throw new NullPointerException("url");
        }
        return new SfmfaClient(url, properties, null);
    }

    /**
     * A client configured from a JDBC URL, then {@code properties}, which keeps MFA tokens in the application's
     * {@code store} instead of the store {@code token_cache} names (see {@link TokenStore}).
     *
     * @param url the JDBC URL
     * @param properties more options, or null
     * @param store where MFA tokens are kept; held by the client until it is closed
     * @return a new client (no network traffic yet)
     * @throws SQLException an {@link SfmfaDataException} for a URL or value that does not parse
     */
    public static SfmfaClient fromUrl(String url, Properties properties, TokenStore store) throws SQLException {
        if (url == null) {
            throw new NullPointerException("url");
        }
        return new SfmfaClient(url, properties, Objects.requireNonNull(store, "store"));
    }

    /**
     * Logs in within {@code loginTimeout}; blocks while Duo waits for the user.
     *
     * @return the session
     * @throws SQLException the failure, of the class its SQLSTATE calls for, implementing {@link SfmfaError}
     *     with the kind and Snowflake code ({@link SfmfaError.Kind#CANCELLED} when cancelled; SQLSTATE 08003
     *     once the client is closed)
     */
    public SfmfaSession login() throws SQLException {
        return new SfmfaSession(handle.call(Native::clientLogin));
    }

    /**
     * Cancels every login of this client running now, from any thread: each throws
     * {@link SfmfaError.Kind#CANCELLED} promptly.
     *
     * @return how many were cancelled (0 once closed)
     */
    public int cancel() {
        if (handle.isClosed()) {
            return 0;
        }
        try {
            return (int) Math.min(Integer.MAX_VALUE, handle.call(Native::clientCancel));
        } catch (SQLException closedMeanwhile) {
            return 0;
        }
    }

    /**
     * Delivers the progress events of later logins to {@code listener} (null: to nobody). Events arrive on the
     * login thread; what the listener throws is logged and ignored.
     *
     * @param listener the listener, or null
     * @throws SQLException SQLSTATE 08003 once the client is closed
     */
    public void setProgressListener(ProgressListener listener) throws SQLException {
        ProgressDispatcher dispatcher = listener == null ? null : new ProgressDispatcher(listener);
        handle.call(h -> {
            Native.clientSetProgress(h, dispatcher);
            return null;
        });
    }

    /**
     * Unknown option names, options sfmfa accepts but does not honour, options given twice, property values of a
     * type sfmfa does not read. Never a value.
     *
     * @return the warnings, possibly empty
     */
    public List<String> getWarnings() {
        return warnings;
    }

    /**
     * The User-Agent sent to Snowflake (it names this binding).
     *
     * @return the User-Agent
     * @throws SQLException SQLSTATE 08003 once the client is closed
     */
    public String getUserAgent() throws SQLException {
        return handle.call(Native::clientUserAgent);
    }

    /**
     * Deletes the cached MFA token of this configuration's (host, user), if any.
     *
     * @throws SQLException an {@link SfmfaGeneralException} of kind {@code CACHE} when the store cannot be
     *     used; SQLSTATE 08003 once the client is closed
     */
    public void deleteCachedToken() throws SQLException {
        handle.call(h -> {
            Native.cacheDelete(h);
            return null;
        });
    }

    /**
     * Whether a token is cached for this configuration's (host, user).
     *
     * @return what the cache holds; empty when this configuration does not cache
     * @throws SQLException an {@link SfmfaGeneralException} of kind {@code CACHE} when the store cannot be
     *     used; SQLSTATE 08003 once the client is closed
     */
    public Optional<CacheInspection> inspectCache() throws SQLException {
        return Optional.ofNullable(handle.call(Native::cacheInspect));
    }

    /**
     * Cancels running logins, waits until they have returned, and frees the native client. Idempotent; later
     * calls throw an {@link SfmfaNonTransientConnectionException} with SQLSTATE 08003. Sessions already made stay
     * usable.
     */
    @Override
    public void close() {
        handle.close(Native::clientCancel);
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
        return "SfmfaClient[" + (isClosed() ? "closed" : "open") + ", " + warnings.size() + " warnings]";
    }
}
