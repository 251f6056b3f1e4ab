//! One Duo prompt per (host, user), whatever the concurrency: threads of one process and separate
//! processes, against the emulator. Pushes are `manual` (answered by the test through the emulator's
//! control API), so the waiters are really waiting while the first push is pending.

#[path = "common/child.rs"]
mod child;
mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::*;
use sfmfa::cache::CacheStatus;
use sfmfa::error::Failure;
use sfmfa::{ErrorKind, Progress};
use sfmfa_emulator::{Emulator, PushBehaviour, UserConfig};

const MFA: (&str, &str) = ("authenticator", "username_password_mfa");
const ON: (&str, &str) = ("client_store_temporary_credential", "on");
/// What the message of a waiter says when the first login lost its connection after its push.
const NO_PUSH_OF_ITS_OWN: &str = "did not send a push of its own";

/// A client of `user` whose progress callback counts "waiting for another login" events.
fn counting_client(
    emu: &Emulator,
    user: &str,
    extra: &[(&str, &str)],
    waiting: &Arc<AtomicUsize>,
) -> sfmfa::Client {
    let mut pairs = vec![MFA, ON, ("token_cache", "memory")];
    pairs.extend_from_slice(extra);
    let waiting = Arc::clone(waiting);
    sfmfa::Client::new(config(emu, user, &pairs))
        .unwrap()
        .with_progress(move |event| {
            if *event == Progress::WaitingForOtherLogin {
                waiting.fetch_add(1, Ordering::SeqCst);
            }
        })
}

/// After the first login of `user` ended (its one push refused or lost), a new login starts afresh:
/// it pushes (the second push of the user), and is let in once the push is approved.
fn a_later_login_pushes_again(emu: &Emulator, user: &str) {
    let ctl = emu.control();
    let waiting = Arc::new(AtomicUsize::new(0));
    let later = counting_client(emu, user, &[], &waiting);
    let t = std::thread::spawn(move || later.login());
    wait_until("the later login pushes", || {
        ctl.pending_pushes(ACCOUNT, user) == 1
    });
    assert!(ctl.answer_push(ACCOUNT, user, true));
    assert!(t.join().unwrap().is_ok());
    assert_eq!(ctl.push_count(ACCOUNT, user), 2);
}

/// `n` threads log in at once, each with its own client; returns their results once the first
/// push was answered with `approve` (after all the others were seen waiting).
fn threads_log_in(
    n: usize,
    emu: &Emulator,
    user: &str,
    approve: bool,
) -> Vec<Result<sfmfa::Session, sfmfa::Error>> {
    let ctl = emu.control();
    let waiting = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let client = counting_client(emu, user, &[], &waiting);
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                client.login()
            })
        })
        .collect();
    wait_until("one push is pending", || {
        ctl.pending_pushes(ACCOUNT, user) == 1
    });
    wait_until("every other login waits", || {
        waiting.load(Ordering::SeqCst) == n - 1
    });
    assert_eq!(ctl.push_count(ACCOUNT, user), 1);
    assert!(ctl.answer_push(ACCOUNT, user, approve));
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

#[test]
fn thirty_two_threads_send_one_push() {
    let emu = emulator(false);
    let ctl = emu.control();
    manual_user(&ctl, "pool32");
    let results = threads_log_in(32, &emu, "pool32", true);
    let mut statuses = std::collections::HashMap::new();
    for r in &results {
        let s = r.as_ref().expect("every login succeeds");
        *statuses.entry(s.cache_report().status).or_insert(0) += 1;
    }
    assert_eq!(ctl.push_count(ACCOUNT, "pool32"), 1, "exactly one push");
    assert_eq!(statuses.get(&CacheStatus::Stored), Some(&1), "{statuses:?}");
    assert_eq!(statuses.get(&CacheStatus::Hit), Some(&31), "{statuses:?}");
    assert_eq!(ctl.login_count(ACCOUNT, "pool32"), 32);
}

#[test]
fn a_denied_push_fails_every_waiter_without_another_push() {
    let emu = emulator(false);
    let ctl = emu.control();
    manual_user(&ctl, "denied8");
    let results = threads_log_in(8, &emu, "denied8", false);
    for r in results {
        let e = r.expect_err("every login fails");
        assert_eq!(e.server_code(), Some(390120), "{e}");
    }
    assert_eq!(ctl.push_count(ACCOUNT, "denied8"), 1, "exactly one push");
    // A login that arrives after the refusal starts afresh: it prompts again.
    a_later_login_pushes_again(&emu, "denied8");
}

#[test]
fn when_the_first_login_fails_on_its_own_exactly_one_waiter_takes_over() {
    let emu = emulator(false);
    let ctl = emu.control();
    manual_user(&ctl, "takeover");
    let waiting = Arc::new(AtomicUsize::new(0));
    // The first login is cancelled while its push is pending: a failure of its own.
    let first = Arc::new(counting_client(&emu, "takeover", &[], &waiting));
    let first_login = {
        let first = Arc::clone(&first);
        std::thread::spawn(move || first.login())
    };
    wait_until("the first push is pending", || {
        ctl.pending_pushes(ACCOUNT, "takeover") == 1
    });
    let others: Vec<_> = (0..4)
        .map(|_| {
            let c = counting_client(&emu, "takeover", &[], &waiting);
            std::thread::spawn(move || c.login())
        })
        .collect();
    wait_until("four logins wait", || waiting.load(Ordering::SeqCst) == 4);
    first.cancel();
    let e = first_login.join().unwrap().expect_err("cancelled");
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    // One waiter takes over: a second push; the three others keep waiting for it.
    wait_until("a second push", || ctl.push_count(ACCOUNT, "takeover") == 2);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        ctl.push_count(ACCOUNT, "takeover"),
        2,
        "only one takes over"
    );
    // The emulator still holds the abandoned push (the oldest): answer both.
    assert!(ctl.answer_push(ACCOUNT, "takeover", true));
    assert!(ctl.answer_push(ACCOUNT, "takeover", true));
    for t in others {
        assert!(t.join().unwrap().is_ok());
    }
    assert_eq!(ctl.push_count(ACCOUNT, "takeover"), 2);
}

#[test]
fn a_waiter_that_runs_out_of_time_says_it_was_waiting_for_another_login() {
    let emu = emulator(false);
    let ctl = emu.control();
    manual_user(&ctl, "slowpoke");
    let waiting = Arc::new(AtomicUsize::new(0));
    let first = counting_client(&emu, "slowpoke", &[], &waiting);
    let t = std::thread::spawn(move || first.login());
    wait_until("the first push is pending", || {
        ctl.pending_pushes(ACCOUNT, "slowpoke") == 1
    });
    let impatient = counting_client(&emu, "slowpoke", &[("login_timeout", "0.5")], &waiting);
    let e = impatient.login().expect_err("times out");
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(
        e.message().contains("waiting for another login"),
        "{}",
        e.message()
    );
    assert!(ctl.answer_push(ACCOUNT, "slowpoke", true));
    assert!(t.join().unwrap().is_ok());
    assert_eq!(ctl.push_count(ACCOUNT, "slowpoke"), 1);
}

#[test]
fn with_caching_off_nothing_is_coordinated() {
    let emu = emulator(false);
    let ctl = emu.control();
    ctl.add_user(
        ACCOUNT,
        UserConfig {
            duo_enrolled: true,
            push: PushBehaviour::Approve { delay_ms: 300 },
            ..UserConfig::new("uncached", PASSWORD)
        },
    );
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let c = config(&emu, "uncached", &[MFA]);
            std::thread::spawn(move || login(c))
        })
        .collect();
    for h in handles {
        assert!(h.join().unwrap().is_ok());
    }
    assert_eq!(ctl.push_count(ACCOUNT, "uncached"), 4, "each login prompts");
}

/// Joins the logins, unless a second push goes out first (the bug this guards against): that one
/// is denied, so that every login ends at once rather than at its login_timeout.
fn join_unless_second_push(
    handles: Vec<JoinHandle<Result<sfmfa::Session, sfmfa::Error>>>,
    ctl: &sfmfa_emulator::Control,
    user: &str,
) -> Vec<Result<sfmfa::Session, sfmfa::Error>> {
    let end = Instant::now() + Duration::from_secs(30);
    while !handles.iter().all(|h| h.is_finished()) {
        if ctl.push_count(ACCOUNT, user) > 1 {
            ctl.answer_push(ACCOUNT, user, false);
        }
        assert!(Instant::now() < end, "the logins did not end");
        std::thread::sleep(Duration::from_millis(10));
    }
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

/// Issue 14, item 5: the first login's push goes out, then its connection drops before the answer
/// (`drop_after_processing`). Its waiters must not take over with a second push: they fail with
/// CONNECTION_LOST and a message saying they sent no push of their own.
#[test]
fn a_connection_lost_after_the_push_fails_every_waiter_without_another_push() {
    let emu = emulator(false);
    let ctl = emu.control();
    manual_user(&ctl, "dropped8");
    ctl.drop_after_processing(1);
    let n = 8;
    let waiting = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let client = counting_client(&emu, "dropped8", &[], &waiting);
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                client.login()
            })
        })
        .collect();
    wait_until("one push is pending", || {
        ctl.pending_pushes(ACCOUNT, "dropped8") == 1
    });
    wait_until("every other login waits", || {
        waiting.load(Ordering::SeqCst) == n - 1
    });
    // Approved on the phone; the server opens the session, then the connection drops.
    assert!(ctl.answer_push(ACCOUNT, "dropped8", true));
    let results = join_unless_second_push(handles, &ctl, "dropped8");
    assert_eq!(ctl.push_count(ACCOUNT, "dropped8"), 1, "exactly one push");
    assert_eq!(
        ctl.login_count(ACCOUNT, "dropped8"),
        1,
        "no waiter sent a request"
    );
    let errors: Vec<sfmfa::Error> = results
        .into_iter()
        .map(|r| r.expect_err("every login fails"))
        .collect();
    for e in &errors {
        assert_eq!(e.kind(), ErrorKind::ConnectionLost, "{e}");
        assert_eq!(e.failure(), Failure::ConnectionLost, "{e}");
    }
    let waiters: Vec<_> = errors
        .iter()
        .filter(|e| e.message().contains(NO_PUSH_OF_ITS_OWN))
        .collect();
    assert_eq!(waiters.len(), n - 1, "{errors:?}");
    for e in waiters {
        assert!(e.message().contains("lost its connection"), "{e}");
        assert!(e.hint().unwrap_or_default().contains("again"), "{e:?}");
    }
    // The next login starts afresh: it prompts (a person decided to log in again).
    a_later_login_pushes_again(&emu, "dropped8");
}

/// Issue 14, item 10: a progress callback that logs in on another client of the same user, while
/// its own login has the user's turn (on "push sent"), gets INVALID_VALUE at once instead of both
/// logins waiting for each other until login_timeout.
#[test]
fn a_callback_that_logs_in_as_the_same_user_fails_at_once() {
    let emu = emulator(false);
    // no_cache: the server issues no token, so every login of the user takes the prompt turn.
    let pairs = [MFA, ON, ("token_cache", "memory"), ("login_timeout", "10")];
    let other = sfmfa::Client::new(config(&emu, "no_cache", &pairs)).unwrap();
    // The result of the login the callback started, and how long it took.
    type Nested = Option<(Result<(), sfmfa::Error>, Duration)>;
    let nested: Arc<Mutex<Nested>> = Arc::default();
    let seen = Arc::clone(&nested);
    let client = sfmfa::Client::new(config(&emu, "no_cache", &pairs))
        .unwrap()
        .with_progress(move |event| {
            let mut seen = seen.lock().unwrap();
            if *event == Progress::PushSent && seen.is_none() {
                let started = Instant::now();
                let result = other.login().map(|_| ());
                *seen = Some((result, started.elapsed()));
            }
        });
    let started = Instant::now();
    client.login().expect("the calling login succeeds");
    let took = started.elapsed();
    let (result, nested_took) = nested
        .lock()
        .unwrap()
        .take()
        .expect("the callback logged in");
    let e = result.expect_err("the login from the callback fails");
    assert_eq!(e.failure(), Failure::InvalidValue, "{e}");
    assert!(e.message().contains("progress callback"), "{e}");
    assert!(
        nested_took < Duration::from_secs(5),
        "it fails at once, not at login_timeout: {nested_took:?}"
    );
    assert!(took < Duration::from_secs(5), "the calling login: {took:?}");
}

/// A callback that logs in as the same user while its own login waits for another one ("waiting
/// for another login") is one more waiter: it shares the outcome (it used to deadlock on the prompt
/// lock's mutex, held while the event was delivered).
#[test]
fn a_callback_that_logs_in_while_waiting_waits_too() {
    let emu = emulator(false);
    let ctl = emu.control();
    manual_user(&ctl, "nestwait");
    let waiting = Arc::new(AtomicUsize::new(0));
    let first = counting_client(&emu, "nestwait", &[], &waiting);
    let first = std::thread::spawn(move || first.login());
    wait_until("the first push is pending", || {
        ctl.pending_pushes(ACCOUNT, "nestwait") == 1
    });
    let inner = counting_client(&emu, "nestwait", &[], &waiting);
    let nested: Arc<Mutex<Option<Result<(), sfmfa::Error>>>> = Arc::default();
    let seen = Arc::clone(&nested);
    let counted = Arc::clone(&waiting);
    let outer = sfmfa::Client::new(config(
        &emu,
        "nestwait",
        &[MFA, ON, ("token_cache", "memory")],
    ))
    .unwrap()
    .with_progress(move |event| {
        if *event == Progress::WaitingForOtherLogin {
            counted.fetch_add(1, Ordering::SeqCst);
            let result = inner.login().map(|_| ());
            *seen.lock().unwrap() = Some(result);
        }
    });
    let outer = std::thread::spawn(move || outer.login());
    wait_until("the outer login and the one of its callback wait", || {
        waiting.load(Ordering::SeqCst) == 2
    });
    assert!(ctl.answer_push(ACCOUNT, "nestwait", true));
    assert!(first.join().unwrap().is_ok());
    let outer = outer.join().unwrap().expect("the outer login succeeds");
    assert_eq!(outer.cache_report().status, CacheStatus::Hit);
    let inner = nested
        .lock()
        .unwrap()
        .take()
        .expect("the callback logged in");
    assert!(inner.is_ok(), "{inner:?}");
    assert_eq!(ctl.push_count(ACCOUNT, "nestwait"), 1);
}

// ----- processes -----

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sfmfa-prompt-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Starts a child process that logs in as `user` with the file cache in `cache`; it creates a file
/// in `markers` when it starts waiting for another login.
fn spawn_login(emu: &Emulator, user: &str, cache: &Path, markers: &Path) -> Child {
    spawn_logins(emu, user, cache, markers, 1)
}

/// Like [`spawn_login`], with `threads` logins at once in the child (each with its own client); it
/// prints one outcome line per login.
fn spawn_logins(emu: &Emulator, user: &str, cache: &Path, markers: &Path, threads: usize) -> Child {
    child::self_command("child_prompt_login")
        .env("SFMFA_CHILD_PORT", emu.port().to_string())
        .env("SFMFA_CHILD_USER", user)
        .env("SFMFA_CHILD_MARKERS", markers)
        .env("SFMFA_CHILD_THREADS", threads.to_string())
        .env("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", cache)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn markers(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

/// The line the child printed: "child: ok <status>", "child: err <code>" or "child: err <failure
/// name>[ waiter]" ("waiter": it waited for a login that lost its connection after its push).
fn outcome(child: Child) -> String {
    let mut all = outcomes(child);
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0)
}

/// Every outcome line the child printed, one per login.
fn outcomes(child: Child) -> Vec<String> {
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<String> = stdout
        .lines()
        .filter_map(|l| l.split_once("child: ").map(|(_, o)| o.trim().to_owned()))
        .collect();
    assert!(!lines.is_empty(), "no outcome in: {stdout}");
    lines
}

#[test]
fn eight_processes_send_one_push() {
    let emu = emulator(false);
    let ctl = emu.control();
    manual_user(&ctl, "procs8");
    let (cache, marks) = (temp_dir("cache8"), temp_dir("marks8"));
    let children: Vec<_> = (0..8)
        .map(|_| spawn_login(&emu, "procs8", &cache, &marks))
        .collect();
    wait_until("one push is pending", || {
        ctl.pending_pushes(ACCOUNT, "procs8") == 1
    });
    wait_until("seven processes wait", || markers(&marks) == 7);
    assert!(ctl.answer_push(ACCOUNT, "procs8", true));
    let outcomes: Vec<String> = children.into_iter().map(outcome).collect();
    assert_eq!(ctl.push_count(ACCOUNT, "procs8"), 1, "exactly one push");
    assert_eq!(
        outcomes.iter().filter(|o| *o == "ok stored").count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.iter().filter(|o| *o == "ok hit").count(),
        7,
        "{outcomes:?}"
    );
    let _ = std::fs::remove_dir_all(cache);
    let _ = std::fs::remove_dir_all(marks);
}

#[test]
fn a_denied_push_fails_every_waiting_process() {
    let emu = emulator(false);
    let ctl = emu.control();
    manual_user(&ctl, "procsdeny");
    let (cache, marks) = (temp_dir("cachedeny"), temp_dir("marksdeny"));
    let children: Vec<_> = (0..4)
        .map(|_| spawn_login(&emu, "procsdeny", &cache, &marks))
        .collect();
    wait_until("one push is pending", || {
        ctl.pending_pushes(ACCOUNT, "procsdeny") == 1
    });
    wait_until("three processes wait", || markers(&marks) == 3);
    assert!(ctl.answer_push(ACCOUNT, "procsdeny", false));
    for o in children.into_iter().map(outcome) {
        assert_eq!(o, "err 390120");
    }
    assert_eq!(ctl.push_count(ACCOUNT, "procsdeny"), 1);
    let _ = std::fs::remove_dir_all(cache);
    let _ = std::fs::remove_dir_all(marks);
}

#[test]
fn a_killed_first_process_is_taken_over_by_one_other() {
    let emu = emulator(false);
    let ctl = emu.control();
    manual_user(&ctl, "procskill");
    let (cache, marks) = (temp_dir("cachekill"), temp_dir("markskill"));
    let mut first = spawn_login(&emu, "procskill", &cache, &marks);
    wait_until("the first push is pending", || {
        ctl.pending_pushes(ACCOUNT, "procskill") == 1
    });
    let others: Vec<_> = (0..4)
        .map(|_| spawn_login(&emu, "procskill", &cache, &marks))
        .collect();
    wait_until("four processes wait", || markers(&marks) == 4);
    first.kill().unwrap();
    first.wait().unwrap();
    wait_until("another process takes over", || {
        ctl.push_count(ACCOUNT, "procskill") == 2
    });
    // The killed process's push is still pending on the emulator (the oldest): answer both.
    assert!(ctl.answer_push(ACCOUNT, "procskill", true));
    assert!(ctl.answer_push(ACCOUNT, "procskill", true));
    let outcomes: Vec<String> = others.into_iter().map(outcome).collect();
    assert!(
        outcomes.iter().all(|o| o.starts_with("ok ")),
        "{outcomes:?}"
    );
    assert!(
        ctl.push_count(ACCOUNT, "procskill") <= 2,
        "at most two pushes in total"
    );
    let _ = std::fs::remove_dir_all(cache);
    let _ = std::fs::remove_dir_all(marks);
}

/// Issue 14, item 5, across processes: a pool of 8 processes × 4 threads, the first login's
/// connection dropped after its push (`drop_after_processing`): one push, and every other login
/// fails with the shared reason (it used to take over and push a second time).
#[test]
fn a_connection_lost_after_the_push_fails_every_waiting_process() {
    let emu = emulator(false);
    let ctl = emu.control();
    manual_user(&ctl, "procsdrop");
    ctl.drop_after_processing(1);
    let (cache, marks) = (temp_dir("cachedrop"), temp_dir("marksdrop"));
    let (processes, threads) = (8, 4);
    let mut children: Vec<_> = (0..processes)
        .map(|_| spawn_logins(&emu, "procsdrop", &cache, &marks, threads))
        .collect();
    wait_until("one push is pending", || {
        ctl.pending_pushes(ACCOUNT, "procsdrop") == 1
    });
    wait_until("every other login waits", || {
        markers(&marks) == processes * threads - 1
    });
    assert!(ctl.answer_push(ACCOUNT, "procsdrop", true));
    // Until every process ended; a second push (the bug) is denied so that they end at once.
    let end = Instant::now() + Duration::from_secs(60);
    while !children
        .iter_mut()
        .all(|c| matches!(c.try_wait(), Ok(Some(_))))
    {
        if ctl.push_count(ACCOUNT, "procsdrop") > 1 {
            ctl.answer_push(ACCOUNT, "procsdrop", false);
        }
        assert!(Instant::now() < end, "the processes did not end");
        std::thread::sleep(Duration::from_millis(10));
    }
    let outcomes: Vec<String> = children.into_iter().flat_map(outcomes).collect();
    assert_eq!(
        ctl.push_count(ACCOUNT, "procsdrop"),
        1,
        "exactly one push: {outcomes:?}"
    );
    assert_eq!(outcomes.len(), processes * threads);
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| *o == "err CONNECTION_LOST waiter")
            .count(),
        processes * threads - 1,
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| *o == "err CONNECTION_LOST")
            .count(),
        1,
        "{outcomes:?}"
    );
    let _ = std::fs::remove_dir_all(cache);
    let _ = std::fs::remove_dir_all(marks);
}

/// Run by the process tests in a child process; nothing otherwise.
#[test]
fn child_prompt_login() {
    let (Ok(port), Ok(user), Ok(marks)) = (
        std::env::var("SFMFA_CHILD_PORT"),
        std::env::var("SFMFA_CHILD_USER"),
        std::env::var("SFMFA_CHILD_MARKERS"),
    ) else {
        return;
    };
    let mut c = sfmfa::Config::new();
    for (k, v) in [
        ("account", ACCOUNT),
        ("user", user.as_str()),
        ("password", PASSWORD),
        ("host", "127.0.0.1"),
        ("port", port.as_str()),
        ("protocol", "http"),
        ("login_timeout", "60"),
        MFA,
        ("token_cache", "file"),
    ] {
        c.set(k, v).unwrap();
    }
    let threads: usize = std::env::var("SFMFA_CHILD_THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(1);
    let logins: Vec<_> = (0..threads)
        .map(|i| {
            let marker = Path::new(&marks).join(format!("{}-{i}", std::process::id()));
            let client = sfmfa::Client::new(c.clone())
                .unwrap()
                .with_progress(move |event| {
                    if *event == Progress::WaitingForOtherLogin {
                        std::fs::write(&marker, b"waiting").unwrap();
                    }
                });
            std::thread::spawn(move || client.login())
        })
        .collect();
    for login in logins {
        let line = match login.join().unwrap() {
            Ok(s) => format!(
                "ok {}",
                match s.cache_report().status {
                    CacheStatus::Hit => "hit",
                    CacheStatus::Stored => "stored",
                    _ => "other",
                }
            ),
            Err(e) => match e.server_code() {
                Some(code) => format!("err {code}"),
                None if e.message().contains(NO_PUSH_OF_ITS_OWN) => {
                    format!("err {} waiter", e.failure().name())
                }
                None => format!("err {}", e.failure().name()),
            },
        };
        println!("child: {line}");
    }
}
