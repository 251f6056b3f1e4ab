import dev.sfmfa.SfmfaClient;
import dev.sfmfa.SfmfaError;
import dev.sfmfa.SfmfaSession;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.util.Properties;

/** The README's example: a Duo push login with JDBC's option names. Argument: a JDBC URL (default: Snowflake's). */
public class Example {
    public static void main(String[] args) {
        Properties props = new Properties();
        props.setProperty("account", "xy12345");
        props.setProperty("user", "demo");
        props.setProperty("password", "abc123");
        props.setProperty("authenticator", "username_password_mfa"); // Duo push by default
        props.put("loginTimeout", 120);                              // non-String values work, as in JDBC
        // props.setProperty("passcode", "123456");                  // or a passcode
        // props.setProperty("passcodeInPassword", "on");            // or the passcode at the end of the password
        String url = args.length > 0 ? args[0] : "jdbc:snowflake://xy12345.snowflakecomputing.com/";
        try (SfmfaClient client = SfmfaClient.fromUrl(url, props)) {
            client.setProgressListener(event -> System.out.println("progress: " + event.message()));
            try (SfmfaSession session = client.login()) { // blocks until the push is approved
                System.out.println("logged in, session " + session.getSessionId() + " (" + session.getSecondFactor() + ")");
            }
        } catch (SQLTimeoutException e) { // loginTimeout passed (SQLSTATE HYT00)
            System.out.println("login timed out: " + e.getMessage());
            System.exit(1);
        } catch (SQLException e) { // every sfmfa exception implements SfmfaError
            SfmfaError err = (SfmfaError) e;
            // e.g. DUO_TIMEOUT, 390126: the push was not approved in time -> err.getHint(): use a passcode
            System.out.println("login failed: " + err.getKind() + " " + e.getErrorCode() + ": " + e.getMessage());
            System.exit(1);
        }
    }
}
