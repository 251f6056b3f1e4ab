package dev.sfmfa;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** Progress events reach the listener on the login thread; a listener that throws never breaks a login. */
class ProgressTest extends WithEmulator {
    @Test
    void eventsArriveInOrderOnTheLoginThread() throws Exception {
        List<ProgressEvent> events = new CopyOnWriteArrayList<>();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        try (SfmfaClient client = SfmfaClient.fromProperties(emu.props("push_approve"))) {
            client.setProgressListener(e -> {
                events.add(e);
                threads.add(Thread.currentThread());
            });
            try (SfmfaSession s = client.login()) {
                assertNotNull(s.getToken());
            }
        }
        assertEquals(ProgressEvent.Kind.PUSH_SENT, events.get(0).kind(), events.toString());
        assertTrue(events.stream().allMatch(e -> e.message() != null && !e.message().isEmpty()));
        assertTrue(threads.stream().allMatch(t -> t == Thread.currentThread()));
    }

    @Test
    void aRetryReportsItsAttemptAndDelay() throws Exception {
        List<ProgressEvent> events = new CopyOnWriteArrayList<>();
        emu.post("/control/faults", "{\"kind\":\"fail_http\",\"status\":503,\"times\":1}");
        try (SfmfaClient client = SfmfaClient.fromProperties(emu.props("push_approve"))) {
            client.setProgressListener(events::add);
            client.login().close();
        }
        ProgressEvent retry = events.stream().filter(e -> e.kind() == ProgressEvent.Kind.RETRYING).findFirst()
                .orElseThrow(() -> new AssertionError(events.toString()));
        assertEquals(2, retry.attempt());
        assertFalse(retry.delay().isNegative());
    }

    @Test
    void aListenerThatThrowsDoesNotBreakTheLoginAndIsLogged() throws Exception {
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger log = Logger.getLogger("dev.sfmfa");
        log.addHandler(handler);
        boolean parent = log.getUseParentHandlers();
        log.setUseParentHandlers(false);
        try (SfmfaClient client = SfmfaClient.fromProperties(emu.props("push_approve", "authenticator",
                "username_password_mfa"))) {
            client.setProgressListener(e -> {
                throw new IllegalArgumentException("listener bug on " + e.kind());
            });
            try (SfmfaSession s = client.login()) {
                assertEquals(SecondFactor.PUSH_OR_NONE, s.getSecondFactor());
            }
            // An Error too, and the login after it still works.
            client.setProgressListener(e -> {
                throw new AssertionError("listener error");
            });
            client.login().close();
        } finally {
            log.removeHandler(handler);
            log.setUseParentHandlers(parent);
        }
        assertTrue(logged.stream().anyMatch(r -> r.getThrown() instanceof IllegalArgumentException), logged.toString());
        assertTrue(logged.stream().anyMatch(r -> r.getThrown() instanceof AssertionError));
    }

    @Test
    void aListenerMayCancelButNotClose() throws Exception {
        SfmfaClient[] self = new SfmfaClient[1];
        List<Throwable> thrown = new CopyOnWriteArrayList<>();
        try (SfmfaClient client = SfmfaClient.fromProperties(emu.props("push_approve"))) {
            self[0] = client;
            client.setProgressListener(e -> {
                try {
                    self[0].close(); // would wait for itself: refused
                } catch (IllegalStateException ex) {
                    thrown.add(ex);
                }
            });
            client.login().close();
            assertFalse(client.isClosed());
            assertFalse(thrown.isEmpty());

            String user = "cancel_from_listener";
            emu.addManualUser(user);
            try (SfmfaClient c2 = SfmfaClient.fromProperties(emu.props(user))) {
                c2.setProgressListener(e -> {
                    if (e.kind() == ProgressEvent.Kind.PUSH_SENT) {
                        new Thread(c2::cancel).start();
                    }
                });
                SfmfaGeneralException e = assertThrows(SfmfaGeneralException.class, c2::login);
                assertEquals(SfmfaError.Kind.CANCELLED, e.getKind());
            }
        }
    }

    @Test
    void removingTheListener() throws Exception {
        List<ProgressEvent> events = new CopyOnWriteArrayList<>();
        try (SfmfaClient client = SfmfaClient.fromProperties(emu.props("push_approve"))) {
            client.setProgressListener(events::add);
            client.setProgressListener(null);
            client.login().close();
        }
        assertTrue(events.isEmpty());
    }
}
