/* Type-checking shim for `make check-targets` only (no macOS SDK on Linux): lets ring's build script
   compile its C for x86_64-apple-darwin so that `cargo check` can type-check sfmfa. Never linked. */
#define TARGET_OS_IPHONE 0
#define TARGET_OS_OSX 1
#define TARGET_OS_MAC 1
