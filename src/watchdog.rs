//! The render phase and its time and memory limits. While question defaults and template files are
//! rendered, nothing has been written, so a Ctrl-C exits at once (130), and a render that runs past
//! its time limit or takes the process's memory past its limit exits with an error naming the file
//! or question: none of them waits for the template engine to return, which may be never (or only
//! after exhausting the machine). A [`Phase`] marks the render; the watchdog thread and the Ctrl-C
//! handler act only inside one.
//!
//! Memory is measured by the binary's global allocator (see `main.rs`), registered with
//! [`watch_memory`]; without one (the library in tests) only the time limit applies.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::error::EXIT_FAILURE;

/// Environment variable with the time limit of one render, in seconds.
pub const MAX_SECONDS_ENV: &str = "GROUNDWORK_MAX_RENDER_SECONDS";
/// The default time limit of one render.
pub const DEFAULT_MAX_SECONDS: u64 = 120;

/// Environment variable with the memory limit of a render, in bytes of heap in use by the process.
pub const MAX_MEMORY_ENV: &str = "GROUNDWORK_MAX_MEMORY_BYTES";
/// The default memory limit: 4 GiB, well above the 1 GiB a rendered project may hold.
pub const DEFAULT_MAX_MEMORY: u64 = 4 << 30;
/// How often the watchdog looks.
const POLL: Duration = Duration::from_millis(10);

/// Reads the heap in use, registered by the binary.
static MEMORY: OnceLock<fn() -> usize> = OnceLock::new();

fn memory_limit() -> u64 {
    std::env::var(MAX_MEMORY_ENV)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_MAX_MEMORY)
}

/// The hard cap for a memory limit: past it every allocation fails, wherever the process is. Well
/// above the limit (twice it, or 1 GiB more for a small one), so the watchdog, which looks every
/// 10 ms, stops a growing render with its clear error first.
pub fn hard_cap(limit: u64) -> u64 {
    limit.saturating_add(limit.max(1 << 30))
}

/// Registers the binary's allocator: `allocated` reads the heap in use, `set_cap` sets the hard
/// cap past which allocations fail. Sets the cap at once (from [`MAX_MEMORY_ENV`]).
pub fn watch_memory(allocated: fn() -> usize, set_cap: impl FnOnce(usize)) {
    set_cap(usize::try_from(hard_cap(memory_limit())).unwrap_or(usize::MAX));
    let _ = MEMORY.set(allocated);
}

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
pub fn interrupt(status: i32, otherwise: impl FnOnce()) {
    let _state = STATE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if DEPTH.load(Ordering::SeqCst) > 0 {
        eprintln!("error: interrupted: nothing was written");
        std::process::exit(status);
    }
    otherwise();
}

fn watch() {
    let limit = limit();
    let memory_limit = memory_limit();
    loop {
        std::thread::sleep(POLL);
        if DEPTH.load(Ordering::SeqCst) == 0 {
            continue;
        }
        let state = STATE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let (Some((what, _)), Some(allocated)) = (state.as_ref(), MEMORY.get())
            && allocated() as u64 > memory_limit
        {
            eprintln!(
                "error: rendering {what} took groundwork's memory past its limit of {memory_limit} bytes; nothing was written (if the template needs more, raise the limit with {MAX_MEMORY_ENV})"
            );
            std::process::exit(EXIT_FAILURE);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hard_cap_is_well_above_the_limit() {
        assert_eq!(hard_cap(DEFAULT_MAX_MEMORY), 8 << 30);
        assert_eq!(hard_cap(64 << 20), (64 << 20) + (1 << 30));
        assert_eq!(hard_cap(u64::MAX), u64::MAX);
    }
}
