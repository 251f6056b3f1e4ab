//! The fuzz targets' invariants (`fuzz/checks.rs`) over the committed seed corpus, on stable: the
//! checks build with the library and hold on every seed, whichever parser reads it (the
//! connection-string seeds through every connection-string parser, the login answers through the
//! login's reading of an answer).

use std::path::Path;

#[path = "../fuzz/checks.rs"]
mod checks;

#[test]
fn fuzz_invariants_hold_on_the_seed_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut seeds = 0;
    for target in ["jdbc_url", "odbc_string", "connection_string"] {
        let dir = corpus.join(target);
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let Ok(text) = std::str::from_utf8(&bytes) else {
                continue;
            };
            checks::jdbc_url(text);
            checks::odbc_string(text);
            checks::connection_string(text);
            seeds += 1;
        }
    }
    assert!(seeds >= 20, "{seeds} seeds");
}

#[test]
fn login_answer_invariants_hold_on_the_seed_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/login_answer");
    let mut seeds = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        checks::login_answer(&bytes);
        seeds += 1;
    }
    assert!(seeds >= 5, "{seeds} seeds");
}
