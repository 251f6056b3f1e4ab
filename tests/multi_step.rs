//! Snowflake's multi-step Duo flow (`nextAction`, README "Login rules") against the emulator's
//! legacy users, over real sockets: every mode completes as one login with at most one push, the
//! steps share the deadline, the cancel and the prompt turn, and every malformed step ends the
//! login with an error naming the step, never a hang.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::json;
use sfmfa::{ErrorKind, Progress, SecondFactor};
use sfmfa_emulator::{Control, Fault};

const MFA: (&str, &str) = ("authenticator", "username_password_mfa");
const ON: (&str, &str) = ("client_store_temporary_credential", "on");
const MEMORY: (&str, &str) = ("token_cache", "memory");

/// A legacy user (the multi-step flow) of the default account, enrolled, push approved at once.
fn legacy_user(ctl: &Control, name: &str) {
    ctl.add_user(
        ACCOUNT,
        sfmfa_emulator::UserConfig {
            duo_enrolled: true,
            bypass_codes: vec![BYPASS.to_owned()],
            push: sfmfa_emulator::PushBehaviour::Approve { delay_ms: 0 },
            ..sfmfa_emulator::UserConfig::new(name, PASSWORD)
        },
    );
    assert!(ctl.set_legacy_next_action(ACCOUNT, name, true));
}

fn steps(events: &Mutex<Vec<Progress>>) -> Vec<u32> {
    events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            Progress::LoginStep { step, of: 3, .. } => Some(*step),
            _ => None,
        })
        .collect()
}

/// A mode: user, options, the second factor reported, pushes, the factor in LOGIN_HISTORY.
type Mode<'a> = (&'a str, Vec<(&'a str, &'a str)>, SecondFactor, u64, &'a str);

#[test]
fn every_mode_completes_in_three_steps_with_at_most_one_push() {
    let emu = emulator(false);
    let ctl = emu.control();
    let pip = format!("{PASSWORD}{BYPASS}");
    let modes: [Mode; 5] = [
        ("ms_push", vec![MFA], SecondFactor::Push, 1, "DUO_PUSH"),
        ("ms_push_default", vec![], SecondFactor::Push, 1, "DUO_PUSH"),
        (
            "ms_passcode",
            vec![MFA, ("passcode", BYPASS)],
            SecondFactor::Passcode,
            0,
            "DUO_PASSCODE",
        ),
        (
            "ms_pip",
            vec![("password", &pip), ("passcode_in_password", "on")],
            SecondFactor::PasscodeInPassword,
            0,
            "DUO_PASSCODE",
        ),
        (
            "ms_pip_mfa",
            vec![MFA, ("password", &pip), ("passcode_in_password", "on")],
            SecondFactor::PasscodeInPassword,
            0,
            "DUO_PASSCODE",
        ),
    ];
    for (user, options, factor, pushes, history) in modes {
        legacy_user(&ctl, user);
        let (client, events) = recording(config(&emu, user, &options));
        let s = client
            .login()
            .unwrap_or_else(|e| panic!("{user}: {e} ({:?})", e.kind()));
        assert_eq!(s.second_factor(), factor, "{user}");
        assert_eq!(ctl.push_count(ACCOUNT, user), pushes, "{user}: pushes");
        assert_eq!(ctl.login_count(ACCOUNT, user), 3, "{user}: three requests");
        assert_eq!(steps(&events), [2, 3], "{user}: progress names the steps");
        let last = ctl
            .login_history()
            .into_iter()
            .rfind(|h| h.user_name.eq_ignore_ascii_case(user))
            .unwrap();
        assert!(last.is_success, "{user}");
        assert_eq!(
            last.second_authentication_factor.as_deref(),
            Some(history),
            "{user}"
        );
        s.close().unwrap();
    }
}

#[test]
fn the_token_of_the_last_answer_is_cached_and_used_next_time() {
    let emu = emulator(false);
    let ctl = emu.control();
    legacy_user(&ctl, "ms_cache");
    let client = sfmfa::Client::new(config(&emu, "ms_cache", &[MFA, ON, MEMORY])).unwrap();
    let first = client.login().unwrap();
    assert_eq!(first.second_factor(), SecondFactor::Push);
    assert!(
        first.mfa_token_issued(),
        "step 3 answered with the MFA token"
    );
    assert_eq!(
        first.cache_report().status,
        sfmfa::cache::CacheStatus::Stored
    );
    for _ in 0..2 {
        let s = client.login().unwrap();
        assert_eq!(s.second_factor(), SecondFactor::MfaToken);
    }
    assert_eq!(ctl.push_count(ACCOUNT, "ms_cache"), 1, "one push in all");
    assert_eq!(ctl.login_count(ACCOUNT, "ms_cache"), 3 + 2);
}

#[test]
fn concurrent_multi_step_logins_of_one_user_send_one_push() {
    let emu = emulator(false);
    let ctl = emu.control();
    manual_user(&ctl, "ms_pool");
    assert!(ctl.set_legacy_next_action(ACCOUNT, "ms_pool", true));
    let client = Arc::new(sfmfa::Client::new(config(&emu, "ms_pool", &[MFA, ON, MEMORY])).unwrap());
    let logins: Vec<_> = (0..4)
        .map(|_| {
            let client = Arc::clone(&client);
            std::thread::spawn(move || client.login().map(|s| s.second_factor()))
        })
        .collect();
    // The leader's step 2 waits for the phone: its turn of the prompt lock spans the steps.
    wait_until("the push is pending", || {
        ctl.pending_pushes(ACCOUNT, "ms_pool") == 1
    });
    std::thread::sleep(Duration::from_millis(200));
    assert!(ctl.answer_push(ACCOUNT, "ms_pool", true));
    let mut factors: Vec<SecondFactor> = logins
        .into_iter()
        .map(|t| t.join().unwrap().unwrap())
        .collect();
    factors.sort_by_key(|f| f.name());
    assert_eq!(
        factors,
        [
            SecondFactor::MfaToken,
            SecondFactor::MfaToken,
            SecondFactor::MfaToken,
            SecondFactor::Push
        ]
    );
    assert_eq!(ctl.push_count(ACCOUNT, "ms_pool"), 1);
}

#[test]
fn a_cancel_ends_the_duo_step_and_the_token_step() {
    let emu = emulator(false);
    let ctl = emu.control();
    manual_user(&ctl, "ms_cancel");
    assert!(ctl.set_legacy_next_action(ACCOUNT, "ms_cancel", true));
    let client = Arc::new(
        sfmfa::Client::new(config(&emu, "ms_cancel", &[MFA, ("login_timeout", "60")])).unwrap(),
    );

    // Step 2 waits for the phone.
    let login = {
        let client = Arc::clone(&client);
        std::thread::spawn(move || client.login())
    };
    wait_until("the step-2 push is pending", || {
        ctl.pending_pushes(ACCOUNT, "ms_cancel") == 1
    });
    assert_eq!(client.cancel(), 1);
    let e = login.join().unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled, "{e}");
    // The push the cancelled login started is still on the phone: deny it.
    assert!(ctl.answer_push(ACCOUNT, "ms_cancel", false));
    wait_until("no push is pending", || {
        ctl.pending_pushes(ACCOUNT, "ms_cancel") == 0
    });

    // Step 3 stalls (the fault applies to the next request: the token step).
    let login = {
        let client = Arc::clone(&client);
        std::thread::spawn(move || client.login())
    };
    wait_until("the second push is pending", || {
        ctl.pending_pushes(ACCOUNT, "ms_cancel") == 1
    });
    ctl.stall(30_000, 1);
    assert!(ctl.answer_push(ACCOUNT, "ms_cancel", true));
    wait_until("the token step was sent", || {
        ctl.login_count(ACCOUNT, "ms_cancel") == 2 + 3
    });
    assert_eq!(client.cancel(), 1);
    let e = login.join().unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled, "{e}");
    ctl.clear_faults();
}

#[test]
fn the_steps_share_one_deadline() {
    let emu = emulator(false);
    let ctl = emu.control();
    manual_user(&ctl, "ms_deadline");
    assert!(ctl.set_legacy_next_action(ACCOUNT, "ms_deadline", true));
    let e = login(config(
        &emu,
        "ms_deadline",
        &[MFA, ("login_timeout", "1.5")],
    ))
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(e.message().contains("step 2"), "{e}");
    assert_eq!(ctl.push_count(ACCOUNT, "ms_deadline"), 1, "never re-sent");
}

/// One scripted login: the faults in order, then a login of `user` in push mode.
fn scripted(
    emu: &sfmfa_emulator::Emulator,
    user: &str,
    answers: &[serde_json::Value],
) -> sfmfa::Error {
    let ctl = emu.control();
    for a in answers {
        ctl.add_fault(Fault::Answer { body: a.clone() }, 1);
    }
    let e = login(config(emu, user, &[MFA])).unwrap_err();
    ctl.clear_faults();
    e
}

fn next(action: Option<&str>, ctx: Option<&str>) -> serde_json::Value {
    json!({
        "success": true, "code": null, "message": null,
        "data": {"nextAction": action, "inFlightCtx": ctx},
    })
}

#[test]
fn malformed_steps_fail_with_the_step_named() {
    let emu = emulator(false);
    let ctl = emu.control();
    legacy_user(&ctl, "ms_bad");
    let count = || ctl.login_count(ACCOUNT, "ms_bad");

    // A Duo step without a context.
    let before = count();
    let e = scripted(&emu, "ms_bad", &[next(Some("EXT_AUTHN_DUO_ALL"), None)]);
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
    assert!(
        e.message().contains("step 1") && e.message().contains("inFlightCtx"),
        "{e}"
    );
    assert_eq!(count() - before, 1);

    // A context without a nextAction.
    let before = count();
    let e = scripted(&emu, "ms_bad", &[next(None, Some("IFC-x"))]);
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
    assert!(
        e.message().contains("step 1") && e.message().contains("no nextAction"),
        "{e}"
    );
    assert_eq!(count() - before, 1);

    // An unknown nextAction.
    let before = count();
    let e = scripted(
        &emu,
        "ms_bad",
        &[next(Some("EXT_AUTHN_FOO"), Some("IFC-x"))],
    );
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
    assert!(
        e.message().contains("EXT_AUTHN_FOO") && e.message().contains("unknown"),
        "{e}"
    );
    assert_eq!(count() - before, 1);

    // A server that keeps asking for the Duo step: stops after step 2, no third Duo step.
    let before = count();
    let loop_answer = next(Some("EXT_AUTHN_DUO_PUSH_N_PASSCODE"), Some("IFC-loop"));
    let e = scripted(&emu, "ms_bad", &vec![loop_answer; 5]);
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
    assert!(e.message().contains("step 2"), "{e}");
    assert_eq!(count() - before, 2, "two requests, then the error");

    // ... or for a fourth step.
    let before = count();
    let e = scripted(
        &emu,
        "ms_bad",
        &[
            next(Some("EXT_AUTHN_DUO_ALL"), Some("IFC-1")),
            next(Some("EXT_AUTHN_SUCCESS"), Some("IFC-2")),
            next(Some("EXT_AUTHN_SUCCESS"), Some("IFC-3")),
        ],
    );
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
    assert!(
        e.message().contains("step 3") && e.message().contains("another step"),
        "{e}"
    );
    assert_eq!(count() - before, 3);

    // A context the server refuses (the emulator knows no IFC-bogus): 390100 at step 2.
    let before = count();
    let pushes = ctl.push_count(ACCOUNT, "ms_bad");
    let e = scripted(
        &emu,
        "ms_bad",
        &[next(Some("EXT_AUTHN_DUO_ALL"), Some("IFC-bogus"))],
    );
    assert_eq!(e.server_code(), Some(390100), "{e}");
    assert!(e.message().contains("step 2"), "{e}");
    assert!(
        !e.message().contains("IFC-bogus"),
        "the context is never shown: {e}"
    );
    assert_eq!(count() - before, 2);
    assert_eq!(ctl.push_count(ACCOUNT, "ms_bad"), pushes, "no push");
}

#[test]
fn a_duo_refusal_at_the_duo_step_is_never_retried() {
    let emu = emulator(false);
    let ctl = emu.control();
    legacy_user(&ctl, "ms_deny");
    ctl.set_push(
        ACCOUNT,
        "ms_deny",
        sfmfa_emulator::PushBehaviour::Deny { delay_ms: 0 },
    );
    let e = login(config(&emu, "ms_deny", &[MFA])).unwrap_err();
    assert_eq!(e.server_code(), Some(390120), "{e}");
    assert!(e.message().contains("step 2"), "{e}");
    assert_eq!(ctl.push_count(ACCOUNT, "ms_deny"), 1);
    assert_eq!(ctl.login_count(ACCOUNT, "ms_deny"), 2);
}
