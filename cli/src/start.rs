//! Where the process starts on Linux with glibc: `main`, in place of std's runtime start-up.
//!
//! Before a Rust `fn main` runs, std prepares for reporting a stack overflow of the main thread:
//! glibc's `pthread_getattr_np` reads and parses `/proc/self/maps` to find the main thread's
//! stack, then a signal stack is mapped and SIGSEGV/SIGBUS handlers installed. For a process as
//! short as `sfmfa login` that was about a tenth of its run: a Rust program doing nothing took
//! 0.87-0.91 ms with std's start-up and 0.78-0.82 ms without (`perf stat -r 1000`, pinned to one
//! CPU). This entry point keeps the rest of what std's start-up does for the CLI:
//! - descriptors 0, 1 and 2 open (on `/dev/null` when closed), so that a file the CLI opens never
//!   becomes its stdout or stderr;
//! - SIGPIPE ignored: writing to a closed pipe is an error (`EPIPE`), not a silent death;
//! - a panic is reported by the panic hook and exits with 101, stdout flushed at the end.
//!
//! What goes: the "has overflowed its stack" message. An overflow of the main thread's stack
//! still ends the process at the kernel's guard gap (SIGSEGV); it does not run on.
//! std's command-line arguments do not depend on its start-up here: glibc hands them to std at
//! load time.

use std::ffi::{c_char, c_int};
use std::io::Write;

/// The process's entry point, called by glibc's start-up code as C's `main`.
#[allow(unsafe_code)]
// defining the C symbol `main` is unsafe
// SAFETY: the crate is built with `no_main` on this target, so this is the only `main` the
// executable has; glibc calls it once, on the main thread, with C's `main` signature.
#[unsafe(no_mangle)]
extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
    standard_descriptors_open();
    ignore_sigpipe();
    let code = std::panic::catch_unwind(super::run).unwrap_or(101);
    // Nothing more can be done if the last of stdout cannot be written.
    let _ = std::io::stdout().flush();
    c_int::from(code)
}

/// Opens `/dev/null` on whichever of descriptors 0, 1 and 2 is closed, as std's start-up does.
#[allow(unsafe_code)]
fn standard_descriptors_open() {
    let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    });
    // SAFETY: `fds` is a valid array of three pollfd for the duration of the call.
    if unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) } == -1 {
        // Polling failed (it cannot on Linux but for lack of memory): each descriptor is then
        // checked on its own.
        for pfd in &mut fds {
            // SAFETY: F_GETFD on any number is harmless; -1 with EBADF means closed.
            let closed = unsafe { libc::fcntl(pfd.fd, libc::F_GETFD) } == -1;
            pfd.revents = if closed { libc::POLLNVAL } else { 0 };
        }
    }
    for pfd in fds {
        if pfd.revents & libc::POLLNVAL != 0 {
            // SAFETY: the path is a NUL-terminated string; a closed descriptor is the lowest one
            // free, so the descriptor returned is `pfd.fd`, which stays open for the process.
            if unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) } == -1 {
                // As std does when it cannot: a process whose stdout could be anything must not run.
                std::process::abort();
            }
        }
    }
}

/// Ignores SIGPIPE, as std's start-up does for every Rust program.
#[allow(unsafe_code)]
fn ignore_sigpipe() {
    // SAFETY: setting a signal's disposition to SIG_IGN involves no handler code.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
}
