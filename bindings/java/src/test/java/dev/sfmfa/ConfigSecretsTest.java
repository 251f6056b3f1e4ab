package dev.sfmfa;

import static org.junit.jupiter.api.Assertions.*;

import dev.sfmfa.SfmfaError.Kind;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * A password typed in the wrong place (as the value of another option, or as an option name) is not in any
 * exception or warning text; a huge URL is refused (issue 14, items 2 and 9).
 */
class ConfigSecretsTest extends WithEmulator {
    private static final String SECRET = "Zq8-pw-Kx31!v";
    /** A password that looks like a name but for its digits. */
    private static final String PLAIN_SECRET = "Kx31-Zq8_pw";

    private static void assertClean(SfmfaError e) {
        String all = e.getMessage() + " | " + e + " | " + e.getHint();
        assertFalse(all.contains(SECRET) || all.contains(PLAIN_SECRET), all);
    }

    private static void assertClean(SfmfaClient client) {
        for (String w : client.getWarnings()) {
            assertFalse(w.contains(SECRET) || w.contains(PLAIN_SECRET), w);
        }
    }

    @Test
    void aPasswordAsLoginTimeoutIsNotEchoed() {
        SfmfaDataException e = assertThrows(SfmfaDataException.class,
                () -> SfmfaClient.fromProperties(emu.props("push_approve", "loginTimeout", SECRET)));
        assertEquals(Kind.INVALID_VALUE, e.getKind());
        assertTrue(e.getMessage().contains("login_timeout"), e.getMessage());
        assertClean(e);
        e = assertThrows(SfmfaDataException.class, () -> SfmfaClient.fromUrl(
                "jdbc:snowflake://127.0.0.1:" + emu.port + "/?user=u&login_timeout=" + SECRET));
        assertEquals(Kind.INVALID_VALUE, e.getKind());
        assertClean(e);
        e = assertThrows(SfmfaDataException.class,
                () -> SfmfaClient.fromProperties(emu.props("push_approve", "passcodeInPassword", "518273")));
        assertFalse(e.getMessage().contains("518273"), e.getMessage());
    }

    @Test
    void aPasswordAsAnOptionNameIsNotEchoed() throws Exception {
        // Properties: an unknown name is a warning (JDBC drivers ignore what they do not know).
        Properties p = emu.props("push_approve", SECRET, "x", PLAIN_SECRET, "y");
        try (SfmfaClient client = SfmfaClient.fromProperties(p)) {
            assertFalse(client.getWarnings().isEmpty());
            assertClean(client);
        }
        try (SfmfaClient client = SfmfaClient.fromUrl("jdbc:snowflake://127.0.0.1:" + emu.port
                + "/?account=a&user=u&" + PLAIN_SECRET + "=1&password=p&" + SECRET)) {
            assertEquals(2, client.getWarnings().size(), client.getWarnings().toString());
            assertClean(client);
        }
        // A key whose value does not decode: the error names the position, not the key.
        SfmfaDataException e = assertThrows(SfmfaDataException.class, () -> SfmfaClient.fromUrl(
                "jdbc:snowflake://127.0.0.1:" + emu.port + "/?user=u&" + PLAIN_SECRET + "=%zz"));
        assertEquals(Kind.INVALID_VALUE, e.getKind());
        assertClean(e);
    }

    @Test
    void aHugeUrlIsRefused() {
        String url = "jdbc:snowflake://127.0.0.1:" + emu.port + "/?" + "someUnknownKey=1&".repeat(61_681);
        SfmfaDataException e = assertThrows(SfmfaDataException.class, () -> SfmfaClient.fromUrl(url));
        assertEquals(Kind.INVALID_VALUE, e.getKind());
        assertTrue(e.getMessage().contains("65536"), e.getMessage());
    }
}
