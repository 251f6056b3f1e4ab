package dev.sfmfa;

import static org.junit.jupiter.api.Assertions.*;

import java.sql.SQLNonTransientConnectionException;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Push, passcode, passcode-in-password and a JDBC URL with Properties, against the emulator. */
class LoginModesTest extends WithEmulator {
    @Test
    void push() throws Exception {
        long before = emu.pushCount("push_approve");
        try (SfmfaClient client = SfmfaClient.fromProperties(emu.props("push_approve", "authenticator", "username_password_mfa"));
                SfmfaSession session = client.login()) {
            // One answer let the user in: it does not prove the push (PUSH is for the multi-step flow, MultiStepTest).
            assertEquals(SecondFactor.PUSH_OR_NONE, session.getSecondFactor());
            assertFalse(session.getToken().isEmpty());
            assertFalse(session.getMasterToken().isEmpty());
            assertNotEquals(session.getToken(), session.getMasterToken());
            assertTrue(session.getSessionId() != 0);
            assertEquals(CacheStatus.DISABLED, session.getCacheStatus());
            assertTrue(client.getWarnings().isEmpty(), client.getWarnings().toString());
        }
        assertEquals(before + 1, emu.pushCount("push_approve"));
    }

    @Test
    void passcode() throws Exception {
        String code = emu.passcode("demo");
        try (SfmfaClient client = SfmfaClient.fromProperties(emu.props("demo", "authenticator", "username_password_mfa",
                "passcode", code)); SfmfaSession session = client.login()) {
            assertEquals(SecondFactor.PASSCODE, session.getSecondFactor());
        }
    }

    @Test
    void passcodeInPassword() throws Exception {
        long pushes = emu.pushCount("push_approve");
        Properties p = emu.props("push_approve", "authenticator", "username_password_mfa", "passcodeInPassword", "on",
                "password", Emulator.PASSWORD + Emulator.BYPASS);
        try (SfmfaClient client = SfmfaClient.fromProperties(p); SfmfaSession session = client.login()) {
            assertEquals(SecondFactor.PASSCODE_IN_PASSWORD, session.getSecondFactor());
        }
        assertEquals(pushes, emu.pushCount("push_approve"), "no push");
    }

    @Test
    void everyDriversNameForAnOptionWorks() throws Exception {
        // Python's and ODBC's names for the same options, through the same table.
        Properties p = emu.props("push_approve");
        p.remove("user");
        p.remove("password");
        p.setProperty("uid", "push_approve");
        p.setProperty("pwd", Emulator.PASSWORD + Emulator.BYPASS);
        p.setProperty("passcode_in_password", "true");
        try (SfmfaClient client = SfmfaClient.fromProperties(p); SfmfaSession session = client.login()) {
            assertEquals(SecondFactor.PASSCODE_IN_PASSWORD, session.getSecondFactor());
        }
    }

    @Test
    void jdbcUrlWithPropertiesThatOverrideAndAdd() throws Exception {
        String url = "jdbc:snowflake://127.0.0.1:" + emu.port + "/?account=xy12345&user=push_approve&password=wrong"
                + "&protocol=http&wharehouse=W1&clientStoreTemporaryCredential=off";
        Properties p = new Properties();
        p.setProperty("password", Emulator.PASSWORD); // overrides the URL's
        p.setProperty("passcode", Emulator.BYPASS); // adds
        p.setProperty("someDriverSetting", "x"); // unknown: a warning, not an error
        try (SfmfaClient client = SfmfaClient.fromUrl(url, p); SfmfaSession session = client.login()) {
            assertEquals(SecondFactor.PASSCODE, session.getSecondFactor());
            String warnings = String.join("\n", client.getWarnings());
            assertEquals(2, client.getWarnings().size(), warnings);
            assertTrue(warnings.contains("wharehouse") && warnings.contains("'warehouse'"), warnings);
            assertTrue(warnings.contains("someDriverSetting"), warnings);
            assertFalse(warnings.contains("W1"), "a warning never shows a value");
        }
        // The URL alone has the wrong password.
        try (SfmfaClient client = SfmfaClient.fromUrl(url)) {
            SfmfaAuthorizationException e = assertThrows(SfmfaAuthorizationException.class, client::login);
            assertEquals(SfmfaError.Kind.BAD_CREDENTIALS, e.getKind());
        }
    }

    @Test
    void theUserAgentNamesTheJavaBinding() throws Exception {
        try (SfmfaClient client = SfmfaClient.fromProperties(emu.props("push_approve"))) {
            assertTrue(client.getUserAgent().contains("Java"), client.getUserAgent());
        }
    }

    @Test
    void closeLogsOutOnceAndIsIdempotent() throws Exception {
        try (SfmfaClient client = SfmfaClient.fromProperties(emu.props("push_approve", "passcode", Emulator.BYPASS))) {
            long closedBefore = Emulator.number(emu.get("/control/sessions"), "closed");
            SfmfaSession session = client.login();
            session.close();
            session.close();
            assertTrue(session.isClosed());
            assertEquals(closedBefore + 1, Emulator.number(emu.get("/control/sessions"), "closed"));
            SQLNonTransientConnectionException e = assertThrows(SQLNonTransientConnectionException.class,
                    session::getToken);
            assertEquals("08003", e.getSQLState());
            assertEquals("the session is closed", e.getMessage());
            assertThrows(SQLNonTransientConnectionException.class, session::getCacheStatus);
            assertTrue(session.getSessionId() != 0, "the id is kept");
        }
    }
}
