package dev.sfmfa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
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
 * One vocabulary with the C library: {@link SfmfaError.Kind} and {@link SecondFactor} carry exactly the names
 * and values of the header's {@code sfmfa_result} and {@code sfmfa_second_factor} (a row added to the failure
 * table without its Java constant fails here), and every row of the failure table that is a Snowflake login code
 * (bindings/failures.tsv, generated from the table) comes out of a real login against the emulator as that kind,
 * with its code, SQLSTATE and exception class; so do the rows that can be provoked cheaply. Every row of the table has
 * the JDBC exception class it is thrown as (a row added without one fails here).
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
        for (SfmfaError.Kind k : SfmfaError.Kind.values()) {
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

    /**
     * The class each row of the failure table is thrown as, by its SQLSTATE class: 22 data, 28 authorization,
     * HYT00 timeout, 08 connection (transient when the same login, unchanged, can succeed later), the rest
     * (HY008 cancel, HY000 cache, XX000 bugs) plain SQLException. Written out row by row on purpose: a new row
     * must be given its class here.
     */
    static final Map<String, Class<? extends SQLException>> CLASS_OF_ROW = Map.ofEntries(
            Map.entry("NULL_ARGUMENT", SfmfaDataException.class),
            Map.entry("INVALID_UTF8", SfmfaDataException.class),
            Map.entry("UNKNOWN_OPTION", SfmfaDataException.class),
            Map.entry("INVALID_VALUE", SfmfaDataException.class),
            Map.entry("BUFFER_TOO_SMALL", SfmfaDataException.class),
            Map.entry("MISSING_OPTION", SfmfaDataException.class),
            Map.entry("CONNECT", SfmfaTransientConnectionException.class),
            Map.entry("TLS", SfmfaNonTransientConnectionException.class),
            Map.entry("HTTP_STATUS", SfmfaNonTransientConnectionException.class),
            Map.entry("CONNECTION_LOST", SfmfaTransientConnectionException.class),
            Map.entry("PROTOCOL", SfmfaNonTransientConnectionException.class),
            Map.entry("TIMEOUT", SfmfaTimeoutException.class),
            Map.entry("BAD_CREDENTIALS", SfmfaAuthorizationException.class),
            Map.entry("DUO_DENIED", SfmfaNonTransientConnectionException.class),
            Map.entry("DUO_PENDING", SfmfaNonTransientConnectionException.class),
            Map.entry("DUO_NOT_ENROLLED", SfmfaNonTransientConnectionException.class),
            Map.entry("DUO_LOCKED", SfmfaNonTransientConnectionException.class),
            Map.entry("DUO_REQUESTED", SfmfaNonTransientConnectionException.class),
            Map.entry("DUO_SMS_SENT", SfmfaNonTransientConnectionException.class),
            Map.entry("DUO_TIMEOUT", SfmfaNonTransientConnectionException.class),
            Map.entry("DUO_INVALID", SfmfaNonTransientConnectionException.class),
            Map.entry("DUO_SUCCEEDED", SfmfaNonTransientConnectionException.class),
            Map.entry("DUO_EXCEPTION", SfmfaTransientConnectionException.class),
            Map.entry("DUO_PUSH_DISABLED", SfmfaNonTransientConnectionException.class),
            Map.entry("SERVER_ERROR", SfmfaNonTransientConnectionException.class),
            Map.entry("CACHE", SfmfaGeneralException.class),
            Map.entry("CANCELLED", SfmfaGeneralException.class),
            Map.entry("INTERNAL", SfmfaGeneralException.class),
            Map.entry("PANIC", SfmfaGeneralException.class));

    /** The JDK class a SQLSTATE's class calls for (java.sql's documentation of each subclass). */
    private static Class<? extends SQLException> jdkClassOf(String sqlstate) {
        if (sqlstate.startsWith("22")) {
            return SQLDataException.class;
        }
        if (sqlstate.startsWith("28")) {
            return SQLInvalidAuthorizationSpecException.class;
        }
        if (sqlstate.startsWith("HYT")) {
            return SQLTimeoutException.class;
        }
        return SQLException.class;
    }

    @Test
    void everyRowOfTheTableIsThrownAsItsJdbcClass() throws Exception {
        List<Row> rows = failureTable();
        assertEquals(new java.util.TreeSet<>(CLASS_OF_ROW.keySet()),
                rows.stream().map(Row::name).collect(Collectors.toCollection(java.util.TreeSet::new)),
                "every row of bindings/failures.tsv has its class, and no other");
        for (Row row : rows) {
            SQLException e = Exceptions.of(row.value(), "the message of " + row.name(), row.sqlstate(),
                    row.serverCode(), "a hint");
            String what = row + " -> " + e;
            assertEquals(CLASS_OF_ROW.get(row.name()), e.getClass(), what);
            assertInstanceOf(jdkClassOf(row.sqlstate()), e, what);
            assertEquals(row.sqlstate().startsWith("08"), e instanceof SQLTransientConnectionException
                    || e instanceof SQLNonTransientConnectionException, what);
            SfmfaError err = assertInstanceOf(SfmfaError.class, e, what);
            assertEquals(row.name(), err.getKind().name(), what);
            assertEquals(row.value(), err.getKind().value(), what);
            assertEquals(row.sqlstate(), e.getSQLState(), what);
            assertEquals(row.serverCode(), e.getErrorCode(), what);
            assertEquals(row.serverCode(), err.getServerCode(), what);
            assertEquals("the message of " + row.name(), e.getMessage(), what);
            assertEquals("a hint", err.getHint(), what);
            assertTrue(e.toString().startsWith(e.getClass().getName() + "[" + row.name()), e.toString());
        }
        // Use after close is not a row: 08003 with kind NULL_ARGUMENT.
        SQLException closed = Exceptions.closed("client");
        assertInstanceOf(SfmfaNonTransientConnectionException.class, closed);
        assertEquals("08003", closed.getSQLState());
        assertEquals(SfmfaError.Kind.NULL_ARGUMENT, ((SfmfaError) closed).getKind());
    }

    private static SQLException loginFails(java.util.Properties props) throws Exception {
        try (SfmfaClient client = SfmfaClient.fromProperties(props)) {
            return assertThrows(SQLException.class, client::login);
        }
    }

    private static void assertKind(SQLException thrown, String name, int value, int code, String sqlstate) {
        String what = name + ": " + thrown;
        assertEquals(CLASS_OF_ROW.get(name), thrown.getClass(), what);
        SfmfaError e = (SfmfaError) thrown;
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
        Map<String, SQLException> provoked = new LinkedHashMap<>();
        provoked.put("CONNECT", loginFails(emu.props("push_approve", "port", Integer.toString(port), "loginTimeout",
                "20")));
        provoked.put("INVALID_VALUE", assertThrows(SQLException.class,
                () -> SfmfaClient.fromProperties(emu.props("push_approve", "loginTimeout", "soon")).close()));
        java.util.Properties noUser = emu.props("push_approve");
        noUser.remove("user");
        provoked.put("MISSING_OPTION", assertThrows(SQLException.class,
                () -> SfmfaClient.fromProperties(noUser).close()));
        emu.post("/control/faults", "{\"kind\":\"malformed_json\",\"times\":1}");
        try {
            provoked.put("PROTOCOL", loginFails(emu.props("push_approve")));
        } finally {
            emu.clearFaults();
        }
        for (Map.Entry<String, SQLException> p : provoked.entrySet()) {
            Row r = row(p.getKey());
            assertKind(p.getValue(), r.name(), r.value(), 0, r.sqlstate());
        }
        assertEquals(List.of("CONNECT", "INVALID_VALUE", "MISSING_OPTION", "PROTOCOL"),
                new ArrayList<>(provoked.keySet()));
        assertTrue(Arrays.stream(SfmfaError.Kind.values()).allMatch(k -> k.value() > 0));
    }
}
