package dev.sfmfa;

import java.time.Duration;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Called by the native library on the login thread; hands each event to the user's listener and contains its failures. */
final class ProgressDispatcher {
    private static final Logger LOG = Logger.getLogger("dev.sfmfa");
    private final ProgressListener listener;

    ProgressDispatcher(ProgressListener listener) {
        this.listener = listener;
    }

    /**
     * Called from Rust with the event's stable name ({@code push_sent}, ...) and, for {@code login_step}, the step
     * that starts (else 0). Never throws.
     */
    void deliver(String name, int attempt, long delayMillis, String message, int step) {
        ProgressEvent.Kind kind;
        try {
            kind = ProgressEvent.Kind.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            kind = ProgressEvent.Kind.OTHER;
        }
        try {
            listener.onProgress(new ProgressEvent(kind, attempt, Duration.ofMillis(delayMillis), message, step));
        } catch (Throwable t) { // NOPMD: a listener must never break a login
            try {
                LOG.log(Level.WARNING, "sfmfa: the progress listener threw on " + kind + "; the login goes on", t);
            } catch (Throwable ignored) { // NOPMD: logging failed too; the native side clears anything left
            }
        }
    }
}
