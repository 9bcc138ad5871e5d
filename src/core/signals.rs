//! Turns Ctrl-C, SIGTERM and SIGHUP into the run's stop request ([`crate::core::interrupt`]), and
//! stops a render in progress at once through the watchdog.

use std::sync::atomic::Ordering;

use crate::core::interrupt::{INTERRUPTED, SIGNAL, exit_status};

/// Makes Ctrl-C, SIGTERM (`timeout`, a cancelled CI job, `kill`) and SIGHUP (a closed terminal) a
/// request to stop at the next safe point instead of killing the process midway: a write in
/// progress is finished or rolled back, and the process exits with 128 + the signal's number.
/// Safe to call more than once.
pub(crate) fn install_interrupt_handler() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        // Without the handler a signal still ends the run, only without the rollback; the
        // journal on disk lets the next run (or `groundwork recover`) finish that.
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        std::thread::spawn(move || {
            for signal in signals.forever() {
                // The first signal decides the exit status; later ones change nothing.
                let _ = SIGNAL.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
                // While rendering nothing is written yet: that stops at once rather than at the
                // next check.
                crate::core::watchdog::interrupt(exit_status(), || {
                    INTERRUPTED.store(true, Ordering::SeqCst);
                });
            }
        });
    });
}
