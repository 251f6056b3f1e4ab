//! `sfmfa completions SHELL` and `sfmfa man`, generated from the clap definitions: the bash script
//! parses and completes in a real bash, the zsh and fish scripts parse where those shells are
//! installed, and the man pages render with groff without a warning and document every subcommand
//! and every exit code of `sfmfa --help`.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn sfmfa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sfmfa"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("sfmfa runs")
}

/// stdout of a run that must succeed.
fn stdout(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Whether `program` can be run (it answers `--version`).
fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `script` in a non-interactive bash and returns its stdout.
fn bash(script: &str) -> String {
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", script])
        .output()
        .expect("bash runs");
    stdout(out)
}

/// The subcommands `sfmfa --help` lists (clap's `help` aside).
fn subcommands() -> Vec<String> {
    let help = stdout(sfmfa(&["--help"]));
    let start = help.find("Commands:").expect("a Commands section") + "Commands:".len();
    let names: Vec<String> = help[start..]
        .lines()
        .skip(1)
        .take_while(|line| !line.trim().is_empty())
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .filter(|name| name != "help")
        .collect();
    assert!(names.len() >= 6, "{names:?} from\n{help}");
    names
}

/// The rows of the exit-code table that ends `sfmfa --help`: (code, meaning).
fn exit_codes() -> Vec<(String, String)> {
    let help = stdout(sfmfa(&["--help"]));
    let start = help.find("Exit codes:").expect("the exit-code table");
    let rows: Vec<(String, String)> = help[start..]
        .lines()
        .skip(1)
        .filter_map(|line| {
            let line = line.trim();
            let (code, meaning) = line.split_once(' ')?;
            Some((code.to_owned(), meaning.trim().to_owned()))
        })
        .collect();
    assert!(rows.len() >= 10, "{rows:?}");
    rows
}

/// `page` rendered by groff as plain text, one line per paragraph (no hyphenation, a long line);
/// asserts that groff, all warnings on, had nothing to say.
fn groff(page: &Path) -> String {
    assert!(
        installed("groff"),
        "these tests need groff (Debian: apt-get install groff-base)"
    );
    let check = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .arg(page)
        .output()
        .expect("groff runs");
    let warnings = String::from_utf8_lossy(&check.stderr);
    assert!(
        check.status.success() && warnings.is_empty(),
        "{}: {warnings}",
        page.display()
    );
    let text = Command::new("groff")
        .args(["-man", "-Tutf8", "-P-cbu", "-rLL=400n", "-rHY=0"])
        .arg(page)
        .output()
        .expect("groff runs");
    let text = String::from_utf8(text.stdout).expect("UTF-8");
    // Blanks collapsed, groff's hyphen and minus signs as ASCII, for comparing with --help.
    text.replace(['\u{2010}', '\u{2212}'], "-")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The bash script passes `bash -n`; sourced in a real bash, its completion function (the one
/// `complete -p sfmfa` names) completes `sfmfa lo` to `login` and `sfmfa login --mfa` to
/// `--mfa-passcode` (and `--mfa-passcode-in-password`).
#[test]
fn bash_completes_subcommands_and_login_flags() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("sfmfa.bash");
    std::fs::write(&script, stdout(sfmfa(&["completions", "bash"]))).expect("write");
    let check = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .expect("bash runs");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let complete = |words: &[&str]| -> Vec<String> {
        let words: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let program = format!(
            "source '{}'\n\
             fn=$(complete -p sfmfa | sed -E 's/.* -F ([^ ]+) .*/\\1/')\n\
             COMP_WORDS=({})\n\
             COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n\
             COMP_LINE=\"${{COMP_WORDS[*]}}\"; COMP_POINT=${{#COMP_LINE}}\n\
             COMPREPLY=()\n\
             \"$fn\" sfmfa \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
             printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
            script.display(),
            words.join(" ")
        );
        bash(&program)
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(complete(&["sfmfa", "lo"]), ["login"]);
    let flags = complete(&["sfmfa", "login", "--mfa"]);
    assert!(flags.iter().any(|f| f == "--mfa-passcode"), "{flags:?}");
    assert!(flags.iter().all(|f| f.starts_with("--mfa")), "{flags:?}");
    // login's -h is the host: completing `sfmfa login --he` offers --help, not a help flag -h.
    assert_eq!(complete(&["sfmfa", "login", "--he"]), ["--help"]);
}

/// zsh and fish check their scripts' syntax where they are installed (`zsh -n`, `fish -n`); where
/// not, the test says SKIPPED for that shell. Either way the script must name every subcommand and
/// login's `--mfa-passcode`.
#[test]
fn zsh_and_fish_scripts_parse() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (shell, file) in [("zsh", "_sfmfa"), ("fish", "sfmfa.fish")] {
        let script = stdout(sfmfa(&["completions", shell]));
        for name in subcommands() {
            assert!(script.contains(&name), "{shell}: no {name}");
        }
        assert!(script.contains("mfa-passcode"), "{shell}");
        let path = dir.path().join(file);
        std::fs::write(&path, &script).expect("write");
        if !installed(shell) {
            println!("SKIPPED {shell} -n: {shell} is not installed");
            continue;
        }
        let check = Command::new(shell)
            .arg("-n")
            .arg(&path)
            .output()
            .expect("shell runs");
        assert!(
            check.status.success(),
            "{shell} -n: {}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
}

/// `sfmfa man` is sfmfa(1): groff renders it without a warning, and it names every subcommand (as
/// sfmfa-NAME(1)) and every exit code with its meaning, as `sfmfa --help` shows them.
#[test]
fn man_page_names_every_subcommand_and_exit_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("sfmfa.1");
    std::fs::write(&page, stdout(sfmfa(&["man"]))).expect("write");
    let text = groff(&page);
    assert!(text.contains("SUBCOMMANDS"), "{text}");
    for name in subcommands() {
        assert!(text.contains(&format!("sfmfa-{name}(1)")), "{name}: {text}");
    }
    assert!(text.contains("EXIT STATUS"), "{text}");
    for (code, meaning) in exit_codes() {
        let row = format!("{code} {}", one_line(&meaning));
        assert!(text.contains(&row), "no '{row}' in {text}");
    }
}

/// `sfmfa man --dir DIR` writes sfmfa.1 and one page per subcommand, each rendered without a
/// warning; sfmfa-login(1) documents SnowSQL's flags (`-h` the host) and the exit codes, and
/// `sfmfa man login` prints the same page.
#[test]
fn man_dir_writes_a_page_per_subcommand() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = sfmfa(&["man", "--dir", &dir.path().display().to_string()]);
    stdout(out);
    let mut pages = vec!["sfmfa.1".to_owned()];
    pages.extend(subcommands().iter().map(|name| format!("sfmfa-{name}.1")));
    for page in &pages {
        let path = dir.path().join(page);
        assert!(path.exists(), "no {page}");
        groff(&path);
    }
    let login = groff(&dir.path().join("sfmfa-login.1"));
    for flag in [
        "-a, --accountname",
        "-u, --username",
        "-h, --host",
        "-m, --mfa-passcode",
        "--mfa-passcode-in-password",
        "--authenticator",
        "-c, --connection",
    ] {
        assert!(login.contains(flag), "{flag}: {login}");
    }
    assert!(login.contains("EXIT STATUS") && login.contains("130 cancelled (Ctrl-C)"));
    let printed = stdout(sfmfa(&["man", "login"]));
    let written = std::fs::read_to_string(dir.path().join("sfmfa-login.1")).expect("read");
    assert_eq!(printed, written);
    let out = sfmfa(&["man", "nope"]);
    assert_eq!(out.status.code(), Some(2));
}
