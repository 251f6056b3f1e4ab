//! The committed C header is what cbindgen generates from the sources (`make header` rewrites it),
//! documents every exported item, and declares exactly the functions the library exports.

use std::collections::BTreeSet;
use std::path::Path;

use sfmfa_core::error::Failure;

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

/// The `enum sfmfa_result` block, written the way cbindgen writes the other enums: one constant per
/// row of the failure table (`sfmfa::error::Failure`), with the row's documentation.
fn result_enum() -> String {
    fn doc(out: &mut String, indent: &str, text: &str) {
        out.push_str(indent);
        out.push_str("/**\n");
        for line in text.lines() {
            let line = line.strip_prefix(' ').unwrap_or(line);
            out.push_str(indent);
            if line.is_empty() {
                out.push_str(" *\n");
            } else {
                out.push_str(" * ");
                out.push_str(line);
                out.push('\n');
            }
        }
        out.push_str(indent);
        out.push_str(" */\n");
    }
    let mut out = String::from("\n");
    doc(
        &mut out,
        "",
        "The result of a fallible C function. Values are stable and never reused:\n\
         0 success; 1xx caller errors; 2xx transport; 3xx authentication (3xx = 390100 + xx for Snowflake's\n\
         login codes); 4xx token cache; 9xx cancelled, internal, panic. The name of a value is\n\
         sfmfa_result_name(); Java's SfmfaError.Kind and Python's sfmfa.Result carry the same names and values.",
    );
    out.push_str(
        "enum sfmfa_result\n\
         #if defined(__cplusplus) || __STDC_VERSION__ >= 202311L\n  : uint32_t\n\
         #endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L\n {\n",
    );
    doc(&mut out, "  ", "Success.");
    out.push_str("  SFMFA_RESULT_OK = 0,\n");
    for f in Failure::ALL {
        doc(&mut out, "  ", f.info().doc);
        out.push_str(&format!("  SFMFA_RESULT_{} = {},\n", f.name(), f.value()));
    }
    out.push_str(
        "};\n\
         #ifndef __cplusplus\n\
         #if __STDC_VERSION__ >= 202311L\n\
         typedef enum sfmfa_result sfmfa_result;\n\
         #else\n\
         typedef uint32_t sfmfa_result;\n\
         #endif // __STDC_VERSION__ >= 202311L\n\
         #endif // __cplusplus",
    );
    out
}

/// `bindings/failures.tsv`: the failure table for the bindings' tests (value, name, Snowflake code or
/// 0, SQLSTATE, shared by the prompt lock's waiters), so that C, Java and Python expect the same.
fn failures_tsv() -> String {
    let mut out = String::from(
        "# The failure table (sfmfa::error::Failure), generated by bindings/c/tests/header.rs (`make header`); do not edit.\n\
         # value\tname\tserver_code\tsqlstate\tshared\n",
    );
    for f in Failure::ALL {
        let row = f.info();
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            f.value(),
            f.name(),
            row.server_code.unwrap_or(0),
            row.sqlstate,
            row.shared_by_waiters
        ));
    }
    out
}

/// The header cbindgen generates from this crate with `cbindgen.toml`, plus the `sfmfa_result`
/// block generated from the failure table.
fn generated_header(root: &Path) -> Vec<u8> {
    let mut config = cbindgen::Config::from_file(root.join("cbindgen.toml"))
        .unwrap_or_else(|e| panic!("cbindgen.toml: {e}"));
    let mut after = config.after_includes.take().unwrap_or_default();
    after.push_str(&result_enum());
    config.after_includes = Some(after);
    let bindings = cbindgen::Builder::new()
        .with_crate(root)
        .with_config(config)
        .generate()
        .unwrap_or_else(|e| panic!("cbindgen could not generate the header: {e}"));
    let mut out = Vec::new();
    bindings.write(&mut out);
    out
}

/// Drift: the committed file equals the generated one. With `SFMFA_BLESS_HEADER=1` (`make header`)
/// the generated file is written instead.
fn check_generated(path: &Path, generated: &[u8], shown: &str) {
    if std::env::var_os("SFMFA_BLESS_HEADER").is_some_and(|v| v == "1") {
        std::fs::write(path, generated).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let committed = std::fs::read(path).unwrap_or_default();
    assert!(
        committed == generated,
        "{shown} differs from what the sources generate: run `make header` and commit it"
    );
}

#[test]
fn committed_header_is_the_generated_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    check_generated(
        &root.join("include/sfmfa.h"),
        &generated_header(root),
        "bindings/c/include/sfmfa.h",
    );
}

#[test]
fn committed_failure_table_is_the_generated_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    check_generated(
        &root.join("../failures.tsv"),
        failures_tsv().as_bytes(),
        "bindings/failures.tsv",
    );
}

/// The header's `sfmfa_result` constants are exactly the table's rows (and OK), in order.
#[test]
fn header_results_are_the_failure_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let header = read(&root.join("include/sfmfa.h"));
    let found: Vec<(String, u32)> = header
        .lines()
        .filter_map(|l| l.trim().strip_prefix("SFMFA_RESULT_"))
        .filter_map(|l| {
            let (name, value) = l.trim_end_matches(',').split_once(" = ")?;
            Some((name.to_owned(), value.parse().ok()?))
        })
        .collect();
    let expected: Vec<(String, u32)> = std::iter::once(("OK".to_owned(), 0))
        .chain(
            Failure::ALL
                .iter()
                .map(|f| (f.name().to_owned(), f.value())),
        )
        .collect();
    assert_eq!(found, expected);
}
