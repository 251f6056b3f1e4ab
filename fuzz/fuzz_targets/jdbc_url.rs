//! The JDBC URL parser: never panics, positions inside the string, no secret in any message,
//! percent-encoding round-trips.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        checks::jdbc_url(s);
    }
});
