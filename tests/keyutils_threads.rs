//! `token_cache=keyutils` makes its keystore calls on the caller's thread: a client's cache calls
//! work on a thread that the kernel forbids to start threads (a seccomp filter on that thread
//! alone makes `clone` fail), where a call handed to a worker thread would fail. The login that
//! stores the token runs on an ordinary thread (its HTTP requests may start a resolver thread).
//! Its own test binary: the filter is per thread, but nothing else should share the process.
#![cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]

mod common;

use std::sync::Arc;

use common::*;
use sfmfa::cache::{CacheStatus, KeystoreCache};

const MFA: (&str, &str) = ("authenticator", "username_password_mfa");
const ON: (&str, &str) = ("client_store_temporary_credential", "on");

#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH: u32 = 0xC000_003E;
#[cfg(target_arch = "aarch64")]
const AUDIT_ARCH: u32 = 0xC000_00B7;

fn stmt(code: u32, k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code: code as u16,
        jt: 0,
        jf: 0,
        k,
    }
}

fn jump(k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    libc::sock_filter {
        code: (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16,
        jt,
        jf,
        k,
    }
}

/// Makes `clone` and `clone3` fail with EAGAIN on the calling thread (and on none other): it can no
/// longer start a thread. Err when the kernel refuses the filter.
#[allow(unsafe_code)] // prctl and seccomp
fn forbid_threads_on_this_thread() -> Result<(), std::io::Error> {
    let load = libc::BPF_LD | libc::BPF_W | libc::BPF_ABS;
    let mut filter = [
        stmt(load, 4), // seccomp_data.arch
        jump(AUDIT_ARCH, 0, 3),
        stmt(load, 0), // seccomp_data.nr
        jump(libc::SYS_clone as u32, 2, 0),
        jump(libc::SYS_clone3 as u32, 1, 0),
        stmt(libc::BPF_RET | libc::BPF_K, libc::SECCOMP_RET_ALLOW),
        stmt(
            libc::BPF_RET | libc::BPF_K,
            libc::SECCOMP_RET_ERRNO | libc::EAGAIN as u32,
        ),
    ];
    let program = libc::sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_mut_ptr(),
    };
    // SAFETY: prctl with PR_SET_NO_NEW_PRIVS takes integer arguments only.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `program` points at `filter`, both alive for the call; the kernel copies the
    // program. Flags 0: the filter applies to the calling thread only.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            0,
            &program as *const libc::sock_fprog,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

#[test]
fn keyutils_cache_calls_run_on_the_callers_thread() {
    if let Err(e) = KeystoreCache::keyutils() {
        println!("SKIPPED: the kernel keyring is unusable here: {e}");
        return;
    }
    let emu = emulator(false);
    let config = config(
        &emu,
        "push_approve",
        &[MFA, ON, ("token_cache", "keyutils")],
    );
    let client = Arc::new(sfmfa::Client::new(config).unwrap());
    let first = client.login().unwrap();
    assert_eq!(first.cache_report().status, CacheStatus::Stored);
    assert_eq!(first.cache_report().backend, Some("keyutils"));

    let on_thread = Arc::clone(&client);
    let outcome = std::thread::spawn(move || {
        if let Err(e) = forbid_threads_on_this_thread() {
            return Err(format!("the kernel refused a seccomp filter: {e}"));
        }
        // The filter works: this thread cannot start one.
        assert!(
            std::thread::Builder::new().spawn(|| ()).is_err(),
            "a thread started despite the filter"
        );
        // A delete and then a read reach the kernel keyring (the in-memory layer forgets the token
        // on delete).
        on_thread.delete_cached_token().unwrap();
        let inspected = on_thread.inspect_cache().unwrap().unwrap();
        assert_eq!(inspected.backend, "keyutils");
        assert!(!inspected.present);
        Ok(())
    })
    .join()
    .unwrap();
    if let Err(why) = outcome {
        println!("SKIPPED: {why}");
    }
}
