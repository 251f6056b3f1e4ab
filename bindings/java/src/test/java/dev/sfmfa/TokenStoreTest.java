package dev.sfmfa;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * A token store supplied by the application ({@link TokenStore}), called through JNI on the login thread, against
 * the emulator: the first login stores through {@code put} (one push), the next reads through {@code get} (no
 * push, per the emulator's counters); a throwing {@code put} is {@code WRITE_FAILED} and a throwing {@code get}
 * {@code UNAVAILABLE}, both with a successful login and a detail that names the exception's class, not its
 * message.
 */
class TokenStoreTest extends WithEmulator {
    private static final String KEY_PREFIX = "SnowflakeTokenCache.v2.MfaToken.";

    /** The application's store: a map, with a record of the calls (from any thread). */
    static class MapStore implements TokenStore {
        final Map<String, byte[]> tokens = new ConcurrentHashMap<>();
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        @Override
        public byte[] get(String key) throws Exception {
            calls.add("get");
            return tokens.get(key);
        }

        @Override
        public void put(String key, byte[] token) throws Exception {
            calls.add("put");
            tokens.put(key, token.clone());
        }

        @Override
        public void delete(String key) throws Exception {
            calls.add("delete");
            tokens.remove(key);
        }

        long count(String method) {
            synchronized (calls) {
                return calls.stream().filter(method::equals).count();
            }
        }
    }

    static Properties mfa(String user) {
        return emu.props(user, "authenticator", "username_password_mfa", "clientStoreTemporaryCredential", "true");
    }

    @Test
    void putThenALoginThroughGetWithNoPush() throws Exception {
        emu.addUser("jstore_rt", "{\"kind\":\"approve\",\"delay_ms\":0}");
        MapStore store = new MapStore();
        try (SfmfaClient client = SfmfaClient.fromProperties(mfa("jstore_rt"), store)) {
            try (SfmfaSession first = client.login()) {
                assertEquals(CacheStatus.STORED, first.getCacheStatus(), first.getCacheDetail());
                assertTrue(first.getCacheDetail().contains("application store"), first.getCacheDetail());
            }
            assertEquals(1, emu.pushCount("jstore_rt"));
            assertEquals(1, store.count("put"));
            assertEquals(1, store.tokens.size());
            String key = store.tokens.keySet().iterator().next();
            assertTrue(key.startsWith(KEY_PREFIX) && key.length() == KEY_PREFIX.length() + 64, key);
            assertFalse(key.contains("jstore_rt"));
            try (SfmfaSession second = client.login()) {
                assertEquals(CacheStatus.HIT, second.getCacheStatus(), second.getCacheDetail());
                assertEquals(SecondFactor.MFA_TOKEN, second.getSecondFactor());
            }
            assertEquals(1, emu.pushCount("jstore_rt"), "no second push");
            assertEquals(2, emu.loginCount("jstore_rt"));
            assertEquals(java.util.Optional.of(new CacheInspection(true, "application store")), client.inspectCache());
            client.deleteCachedToken();
            assertTrue(store.tokens.isEmpty());
            assertEquals(1, store.count("delete"));
        }
    }

    @Test
    void aTokenPutByAnotherClientIsReadFromANewThread() throws Exception {
        emu.addUser("jstore_thread", "{\"kind\":\"approve\",\"delay_ms\":0}");
        MapStore store = new MapStore();
        try (SfmfaClient client = SfmfaClient.fromUrl(
                "jdbc:snowflake://127.0.0.1:" + emu.port + "/?protocol=http", mfa("jstore_thread"), store)) {
            client.login().close();
        }
        // A second client on a thread of its own: get is called there, and the token logs in.
        SecondFactor[] factor = new SecondFactor[1];
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            try (SfmfaClient client = SfmfaClient.fromProperties(mfa("jstore_thread"), store);
                    SfmfaSession s = client.login()) {
                factor[0] = s.getSecondFactor();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.start();
        t.join();
        assertNull(failure[0]);
        assertEquals(SecondFactor.MFA_TOKEN, factor[0]);
        assertEquals(1, emu.pushCount("jstore_thread"));
    }

    @Test
    void aThrowingPutIsWriteFailedAndTheLoginSucceeds() throws Exception {
        emu.addUser("jstore_put", "{\"kind\":\"approve\",\"delay_ms\":0}");
        MapStore store = new MapStore() {
            @Override
            public void put(String key, byte[] token) throws Exception {
                super.put(key, token);
                throw new IOException("disk full writing " + new String(token, StandardCharsets.UTF_8));
            }
        };
        try (SfmfaClient client = SfmfaClient.fromProperties(mfa("jstore_put"), store);
                SfmfaSession s = client.login()) {
            assertEquals(CacheStatus.WRITE_FAILED, s.getCacheStatus(), s.getCacheDetail());
            assertTrue(s.getSessionId() != 0);
            assertTrue(s.getCacheDetail().contains("put() threw java.io.IOException"), s.getCacheDetail());
            String token = new String(store.tokens.values().iterator().next(), StandardCharsets.UTF_8);
            assertFalse(s.getCacheDetail().contains(token));
            assertFalse(s.getCacheDetail().contains("disk full"));
        }
        assertEquals(1, store.count("put"));
    }

    @Test
    void aThrowingGetIsUnavailableAndTheLoginSucceeds() throws Exception {
        MapStore store = new MapStore() {
            @Override
            public byte[] get(String key) throws Exception {
                super.get(key);
                throw new IllegalStateException("vault sealed");
            }
        };
        // A user the server issues no token for: what the cache reports is the failed read.
        try (SfmfaClient client = SfmfaClient.fromProperties(mfa("no_cache"), store);
                SfmfaSession s = client.login()) {
            assertEquals(CacheStatus.UNAVAILABLE, s.getCacheStatus(), s.getCacheDetail());
            assertTrue(s.getCacheDetail().contains("get() threw java.lang.IllegalStateException"), s.getCacheDetail());
            assertFalse(s.getCacheDetail().contains("vault sealed"));
        }
        assertTrue(store.count("get") >= 1);
    }

    @Test
    void aNullStoreIsRefused() {
        assertThrows(NullPointerException.class, () -> SfmfaClient.fromProperties(mfa("push_approve"), null));
    }
}
