//! The README's option table is the one `sfmfa::config::markdown_table()` generates from the option
//! table in `src/config/options.rs`. When it is stale this test fails; `SFMFA_BLESS=1 cargo test --test
//! readme_options` rewrites it.

use std::path::Path;

const BEGIN: &str = "<!-- options:begin -->";
const END: &str = "<!-- options:end -->";

#[test]
fn readme_option_table_is_generated_from_the_option_table() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md is readable");
    let start = readme
        .find(BEGIN)
        .expect("README.md has <!-- options:begin -->");
    let end = readme
        .find(END)
        .expect("README.md has <!-- options:end -->");
    assert!(start < end, "the markers are in order");
    let current = &readme[start + BEGIN.len()..end];
    let wanted = format!("\n{}", sfmfa::config::markdown_table());
    if current == wanted {
        return;
    }
    if std::env::var_os("SFMFA_BLESS").is_some_and(|v| v == "1") {
        let updated = format!("{}{BEGIN}{wanted}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, updated).expect("README.md is writable");
        eprintln!("README.md: option table rewritten");
        return;
    }
    panic!(
        "the option table in README.md is stale (it is generated from src/config/options.rs); \
         run `SFMFA_BLESS=1 cargo test --test readme_options` and commit README.md"
    );
}
