//! The library's heap: every block is wiped before it is freed.
//!
//! The core keeps its own secrets in zeroizing storage (the request body, the answer body, the
//! connection buffers, `Secret`), but some copies live in dependencies that free plain `Vec`s:
//! rustls decrypts each TLS record in place in its receive buffer and queues the plaintext in
//! buffers of its own before ureq reads it, and neither offers a way to wipe them. So that no
//! session, master or MFA token outlives its use in freed memory of a C (or Python) program, the
//! C library's allocator zeroes every block on `dealloc` (and so on every reallocation, which
//! `GlobalAlloc` does as allocate, copy, free). It costs a write of every freed byte, which is
//! nothing beside a network round trip. The C test `test_memory` checks the result.

use std::alloc::{GlobalAlloc, Layout, System};

use zeroize::Zeroize;

/// The system allocator, with every block zeroed before it is returned to it.
struct WipingAllocator;

// SAFETY: every call is forwarded to the system allocator with the caller's arguments; `dealloc`
// only writes to the block it is about to free, which the caller owns (`GlobalAlloc`'s contract).
unsafe impl GlobalAlloc for WipingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout (GlobalAlloc::alloc's contract).
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` is a live block of `layout.size()` bytes from this allocator, owned by the
        // caller until it is freed below (GlobalAlloc::dealloc's contract).
        unsafe {
            std::slice::from_raw_parts_mut(ptr, layout.size()).zeroize();
            System.dealloc(ptr, layout);
        }
    }
    // `realloc` keeps GlobalAlloc's default: a new block, a copy, and `dealloc` (which wipes) of
    // the old one, never a move by the system allocator that would leave the old bytes behind.
}

#[global_allocator]
static ALLOCATOR: WipingAllocator = WipingAllocator;
