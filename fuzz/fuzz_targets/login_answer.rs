//! The server's login answer (any bytes): never a panic, and what it turns into is clean: no control
//! character, bounded, no form of the login's secrets (`checks::login_answer`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::login_answer(data);
});
