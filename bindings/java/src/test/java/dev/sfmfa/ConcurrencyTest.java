package dev.sfmfa;

import static org.junit.jupiter.api.Assertions.*;

import java.sql.SQLNonTransientConnectionException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Many Java threads at once: one push for sixteen logins, cancel from another thread, close racing login. */
class ConcurrencyTest extends WithEmulator {
    @Test
    void sixteenThreadsLogInWithExactlyOnePush() throws Exception {
        int n = 16;
        String user = "pool16";
        emu.addManualUser(user);
        AtomicInteger waiting = new AtomicInteger();
        List<SfmfaClient> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SfmfaClient c = SfmfaClient.fromProperties(emu.props(user, "authenticator", "username_password_mfa",
                    "clientStoreTemporaryCredential", "true", "token_cache", "memory"));
            c.setProgressListener(e -> {
                if (e.kind() == ProgressEvent.Kind.WAITING_FOR_OTHER_LOGIN) {
                    waiting.incrementAndGet();
                }
            });
            clients.add(c);
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<SfmfaSession>> logins = new ArrayList<>();
            for (SfmfaClient c : clients) {
                logins.add(pool.submit(() -> {
                    go.await();
                    return c.login();
                }));
            }
            go.countDown();
            Emulator.waitUntil("one push is pending", () -> emu.pendingPushes(user) == 1);
            Emulator.waitUntil("the 15 other logins wait", () -> waiting.get() == n - 1);
            assertEquals(1, emu.pushCount(user));
            assertTrue(emu.answer(user, true));
            Map<CacheStatus, Integer> statuses = new EnumMap<>(CacheStatus.class);
            for (Future<SfmfaSession> f : logins) {
                try (SfmfaSession s = f.get(60, TimeUnit.SECONDS)) {
                    statuses.merge(s.getCacheStatus(), 1, Integer::sum);
                }
            }
            assertEquals(1, emu.pushCount(user), "exactly one push");
            assertEquals(Map.of(CacheStatus.STORED, 1, CacheStatus.HIT, n - 1), statuses);
            assertEquals(n, emu.loginCount(user));
        } finally {
            pool.shutdownNow();
            clients.forEach(SfmfaClient::close);
        }
    }

    @Test
    void cancelFromAnotherThread() throws Exception {
        String user = "cancel_me";
        emu.addManualUser(user);
        try (SfmfaClient client = SfmfaClient.fromProperties(emu.props(user))) {
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<SfmfaSession> login = pool.submit(client::login);
                Emulator.waitUntil("the push is pending", () -> emu.pendingPushes(user) == 1);
                assertEquals(1, client.cancel());
                Exception e = assertThrows(Exception.class, () -> login.get(30, TimeUnit.SECONDS));
                SfmfaGeneralException cause = assertInstanceOf(SfmfaGeneralException.class, e.getCause());
                assertEquals(SfmfaError.Kind.CANCELLED, cause.getKind());
                assertEquals("HY008", cause.getSQLState());
                assertEquals(0, client.cancel(), "nothing left to cancel");
            } finally {
                pool.shutdownNow();
            }
            // The client stays usable after a cancel: the next login pushes again and succeeds.
            ExecutorService again = Executors.newSingleThreadExecutor();
            try {
                Future<SfmfaSession> login = again.submit(client::login);
                Emulator.waitUntil("the second push is pending", () -> emu.pushCount(user) == 2);
                // The emulator still holds the abandoned first push (the oldest): answer both.
                assertTrue(emu.answer(user, true));
                assertTrue(emu.answer(user, true));
                try (SfmfaSession s = login.get(30, TimeUnit.SECONDS)) {
                    assertNotNull(s.getToken());
                }
            } finally {
                again.shutdownNow();
            }
        }
        assertEquals(2, emu.pushCount(user));
    }

    @Test
    void closeRacingALoginCancelsItAndFreesTheClientAfterItReturns() throws Exception {
        String user = "close_race";
        emu.addManualUser(user);
        long live = Native.liveHandles();
        SfmfaClient client = SfmfaClient.fromProperties(emu.props(user));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<SfmfaSession> login = pool.submit(client::login);
            Emulator.waitUntil("the push is pending", () -> emu.pendingPushes(user) == 1);
            client.close(); // cancels the login, waits for it to return, then frees
            assertTrue(client.isClosed());
            Exception e = assertThrows(Exception.class, () -> login.get(30, TimeUnit.SECONDS));
            assertEquals(SfmfaError.Kind.CANCELLED, assertInstanceOf(SfmfaGeneralException.class, e.getCause()).getKind());
            SQLNonTransientConnectionException closed = assertThrows(SQLNonTransientConnectionException.class,
                    client::login);
            assertEquals("08003", closed.getSQLState());
            assertEquals(0, client.cancel());
            client.close();
            assertEquals(live, Native.liveHandles(), "the client was freed");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closeRacingManyLoginsNeverFreesTheClientUnderThem() throws Exception {
        long live = Native.liveHandles();
        AtomicInteger sessions = new AtomicInteger(), cancelled = new AtomicInteger(), refused = new AtomicInteger();
        for (int round = 0; round < 20; round++) {
            SfmfaClient client = SfmfaClient.fromProperties(emu.props("push_approve", "passcode", Emulator.BYPASS));
            int threads = 4;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> loops = new ArrayList<>();
            CountDownLatch started = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                loops.add(pool.submit(() -> {
                    started.countDown();
                    while (true) {
                        try (SfmfaSession s = client.login()) {
                            sessions.incrementAndGet();
                        } catch (SQLNonTransientConnectionException e) {
                            assertEquals("08003", e.getSQLState(), e.toString());
                            refused.incrementAndGet();
                            return null;
                        } catch (SfmfaGeneralException e) {
                            assertEquals(SfmfaError.Kind.CANCELLED, e.getKind(), e.toString());
                            cancelled.incrementAndGet();
                        }
                    }
                }));
            }
            started.await();
            Thread.sleep(round % 5 * 3);
            client.close();
            for (Future<?> f : loops) {
                f.get(60, TimeUnit.SECONDS); // rethrows an assertion failure of the loop
            }
            pool.shutdown();
        }
        assertEquals(20 * 4, refused.get(), "every loop ended on the closed client");
        assertTrue(sessions.get() > 0);
        assertEquals(live, Native.liveHandles(), "every client and session was freed");
    }
}
