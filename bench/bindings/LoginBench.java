import dev.sfmfa.SfmfaClient;
import dev.sfmfa.SfmfaSession;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Login latency through the Java binding (JNI): a worker of `make bench`, run from the jar
 * ({@code java -cp sfmfa.jar LoginBench.java PORT}). Passcode logins (bypass code) of user `demo` over
 * http on 127.0.0.1, token caching off, one client. For each line "run K" on stdin: K logins, each
 * timing {@code login()} only (the logout is outside the timer), answered with one line
 * "ok NS NS ..." (or "error WHY"). bench/bench.py warms the JIT up with untimed runs first and drives it
 * beside the C ABI row (bench/bindings/login_bench.c), which is its floor.
 */
public class LoginBench {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Properties props = new Properties();
        props.setProperty("account", "xy12345");
        props.setProperty("user", "demo");
        props.setProperty("password", "abc123");
        // The options of the Rust and C ABI rows (bench.py's PASSCODE): the same request.
        props.setProperty("authenticator", "username_password_mfa");
        props.setProperty("passcode", "987654");
        props.setProperty("client_store_temporary_credential", "off");
        String url = "jdbc:snowflake://127.0.0.1:" + port + "/?protocol=http";
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        try (SfmfaClient client = SfmfaClient.fromUrl(url, props)) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] words = line.trim().split(" ");
                if (words.length != 2 || !words[0].equals("run")) {
                    System.out.println("error bad command");
                    System.out.flush();
                    continue;
                }
                int k = Integer.parseInt(words[1]);
                long[] samples = new long[k];
                try {
                    for (int i = 0; i < k; i++) {
                        long start = System.nanoTime();
                        SfmfaSession session = client.login();
                        samples[i] = System.nanoTime() - start;
                        session.close();
                    }
                } catch (SQLException e) {
                    System.out.println("error " + e.getMessage());
                    System.out.flush();
                    continue;
                }
                StringBuilder out = new StringBuilder("ok");
                for (long s : samples) {
                    out.append(' ').append(s);
                }
                System.out.println(out);
                System.out.flush();
            }
        }
    }
}
