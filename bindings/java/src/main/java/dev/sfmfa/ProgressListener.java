package dev.sfmfa;

/**
 * Receives the progress events of a login ("check your phone", "waiting for another login"), on the thread that
 * called {@link SfmfaClient#login()}, in order. It must return quickly (the login waits for it) and must not log
 * in or close the client from inside (it may call {@link SfmfaClient#cancel()}). An exception it throws is
 * logged (java.util.logging, logger {@code dev.sfmfa}) and ignored: it never breaks the login.
 */
@FunctionalInterface
public interface ProgressListener {
    /**
     * One event.
     *
     * @param event what happened
     */
    void onProgress(ProgressEvent event);
}
