//! The render phase and its time limit. While question defaults and template files are rendered,
//! nothing has been written, so a Ctrl-C exits at once (130) and a render that runs past its time
//! limit exits with an error naming the file or question: neither waits for the template engine to
//! return, which may be never. A [`Phase`] marks the render; the watchdog thread and the Ctrl-C
//! handler act only inside one.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::error::{EXIT_FAILURE, EXIT_INTERRUPTED};

/// Environment variable with the time limit of one render, in seconds.
pub const MAX_SECONDS_ENV: &str = "GROUNDWORK_MAX_RENDER_SECONDS";
/// The default time limit of one render.
pub const DEFAULT_MAX_SECONDS: u64 = 120;

/// How many phases are open (nested renders count once).
static DEPTH: AtomicUsize = AtomicUsize::new(0);
/// What is being rendered and since when, for the message.
static STATE: Mutex<Option<(String, Instant)>> = Mutex::new(None);
static WATCHDOG: OnceLock<()> = OnceLock::new();

fn limit() -> Duration {
    let seconds = std::env::var(MAX_SECONDS_ENV)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_MAX_SECONDS);
    Duration::from_secs(seconds)
}

/// An open render phase; it ends when dropped.
#[must_use]
pub struct Phase(());

/// Opens a render phase for `what` (e.g. "template file `x`"); the time limit counts from the
/// outermost one.
pub fn enter(what: impl Into<String>) -> Phase {
    WATCHDOG.get_or_init(|| {
        std::thread::spawn(watch);
    });
    let mut state = STATE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if DEPTH.fetch_add(1, Ordering::SeqCst) == 0 {
        *state = Some((what.into(), Instant::now()));
    } else if let Some((current, _)) = state.as_mut() {
        *current = what.into();
    }
    Phase(())
}

/// Names what the open phase is rendering now.
pub fn working_on(what: impl Into<String>) {
    let mut state = STATE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((current, _)) = state.as_mut() {
        *current = what.into();
    }
}

impl Drop for Phase {
    fn drop(&mut self) {
        let mut state = STATE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if DEPTH.fetch_sub(1, Ordering::SeqCst) == 1 {
            *state = None;
        }
    }
}

/// Called by the Ctrl-C handler: inside a render phase nothing has been written, so the process
/// ends now instead of after the template engine returns; outside one, `otherwise` runs (it sets
/// the flag the writers check). Decided under the phase lock, so the render cannot end (and report
/// the interrupt a second time) in between.
pub fn interrupt(otherwise: impl FnOnce()) {
    let _state = STATE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if DEPTH.load(Ordering::SeqCst) > 0 {
        eprintln!("error: interrupted: nothing was written");
        std::process::exit(EXIT_INTERRUPTED);
    }
    otherwise();
}

fn watch() {
    let limit = limit();
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let state = STATE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((what, since)) = state.as_ref()
            && since.elapsed() > limit
        {
            eprintln!(
                "error: {what} took longer than {} s to render; nothing was written (if the template needs longer, raise the limit with {MAX_SECONDS_ENV})",
                limit.as_secs()
            );
            std::process::exit(EXIT_FAILURE);
        }
    }
}
