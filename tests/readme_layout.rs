//! The README's layout table matches the tree: every path it names exists, and every module of
//! `src/`, every crate folder of `bindings/` and every top-level folder of the repository is named
//! (so a newcomer finds where anything lives from the table alone).

use std::collections::BTreeSet;
use std::path::Path;

/// The backticked paths of the first column of the table under "## Layout".
fn layout_paths(readme: &str) -> Vec<String> {
    let start = readme
        .find("## Layout")
        .expect("README.md has a Layout section");
    let table = &readme[start..];
    let end = table[3..].find("\n## ").map_or(table.len(), |i| i + 3);
    let mut paths = Vec::new();
    for line in table[..end].lines().filter(|l| l.starts_with("| `")) {
        let first_cell = line.split('|').nth(1).unwrap_or_default();
        for (i, part) in first_cell.split('`').enumerate() {
            if i % 2 == 1 {
                paths.push(part.to_owned());
            }
        }
    }
    paths
}

fn names_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn layout_table_names_the_tree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let paths = layout_paths(&readme);
    assert!(paths.len() > 15, "the parser found the table ({paths:?})");

    let missing: Vec<&String> = paths
        .iter()
        .filter(|p| !root.join(p.trim_end_matches('/')).exists())
        .collect();
    assert!(
        missing.is_empty(),
        "named in the layout table but absent: {missing:?}"
    );

    let named: BTreeSet<&str> = paths.iter().map(|p| p.trim_end_matches('/')).collect();
    let mut unnamed = Vec::new();
    for name in names_in(&root.join("src")) {
        let path = format!("src/{name}");
        if name != "lib.rs" && !named.contains(path.as_str()) {
            unnamed.push(path);
        }
    }
    for name in names_in(&root.join("bindings")) {
        let path = format!("bindings/{name}");
        if !named.contains(path.as_str()) {
            unnamed.push(path);
        }
    }
    for name in names_in(root) {
        let is_dir = root.join(&name).is_dir();
        let ignored =
            name.starts_with('.') || name == "target" || name == "bindings" || name == "src";
        if is_dir && !ignored && !named.contains(name.as_str()) {
            unnamed.push(name);
        }
    }
    assert!(
        unnamed.is_empty(),
        "not in README.md's layout table: {unnamed:?}"
    );
}
