package dev.sfmfa;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Snowflake's multi-step Duo flow ({@code nextAction}) through Java: users on the emulator's legacy flow answer step 1
 * with {@code EXT_AUTHN_DUO_ALL} and an {@code inFlightCtx}, step 2 runs the Duo factor, step 3 hands out the
 * tokens. Also a passcode-in-password login repeated with the token cache on.
 */
class MultiStepTest extends WithEmulator {
    private static final String APPROVE = "{\"kind\":\"approve\",\"delay_ms\":0}";
    private static final String DENY = "{\"kind\":\"deny\"}";

    @AfterEach
    void noFaultsLeft() {
        emu.clearFaults();
    }

    private static String legacyUser(String name, String push) {
        emu.addUser(name, push);
        emu.legacy(name, true);
        return name;
    }

    private static List<Integer> steps(List<ProgressEvent> events) {
        return events.stream().filter(e -> e.kind() == ProgressEvent.Kind.LOGIN_STEP).map(ProgressEvent::getStep)
                .collect(Collectors.toList());
    }

    private static List<ProgressEvent.Kind> kinds(List<ProgressEvent> events) {
        return events.stream().map(ProgressEvent::kind).collect(Collectors.toList());
    }

    @Test
    void multiStepPush() throws Exception {
        String user = legacyUser("ms_push", APPROVE);
        List<ProgressEvent> events = new CopyOnWriteArrayList<>();
        try (SfmfaClient client = SfmfaClient.fromProperties(emu.props(user, "authenticator", "username_password_mfa"))) {
            client.setProgressListener(events::add);
            try (SfmfaSession s = client.login()) {
                // EXT_AUTHN_SUCCESS after the push step proves the approved push.
                assertEquals(SecondFactor.PUSH, s.getSecondFactor());
                assertFalse(s.getToken().isEmpty());
            }
        }
        assertEquals(1, emu.pushCount(user), "one push for the three steps");
        assertEquals(3, emu.loginCount(user), "step 1, the Duo step and the token request");
        assertEquals(List.of(ProgressEvent.Kind.PUSH_SENT, ProgressEvent.Kind.LOGIN_STEP, ProgressEvent.Kind.PUSH_SENT,
                ProgressEvent.Kind.LOGIN_STEP), kinds(events).subList(0, 4), events.toString());
        assertEquals(List.of(2, 3), steps(events));
        ProgressEvent step2 = events.get(1);
        assertEquals(step2.step(), step2.getStep());
        assertTrue(step2.message().contains("step 2 of 3") && step2.message().contains("EXT_AUTHN_DUO_ALL"),
                step2.message());
        assertTrue(events.get(3).message().contains("EXT_AUTHN_SUCCESS"), events.get(3).message());
        assertTrue(events.stream().filter(e -> e.kind() != ProgressEvent.Kind.LOGIN_STEP).allMatch(e -> e.step() == 0));
    }

    @Test
    void multiStepPasscode() throws Exception {
        String user = legacyUser("ms_passcode", DENY);
        List<ProgressEvent> events = new CopyOnWriteArrayList<>();
        try (SfmfaClient client = SfmfaClient.fromProperties(emu.props(user, "authenticator", "username_password_mfa",
                "passcode", Emulator.BYPASS))) {
            client.setProgressListener(events::add);
            try (SfmfaSession s = client.login()) {
                assertEquals(SecondFactor.PASSCODE, s.getSecondFactor());
            }
        }
        assertEquals(0, emu.pushCount(user), "no push");
        assertEquals(3, emu.loginCount(user));
        assertEquals(List.of(ProgressEvent.Kind.PASSCODE_SENT, ProgressEvent.Kind.LOGIN_STEP,
                ProgressEvent.Kind.PASSCODE_SENT, ProgressEvent.Kind.LOGIN_STEP), kinds(events).subList(0, 4),
                events.toString());
        assertEquals(List.of(2, 3), steps(events));
    }

    @Test
    void multiStepWrongPasscodeFailsAtTheDuoStep() throws Exception {
        String user = legacyUser("ms_wrong", APPROVE);
        try (SfmfaClient client = SfmfaClient.fromProperties(emu.props(user, "passcode", "000000"))) {
            SfmfaNonTransientConnectionException e = assertThrows(SfmfaNonTransientConnectionException.class,
                    client::login);
            assertEquals(SfmfaError.Kind.DUO_INVALID, e.getKind());
            assertEquals(390127, e.getErrorCode());
            assertTrue(e.getMessage().contains("step 2"), e.getMessage());
        }
        assertEquals(0, emu.pushCount(user));
    }

    private void passcodeInPasswordThreeTimes(String user, boolean legacy) throws Exception {
        Properties p = emu.props(user, "authenticator", "username_password_mfa", "passcodeInPassword", "on",
                "password", Emulator.PASSWORD + Emulator.BYPASS, "clientStoreTemporaryCredential", "true",
                "token_cache", "memory");
        List<ProgressEvent> events = new CopyOnWriteArrayList<>();
        try (SfmfaClient client = SfmfaClient.fromProperties(p)) {
            client.setProgressListener(events::add);
            try (SfmfaSession s = client.login()) {
                assertEquals(SecondFactor.PASSCODE_IN_PASSWORD, s.getSecondFactor());
                assertEquals(CacheStatus.STORED, s.getCacheStatus(), s.getCacheDetail());
            }
            for (int i = 2; i <= 3; i++) {
                // The cached token goes with the password without its trailing passcode.
                try (SfmfaSession s = client.login()) {
                    assertEquals(SecondFactor.MFA_TOKEN, s.getSecondFactor(), "login " + i);
                    assertEquals(CacheStatus.HIT, s.getCacheStatus(), s.getCacheDetail());
                }
            }
        }
        assertEquals(0, emu.pushCount(user), "no push, ever");
        assertEquals((legacy ? 3 : 1) + 2, emu.loginCount(user));
        assertEquals(2, kinds(events).stream().filter(k -> k == ProgressEvent.Kind.USING_CACHED_TOKEN).count());
        assertEquals(legacy ? List.of(2, 3) : List.of(), steps(events));
    }

    @Test
    void passcodeInPasswordThreeTimesWithTheTokenCache() throws Exception {
        emu.addUser("pip3_one_step", DENY);
        passcodeInPasswordThreeTimes("pip3_one_step", false);
    }

    @Test
    void multiStepPasscodeInPasswordThreeTimesWithTheTokenCache() throws Exception {
        passcodeInPasswordThreeTimes(legacyUser("pip3_multi_step", DENY), true);
    }

    @Test
    void aStepWithoutContextIsAProtocolErrorNamingTheStep() throws Exception {
        emu.addUser("ms_bad", APPROVE);
        emu.answerWith("{\"success\":true,\"data\":{\"nextAction\":\"EXT_AUTHN_DUO_ALL\"},\"code\":null,"
                + "\"message\":null}", 1);
        try (SfmfaClient client = SfmfaClient.fromProperties(emu.props("ms_bad"))) {
            SfmfaNonTransientConnectionException e = assertThrows(SfmfaNonTransientConnectionException.class,
                    client::login);
            assertEquals(SfmfaError.Kind.PROTOCOL, e.getKind());
            assertEquals(0, e.getErrorCode(), "the server did not refuse");
            assertTrue(e.getMessage().contains("step 1") && e.getMessage().contains("inFlightCtx"), e.getMessage());
        }
        assertEquals(0, emu.pushCount("ms_bad"));
    }

    @Test
    void loginTimeoutZeroMeansNoLimit() throws Exception {
        try (SfmfaClient client = SfmfaClient.fromProperties(emu.props("push_approve", "loginTimeout", "0"));
                SfmfaSession s = client.login()) {
            // The default authenticator asks for a push too: one answer proves no more than PUSH_OR_NONE.
            assertEquals(SecondFactor.PUSH_OR_NONE, s.getSecondFactor());
        }
    }
}
