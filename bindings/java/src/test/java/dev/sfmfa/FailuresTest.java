package dev.sfmfa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * One vocabulary with the C library: {@link SfmfaException.Kind} and {@link SecondFactor} carry exactly the names
 * and values of the header's {@code sfmfa_result} and {@code sfmfa_second_factor} (a row added to the failure
 * table without its Java constant fails here), and every row of the failure table that is a Snowflake login code
 * (bindings/failures.tsv, generated from the table) comes out of a real login against the emulator as that kind,
 * with its code and SQLSTATE; so do the rows that can be provoked cheaply.
 */
class FailuresTest extends WithEmulator {
    private static Path repo() {
        return Path.of(System.getProperty("sfmfa.repo", "."));
    }

    /** The constants of {@code enum <name>} in the header, in order: name without the prefix, value. */
    static Map<String, Integer> headerEnum(String name, String prefix) throws IOException {
        String header = Files.readString(repo().resolve("bindings/c/include/sfmfa.h"));
        Matcher block = Pattern.compile("enum " + name + "\\b[^{]*\\{(.*?)\\};", Pattern.DOTALL).matcher(header);
        assertTrue(block.find(), "enum " + name + " in the header");
        Map<String, Integer> out = new LinkedHashMap<>();
        Matcher c = Pattern.compile(prefix + "(\\w+) = (\\d+),").matcher(block.group(1));
        while (c.find()) {
            out.put(c.group(1), Integer.parseInt(c.group(2)));
        }
        assertTrue(out.size() > 3, "constants of " + name);
        return out;
    }

    /** One row of bindings/failures.tsv. */
    record Row(int value, String name, int serverCode, String sqlstate, boolean shared) {}

    static List<Row> failureTable() throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String line : Files.readAllLines(repo().resolve("bindings/failures.tsv"))) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            rows.add(new Row(Integer.parseInt(f[0]), f[1], Integer.parseInt(f[2]), f[3], Boolean.parseBoolean(f[4])));
        }
        return rows;
    }

    @Test
    void everyResultOfTheHeaderIsAKindWithItsValue() throws Exception {
        Map<String, Integer> header = headerEnum("sfmfa_result", "SFMFA_RESULT_");
        assertEquals(0, header.remove("OK"), "OK is success, not an exception");
        Map<String, Integer> java = new LinkedHashMap<>();
        for (SfmfaException.Kind k : SfmfaException.Kind.values()) {
            java.put(k.name(), k.value());
        }
        assertEquals(header, java);
        Map<String, Integer> table = failureTable().stream()
                .collect(Collectors.toMap(Row::name, Row::value, (a, b) -> a, LinkedHashMap::new));
        assertEquals(table, java, "bindings/failures.tsv");
    }

    @Test
    void secondFactorsAreTheHeadersInItsOrder() throws Exception {
        Map<String, Integer> header = headerEnum("sfmfa_second_factor", "SFMFA_SECOND_FACTOR_");
        Map<String, Integer> java = new LinkedHashMap<>();
        for (SecondFactor f : SecondFactor.values()) {
            java.put(f.name(), f.ordinal());
        }
        assertEquals(header, java);
    }

    private static String answer(int code) {
        return "{\"success\":false,\"code\":\"" + code + "\",\"message\":\"refused by FailuresTest\",\"data\":null}";
    }

    private static SfmfaException loginFails(java.util.Properties props) throws Exception {
        try (SfmfaClient client = SfmfaClient.fromProperties(props)) {
            return assertThrows(SfmfaException.class, client::login);
        }
    }

    private static void assertKind(SfmfaException e, String name, int value, int code, String sqlstate) {
        String what = name + ": " + e;
        assertEquals(name, e.getKind().name(), what);
        assertEquals(value, e.getKind().value(), what);
        assertEquals(code, e.getErrorCode(), what);
        assertEquals(sqlstate, e.getSQLState(), what);
    }

    @Test
    void everyServerCodeOfTheTableIsItsKind() throws Exception {
        int walked = 0;
        for (Row row : failureTable()) {
            if (row.serverCode() == 0) {
                continue;
            }
            emu.answerWith(answer(row.serverCode()), 1);
            try {
                assertKind(loginFails(emu.props("push_approve")), row.name(), row.value(), row.serverCode(),
                        row.sqlstate());
            } finally {
                emu.clearFaults();
            }
            walked++;
        }
        assertEquals(12, walked, "the table's Snowflake codes");
        Row server = failureTable().stream().filter(r -> r.name().equals("SERVER_ERROR")).findFirst().orElseThrow();
        emu.answerWith(answer(394508), 1);
        try {
            assertKind(loginFails(emu.props("push_approve")), "SERVER_ERROR", server.value(), 394508, server.sqlstate());
        } finally {
            emu.clearFaults();
        }
    }

    private static Row row(String name) throws IOException {
        return failureTable().stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + name));
    }

    @Test
    void failuresWithoutAServerCodeAreTheirKinds() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, SfmfaException> provoked = new LinkedHashMap<>();
        provoked.put("CONNECT", loginFails(emu.props("push_approve", "port", Integer.toString(port), "loginTimeout",
                "20")));
        provoked.put("INVALID_VALUE", assertThrows(SfmfaException.class,
                () -> SfmfaClient.fromProperties(emu.props("push_approve", "loginTimeout", "soon")).close()));
        java.util.Properties noUser = emu.props("push_approve");
        noUser.remove("user");
        provoked.put("MISSING_OPTION", assertThrows(SfmfaException.class,
                () -> SfmfaClient.fromProperties(noUser).close()));
        emu.post("/control/faults", "{\"kind\":\"malformed_json\",\"times\":1}");
        try {
            provoked.put("PROTOCOL", loginFails(emu.props("push_approve")));
        } finally {
            emu.clearFaults();
        }
        for (Map.Entry<String, SfmfaException> p : provoked.entrySet()) {
            Row r = row(p.getKey());
            assertKind(p.getValue(), r.name(), r.value(), 0, r.sqlstate());
        }
        assertEquals(List.of("CONNECT", "INVALID_VALUE", "MISSING_OPTION", "PROTOCOL"),
                new ArrayList<>(provoked.keySet()));
        assertTrue(Arrays.stream(SfmfaException.Kind.values()).allMatch(k -> k.value() > 0));
    }
}
