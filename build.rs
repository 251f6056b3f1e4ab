//! Generates `include/sfmfa.h` from the C ABI in `src/ffi/` with cbindgen.
//!
//! The header is committed; `make test` regenerates it and fails when it differs (header drift).

use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    // Without this, deleting the header would not regenerate it.
    println!("cargo:rerun-if-changed=include/sfmfa.h");
    let config = match cbindgen::Config::from_file(dir.join("cbindgen.toml")) {
        Ok(c) => c,
        Err(e) => panic!("cbindgen.toml: {e}"),
    };
    match cbindgen::Builder::new()
        .with_crate(&dir)
        .with_config(config)
        .generate()
    {
        Ok(bindings) => {
            bindings.write_to_file(dir.join("include/sfmfa.h"));
        }
        Err(e) => panic!("cbindgen could not generate include/sfmfa.h: {e}"),
    }
}
