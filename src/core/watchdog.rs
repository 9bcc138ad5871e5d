//! The render phase and its time and memory limits: one watchdog for every user-supplied
//! expression, whatever runs it (native template files, paths, `[[files]]` rules, question
//! defaults and `when`, `[computed]`, `message_after`; the cookiecutter dialect's files, paths,
//! `cookiecutter.json` defaults and hooks). While an expression is rendered nothing has been
//! written, so a Ctrl-C exits at once (130), and a render that runs past its time limit or takes
//! the process's memory past its limit exits with an error naming the file, question or setting:
//! none of them waits for the template engine to return, which may be never (or only after
//! exhausting the machine). A [`Phase`] marks the render; the watchdog thread and the Ctrl-C
//! handler act only inside one. Phases nest: the message names the innermost, and the time limit
//! counts from the outermost. Each thread's render has its own phases and its own clock, so renders
//! running side by side (`template test -j`) are each given the whole time limit.
//!
//! Memory is measured by the binary's global allocator (see `main.rs`), registered with
//! [`watch_memory`]; without one (the library in tests) only the time limit applies.
//!
//! # How the memory limits are chosen
//!
//! The process can really get at most `real` bytes: the smallest of its address-space and data
//! limits (`RLIMIT_AS`, `RLIMIT_DATA`, e.g. `ulimit -v`), the `memory.max` of its cgroup and of
//! every cgroup above it (cgroup v2; `memory.limit_in_bytes` under v1) and the physical memory
//! (`MemTotal`). Some of that is not heap: the binary and its libraries, thread stacks, malloc's
//! per-thread arenas (reserved address space) take about 200 MiB, so `usable = real - headroom`
//! with a headroom of 256 MiB (half of `real` when that is less).
//!
//! - The limit the watchdog enforces is `min(4 GiB, usable / 3)`. A third because the growth that
//!   crosses the limit comes in one allocation: a template that doubles a string holds the old
//!   string (just under the limit) while it allocates the new one twice its size, so the process
//!   needs three times the limit at that moment. With a third, that allocation still succeeds and
//!   the watchdog, looking every 10 ms, stops the render with its message instead of the process
//!   dying in the allocator.
//! - The hard cap, past which the allocator refuses every allocation anywhere in the run (and the
//!   process aborts, as out of memory), is `min(3 × limit or limit + 1 GiB, whichever is more;
//!   usable)`: never above what the process can get, so the last resort is still groundwork's own
//!   refusal and not the kernel's (or the OOM killer's).
//!
//! `GROUNDWORK_MAX_MEMORY_BYTES` sets the limit explicitly (used as given; the hard cap still stays
//! within `usable`, so a limit close to or above a third of what the process can get may end in an
//! abort rather than the message). The environment variables must be whole numbers greater than 0:
//! anything else is an error naming the variable (an empty one counts as unset).

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::core::env;
use crate::core::error::{EXIT_FAILURE, Result};

/// The default time limit of one render.
pub(crate) const DEFAULT_MAX_SECONDS: u64 = 120;

/// The most the default memory limit is: 4 GiB, well above the 1 GiB a rendered project may hold.
pub(crate) const DEFAULT_MAX_MEMORY: u64 = 4 << 30;
/// What is kept aside from the process's real memory limit for what is not heap (see the module
/// docs; measured at about 200 MiB of address space for a render).
const HEADROOM: u64 = 256 << 20;
/// How often the watchdog looks.
const POLL: Duration = Duration::from_millis(10);

/// Reads the heap in use, registered by the binary.
static MEMORY: OnceLock<fn() -> usize> = OnceLock::new();

/// The limits in force for this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Settings {
    /// The time limit of one render, in seconds.
    pub seconds: u64,
    /// The heap the process may use while rendering, in bytes.
    pub memory: u64,
    /// Past this many bytes of heap every allocation fails.
    pub hard_cap: u64,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

impl Settings {
    /// The limits from the environment and the process's real memory limits; an error names a
    /// malformed variable. Read once per process (the binary does so at start-up).
    pub(crate) fn get() -> Result<Settings> {
        if let Some(settings) = SETTINGS.get() {
            return Ok(*settings);
        }
        let seconds = env::MAX_RENDER_SECONDS.number_or(DEFAULT_MAX_SECONDS)?;
        let (memory, hard_cap) =
            memory_limits(env::MAX_MEMORY_BYTES.number()?, real_memory_limit());
        let settings = Settings {
            seconds,
            memory,
            hard_cap,
        };
        Ok(*SETTINGS.get_or_init(|| settings))
    }
}

/// The watchdog's limit and the allocator's hard cap, from an explicit limit (if given) and the
/// memory the process can really get (if known). See the module docs for the rule.
pub fn memory_limits(explicit: Option<u64>, real: Option<u64>) -> (u64, u64) {
    let usable = real.map(|real| real - HEADROOM.min(real / 2));
    let limit = explicit.unwrap_or_else(|| match usable {
        Some(usable) => DEFAULT_MAX_MEMORY.min(usable / 3).max(1),
        None => DEFAULT_MAX_MEMORY,
    });
    let wanted = limit.saturating_mul(3).max(limit.saturating_add(1 << 30));
    let cap = match usable {
        Some(usable) => wanted.min(usable),
        None => wanted,
    };
    (limit, cap)
}

/// The most memory this process can get, in bytes: the smallest of `RLIMIT_AS`, `RLIMIT_DATA`,
/// the cgroup memory limits over it and the physical memory; `None` when none is known.
pub fn real_memory_limit() -> Option<u64> {
    use rustix::process::{Resource, getrlimit};
    [
        getrlimit(Resource::As).current,
        getrlimit(Resource::Data).current,
        cgroup_memory_limit(),
        physical_memory(),
    ]
    .into_iter()
    .flatten()
    .min()
}

/// `MemTotal` from `/proc/meminfo`, in bytes.
fn physical_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find_map(|l| l.strip_prefix("MemTotal:"))?;
    let kib: u64 = line.trim().strip_suffix("kB")?.trim().parse().ok()?;
    kib.checked_mul(1024)
}

/// The smallest memory limit of this process's cgroup and the cgroups above it, in bytes, read
/// where `/proc/self/mountinfo` says the hierarchy is mounted (cgroup v2's `memory.max`, or the
/// v1 memory controller's `memory.limit_in_bytes`); `None` when there is none.
fn cgroup_memory_limit() -> Option<u64> {
    let membership = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    let mut limits = Vec::new();
    for line in membership.lines() {
        // `ID:CONTROLLERS:PATH`; v2 has ID 0 and no controllers.
        let mut parts = line.splitn(3, ':');
        let (Some(id), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (fs_type, file) = if id == "0" && controllers.is_empty() {
            ("cgroup2", "memory.max")
        } else if controllers.split(',').any(|c| c == "memory") {
            ("cgroup", "memory.limit_in_bytes")
        } else {
            continue;
        };
        let Some((root, mount_point)) = cgroup_mount(&mounts, fs_type) else {
            continue;
        };
        // The path is relative to the root of the hierarchy; the mount may show a subtree of it
        // (a container's cgroup namespace shows its own cgroup as `/`).
        let inside = std::path::Path::new(path)
            .strip_prefix(&root)
            .unwrap_or(std::path::Path::new(""));
        let mut dir = std::path::Path::new(&mount_point).join(inside);
        loop {
            if let Some(limit) = std::fs::read_to_string(dir.join(file))
                .ok()
                .and_then(|text| text.trim().parse::<u64>().ok())
            {
                // v2 writes "max" for none (not a number, so skipped); v1 writes a huge number.
                if limit < 1 << 60 {
                    limits.push(limit);
                }
            }
            if dir == std::path::Path::new(&mount_point) || !dir.pop() {
                break;
            }
        }
    }
    limits.into_iter().min()
}

/// The (root, mount point) of the first mount of a cgroup hierarchy of `fs_type` (`cgroup2`, or
/// `cgroup` with the memory controller) in `mountinfo`.
fn cgroup_mount(mountinfo: &str, fs_type: &str) -> Option<(String, String)> {
    mountinfo.lines().find_map(|line| {
        // `ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER_OPTIONS`
        let (fields, rest) = line.split_once(" - ")?;
        let fields: Vec<&str> = fields.split(' ').collect();
        let mut rest = rest.split(' ');
        let (kind, _source, options) = (rest.next()?, rest.next()?, rest.next().unwrap_or(""));
        let memory = fs_type == "cgroup2" || options.split(',').any(|o| o == "memory");
        (kind == fs_type && memory && fields.len() >= 5)
            .then(|| (unescape(fields[3]), unescape(fields[4])))
    })
}

/// mountinfo escapes space, tab, newline and backslash as `\ooo`.
fn unescape(field: &str) -> String {
    let mut out = Vec::with_capacity(field.len());
    let bytes = field.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && let Some(code) = field
                .get(i + 1..i + 4)
                .and_then(|o| u8::from_str_radix(o, 8).ok())
        {
            out.push(code);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Registers the binary's allocator: `allocated` reads the heap in use, `set_cap` sets the hard
/// cap past which allocations fail. Reads the limits at once (an error names a malformed
/// variable: the binary then stops before doing anything) and sets the cap.
pub(crate) fn watch_memory(allocated: fn() -> usize, set_cap: impl FnOnce(usize)) -> Result<()> {
    let settings = Settings::get()?;
    set_cap(usize::try_from(settings.hard_cap).unwrap_or(usize::MAX));
    let _ = MEMORY.set(allocated);
    Ok(())
}

/// How many phases are open, in all threads.
static DEPTH: AtomicUsize = AtomicUsize::new(0);
/// The renders in progress, one per thread that has a phase open (`template test -j` renders in
/// several threads): what its phases render, innermost last, and since when its outermost runs.
/// Each render has its own clock.
static STATE: Mutex<BTreeMap<u64, Render>> = Mutex::new(BTreeMap::new());
static WATCHDOG: OnceLock<()> = OnceLock::new();
/// Numbers the threads that render, for [`STATE`].
static NEXT_THREAD: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static THREAD: u64 = NEXT_THREAD.fetch_add(1, Ordering::Relaxed);
}

/// One thread's render in progress.
#[derive(Debug)]
struct Render {
    names: Vec<String>,
    since: Instant,
}

/// An open render phase; it ends when dropped, on the thread that opened it.
#[must_use]
pub(crate) struct Phase {
    thread: u64,
    /// Not `Send`: a phase belongs to the render of the thread that opened it.
    _here: PhantomData<*const ()>,
}

/// Opens a render phase for `what` (e.g. "template file `x`"); the time limit counts from the
/// outermost one of this thread's render, the messages name the innermost.
pub(crate) fn enter(what: impl Into<String>) -> Phase {
    open(Some(what.into()))
}

/// Opens a render phase that keeps the name of the phase around it, or is named `what` when there
/// is none: for the engines' own entry points, so an expression rendered by a caller that opened
/// no phase is still watched, and one that did keeps its more precise name.
pub(crate) fn guard(what: &str) -> Phase {
    let thread = THREAD.with(|t| *t);
    let open_already = lock().contains_key(&thread);
    open((!open_already).then(|| what.to_owned()))
}

fn open(what: Option<String>) -> Phase {
    WATCHDOG.get_or_init(|| {
        std::thread::spawn(watch);
    });
    let thread = THREAD.with(|t| *t);
    let mut state = lock();
    DEPTH.fetch_add(1, Ordering::SeqCst);
    let render = state.entry(thread).or_insert_with(|| Render {
        names: Vec::new(),
        since: Instant::now(),
    });
    let name = what
        .or_else(|| render.names.last().cloned())
        .unwrap_or_else(|| "a template expression".to_owned());
    render.names.push(name);
    Phase {
        thread,
        _here: PhantomData,
    }
}

fn lock() -> std::sync::MutexGuard<'static, BTreeMap<u64, Render>> {
    STATE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Names what this thread's innermost open phase is rendering now.
pub(crate) fn working_on(what: impl Into<String>) {
    let thread = THREAD.with(|t| *t);
    if let Some(current) = lock()
        .get_mut(&thread)
        .and_then(|render| render.names.last_mut())
    {
        *current = what.into();
    }
}

impl Drop for Phase {
    fn drop(&mut self) {
        let mut state = lock();
        if let Some(render) = state.get_mut(&self.thread) {
            render.names.pop();
            if render.names.is_empty() {
                state.remove(&self.thread);
            }
        }
        DEPTH.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Called by the Ctrl-C handler: inside a render phase nothing has been written, so the process
/// ends now instead of after the template engine returns; outside one, `otherwise` runs (it sets
/// the flag the writers check). Decided under the phase lock, so the render cannot end (and report
/// the interrupt a second time) in between.
pub(crate) fn interrupt(status: i32, otherwise: impl FnOnce()) {
    let _state = lock();
    if DEPTH.load(Ordering::SeqCst) > 0 {
        crate::core::report::line(format_args!("error: interrupted: nothing was written"));
        std::process::exit(status);
    }
    otherwise();
}

fn watch() {
    // The binary read (and checked) the settings at start-up; the library in tests falls back to
    // the defaults when a variable is malformed (its renders report that themselves).
    let settings = Settings::get().unwrap_or_else(|_| {
        let (memory, hard_cap) = memory_limits(None, real_memory_limit());
        Settings {
            seconds: DEFAULT_MAX_SECONDS,
            memory,
            hard_cap,
        }
    });
    let limit = Duration::from_secs(settings.seconds);
    loop {
        std::thread::sleep(POLL);
        if DEPTH.load(Ordering::SeqCst) == 0 {
            continue;
        }
        let state = lock();
        let innermost = |render: &Render| {
            render
                .names
                .last()
                .map_or("a template expression", String::as_str)
                .to_owned()
        };
        // The heap is the process's: a render over the limit is named by the one running longest.
        if let Some(allocated) = MEMORY.get()
            && allocated() as u64 > settings.memory
            && let Some(render) = state.values().min_by_key(|r| r.since)
        {
            crate::core::report::line(format_args!(
                "error: rendering {} took groundwork's memory past its limit of {} bytes; nothing was written (if the template needs more, raise the limit with {})",
                innermost(render),
                settings.memory,
                env::MAX_MEMORY_BYTES.name
            ));
            std::process::exit(EXIT_FAILURE);
        }
        if let Some(render) = state.values().find(|r| r.since.elapsed() > limit) {
            crate::core::report::line(format_args!(
                "error: {} took longer than {} s to render; nothing was written (if the template needs longer, raise the limit with {})",
                innermost(render),
                settings.seconds,
                env::MAX_RENDER_SECONDS.name
            ));
            std::process::exit(EXIT_FAILURE);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue16_renders_in_two_threads_each_have_their_own_clock_and_names() {
        let (first_open, first_close) = (std::sync::Barrier::new(2), std::sync::Barrier::new(2));
        std::thread::scope(|scope| {
            scope.spawn(|| {
                let _phase = enter("first render");
                first_open.wait();
                first_close.wait();
            });
            first_open.wait();
            std::thread::sleep(Duration::from_millis(50));
            let _second = enter("second render");
            {
                let state = lock();
                let mine = &state[&THREAD.with(|t| *t)];
                assert_eq!(mine.names, ["second render"]);
                let others: Vec<&Render> = state
                    .iter()
                    .filter(|(k, _)| **k != THREAD.with(|t| *t))
                    .map(|(_, r)| r)
                    .collect();
                let first = others
                    .iter()
                    .find(|r| r.names == ["first render"])
                    .expect("the first thread's render is its own");
                // The second render's clock started when it did, not with the first's.
                assert!(mine.since.duration_since(first.since) >= Duration::from_millis(50));
            }
            first_close.wait();
        });
    }

    const GIB: u64 = 1 << 30;
    const MIB: u64 = 1 << 20;

    #[test]
    fn the_default_limit_is_a_third_of_what_the_process_can_get_at_most_4_gib() {
        // Plenty of memory: 4 GiB, the cap at three times that.
        assert_eq!(memory_limits(None, Some(64 * GIB)), (4 * GIB, 12 * GIB));
        // `ulimit -v 4000000` (KiB): the cap stays under it, with the headroom.
        let real = 4_000_000 * 1024;
        let (limit, cap) = memory_limits(None, Some(real));
        assert_eq!(cap, real - HEADROOM);
        assert_eq!(limit, (real - HEADROOM) / 3);
        // A tiny limit keeps half of itself as headroom.
        assert_eq!(memory_limits(None, Some(300 * MIB)), (50 * MIB, 150 * MIB));
        // Nothing known: the old defaults.
        assert_eq!(memory_limits(None, None), (4 * GIB, 12 * GIB));
    }

    #[test]
    fn an_explicit_limit_is_used_as_given_under_a_cap_within_reach() {
        assert_eq!(
            memory_limits(Some(64 * MIB), None),
            (64 * MIB, GIB + 64 * MIB)
        );
        assert_eq!(
            memory_limits(Some(64 * MIB), Some(512 * MIB)),
            (64 * MIB, 256 * MIB)
        );
        assert_eq!(memory_limits(Some(u64::MAX), None), (u64::MAX, u64::MAX));
    }

    #[test]
    fn mountinfo_names_the_cgroup_mounts() {
        let mountinfo = "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n\
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n\
            41 31 0:38 /sub\\040dir /sys/fs/cgroup/unified rw,relatime shared:5 - cgroup2 cgroup2 rw\n";
        assert_eq!(
            cgroup_mount(mountinfo, "cgroup"),
            Some(("/".into(), "/sys/fs/cgroup/memory".into()))
        );
        assert_eq!(
            cgroup_mount(mountinfo, "cgroup2"),
            Some(("/sub dir".into(), "/sys/fs/cgroup/unified".into()))
        );
    }

    #[test]
    fn the_real_limit_is_known_on_linux() {
        assert!(real_memory_limit().is_some_and(|bytes| bytes > 0));
    }
}
