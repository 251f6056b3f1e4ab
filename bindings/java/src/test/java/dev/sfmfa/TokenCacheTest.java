package dev.sfmfa;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MFA-token cache through Java: the second login uses the cached token (no second push, per the emulator's
 * counters); inspect and delete. The file store's directory is {@code SF_TEMPORARY_CREDENTIAL_CACHE_DIR}, which
 * the runner points at a fresh temporary directory.
 */
class TokenCacheTest extends WithEmulator {
    @BeforeAll
    static void checkCacheDir() {
        assertNotNull(System.getenv("SF_TEMPORARY_CREDENTIAL_CACHE_DIR"),
                "run with SF_TEMPORARY_CREDENTIAL_CACHE_DIR set to a private temporary directory");
    }

    static Properties cached(String user, String store) {
        return emu.props(user, "authenticator", "username_password_mfa", "clientStoreTemporaryCredential", "true",
                "token_cache", store);
    }

    @Test
    void theSecondLoginUsesTheCachedTokenFromTheFileStore() throws Exception {
        emu.addUser("cached_file", "{\"kind\":\"approve\",\"delay_ms\":0}");
        try (SfmfaClient client = SfmfaClient.fromProperties(cached("cached_file", "file"))) {
            client.deleteCachedToken();
            assertEquals(Optional.of(new CacheInspection(false, "file")), client.inspectCache());
            try (SfmfaSession first = client.login()) {
                assertEquals(CacheStatus.STORED, first.getCacheStatus(), first.getCacheDetail());
                assertEquals(SecondFactor.PUSH_OR_NONE, first.getSecondFactor());
                assertEquals(Optional.of("file"), first.getCacheBackend());
            }
            assertEquals(1, emu.pushCount("cached_file"));
            assertEquals(Optional.of(new CacheInspection(true, "file")), client.inspectCache());
        }
        // A new client (as a new connection would be): the token comes from the file.
        try (SfmfaClient client = SfmfaClient.fromProperties(cached("cached_file", "file"));
                SfmfaSession second = client.login()) {
            assertEquals(CacheStatus.HIT, second.getCacheStatus(), second.getCacheDetail());
            assertEquals(SecondFactor.MFA_TOKEN, second.getSecondFactor());
            assertEquals(1, emu.pushCount("cached_file"), "no second push");
            assertEquals(2, emu.loginCount("cached_file"));
            client.deleteCachedToken();
            assertEquals(Optional.of(new CacheInspection(false, "file")), client.inspectCache());
        }
        try (SfmfaClient client = SfmfaClient.fromProperties(cached("cached_file", "file"));
                SfmfaSession third = client.login()) {
            assertEquals(CacheStatus.STORED, third.getCacheStatus());
            assertEquals(2, emu.pushCount("cached_file"), "deleted: the next login prompts again");
        }
    }

    @Test
    void withoutCachingInspectIsEmpty() throws Exception {
        try (SfmfaClient client = SfmfaClient.fromProperties(emu.props("push_approve"))) {
            assertEquals(Optional.empty(), client.inspectCache());
        }
    }
}
