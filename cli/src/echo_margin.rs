//! The terminal the spinner draws on: stderr, told to be a few columns narrower than it is.
//!
//! indicatif pads the spinner's line to the terminal's width and leaves the cursor in the last
//! column; a key the terminal echoes then (Ctrl-C shows as `^C`) wraps to the next line, and the
//! spinner's clear (`\r`, erase line) erases that next line instead of its own: the spinner stayed
//! on screen after Ctrl-C (cli/tests/pty.rs, `ctrl_c_during_a_push_cancels_cleanly`). With a
//! margin, the echo stays on the spinner's line and is cleared with it.

use std::io;

use console::Term;
use indicatif::TermLike;

/// Columns left free at the end of the spinner's line: room for an echoed `^C` and more.
const MARGIN: u16 = 4;

/// stderr, [`MARGIN`] columns narrower than it is.
#[derive(Debug)]
pub struct EchoMargin(Term);

impl EchoMargin {
    /// stderr, buffered until indicatif flushes a whole redraw.
    pub fn stderr() -> Self {
        EchoMargin(Term::buffered_stderr())
    }
}

impl TermLike for EchoMargin {
    fn width(&self) -> u16 {
        self.0.size().1.saturating_sub(MARGIN).max(1)
    }

    fn height(&self) -> u16 {
        self.0.size().0
    }

    fn move_cursor_up(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_up(n)
    }

    fn move_cursor_down(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_down(n)
    }

    fn move_cursor_right(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_right(n)
    }

    fn move_cursor_left(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_left(n)
    }

    fn write_line(&self, s: &str) -> io::Result<()> {
        self.0.write_line(s)
    }

    fn write_str(&self, s: &str) -> io::Result<()> {
        self.0.write_str(s)
    }

    fn clear_line(&self) -> io::Result<()> {
        self.0.clear_line()
    }

    fn flush(&self) -> io::Result<()> {
        self.0.flush()
    }
}
