//! `sfmfa_jni`: the JNI binding of sfmfa for the Java package `dev.sfmfa`.
//!
//! Every function exported here implements one `native` method of `dev.sfmfa.Native` (Java), a
//! package-private class the public Java API (`SfmfaClient`, `SfmfaSession`) wraps. `make test-java`
//! checks that the two sides declare the same functions (`bindings/java/check-jni.sh`).
//!
//! Rules every entry point follows:
//! - The body runs inside `EnvUnowned::with_env`, which catches panics; [`errors::ThrowJava`] turns
//!   an error or a panic into a Java exception, so no Rust unwind ever reaches the JVM.
//! - Native objects cross as `long` handles ([`handles`]): registered while live, checked on every
//!   use, freed once. The Java side holds a read lock on a handle during each call and its write lock
//!   to free it, so a handle is never freed while a call uses it.
//! - Secrets (password, passcode, tokens) never appear in an exception or a log line; the Rust copies
//!   of the ones read from Java are wiped after use (the Java `String`s cannot be).

#![deny(clippy::unwrap_used, clippy::expect_used)]

#[allow(unsafe_code)] // exports `no_mangle` JNI functions or holds raw handles
mod cache;
#[allow(unsafe_code)] // exports `no_mangle` JNI functions or holds raw handles
mod client;
#[allow(unsafe_code)] // exports `no_mangle` JNI functions or holds raw handles
mod config;
mod errors;
#[allow(unsafe_code)] // exports `no_mangle` JNI functions or holds raw handles
mod handles;
mod progress;
#[allow(unsafe_code)] // exports `no_mangle` JNI functions or holds raw handles
mod session;
mod strings;
#[allow(unsafe_code)] // exports `no_mangle` JNI functions or holds raw handles
mod token_store;

/// The version of this binding, sent in the User-Agent (`sfmfa/… (Java …)`).
pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");
