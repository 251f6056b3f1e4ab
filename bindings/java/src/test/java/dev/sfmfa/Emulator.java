package dev.sfmfa;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code sfmfa-emulator} binary (path in {@code -Dsfmfa.emulator}), started on an ephemeral port with a port
 * file and {@code --exit-after} so it never outlives the run, controlled over its HTTP control API.
 */
final class Emulator implements AutoCloseable {
    static final String ACCOUNT = "xy12345";
    static final String PASSWORD = "abc123";
    static final String BYPASS = "987654";

    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();
    final int port;
    final String base;

    private Emulator(Process process, int port) {
        this.process = process;
        this.port = port;
        this.base = "http://127.0.0.1:" + port;
    }

    static Emulator start() throws IOException {
        String binary = System.getProperty("sfmfa.emulator");
        if (binary == null) {
            throw new IllegalStateException("set -Dsfmfa.emulator=/path/to/sfmfa-emulator");
        }
        Path portFile = Files.createTempFile("sfmfa-emulator-", ".port");
        Files.delete(portFile);
        Process p = new ProcessBuilder(binary, "--port", "0", "--port-file", portFile.toString(), "--exit-after", "900")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        waitUntil("the emulator writes its port", () -> {
            try {
                return Files.exists(portFile) && !Files.readString(portFile).isBlank();
            } catch (IOException e) {
                return false;
            }
        });
        int port = Integer.parseInt(Files.readString(portFile).trim());
        Files.deleteIfExists(portFile);
        return new Emulator(p, port);
    }

    /** Polls every 10 ms for up to 30 s; fails with {@code what} otherwise (a bound, not a timing assertion). */
    static void waitUntil(String what, BooleanSupplier done) {
        Instant end = Instant.now().plusSeconds(30);
        while (!done.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("timed out waiting until " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what);
            }
        }
    }

    String get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    String post(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json"));
    }

    String delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    /** Puts {@code user} on (or off) the multi-step {@code nextAction} flow (the emulator's legacy flow). */
    void legacy(String user, boolean on) {
        post("/control/legacy", "{\"account\":\"" + ACCOUNT + "\",\"user\":\"" + user + "\",\"value\":" + on + "}");
    }

    /** Answers the next {@code times} login requests with HTTP 200 and {@code body}, without processing them. */
    void answerWith(String body, int times) {
        post("/control/faults", "{\"kind\":\"answer\",\"body\":" + body + ",\"times\":" + times + "}");
    }

    void clearFaults() {
        delete("/control/faults");
    }

    private String send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError("control call answered " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new AssertionError("control call failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*(\\d+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no " + field + " in " + json);
        }
        return Long.parseLong(m.group(1));
    }

    long pushCount(String user) {
        return number(get("/control/counters?account=" + ACCOUNT + "&user=" + user), "push_count");
    }

    long loginCount(String user) {
        return number(get("/control/counters?account=" + ACCOUNT + "&user=" + user), "login_count");
    }

    long pendingPushes(String user) {
        return number(get("/control/pushes?account=" + ACCOUNT + "&user=" + user), "pending");
    }

    boolean answer(String user, boolean approve) {
        return post("/control/answer", "{\"account\":\"" + ACCOUNT + "\",\"user\":\"" + user + "\",\"approve\":" + approve + "}")
                .contains("true");
    }

    String passcode(String user) {
        Matcher m = Pattern.compile("\"passcode\"\\s*:\\s*\"(\\d+)\"")
                .matcher(get("/control/passcode?account=" + ACCOUNT + "&user=" + user));
        if (!m.find()) {
            throw new AssertionError("no passcode");
        }
        return m.group(1);
    }

    /** Adds an enrolled user whose pushes wait (up to 60 s) for {@link #answer}. */
    void addManualUser(String name) {
        addUser(name, "{\"kind\":\"manual\"}");
    }

    /** Adds an enrolled user of the default account with password {@value #PASSWORD} and push behaviour {@code push}. */
    void addUser(String name, String push) {
        post("/control/users", "{\"account\":\"" + ACCOUNT + "\",\"user\":{\"name\":\"" + name + "\",\"password\":\""
                + PASSWORD + "\",\"duo_enrolled\":true,\"bypass_codes\":[\"" + BYPASS + "\"],\"push\":" + push
                + ",\"push_timeout_ms\":60000}}");
    }

    /** Properties for {@code user} against this emulator (JDBC names), caching off unless {@code extra} turns it on. */
    Properties props(String user, String... extra) {
        Properties p = new Properties();
        p.setProperty("account", ACCOUNT);
        p.setProperty("user", user);
        p.setProperty("password", PASSWORD);
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", Integer.toString(port));
        p.setProperty("protocol", "http");
        p.setProperty("loginTimeout", "20");
        p.setProperty("clientStoreTemporaryCredential", "false");
        for (int i = 0; i + 1 < extra.length; i += 2) {
            p.setProperty(extra[i], extra[i + 1]);
        }
        return p;
    }

    @Override
    public void close() {
        try {
            post("/control/shutdown", "{}");
        } catch (AssertionError ignored) {
            // already gone
        }
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
