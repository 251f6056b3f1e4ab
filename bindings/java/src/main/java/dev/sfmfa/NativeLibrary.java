package dev.sfmfa;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Loads {@code libsfmfa_jni}, once, trying in order:
 * <ol>
 *   <li>the file named by the system property {@value #PATH_PROPERTY} ({@code -Dsfmfa.library.path=/abs/libsfmfa_jni.so});</li>
 *   <li>the copy inside this jar for this platform ({@code /native/linux-x86_64/libsfmfa_jni.so}), extracted to a
 *       private temporary file;</li>
 *   <li>{@code System.loadLibrary("sfmfa_jni")} ({@code java.library.path}).</li>
 * </ol>
 * When none works, the {@link UnsatisfiedLinkError} names every attempt and why it failed.
 */
final class NativeLibrary {
    /** The system property that names the library file. */
    static final String PATH_PROPERTY = "sfmfa.library.path";

    private static final String NAME = "sfmfa_jni";
    private static boolean loaded;

    private NativeLibrary() {}

    /** The jar resource of the library for this platform, e.g. {@code /native/linux-x86_64/libsfmfa_jni.so}. */
    static String resourceName() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osName = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "macos" : os.startsWith("windows") ? "windows" : os;
        String archName = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : arch;
        return "/native/" + osName + "-" + archName + "/" + System.mapLibraryName(NAME);
    }

    static synchronized void load() {
        if (loaded) {
            return;
        }
        List<String> tried = new ArrayList<>();
        String path = System.getProperty(PATH_PROPERTY);
        if (path != null && !path.isEmpty()) {
            // An explicit path is the caller's choice: no fallback that could load another build.
            try {
                System.load(Path.of(path).toAbsolutePath().toString());
                loaded = true;
                return;
            } catch (UnsatisfiedLinkError e) {
                throw new UnsatisfiedLinkError("sfmfa: cannot load the native library from -D" + PATH_PROPERTY + "=" + path
                        + ": " + e.getMessage());
            }
        }
        String resource = resourceName();
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                tried.add("jar resource " + resource + ": not in the jar");
            } else {
                Path file = extract(in);
                System.load(file.toString());
                loaded = true;
                return;
            }
        } catch (IOException | UnsatisfiedLinkError e) {
            tried.add("jar resource " + resource + ": " + e.getMessage());
        }
        try {
            System.loadLibrary(NAME);
            loaded = true;
            return;
        } catch (UnsatisfiedLinkError e) {
            tried.add("System.loadLibrary(\"" + NAME + "\") with java.library.path="
                    + System.getProperty("java.library.path") + ": " + e.getMessage());
        }
        throw new UnsatisfiedLinkError("sfmfa: cannot load the native library " + System.mapLibraryName(NAME)
                + "; tried: -D" + PATH_PROPERTY + " (not set); " + String.join("; ", tried));
    }

    /** Copies the library to a new owner-only temporary file, deleted when the JVM exits. */
    private static Path extract(InputStream in) throws IOException {
        Path dir = Files.createTempDirectory("sfmfa-jni-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Path file = dir.resolve(System.mapLibraryName(NAME));
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        file.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        return file;
    }
}
