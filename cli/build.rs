//! Links GCC's unwinder statically into `sfmfa` on Linux with glibc, so that the process does not
//! load `libgcc_s.so.1` at start-up.
//!
//! Rust's standard library unwinds panics through GCC's unwinder, which it links as the shared
//! `libgcc_s.so.1` (`-lgcc_s`, late on the linker's command line and with `--as-needed`). Loading
//! it costs every `sfmfa` process about 0.1 ms (its mapping and relocation, and its constructor,
//! which asks the CPU for its features with a dozen `cpuid` instructions that a virtual machine
//! traps): a tenth of a passcode login. `libgcc_eh.a` is the same unwinder as a static archive (what
//! `gcc -static-libgcc` links); linked whole before the standard library's libraries, it defines
//! every `_Unwind_*` symbol, so `--as-needed` drops `libgcc_s.so.1` from the binary's needs.
//! Panics unwind as before (the tests' `catch_unwind` and the exit codes are unchanged).

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let features = std::env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    // A static build (crt-static) links the unwinder statically already.
    if os == "linux" && env == "gnu" && !features.split(',').any(|f| f == "crt-static") {
        println!("cargo:rustc-link-lib=static:+whole-archive,-bundle=gcc_eh");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
