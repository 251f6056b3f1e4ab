//! `sfmfa_result`: the stable, banded result codes of the C ABI.
//!
//! The values and names are the rows of the core crate's failure table (`sfmfa::error::Failure`),
//! written nowhere else: the `enum sfmfa_result` block of the header is generated from that table by
//! the `header` test (cbindgen cannot expand the table's macro), and the Rust side here is a
//! transparent `u32` whose values are the table's.

use std::ffi::{CString, c_char};
use std::sync::LazyLock;

use sfmfa_core::error::{Error, Failure};

/// The result of a fallible C function: `SFMFA_RESULT_OK` (0) or the value of a row of the failure
/// table. ABI: a `uint32_t`.
#[allow(non_camel_case_types)]
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct sfmfa_result(u32);

impl sfmfa_result {
    /// Success.
    pub(crate) const OK: sfmfa_result = sfmfa_result(0);

    /// The result code of an error: the value of its row.
    pub(crate) fn from_error(e: &Error) -> Self {
        e.failure().into()
    }
}

impl From<Failure> for sfmfa_result {
    fn from(f: Failure) -> Self {
        sfmfa_result(f.value())
    }
}

/// `SFMFA_RESULT_<name>` of every row, and of OK; built once from the table.
static NAMES: LazyLock<Vec<(u32, CString)>> = LazyLock::new(|| {
    std::iter::once((0, "OK"))
        .chain(Failure::ALL.iter().map(|f| (f.value(), f.name())))
        .filter_map(|(value, name)| {
            CString::new(format!("SFMFA_RESULT_{name}"))
                .ok()
                .map(|c| (value, c))
        })
        .collect()
});

/// The name of a result value, e.g. `"SFMFA_RESULT_DUO_DENIED"`, as a static NUL-terminated string
/// the caller must not free; `"SFMFA_RESULT_UNKNOWN"` for a value that is not a result. Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_result_name(result: u32) -> *const c_char {
    std::panic::catch_unwind(|| {
        NAMES
            .iter()
            .find(|(value, _)| *value == result)
            .map_or(c"SFMFA_RESULT_UNKNOWN", |(_, name)| name.as_c_str())
    })
    .unwrap_or(c"SFMFA_RESULT_UNKNOWN")
    .as_ptr()
}
