//! Applying a [`Plan`]: the only place that writes a project. Files are first staged in a temporary
//! directory beside the destination; a fresh project then appears with one rename, and a forced
//! write moves files in one by one with backups, rolled back on any failure or Ctrl-C. Either way a
//! failure leaves no destination or the untouched previous one.
//!
//! `GROUNDWORK_FAULT_INJECT=N` makes the apply fail after N file writes. It exists so the tests can
//! prove the rollback on the real binary; it has no other use.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{Error, Result};
use crate::plan::{Change, FileState, Plan};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Makes Ctrl-C a request to stop at the next safe point instead of killing the process midway.
/// Safe to call more than once.
pub fn install_interrupt_handler() {
    // An error means a handler is already installed (e.g. a second call in tests): that one wins.
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
}

pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

fn fault_after() -> Option<usize> {
    std::env::var("GROUNDWORK_FAULT_INJECT")
        .ok()
        .and_then(|v| v.parse().ok())
}

/// Counts writes, and fails on interrupt or on the injected fault.
struct Checkpoint {
    writes: usize,
    fault_after: Option<usize>,
}

impl Checkpoint {
    fn new() -> Self {
        Checkpoint {
            writes: 0,
            fault_after: fault_after(),
        }
    }

    fn tick(&mut self) -> Result<()> {
        if interrupted() {
            return Err(Error::Interrupted);
        }
        if self.fault_after == Some(self.writes) {
            return Err(Error::InjectedFault { after: self.writes });
        }
        self.writes += 1;
        Ok(())
    }
}

/// Writes the plan. `finish` runs on the complete staged project of a fresh destination (or on the
/// destination after a forced write) before it is revealed, e.g. to make the first git commit.
pub fn apply(plan: &Plan, finish: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let destination = &plan.destination;
    let parent = parent_of(destination);
    fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    let staging = tempfile::Builder::new()
        .prefix(".groundwork-staging-")
        .tempdir_in(&parent)
        .map_err(|e| Error::io(&parent, e))?;
    let mut checkpoint = Checkpoint::new();

    if plan.fresh {
        let root = staging.path().join("project");
        for op in &plan.ops {
            if let Change::Write(state) = &op.change {
                checkpoint.tick()?;
                write_file(&root.join(&op.path), state)?;
            }
        }
        fs::create_dir_all(&root).map_err(|e| Error::io(&root, e))?;
        set_dir_mode(&root)?;
        finish(&root)?;
        if interrupted() {
            return Err(Error::Interrupted);
        }
        if destination.exists() {
            // An empty directory may be someone's working directory (`groundwork new .`):
            // replacing it would leave their shell in a deleted directory, so fill it instead.
            return move_children(&root, destination);
        }
        fs::rename(&root, destination).map_err(|e| Error::io(destination, e))?;
        return Ok(());
    }

    // Everything new is staged first, so a failure to render or write bytes happens before the
    // destination is touched at all.
    let staged = staging.path().join("new");
    for op in &plan.ops {
        if let Change::Write(state) = &op.change {
            write_file(&staged.join(&op.path), state)?;
        }
    }
    let mut journal = Journal {
        backups: staging.path().join("backup"),
        done: Vec::new(),
    };
    let result = plan.ops.iter().filter(|op| op.writes()).try_for_each(|op| {
        checkpoint.tick()?;
        match op.change {
            Change::Write(_) => journal.place(&staged.join(&op.path), destination, &op.path),
            Change::Delete => journal.remove(destination, &op.path),
            Change::Nothing => Ok(()),
        }
    });
    if let Err(error) = result {
        journal.roll_back();
        return Err(error);
    }
    finish(destination)
}

/// Moves every top-level entry of `from` into the empty directory `to`; on failure moves back the
/// ones already moved, so `to` is empty again.
fn move_children(from: &Path, to: &Path) -> Result<()> {
    let mut names = Vec::new();
    for entry in fs::read_dir(from).map_err(|e| Error::io(from, e))? {
        names.push(entry.map_err(|e| Error::io(from, e))?.file_name());
    }
    names.sort();
    let mut moved = Vec::new();
    for name in names {
        if let Err(e) = fs::rename(from.join(&name), to.join(&name)) {
            for back in moved.iter().rev() {
                if let Err(e) = fs::rename(to.join(back), from.join(back)) {
                    eprintln!("warning: rolling back {}: {e}", to.join(back).display());
                }
            }
            return Err(Error::io(to.join(&name), e));
        }
        moved.push(name);
    }
    Ok(())
}

fn parent_of(destination: &Path) -> PathBuf {
    match destination.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

fn write_file(target: &Path, state: &FileState) -> Result<()> {
    if let Some(dir) = target.parent() {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    fs::write(target, &state.contents).map_err(|e| Error::io(target, e))?;
    set_file_mode(target, state.executable)
}

#[cfg(unix)]
fn set_file_mode(path: &Path, executable: bool) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = if executable { 0o755 } else { 0o644 };
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(|e| Error::io(path, e))
}

#[cfg(not(unix))]
fn set_file_mode(_: &Path, _: bool) -> Result<()> {
    Ok(())
}

/// Temporary directories are private (0700); a project directory is not.
#[cfg(unix)]
fn set_dir_mode(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).map_err(|e| Error::io(path, e))
}

#[cfg(not(unix))]
fn set_dir_mode(_: &Path) -> Result<()> {
    Ok(())
}

/// What a forced write has done so far, so it can be undone.
struct Journal {
    backups: PathBuf,
    done: Vec<Done>,
}

enum Done {
    CreatedDir(PathBuf),
    Created(PathBuf),
    Replaced {
        target: PathBuf,
        backup: PathBuf,
    },
    /// A deleted file lives on in the backup until the apply succeeds.
    Deleted {
        target: PathBuf,
        backup: PathBuf,
    },
    /// A directory a deletion left empty.
    RemovedDir(PathBuf),
}

impl Journal {
    fn place(&mut self, staged: &Path, destination: &Path, path: &str) -> Result<()> {
        let target = destination.join(path);
        let mut dir = destination.to_owned();
        let segments: Vec<&str> = path.split('/').collect();
        for segment in &segments[..segments.len() - 1] {
            dir.push(segment);
            if !dir.exists() {
                fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
                self.done.push(Done::CreatedDir(dir.clone()));
            }
        }
        if target.exists() {
            let backup = self.back_up(&target, path)?;
            self.done.push(Done::Replaced {
                target: target.clone(),
                backup,
            });
        } else {
            self.done.push(Done::Created(target.clone()));
        }
        fs::rename(staged, &target).map_err(|e| Error::io(&target, e))
    }

    /// Deletes the file at `path` by moving it into the backups, then removes the directories the
    /// deletion left empty (never the destination itself).
    fn remove(&mut self, destination: &Path, path: &str) -> Result<()> {
        let target = destination.join(path);
        if fs::symlink_metadata(&target).is_err() {
            return Ok(());
        }
        let backup = self.back_up(&target, path)?;
        self.done.push(Done::Deleted {
            target: target.clone(),
            backup,
        });
        let mut dir = target.parent();
        while let Some(current) = dir {
            if current == destination || !current.starts_with(destination) {
                break;
            }
            let empty = fs::read_dir(current).is_ok_and(|mut entries| entries.next().is_none());
            if !empty || fs::remove_dir(current).is_err() {
                break;
            }
            self.done.push(Done::RemovedDir(current.to_owned()));
            dir = current.parent();
        }
        Ok(())
    }

    fn back_up(&self, target: &Path, path: &str) -> Result<PathBuf> {
        let backup = self.backups.join(path);
        if let Some(parent) = backup.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        fs::rename(target, &backup).map_err(|e| Error::io(target, e))?;
        Ok(backup)
    }

    /// Undoes everything in reverse order. Best effort: a step that fails is reported and the rest
    /// still run, so as much as possible of the previous state comes back.
    fn roll_back(self) {
        for done in self.done.into_iter().rev() {
            let outcome = match &done {
                Done::Created(path) => remove_if_present(path, |p| fs::remove_file(p)),
                Done::CreatedDir(path) => remove_if_present(path, |p| fs::remove_dir(p)),
                Done::Replaced { target, backup } | Done::Deleted { target, backup } => {
                    fs::rename(backup, target)
                }
                Done::RemovedDir(path) => fs::create_dir(path),
            };
            if let Err(e) = outcome {
                let path = match &done {
                    Done::Created(p)
                    | Done::CreatedDir(p)
                    | Done::RemovedDir(p)
                    | Done::Replaced { target: p, .. }
                    | Done::Deleted { target: p, .. } => p,
                };
                eprintln!("warning: rolling back {}: {e}", path.display());
            }
        }
    }
}

fn remove_if_present(path: &Path, remove: fn(&Path) -> std::io::Result<()>) -> std::io::Result<()> {
    match remove(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}
