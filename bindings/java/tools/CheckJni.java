import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks that the Java native declarations and the Rust JNI exports agree, in both directions:
 * <ul>
 *   <li>the function names in the header {@code javac -h} generates from {@code Native.java} equal the
 *       {@code Java_*} symbols the built library exports ({@code nm -D --defined-only});</li>
 *   <li>each function's return and parameter types in the header equal those of its Rust definition
 *       ({@code pub extern "system" fn Java_...} in {@code bindings/java/src/*.rs}), mapped to JNI C types.</li>
 * </ul>
 * Usage: {@code java CheckJni.java HEADER NM_OUTPUT RUST_SRC_DIR}. Prints one line per mismatch; exits 1 on any.
 */
public class CheckJni {
    /** Rust parameter/return types → the JNI C type javac writes. */
    private static final Map<String, String> RUST_TO_C = Map.ofEntries(
            Map.entry("EnvUnowned", "JNIEnv *"), Map.entry("JClass", "jclass"), Map.entry("JObject", "jobject"),
            Map.entry("JString", "jstring"), Map.entry("JObjectArray", "jobjectArray"), Map.entry("jlong", "jlong"),
            Map.entry("i64", "jlong"), Map.entry("jint", "jint"), Map.entry("i32", "jint"),
            Map.entry("jboolean", "jboolean"), Map.entry("()", "void"));

    public static void main(String[] args) throws IOException {
        Map<String, String> header = header(Files.readString(Path.of(args[0])));
        TreeSet<String> exported = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of(args[1]))) {
            String[] f = line.trim().split("\\s+");
            String name = f[f.length - 1];
            if (name.startsWith("Java_")) {
                exported.add(name);
            }
        }
        Map<String, String> rust = rust(Path.of(args[2]));
        List<String> problems = new ArrayList<>();
        for (String name : header.keySet()) {
            if (!exported.contains(name)) {
                problems.add("declared in Java, not exported by the library: " + name);
            }
        }
        for (String name : exported) {
            if (!header.containsKey(name)) {
                problems.add("exported by the library, not declared in Java: " + name);
            }
        }
        for (Map.Entry<String, String> e : header.entrySet()) {
            String r = rust.get(e.getKey());
            if (r == null) {
                if (exported.contains(e.getKey())) {
                    problems.add("exported but not found in the Rust sources: " + e.getKey());
                }
            } else if (!r.equals(e.getValue())) {
                problems.add("signature mismatch for " + e.getKey() + ": Java header " + e.getValue() + ", Rust " + r);
            }
        }
        for (String p : problems) {
            System.out.println("check-jni: " + p);
        }
        System.out.println("check-jni: " + header.size() + " native methods declared, " + exported.size()
                + " exported, " + rust.size() + " defined in Rust; " + problems.size() + " mismatches");
        System.exit(problems.isEmpty() ? 0 : 1);
    }

    /** name → "ret(params)" from a javac -h header. */
    static Map<String, String> header(String text) {
        Map<String, String> out = new TreeMap<>();
        Matcher m = Pattern.compile("JNIEXPORT\\s+(\\w+)\\s+JNICALL\\s+(Java_\\w+)\\s*\\(([^)]*)\\)").matcher(text);
        while (m.find()) {
            List<String> params = new ArrayList<>();
            for (String p : m.group(3).split(",")) {
                params.add(p.trim().replaceAll("\\s+", " "));
            }
            out.put(m.group(2), m.group(1) + "(" + String.join(", ", params) + ")");
        }
        return out;
    }

    /** name → "ret(params)" from the Rust definitions, types mapped to JNI C types. */
    static Map<String, String> rust(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        Pattern fn = Pattern.compile(
                "extern\\s+\"system\"\\s+fn\\s+(Java_\\w+)\\s*(?:<[^>]*>)?\\s*\\(([^{]*?)\\)\\s*(?:->\\s*([^{]+?))?\\s*\\{",
                Pattern.DOTALL);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".rs"))::iterator) {
                Matcher m = fn.matcher(Files.readString(f));
                while (m.find()) {
                    List<String> params = new ArrayList<>();
                    for (String p : splitTopLevel(m.group(2))) {
                        if (!p.isBlank()) {
                            params.add(cType(p.substring(p.indexOf(':') + 1)));
                        }
                    }
                    String ret = m.group(3) == null ? "void" : cType(m.group(3));
                    out.put(m.group(1), ret + "(" + String.join(", ", params) + ")");
                }
            }
        }
        return out;
    }

    /** Splits on commas outside angle brackets. */
    static List<String> splitTopLevel(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '<') depth++;
            if (c == '>') depth--;
            if (c == ',' && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    static String cType(String rustType) {
        String base = rustType.trim().replaceAll("<.*", "").replaceAll(".*::", "").trim();
        return RUST_TO_C.getOrDefault(base, "?" + rustType.trim());
    }
}
