//! The run's stop request: Ctrl-C, SIGTERM and SIGHUP (see `signals`) raise one flag that every long loop reads,
//! and decide the exit status (128 + the signal). Owns nothing else; it writes nothing.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

pub(crate) static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The signal that asked the run to stop (SIGINT, SIGTERM or SIGHUP), for the exit status.
pub(crate) static SIGNAL: AtomicI32 = AtomicI32::new(0);

pub(crate) fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// The exit status of a run stopped by a signal: 128 + its number (130 for Ctrl-C, 143 for
/// SIGTERM, 129 for SIGHUP), as shells report it.
pub(crate) fn exit_status() -> i32 {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => EXIT_INTERRUPTED,
        signal => 128 + signal,
    }
}

/// Exit status after Ctrl-C, following the shell convention of 128 + SIGINT.
pub(crate) const EXIT_INTERRUPTED: i32 = 130;
