package dev.sfmfa;

import java.time.Duration;

/**
 * One progress event of a login. Never holds a secret.
 *
 * @param kind what happened
 * @param attempt for {@link Kind#RETRYING}, the attempt that comes next (2 for the first retry); else 0
 * @param delay for {@link Kind#RETRYING}, the pause before it; else zero
 * @param message one sentence for a person
 * @param step for {@link Kind#LOGIN_STEP}, the step of the multi-step login that starts (2: the Duo step, 3: the
 *     request for the session tokens); else 0
 */
public record ProgressEvent(Kind kind, int attempt, Duration delay, String message, int step) {
    /**
     * An event that is not a {@link Kind#LOGIN_STEP} (step 0).
     *
     * @param kind what happened
     * @param attempt for {@link Kind#RETRYING}, the attempt that comes next; else 0
     * @param delay for {@link Kind#RETRYING}, the pause before it; else zero
     * @param message one sentence for a person
     */
    public ProgressEvent(Kind kind, int attempt, Duration delay, String message) {
        this(kind, attempt, delay, message, 0);
    }

    /**
     * For {@link Kind#LOGIN_STEP}, the step of the multi-step login that starts (2 or 3); else 0. The same as
     * {@link #step()}.
     *
     * @return the step, or 0
     */
    public int getStep() {
        return step;
    }

    /** What a login is doing. */
    public enum Kind {
        /** A cached MFA token is sent instead of a Duo prompt. */
        USING_CACHED_TOKEN,
        /** Another login of the same (host, user) is prompting; this one waits for its outcome. */
        WAITING_FOR_OTHER_LOGIN,
        /** A Duo push was requested: waiting for approval on the phone (before step 1, and again before step 2). */
        PUSH_SENT,
        /** A Duo passcode was sent (before step 1, and again before step 2). */
        PASSCODE_SENT,
        /** A request failed before the server acted on it; it is sent again after {@code delay}. */
        RETRYING,
        /** The MFA token the server issued was stored. */
        TOKEN_STORED,
        /** No MFA token was cached by this login; the message says why. */
        TOKEN_NOT_CACHED,
        /** Something about the configuration the user should know. */
        WARNING,
        /**
         * The server answered with {@code nextAction}: step {@link ProgressEvent#step()} of a multi-step login starts
         * (2: the Duo step, which waits for the push or checks the passcode; 3: the request for the session tokens).
         */
        LOGIN_STEP,
        /** An event this version of the Java package does not know. */
        OTHER
    }
}
