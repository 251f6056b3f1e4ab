package dev.sfmfa;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongConsumer;

/**
 * One native object: its {@code long} handle, freed exactly once.
 *
 * <p>Every native call runs under the read lock ({@link #call}); {@link #close} takes the write lock, so the
 * object is never freed while a call uses it. Close is idempotent and serialised; while calls are in flight it
 * runs {@code whileBusy} (a client cancels its logins) until they return. A {@link Cleaner} frees the object if
 * its owner becomes unreachable without being closed.
 */
final class NativeHandle {
    private static final Cleaner CLEANER = Cleaner.create();

    /** A native call that uses the handle. */
    @FunctionalInterface
    interface Call<T> {
        T apply(long handle) throws SQLException;
    }

    /** Frees the native object; referenced by the Cleaner, so it must not reference the handle's owner. */
    private static final class Release implements Runnable {
        private final long handle;
        private final LongConsumer free;

        Release(long handle, LongConsumer free) {
            this.handle = handle;
            this.free = free;
        }

        @Override
        public void run() {
            free.accept(handle);
        }
    }

    private final String what;
    private final long handle;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closing;
    private boolean closed; // guarded by the write lock

    /**
     * Owns {@code handle}; {@code free} releases it (once). The Cleaner watches this object, not its owner:
     * {@link #call} keeps this object reachable until the native call returns (reachabilityFence), which would
     * not hold for an owner the JIT may consider dead during the call.
     */
    NativeHandle(String what, long handle, LongConsumer free) {
        this.what = what;
        this.handle = handle;
        this.cleanable = CLEANER.register(this, new Release(handle, free));
    }

    /**
     * Runs {@code call} with the live handle. Once close() has begun, throws the SQLException of a closed
     * connection (SQLSTATE 08003, {@link Exceptions#closed}), as JDBC objects do after close().
     */
    <T> T call(Call<T> call) throws SQLException {
        ReentrantReadWriteLock.ReadLock read = lock.readLock();
        read.lock();
        try {
            if (closing || closed) {
                throw Exceptions.closed(what);
            }
            return call.apply(handle);
        } finally {
            read.unlock();
            Reference.reachabilityFence(this);
        }
    }

    boolean isClosed() {
        return closing;
    }

    /**
     * Frees the native object once no call uses it; later calls throw SQLSTATE 08003. While calls are in
     * flight, runs {@code whileBusy} with the handle every 20 ms (e.g. to cancel them). Returns false when it
     * was already closed. Must not be called from inside a call on the same handle (e.g. from a progress
     * listener during login): that would wait for itself, so it throws IllegalStateException instead.
     */
    synchronized boolean close(LongConsumer whileBusy) {
        if (lock.getReadHoldCount() > 0) {
            throw new IllegalStateException("the " + what + " cannot be closed from inside one of its own calls"
                    + " (e.g. a progress listener); close it from another thread or after the call returns");
        }
        closing = true;
        ReentrantReadWriteLock.WriteLock write = lock.writeLock();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (write.tryLock(20, TimeUnit.MILLISECONDS)) {
                        break;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                // Calls are in flight: this thread is the only closer (synchronized), and the object is
                // freed only below, under the write lock, so the handle is still live here.
                if (whileBusy != null) {
                    whileBusy.accept(handle);
                }
            }
            try {
                if (closed) {
                    return false;
                }
                closed = true;
                cleanable.clean(); // runs Release once, whether here or in the Cleaner
                return true;
            } finally {
                write.unlock();
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
