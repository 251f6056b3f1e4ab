package dev.sfmfa;

import static org.junit.jupiter.api.Assertions.*;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Handles are released exactly once: by close (idempotent, concurrent) or by the Cleaner, never twice. */
class HandlesTest extends WithEmulator {
    @Test
    void concurrentClosesReleaseOnce() throws Exception {
        AtomicInteger released = new AtomicInteger();
        NativeHandle h = new NativeHandle("test object", 42, x -> released.incrementAndGet());
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger firsts = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                if (h.close(null)) {
                    firsts.incrementAndGet();
                }
            });
            t.start();
            threads.add(t);
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(1, released.get());
        assertEquals(1, firsts.get());
        SQLNonTransientConnectionException closed = assertThrows(SQLNonTransientConnectionException.class,
                () -> h.call(x -> x));
        assertEquals("08003", closed.getSQLState());
        assertEquals(SfmfaError.Kind.NULL_ARGUMENT, ((SfmfaError) closed).getKind());
        assertEquals("the test object is closed", closed.getMessage());
    }

    @Test
    void theCleanerReleasesAnUnreachableHandleOnce() {
        AtomicInteger released = new AtomicInteger();
        new NativeHandle("test object", 43, x -> released.incrementAndGet());
        Emulator.waitUntil("the Cleaner runs", () -> {
            System.gc();
            return released.get() == 1;
        });
        assertEquals(1, released.get());
    }

    @Test
    void theCleanerFreesAnUnclosedNativeClientAndSession() throws Exception {
        System.gc();
        long live = Native.liveHandles();
        openAndDrop();
        assertEquals(live + 2, Native.liveHandles());
        Emulator.waitUntil("the Cleaner frees both", () -> {
            System.gc();
            return Native.liveHandles() == live;
        });
    }

    private static void openAndDrop() throws SQLException {
        SfmfaClient client = SfmfaClient.fromProperties(emu.props("push_approve", "passcode", Emulator.BYPASS));
        client.login();
    }

    @Test
    void closingAClientAndItsSessionsFreesEverythingOnce() throws Exception {
        long live = Native.liveHandles();
        SfmfaClient client = SfmfaClient.fromProperties(emu.props("push_approve", "passcode", Emulator.BYPASS));
        SfmfaSession a = client.login(), b = client.login();
        assertEquals(live + 3, Native.liveHandles());
        client.close();
        client.close();
        assertEquals(live + 2, Native.liveHandles(), "sessions outlive their client");
        assertFalse(a.getToken().isEmpty());
        a.close();
        b.close();
        a.close();
        assertEquals(live, Native.liveHandles());
    }

    @Test
    void theNativeRegistryRefusesFreedAndForeignHandles() throws Exception {
        long config = Native.configNew();
        Native.configFree(config);
        assertThrows(IllegalStateException.class, () -> Native.configFree(config), "a second free");
        assertThrows(IllegalStateException.class, () -> Native.configSet(config, "user", "x", false), "use after free");
        assertThrows(IllegalStateException.class, () -> Native.sessionFree(0));
        long other = Native.configNew();
        try {
            assertThrows(IllegalStateException.class, () -> Native.clientLogin(other), "a config is not a client");
            assertThrows(IllegalStateException.class, () -> Native.sessionText(other, Native.TOKEN));
        } finally {
            Native.configFree(other);
        }
    }

    @Test
    void aRustPanicBecomesAPanicExceptionAndTheLibraryStaysUsable() throws Exception {
        SfmfaGeneralException e = assertThrows(SfmfaGeneralException.class, () -> Native.testingPanic("boom in a test"));
        assertEquals(SfmfaError.Kind.PANIC, e.getKind());
        assertTrue(e.getMessage().contains("panic") && e.getMessage().contains("boom in a test"), e.getMessage());
        assertEquals("XX000", e.getSQLState());
        try (SfmfaClient client = SfmfaClient.fromProperties(emu.props("push_approve", "passcode", Emulator.BYPASS));
                SfmfaSession s = client.login()) {
            assertNotNull(s.getToken());
        }
    }
}
