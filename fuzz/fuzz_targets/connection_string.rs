//! The entry point that tells the two formats apart (`sfmfa_config_from_connection_string`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        checks::connection_string(s);
    }
});
