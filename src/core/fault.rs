//! Faults the test suite injects through `GROUNDWORK_FAULT_INJECT` (a kill, a signal, an edit or
//! a swapped destination at a chosen point), so recovery is tested on the real binary. Owns only
//! the reading of that variable; the points that call it are where the faults happen.
//!
//! Only a build with the `test-hooks` feature reads the variable: the test suite turns the
//! feature on (the crate is its own dev-dependency with it), `cargo build` and `cargo install` do
//! not, so the binary users run has no way to be told to fail.

use std::path::Path;

use cap_std::fs::Dir;

use crate::core::interrupt::interrupted;

/// The fault the test suite asked for, if any (never, without the `test-hooks` feature).
fn injected() -> Option<String> {
    crate::core::env::FAULT_INJECT
        .value()
        .map(|v| v.to_string_lossy().into_owned())
}

pub(crate) fn fault_after() -> Option<usize> {
    injected().and_then(|v| v.parse().ok())
}

/// `GROUNDWORK_FAULT_INJECT=abort:N`: the process dies after N writes, as if killed.
pub(crate) fn abort_after() -> Option<usize> {
    injected().and_then(|v| v.strip_prefix("abort:").and_then(|n| n.parse().ok()))
}

/// `GROUNDWORK_FAULT_INJECT=abort:STAGE:N`: the process dies at the `N`th point of `STAGE`
/// (`undo`: after that many steps of a rollback are undone and marked), as if killed there.
pub(crate) fn fault_point(stage: &str, count: usize) {
    let Some(value) = injected() else {
        return;
    };
    let wanted = value
        .strip_prefix("abort:")
        .and_then(|rest| rest.strip_prefix(stage))
        .and_then(|rest| rest.strip_prefix(':'))
        .and_then(|n| n.parse::<usize>().ok());
    if wanted == Some(count) {
        std::process::abort();
    }
}

/// `GROUNDWORK_FAULT_INJECT=signal:NAME:N` (`INT`, `TERM` or `HUP`): the process sends itself
/// that signal before write `N`, as a user, `timeout` or a closed terminal would.
pub(crate) fn signal_point(count: usize) {
    let Some(value) = injected() else {
        return;
    };
    let Some((name, n)) = value
        .strip_prefix("signal:")
        .and_then(|rest| rest.split_once(':'))
    else {
        return;
    };
    if n.parse::<usize>().ok() != Some(count) {
        return;
    }
    let signal = match name {
        "INT" => rustix::process::Signal::INT,
        "TERM" => rustix::process::Signal::TERM,
        "HUP" => rustix::process::Signal::HUP,
        _ => return,
    };
    let _ = rustix::process::kill_process(rustix::process::getpid(), signal);
    // The handler runs on its own thread: give it the moment it needs to raise the flag.
    for _ in 0..200 {
        if interrupted() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// `GROUNDWORK_FAULT_INJECT=edit:PATH`: appends a line to PATH in the destination after the plan
/// was made and before the first file is moved, as an editor saving during the run would.
pub(crate) fn edit_point(target: &Dir) {
    use std::io::Write as _;
    let Some(path) = injected().and_then(|v| v.strip_prefix("edit:").map(ToOwned::to_owned)) else {
        return;
    };
    if let Ok(mut file) = target.open_with(&path, cap_std::fs::OpenOptions::new().append(true)) {
        let _ = file.write_all(b"edited during the run\n");
    }
}

/// `GROUNDWORK_FAULT_INJECT=swap:symlink:TARGET` (or `swap:file`): once the destination was seen
/// to be a directory and before it is opened, moves it aside (to `<destination>.swapped`) and
/// puts a symlink to TARGET (or an empty file) in its place, as another process racing the run
/// could.
pub(crate) fn swap_point(destination: &Path) {
    let Some(swap) = injected().and_then(|v| v.strip_prefix("swap:").map(ToOwned::to_owned)) else {
        return;
    };
    let mut aside = destination.as_os_str().to_owned();
    aside.push(".swapped");
    if std::fs::rename(destination, &aside).is_err() {
        return;
    }
    let _ = match swap.strip_prefix("symlink:") {
        Some(target) => std::os::unix::fs::symlink(target, destination),
        None => std::fs::write(destination, ""),
    };
}

/// Whether the tests asked the git step to fail (`GROUNDWORK_FAULT_INJECT=git`).
pub(crate) fn git_fault_injected() -> bool {
    injected().is_some_and(|v| v == "git")
}

/// Whether the tests asked the process to die in the git step, after `git init` and staging the
/// files (`GROUNDWORK_FAULT_INJECT=abort:git`).
pub(crate) fn git_abort_injected() -> bool {
    injected().is_some_and(|v| v == "abort:git")
}
