//! A login starts no thread: not for its requests' name resolution (ureq's default resolver starts
//! one per request once a timeout is set, even for an IP address), nor for anything else, with
//! `token_cache=none` and `memory`, over http to 127.0.0.1 and over https to `localhost`.
//!
//! A thread that lives a few microseconds cannot be caught reliably by listing /proc/self/task, so
//! this binary (its own, so no other test's threads interfere) counts thread creations where they
//! happen: it defines `pthread_create`, which every `std::thread` spawn of the process calls, and
//! forwards to the C library's. Only creations made by the thread that runs the logins are counted
//! (the in-process emulator starts a thread per connection from its own accept thread). The task
//! list is checked too: after the logins, every thread of the process that was not there before is
//! the emulator's.

// /proc/self/task, and a pthread_create of the C library's to forward to: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::cell::Cell;
use std::collections::BTreeSet;
use std::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;

/// Threads created by a thread whose `COUNTING` is set.
static CREATED: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

type PthreadCreate = unsafe extern "C" fn(
    *mut libc::pthread_t,
    *const libc::pthread_attr_t,
    extern "C" fn(*mut c_void) -> *mut c_void,
    *mut c_void,
) -> c_int;

/// The process's `pthread_create` (this executable's definition comes first in symbol lookup):
/// counts, then calls the C library's.
///
/// # Safety
/// The same contract as the C library's `pthread_create`.
#[allow(unsafe_code)] // the process's pthread_create; each unsafe block says why it is sound.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_create(
    thread: *mut libc::pthread_t,
    attr: *const libc::pthread_attr_t,
    start: extern "C" fn(*mut c_void) -> *mut c_void,
    arg: *mut c_void,
) -> c_int {
    if COUNTING.with(Cell::get) {
        CREATED.fetch_add(1, Ordering::SeqCst);
    }
    // SAFETY: dlsym with RTLD_NEXT and a NUL-terminated name; the symbol found is the C library's
    // pthread_create, whose signature is `PthreadCreate`.
    let next = unsafe { libc::dlsym(libc::RTLD_NEXT, c"pthread_create".as_ptr()) };
    if next.is_null() {
        return libc::EAGAIN;
    }
    // SAFETY: `next` is the C library's pthread_create (see above), non-null.
    let next: PthreadCreate = unsafe { std::mem::transmute::<*mut c_void, PthreadCreate>(next) };
    // SAFETY: the caller's arguments, passed on unchanged under the same contract.
    unsafe { next(thread, attr, start, arg) }
}

/// The thread ids of the process, from /proc/self/task.
fn tasks() -> BTreeSet<u32> {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect()
}

/// The name (comm) of a thread of the process, if it still exists.
fn task_name(tid: u32) -> Option<String> {
    std::fs::read_to_string(format!("/proc/self/task/{tid}/comm"))
        .ok()
        .map(|s| s.trim().to_owned())
}

#[test]
fn a_login_starts_no_thread() {
    // The counter itself must work: a thread started while counting is counted.
    COUNTING.with(|c| c.set(true));
    std::thread::spawn(|| {}).join().expect("a thread");
    COUNTING.with(|c| c.set(false));
    assert_eq!(
        CREATED.swap(0, Ordering::SeqCst),
        1,
        "the counter sees spawns"
    );

    let http = emulator(false);
    let https = emulator(true);
    let mfa = ("authenticator", "username_password_mfa");
    let mut clients = Vec::new();
    for emu in [&http, &https] {
        for cache in ["none", "memory"] {
            let options = [
                mfa,
                ("client_store_temporary_credential", "on"),
                ("token_cache", cache),
            ];
            let client =
                sfmfa::Client::new(config(emu, "push_approve", &options)).expect("a client");
            clients.push((emu.base_url(), cache, client));
        }
    }
    let before = tasks();
    COUNTING.with(|c| c.set(true));
    for (url, cache, client) in &clients {
        // Two logins each: with `memory`, the second uses the cached MFA token.
        for i in 1..=2 {
            let session = client
                .login()
                .unwrap_or_else(|e| panic!("{url}, token_cache={cache}, login {i}: {e}"));
            session.close().expect("logout");
        }
    }
    COUNTING.with(|c| c.set(false));
    assert_eq!(
        CREATED.load(Ordering::SeqCst),
        0,
        "threads started by the logins (and their logouts)"
    );
    for tid in tasks().difference(&before) {
        if let Some(name) = task_name(*tid) {
            assert!(
                name.starts_with("sfmfa-emulator"),
                "a thread not the emulator's appeared: {tid} {name}"
            );
        }
    }
}
