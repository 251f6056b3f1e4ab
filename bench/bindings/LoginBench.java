import dev.sfmfa.SfmfaClient;
import dev.sfmfa.SfmfaSession;
import java.util.Arrays;
import java.util.Properties;

/**
 * Login latency through the Java binding (JNI): `bench/run.sh` runs it from the jar.
 * Usage: java -cp sfmfa.jar LoginBench.java PORT [LOGINS]. Passcode logins (bypass code) of user `demo` over
 * http on 127.0.0.1, token caching off; each row times {@code login()} only (the logout is outside the timer),
 * after 200 untimed logins (the JIT warms up), like `cargo bench --bench login` does for Rust.
 */
public class LoginBench {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int logins = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Properties props = new Properties();
        props.setProperty("account", "xy12345");
        props.setProperty("user", "demo");
        props.setProperty("password", "abc123");
        props.setProperty("passcode", "987654");
        props.setProperty("token_cache", "none");
        String url = "jdbc:snowflake://127.0.0.1:" + port + "/?protocol=http";
        long[] oneClient = new long[logins];
        long[] fresh = new long[logins];
        try (SfmfaClient client = SfmfaClient.fromUrl(url, props)) {
            for (int i = 0; i < 200; i++) {
                client.login().close();
            }
            for (int i = 0; i < logins; i++) {
                long start = System.nanoTime();
                SfmfaSession session = client.login();
                oneClient[i] = System.nanoTime() - start;
                session.close();
            }
        }
        for (int i = 0; i < logins; i++) { // a new client per login, as a connection without a shared client
            long start = System.nanoTime();
            SfmfaClient client = SfmfaClient.fromUrl(url, props);
            SfmfaSession session = client.login();
            fresh[i] = System.nanoTime() - start;
            session.close();
            client.close();
        }
        row("Java (JNI), one client", oneClient);
        row("Java (JNI), `SfmfaClient.fromUrl` each time", fresh);
    }

    private static void row(String label, long[] values) {
        Arrays.sort(values);
        System.out.printf("| %s | %d | %.2f ms | %.2f ms |%n", label, values.length,
                values[values.length / 2] / 1e6, values[values.length * 9 / 10] / 1e6);
    }
}
