//! The input and output buffers of sfmfa's connections (ureq's `Buffers`), allocated zeroed in
//! one call each; the input grows on demand up to its limit, the output never grows.
//!
//! ureq's `LazyBuffers` size their vectors with `Vec::resize(n, 0)`, and in the release build
//! (ureq and rustls optimised for size, where the compiler reuses one shared copy of that generic
//! function) that fills the buffers one byte per loop turn: 24 KiB per connection, twice for
//! https (the TCP connection's and the TLS layer's), tens of microseconds per login. Here each
//! buffer comes from the allocator already zeroed (`calloc`), which is a `memset` at worst.
//!
//! The input starts at [`INPUT_START`] bytes (a login answer, head and body, is one to three
//! KiB) and doubles, up to the size it was given, only when it is full: an answer's head may
//! still be that large, but a login no longer zeroes (and wipes) 16 KiB per layer it never uses.
//!
//! What passes through the buffers of the connection a request is written from and its answer
//! read into (the outermost one) is wiped by the transport that owns them
//! (`super::WipingTransport`); these buffers do not wipe themselves, except the input a growth
//! leaves behind.

use ureq::unversioned::transport::Buffers;
use zeroize::Zeroize;

/// Size of a new input buffer (or its limit, if smaller).
pub(crate) const INPUT_START: usize = 4 * 1024;

/// Input and output buffers: the output of a fixed size, the input growing up to a limit.
#[derive(Debug)]
pub(crate) struct ZeroedBuffers {
    input: Vec<u8>,
    /// The most the input may grow to.
    input_limit: usize,
    /// `input[consumed..filled]` is read and not consumed yet.
    filled: usize,
    consumed: usize,
    output: Vec<u8>,
    /// The last `input_consume` consumed something (ureq's "can use input" rule).
    progress: bool,
}

impl ZeroedBuffers {
    /// Buffers of up to `input` and of `output` bytes (each at least one byte).
    pub(crate) fn new(input: usize, output: usize) -> Self {
        let input_limit = input.max(1);
        ZeroedBuffers {
            input: vec![0; input_limit.min(INPUT_START)],
            input_limit,
            filled: 0,
            consumed: 0,
            output: vec![0; output.max(1)],
            progress: false,
        }
    }

    /// Makes room at the end of the input: once everything read is consumed the buffer starts
    /// over; with more than half of it filled, what is left moves to the front; a full buffer
    /// doubles (up to its limit).
    fn shift(&mut self) {
        if self.consumed == self.filled {
            self.consumed = 0;
            self.filled = 0;
        } else if self.consumed > 0 && self.filled > self.input.len() / 2 {
            self.input.copy_within(self.consumed..self.filled, 0);
            self.filled -= self.consumed;
            self.consumed = 0;
        }
        if self.filled == self.input.len() && self.input.len() < self.input_limit {
            self.grow();
        }
    }

    /// Moves the input into a buffer twice as large (at most the limit), and wipes the old one:
    /// it may hold a token of the answer.
    fn grow(&mut self) {
        let size = self.input.len().saturating_mul(2).min(self.input_limit);
        let mut bigger = vec![0; size];
        bigger[..self.filled].copy_from_slice(&self.input[..self.filled]);
        let mut old = std::mem::replace(&mut self.input, bigger);
        old.zeroize();
    }
}

impl Buffers for ZeroedBuffers {
    fn output(&mut self) -> &mut [u8] {
        &mut self.output
    }

    fn input(&self) -> &[u8] {
        &self.input[self.consumed..self.filled]
    }

    fn input_append_buf(&mut self) -> &mut [u8] {
        self.shift();
        &mut self.input[self.filled..]
    }

    fn input_appended(&mut self, amount: usize) {
        self.filled = (self.filled + amount).min(self.input.len());
    }

    fn input_consume(&mut self, amount: usize) {
        self.progress = amount > 0;
        self.consumed = (self.consumed + amount).min(self.filled);
    }

    fn tmp_and_output(&mut self) -> (&mut [u8], &mut [u8]) {
        // ureq reads a request body into the free part of the input (the scratch space) and
        // copies it to the output; a request is sent before its answer is read, so the input is
        // empty then and the whole of it is free.
        self.shift();
        (&mut self.input[self.filled..], &mut self.output)
    }

    fn can_use_input(&self) -> bool {
        self.filled > self.consumed && self.progress
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn append(b: &mut ZeroedBuffers, bytes: &[u8]) {
        b.input_append_buf()[..bytes.len()].copy_from_slice(bytes);
        b.input_appended(bytes.len());
    }

    #[test]
    fn input_is_appended_consumed_and_starts_over_once_all_is_consumed() {
        let mut b = ZeroedBuffers::new(16, 8);
        assert_eq!(b.output().len(), 8);
        assert!(b.input().is_empty());
        append(&mut b, b"hello ");
        append(&mut b, b"you");
        assert_eq!(b.input(), b"hello you");
        assert!(!b.can_use_input(), "nothing consumed yet");
        b.input_consume(6);
        assert_eq!(b.input(), b"you");
        assert!(b.can_use_input());
        b.input_consume(3);
        assert!(b.input().is_empty());
        assert_eq!(b.input_append_buf().len(), 16, "all of it free again");
    }

    #[test]
    fn what_is_left_moves_to_the_front_when_more_than_half_is_filled() {
        let mut b = ZeroedBuffers::new(16, 8);
        append(&mut b, b"0123456789");
        b.input_consume(8);
        assert_eq!(b.input_append_buf().len(), 14);
        assert_eq!(b.input(), b"89");
        let (tmp, output) = b.tmp_and_output();
        assert_eq!((tmp.len(), output.len()), (14, 8));
    }

    #[test]
    fn a_full_input_doubles_up_to_its_limit_keeping_what_it_holds() {
        let mut b = ZeroedBuffers::new(4 * INPUT_START, 8);
        assert_eq!(b.input_append_buf().len(), INPUT_START, "starts small");
        let first: Vec<u8> = (0..INPUT_START).map(|i| (i % 251) as u8).collect();
        append(&mut b, &first);
        // Full and nothing consumed: the next room is the other half of a buffer twice as large.
        assert_eq!(b.input_append_buf().len(), INPUT_START);
        append(&mut b, &vec![7; INPUT_START]);
        assert_eq!(b.input_append_buf().len(), 2 * INPUT_START);
        append(&mut b, &vec![9; 2 * INPUT_START]);
        assert!(b.input_append_buf().is_empty(), "full at its limit");
        assert_eq!(&b.input()[..INPUT_START], &first[..]);
        assert_eq!(b.input().len(), 4 * INPUT_START);
        // Consumed in part, what is left moves to the front rather than growing further.
        b.input_consume(INPUT_START);
        assert_eq!(b.input_append_buf().len(), INPUT_START);
    }

    #[test]
    fn a_small_limit_is_the_whole_input() {
        let mut b = ZeroedBuffers::new(100, 8);
        assert_eq!(b.input_append_buf().len(), 100);
        append(&mut b, &[1; 100]);
        assert!(b.input_append_buf().is_empty());
    }

    #[test]
    fn counts_never_pass_the_buffer() {
        let mut b = ZeroedBuffers::new(4, 4);
        b.input_appended(100);
        assert_eq!(b.input().len(), 4);
        b.input_consume(100);
        assert!(b.input().is_empty());
    }
}
