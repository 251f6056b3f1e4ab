package dev.sfmfa;

/**
 * Whether an MFA token is cached for a client's (host, user), without revealing it.
 *
 * @param present true when the store holds a token
 * @param backend the store that was asked ("file", "memory", "secret-service", ...)
 */
public record CacheInspection(boolean present, String backend) {}
