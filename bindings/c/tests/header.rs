//! The committed C header is what cbindgen generates from the sources (`make header` rewrites it),
//! documents every exported item, and declares exactly the functions the library exports.

use std::collections::BTreeSet;
use std::path::Path;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[derive(Debug, PartialEq)]
enum Kind {
    Type,
    Constant,
    Function,
}

/// The C items declared in the header: kind, name, and whether a doc comment precedes it.
fn header_items(header: &str) -> Vec<(Kind, String, bool)> {
    let lines: Vec<&str> = header.lines().collect();
    let mut items = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        let item = if let Some(rest) = trimmed.strip_prefix("typedef struct ") {
            rest.split_whitespace()
                .next()
                .map(|n| (Kind::Type, n.to_owned()))
        } else if let Some(rest) = trimmed.strip_prefix("enum ") {
            Some((Kind::Type, rest.trim_end_matches('{').trim().to_owned()))
        } else if trimmed.starts_with("SFMFA_") && trimmed.contains(" = ") {
            trimmed
                .split_whitespace()
                .next()
                .map(|n| (Kind::Constant, n.to_owned()))
        } else if !trimmed.starts_with('#') && !trimmed.starts_with('*') && trimmed.ends_with(");")
        {
            trimmed
                .split('(')
                .next()
                .and_then(|head| head.split([' ', '*']).next_back())
                .filter(|n| n.starts_with("sfmfa_"))
                .map(|n| (Kind::Function, n.to_owned()))
        } else {
            None
        };
        if let Some((kind, name)) = item {
            let documented = i > 0 && lines[i - 1].trim().ends_with("*/");
            items.push((kind, name, documented));
        }
    }
    items
}

/// Names of the functions exported by `src/*.rs`.
fn exported_functions(ffi_dir: &Path) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(ffi_dir).unwrap() {
        let text = read(&entry.unwrap().path());
        let mut lines = text.lines().peekable();
        while let Some(line) = lines.next() {
            if line.trim() == "#[unsafe(no_mangle)]" {
                let sig = lines.peek().copied().unwrap_or_default();
                let name = sig
                    .split("fn ")
                    .nth(1)
                    .and_then(|s| s.split('(').next())
                    .unwrap_or_default();
                names.insert(name.to_owned());
            }
        }
    }
    names
}

#[test]
fn every_header_item_is_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let items = header_items(&read(&root.join("include/sfmfa.h")));
    assert!(
        items.len() > 40,
        "the parser found the items ({})",
        items.len()
    );
    let undocumented: Vec<&str> = items
        .iter()
        .filter(|(_, _, d)| !d)
        .map(|(_, n, _)| n.as_str())
        .collect();
    assert!(
        undocumented.is_empty(),
        "undocumented in include/sfmfa.h: {undocumented:?}"
    );
}

#[test]
fn header_declares_exactly_the_exported_functions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let exported = exported_functions(&root.join("src"));
    let declared: BTreeSet<String> = header_items(&read(&root.join("include/sfmfa.h")))
        .into_iter()
        .filter(|(kind, _, _)| *kind == Kind::Function)
        .map(|(_, n, _)| n)
        .collect();
    assert!(
        exported.len() >= 15,
        "found the exports ({})",
        exported.len()
    );
    assert_eq!(declared, exported);
}

/// The header cbindgen generates from this crate with `cbindgen.toml`.
fn generated_header(root: &Path) -> Vec<u8> {
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml"))
        .unwrap_or_else(|e| panic!("cbindgen.toml: {e}"));
    let bindings = cbindgen::Builder::new()
        .with_crate(root)
        .with_config(config)
        .generate()
        .unwrap_or_else(|e| panic!("cbindgen could not generate the header: {e}"));
    let mut out = Vec::new();
    bindings.write(&mut out);
    out
}

/// Header drift: the committed header equals the generated one. With `SFMFA_BLESS_HEADER=1`
/// (`make header`) the generated header is written instead.
#[test]
fn committed_header_is_the_generated_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("include/sfmfa.h");
    let generated = generated_header(root);
    if std::env::var_os("SFMFA_BLESS_HEADER").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "bindings/c/include/sfmfa.h differs from what the sources generate: run `make header` and commit it"
    );
}
