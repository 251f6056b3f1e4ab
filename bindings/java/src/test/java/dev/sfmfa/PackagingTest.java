package dev.sfmfa;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The artifacts a Java user installs: bindings/java/pom.xml is well-formed and names dev.sfmfa:sfmfa at the JNI
 * crate's version; the jar build-jar.sh built (path in {@code -Dsfmfa.jar}, run-tests.sh passes it) agrees with it
 * (manifest, META-INF/maven, the native library where the pom puts it) and has its sources and javadoc jars
 * beside it; and the jar is the automatic module {@code dev.sfmfa}, which a modular program {@code requires} and
 * logs in with from the module path, the library loading from inside the jar.
 */
class PackagingTest extends WithEmulator {
    private static final String POM_NS = "http://maven.apache.org/POM/4.0.0";

    private static Path repo() {
        return Path.of(System.getProperty("sfmfa.repo", "."));
    }

    private static Path jar() {
        String path = System.getProperty("sfmfa.jar");
        assertNotNull(path, "-Dsfmfa.jar names the jar build-jar.sh built (run-tests.sh sets it)");
        return Path.of(path);
    }

    /** The pom, parsed by the JDK's XML parser: a pom that is not well-formed XML fails here. */
    private static Element pom() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc = factory.newDocumentBuilder().parse(repo().resolve("bindings/java/pom.xml").toFile());
        return doc.getDocumentElement();
    }

    /** The child elements of {@code parent} named {@code name}, in the pom's namespace. */
    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && POM_NS.equals(e.getNamespaceURI()) && e.getLocalName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }

    /** The one element at {@code path} below {@code from}. */
    private static Element at(Element from, String... path) {
        Element e = from;
        for (String name : path) {
            List<Element> found = children(e, name);
            assertEquals(1, found.size(), "one <" + name + "> in <" + e.getLocalName() + ">");
            e = found.get(0);
        }
        return e;
    }

    private static String text(Element from, String... path) {
        return at(from, path).getTextContent().trim();
    }

    /** The {@code <plugin>} of the build with this artifactId. */
    private static Element plugin(Element pom, String artifactId) {
        List<Element> found = children(at(pom, "build", "plugins"), "plugin").stream()
                .filter(p -> text(p, "artifactId").equals(artifactId)).collect(Collectors.toList());
        assertEquals(1, found.size(), "the pom's " + artifactId);
        return found.get(0);
    }

    /** The version of the JNI crate, which the User-Agent sends. */
    private static String crateVersion() throws IOException {
        Matcher m = Pattern.compile("(?m)^version = \"([^\"]+)\"")
                .matcher(Files.readString(repo().resolve("bindings/java/Cargo.toml")));
        assertTrue(m.find(), "the version of bindings/java/Cargo.toml");
        return m.group(1);
    }

    @Test
    void thePomNamesTheArtifactsAndHowToBuildThem() throws Exception {
        Element pom = pom();
        assertEquals("project", pom.getLocalName());
        assertEquals(POM_NS, pom.getNamespaceURI());
        assertEquals("4.0.0", text(pom, "modelVersion"));
        assertEquals("dev.sfmfa", text(pom, "groupId"));
        assertEquals("sfmfa", text(pom, "artifactId"));
        assertEquals(crateVersion(), text(pom, "version"), "the pom's version is the JNI crate's");
        assertEquals("jar", text(pom, "packaging"));
        assertEquals("17", text(pom, "properties", "maven.compiler.release"));
        assertEquals("dev.sfmfa", text(pom, "properties", "sfmfa.module"));
        assertEquals("${sfmfa.module}", text(plugin(pom, "maven-jar-plugin"),
                "configuration", "archive", "manifestEntries", "Automatic-Module-Name"));
        // The library goes where NativeLibrary looks for it.
        String nativeDir = text(pom, "properties", "sfmfa.native.dir");
        assertEquals(NativeLibrary.resourceName(), "/" + nativeDir + "/" + System.mapLibraryName("sfmfa_jni"));
        Element resource = at(pom, "build", "resources", "resource");
        assertEquals("${sfmfa.native.dir}", text(resource, "targetPath"));
        assertEquals(System.mapLibraryName("sfmfa_jni"), text(resource, "includes", "include"));
        assertEquals("jar-no-fork", text(plugin(pom, "maven-source-plugin"), "executions", "execution", "goals", "goal"));
        assertEquals("jar", text(plugin(pom, "maven-javadoc-plugin"), "executions", "execution", "goals", "goal"));
        assertEquals(List.of("build", "--release", "-p", "sfmfa-jni"), children(at(plugin(pom, "exec-maven-plugin"),
                "executions", "execution", "configuration", "arguments"), "argument").stream()
                .map(e -> e.getTextContent().trim()).collect(Collectors.toList()));
    }

    private static byte[] read(JarFile jar, String entry) throws IOException {
        JarEntry e = jar.getJarEntry(entry);
        assertNotNull(e, entry + " in " + jar.getName());
        try (InputStream in = jar.getInputStream(e)) {
            return in.readAllBytes();
        }
    }

    private static List<String> mainSources() throws IOException {
        try (Stream<Path> files = Files.list(repo().resolve("bindings/java/src/main/java/dev/sfmfa"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".java")).sorted()
                    .collect(Collectors.toList());
        }
    }

    @Test
    void theJarAgreesWithThePom() throws Exception {
        Element pom = pom();
        String group = text(pom, "groupId"), artifact = text(pom, "artifactId"), version = text(pom, "version");
        try (JarFile jar = new JarFile(jar().toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals(text(pom, "properties", "sfmfa.module"), main.getValue("Automatic-Module-Name"));
            assertEquals(version, main.getValue("Implementation-Version"));
            assertEquals(artifact, main.getValue("Implementation-Title"));
            String maven = "META-INF/maven/" + group + "/" + artifact + "/";
            Properties coordinates = new Properties();
            coordinates.load(new java.io.ByteArrayInputStream(read(jar, maven + "pom.properties")));
            assertEquals(group, coordinates.getProperty("groupId"));
            assertEquals(artifact, coordinates.getProperty("artifactId"));
            assertEquals(version, coordinates.getProperty("version"));
            assertArrayEquals(Files.readAllBytes(repo().resolve("bindings/java/pom.xml")), read(jar, maven + "pom.xml"));
            assertTrue(read(jar, text(pom, "properties", "sfmfa.native.dir") + "/" + System.mapLibraryName("sfmfa_jni"))
                    .length > 0);
            for (String source : mainSources()) {
                String cls = "dev/sfmfa/" + source.replace(".java", ".class");
                byte[] bytes = read(jar, cls);
                assertEquals(61, ((bytes[6] & 0xff) << 8) | (bytes[7] & 0xff), cls + ": class file of Java 17");
            }
        }
        Path dir = jar().getParent();
        try (JarFile sources = new JarFile(dir.resolve(artifact + "-" + version + "-sources.jar").toFile())) {
            for (String source : mainSources()) {
                assertNotNull(sources.getJarEntry("dev/sfmfa/" + source), source + " in the sources jar");
            }
        }
        try (JarFile javadoc = new JarFile(dir.resolve(artifact + "-" + version + "-javadoc.jar").toFile())) {
            for (String page : List.of("index.html", "dev/sfmfa/SfmfaClient.html", "dev/sfmfa/SfmfaError.html",
                    "dev/sfmfa/SfmfaTimeoutException.html")) {
                assertNotNull(javadoc.getJarEntry(page), page + " in the javadoc jar");
            }
        }
    }

    @Test
    void aModularProgramRequiresDevSfmfaAndLogsInFromTheModulePath() throws Exception {
        Set<ModuleReference> modules = ModuleFinder.of(jar()).findAll();
        assertEquals(1, modules.size());
        ModuleDescriptor module = modules.iterator().next().descriptor();
        assertEquals("dev.sfmfa", module.name());
        assertTrue(module.isAutomatic());
        assertTrue(module.packages().contains("dev.sfmfa"), module.packages().toString());

        Path work = Files.createTempDirectory("sfmfa-module-");
        Path src = work.resolve("src/demo/demo");
        Files.createDirectories(src);
        Files.writeString(work.resolve("src/demo/module-info.java"),
                "module demo { requires dev.sfmfa; requires java.sql; }\n");
        Files.writeString(src.resolve("Main.java"), String.join("\n",
                "package demo;",
                "import dev.sfmfa.SfmfaClient;",
                "import dev.sfmfa.SfmfaError;",
                "import dev.sfmfa.SfmfaSession;",
                "import java.sql.SQLException;",
                "public class Main {",
                "    public static void main(String[] args) throws Exception {",
                "        try (SfmfaClient client = SfmfaClient.fromUrl(args[0]); SfmfaSession s = client.login()) {",
                "            System.out.println(\"module \" + SfmfaClient.class.getModule().getName() + \" session \"",
                "                    + s.getSessionId() + \" \" + s.getSecondFactor());",
                "        } catch (SQLException e) {",
                "            System.out.println(\"failed: \" + ((SfmfaError) e).getKind() + \" \" + e.getMessage());",
                "            System.exit(1);",
                "        }",
                "    }",
                "}",
                ""));
        Path classes = work.resolve("classes");
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int compiled = ToolProvider.getSystemJavaCompiler().run(null, diagnostics, diagnostics, "--release", "17",
                "--module-path", jar().toString(), "-d", classes.toString(),
                work.resolve("src/demo/module-info.java").toString(), src.resolve("Main.java").toString());
        assertEquals(0, compiled, diagnostics.toString(StandardCharsets.UTF_8));

        String url = "jdbc:snowflake://127.0.0.1:" + emu.port + "/?protocol=http&clientStoreTemporaryCredential=off"
                + "&account=" + Emulator.ACCOUNT + "&user=push_approve&password=" + Emulator.PASSWORD
                + "&passcode=" + Emulator.BYPASS;
        // No -Dsfmfa.library.path and no java.library.path: the library comes out of the jar, a named module.
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.library.path=/nonexistent", "--module-path", jar() + java.io.File.pathSeparator + classes,
                "-m", "demo/demo.Main", url)
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the modular program exits (a bound, not a timing)");
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.startsWith("module dev.sfmfa session ") && output.trim().endsWith("PASSCODE"), output);
    }
}
