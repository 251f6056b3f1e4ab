//! `-o KEY=VALUE`: any option under any driver's name, applied the same way by every command.

/// Applies each `-o KEY=VALUE` of `options` to `config`, in order. Neither the text of an `-o` nor
/// its key is printed back (a password typed there must not reach the terminal): an error names the
/// `-o` by its number, and sfmfa's own messages show a key only when it looks like an option name.
pub fn apply(config: &mut sfmfa::Config, options: &[String]) -> Result<(), String> {
    for (i, kv) in options.iter().enumerate() {
        let n = i + 1;
        let (k, v) = kv.split_once('=').ok_or_else(|| {
            format!("-o number {n}: expected KEY=VALUE, and its text (not shown) has no '='")
        })?;
        config
            .set(k, v)
            .map_err(|e| format!("-o number {n}: {e}"))?;
    }
    Ok(())
}
