/* Type-checking shim for `make check-targets` only (no macOS SDK on Linux): lets ring's build script
   compile its C for x86_64-apple-darwin so that `cargo check` can type-check sfmfa. Never linked. */
#define assert(x) ((void)0)
