package dev.sfmfa;

import static org.junit.jupiter.api.Assertions.*;

import dev.sfmfa.SfmfaError.Kind;
import java.net.ServerSocket;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Duo refusal as its kind, vendor code and JDBC class, configuration and network failures, and no secret in any
 * of them.
 */
class ErrorsTest extends WithEmulator {
    static Stream<Arguments> duoCodes() {
        return Stream.of(
                Arguments.of("push_deny", null, Kind.DUO_DENIED, 390120),
                Arguments.of("push_pending", null, Kind.DUO_PENDING, 390121),
                Arguments.of("not_enrolled", Emulator.BYPASS, Kind.DUO_NOT_ENROLLED, 390122),
                Arguments.of("locked_user", null, Kind.DUO_LOCKED, 390123),
                Arguments.of("push_timeout", null, Kind.DUO_TIMEOUT, 390126),
                Arguments.of("demo", "000000", Kind.DUO_INVALID, 390127),
                Arguments.of("duo_down", null, Kind.DUO_EXCEPTION, 390129),
                Arguments.of("push_disabled", null, Kind.DUO_PUSH_DISABLED, 390132));
    }

    @ParameterizedTest(name = "{0} -> {2} {3}")
    @MethodSource("duoCodes")
    void duoRefusal(String user, String passcode, Kind kind, int code) throws Exception {
        Properties p = emu.props(user, "authenticator", "username_password_mfa");
        if (passcode != null) {
            p.setProperty("passcode", passcode);
        }
        try (SfmfaClient client = SfmfaClient.fromProperties(p)) {
            SQLException thrown = assertThrows(SQLException.class, client::login);
            SfmfaError e = (SfmfaError) thrown;
            assertEquals(kind, e.getKind(), e.toString());
            // Duo unreachable is worth retrying unchanged; every other refusal needs someone to act.
            Class<? extends SQLException> expected = kind == Kind.DUO_EXCEPTION
                    ? SQLTransientConnectionException.class : SQLNonTransientConnectionException.class;
            assertInstanceOf(expected, thrown, e.toString());
            assertEquals(code, e.getErrorCode());
            assertEquals(code, e.getServerCode());
            assertEquals("08001", e.getSQLState());
            assertNotNull(e.getMessage());
            assertFalse(e.getMessage().isEmpty());
        }
    }

    @Test
    void forcedCodesMapLikeRealOnes() throws Exception {
        emu.post("/control/faults", "{\"kind\":\"force_code\",\"code\":\"390120\",\"times\":1}");
        try (SfmfaClient client = SfmfaClient.fromProperties(emu.props("push_approve"))) {
            SfmfaNonTransientConnectionException e = assertThrows(SfmfaNonTransientConnectionException.class,
                    client::login);
            assertEquals(Kind.DUO_DENIED, e.getKind());
            assertEquals("Duo Security authentication is denied.", e.getMessage());
            assertTrue(e.getHint().contains("passcode"), e.getHint());
        }
    }

    @Test
    void badPasswordAndNoSecretInAnyMessage() throws Exception {
        String password = "Tr0ub4dor-s3cret-pw";
        String passcode = "314159";
        for (Properties p : new Properties[] {
                emu.props("push_approve", "password", password),
                emu.props("push_approve", "password", password + passcode, "passcodeInPassword", "on"),
                emu.props("demo", "password", password, "passcode", passcode)}) {
            try (SfmfaClient client = SfmfaClient.fromProperties(p)) {
                SfmfaAuthorizationException e = assertThrows(SfmfaAuthorizationException.class, client::login);
                assertInstanceOf(SQLInvalidAuthorizationSpecException.class, e);
                assertEquals(Kind.BAD_CREDENTIALS, e.getKind());
                assertEquals(390100, e.getErrorCode());
                assertEquals("28000", e.getSQLState());
                assertNoSecret(e, password, passcode);
                assertFalse(client.toString().contains(password));
            }
        }
        // A bad URL that holds the password: the error names the key, never the password.
        SfmfaDataException e = assertThrows(SfmfaDataException.class, () -> SfmfaClient.fromUrl(
                "jdbc:snowflake://127.0.0.1:" + emu.port + "/?user=u&password=" + password + "&loginTimeout=soon"));
        assertEquals(Kind.INVALID_VALUE, e.getKind());
        assertNoSecret(e, password, passcode);
    }

    static void assertNoSecret(SfmfaError e, String... secrets) {
        for (String s : secrets) {
            assertFalse(String.valueOf(e.getMessage()).contains(s), e.getMessage());
            assertFalse(e.toString().contains(s), e.toString());
            assertFalse(String.valueOf(e.getHint()).contains(s));
        }
    }

    @Test
    void configurationErrors() {
        SfmfaDataException e = assertThrows(SfmfaDataException.class,
                () -> SfmfaClient.fromProperties(emu.props("push_approve", "loginTimeout", "abc")));
        assertInstanceOf(SQLDataException.class, e);
        assertEquals(Kind.INVALID_VALUE, e.getKind());
        assertEquals(0, e.getErrorCode());
        assertEquals("22023", e.getSQLState());
        assertTrue(e.getMessage().contains("login_timeout") || e.getMessage().contains("loginTimeout"), e.getMessage());

        Properties p = emu.props("push_approve");
        p.remove("password");
        e = assertThrows(SfmfaDataException.class, () -> SfmfaClient.fromProperties(p));
        assertEquals(Kind.MISSING_OPTION, e.getKind());

        e = assertThrows(SfmfaDataException.class, () -> SfmfaClient.fromUrl("http://not-a-jdbc-url"));
        assertEquals(Kind.INVALID_VALUE, e.getKind());
    }

    @Test
    void aClosedPortIsAConnectError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (SfmfaClient client = SfmfaClient.fromProperties(emu.props("push_approve", "port", Integer.toString(port),
                "loginTimeout", "5"))) {
            SQLException thrown = assertThrows(SQLException.class, client::login);
            SfmfaError e = (SfmfaError) thrown;
            assertTrue(e.getKind() == Kind.CONNECT && thrown instanceof SQLTransientConnectionException
                    || e.getKind() == Kind.TIMEOUT && thrown instanceof SQLTimeoutException, e.toString());
            assertEquals(0, e.getErrorCode());
        }
    }

    @Test
    void loginTimeoutIsNotTheDuoTimeout() throws Exception {
        emu.addManualUser("slow_timeout");
        try (SfmfaClient client = SfmfaClient.fromProperties(emu.props("slow_timeout", "loginTimeout", "1"))) {
            SfmfaTimeoutException e = assertThrows(SfmfaTimeoutException.class, client::login);
            assertInstanceOf(SQLTimeoutException.class, e);
            assertEquals(Kind.TIMEOUT, e.getKind(), e.toString());
            assertEquals("HYT00", e.getSQLState());
        }
    }

    /** An Integer {@code loginTimeout}, as JDBC users put it, takes effect: the login times out after it. */
    @Test
    void anIntegerLoginTimeoutTakesEffect() throws Exception {
        emu.addManualUser("slow_integer_timeout");
        Properties p = emu.props("slow_integer_timeout");
        p.put("loginTimeout", 1); // replaces the String "20" of emu.props; the push is never answered
        try (SfmfaClient client = SfmfaClient.fromProperties(p)) {
            assertTrue(client.getWarnings().isEmpty(), client.getWarnings().toString());
            SfmfaTimeoutException e = assertThrows(SfmfaTimeoutException.class, client::login);
            assertEquals(Kind.TIMEOUT, e.getKind(), e.toString());
        }
    }

    /**
     * A Boolean option takes effect ({@code passcodeInPassword}: the password's last six digits are the passcode,
     * so the login passes without a push), and so does a Long port and a StringBuilder user; a value of a type
     * sfmfa does not read (a char[]) is ignored with a warning that names its type, never its value.
     */
    @Test
    void booleanAndOtherNonStringValuesTakeEffect() throws Exception {
        long pushes = emu.pushCount("push_approve");
        Properties p = emu.props("push_approve", "password", Emulator.PASSWORD + Emulator.BYPASS);
        p.put("passcodeInPassword", Boolean.TRUE);
        p.put("port", (long) emu.port);
        p.put("user", new StringBuilder("push_approve"));
        char[] secret = "Zq8-pw-Kx31!v".toCharArray();
        p.put("token", secret);
        try (SfmfaClient client = SfmfaClient.fromProperties(p); SfmfaSession session = client.login()) {
            assertEquals(1, client.getWarnings().size(), client.getWarnings().toString());
            String warning = client.getWarnings().get(0);
            assertTrue(warning.contains("[C"), warning);
            assertFalse(warning.contains(new String(secret)), warning);
            assertEquals(SecondFactor.PASSCODE_IN_PASSWORD, session.getSecondFactor());
        }
        assertEquals(pushes, emu.pushCount("push_approve"), "no push");
    }
}
