//! `pow`, the one function of the C math library the CLI calls (indicatif's rate estimate calls
//! `f64::powf`), defined here from the `libm` crate rather than taken from the system's libm.so.
//!
//! With nothing else of libm.so used, the linker (`--as-needed`) leaves it out, and the dynamic
//! loader no longer maps and relocates it at every start of the CLI: about 50 µs and 10 page
//! faults of each `sfmfa` process (`make bench` times whole processes, bench/README.md). The
//! library (`libsfmfa.so`) is not concerned: a driver loads it once per process.

/// C's `pow(x, y)`: `x` raised to the power `y`, with the C standard's special cases (the `libm`
/// crate is a port of musl's).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
// exporting a C symbol (`no_mangle`) is unsafe
// SAFETY: the symbol has `pow`'s C signature and contract, and it is the only `pow` linked into
// the CLI (libm.so is not linked), so every caller gets a correct `pow`.
#[unsafe(no_mangle)]
pub extern "C" fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    #[test]
    fn pow_is_c_pow() {
        assert_eq!(super::pow(2.0, 10.0), 1024.0);
        assert_eq!(super::pow(0.0, 0.0), 1.0);
        assert!(super::pow(-1.0, 0.5).is_nan());
        assert_eq!(super::pow(9.0, 0.5), 3.0);
        assert!((super::pow(0.9, 3.7) - 0.9f64.powf(3.7)).abs() < 1e-15);
    }
}
