//! Notes and warnings on stderr that can never fail the run: after the work is done (or while it
//! is being rolled back) a closed or full stderr must not turn into a panic (`eprintln!` panics
//! when it cannot write) or change the exit status.

use std::io::Write as _;

/// Writes `warning: ...` and a newline on stderr, ignoring a failure to write.
pub fn warning(message: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr(), "warning: {message}");
}

/// Writes `note: ...` and a newline on stderr, ignoring a failure to write.
pub fn note(message: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr(), "note: {message}");
}
