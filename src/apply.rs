//! Applying a [`Plan`]: the only place that writes a project, always into a held
//! [`Claim`](crate::destination::Claim) and always through directory handles (cap-std), never
//! through a path a symlink could redirect. Files are first staged in an owned staging folder; a
//! fresh project then appears with one no-replace rename (or, for an empty destination, by moving
//! its entries in), and a forced write moves files in one by one with backups, rolled back on any
//! failure or Ctrl-C. Either way a failure leaves no destination or the untouched previous one.
//! The journal of a forced write is also kept on disk, so a run killed midway is rolled back by the
//! next run that claims the destination.
//!
//! `GROUNDWORK_FAULT_INJECT=N` makes the apply fail after N file writes, `=git` makes the git step
//! fail after `git init` and staging the files in the index, `=abort:N` kills the process after N
//! writes and `=abort:git` kills it at that point of the git step (the next run, or `groundwork recover`, must roll the journal
//! back). They exist so the tests can prove the rollback on the real binary; they have
//! no other use.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use cap_std::ambient_authority;
use cap_std::fs::{Dir, DirBuilderExt as _};
use rustix::fs::{Mode, OFlags, RenameFlags};
use rustix::io::Errno;

use crate::destination::{self, Claim};
use crate::error::{Error, Result};
use crate::plan::{Change, FileState, Plan};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Makes Ctrl-C a request to stop at the next safe point instead of killing the process midway.
/// Safe to call more than once.
pub fn install_interrupt_handler() {
    // An error means a handler is already installed (e.g. a second call in tests): that one wins.
    // While rendering nothing is written yet: that stops at once rather than at the next check.
    let _ = ctrlc::set_handler(|| {
        crate::watchdog::interrupt(|| INTERRUPTED.store(true, Ordering::SeqCst));
    });
}

pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

fn fault_after() -> Option<usize> {
    std::env::var("GROUNDWORK_FAULT_INJECT")
        .ok()
        .and_then(|v| v.parse().ok())
}

/// `GROUNDWORK_FAULT_INJECT=abort:N`: the process dies after N writes, as if killed.
fn abort_after() -> Option<usize> {
    std::env::var("GROUNDWORK_FAULT_INJECT")
        .ok()
        .and_then(|v| v.strip_prefix("abort:").and_then(|n| n.parse().ok()))
}

/// Counts writes, and fails on interrupt or on the injected fault.
struct Checkpoint {
    writes: usize,
    fault_after: Option<usize>,
    abort_after: Option<usize>,
}

impl Checkpoint {
    fn new() -> Self {
        Checkpoint {
            writes: 0,
            fault_after: fault_after(),
            abort_after: abort_after(),
        }
    }

    fn tick(&mut self) -> Result<()> {
        if interrupted() {
            return Err(Error::Interrupted);
        }
        if self.fault_after == Some(self.writes) {
            return Err(Error::InjectedFault { after: self.writes });
        }
        if self.abort_after == Some(self.writes) {
            std::process::abort();
        }
        self.writes += 1;
        Ok(())
    }
}

/// Lets `finish` say, before it makes it, that it is about to create a top-level entry of a forced
/// write's destination (the `.git` of the commit), so that a rollback removes it: this run's on
/// failure, or the next run's (or `groundwork recover`'s) after a kill. On a fresh destination it
/// does nothing: everything `finish` makes there is inside the staging folder.
pub struct Finishing<'j, 'a> {
    journal: Option<&'j mut Journal<'a>>,
}

impl Finishing<'_, '_> {
    /// Records that `name` (a top-level entry of the destination) is about to be created, unless
    /// it already exists, so that a rollback removes it with everything below it.
    pub fn will_create(&mut self, name: &str) -> Result<()> {
        match &mut self.journal {
            Some(journal) => journal.will_create(name),
            None => Ok(()),
        }
    }

    /// Records that the file at `path` (relative to the destination, e.g. `.git/index`) is about
    /// to be changed or created, so that a rollback puts back a copy of it as it is now, or
    /// removes it when it does not exist yet.
    pub fn will_change(&mut self, path: &str) -> Result<()> {
        match &mut self.journal {
            Some(journal) => journal.will_change(Path::new(path)),
            None => Ok(()),
        }
    }
}

/// Writes the plan into the claimed destination. `finish` runs on the complete staged project of a
/// fresh destination (or on the destination after a forced write) before it is revealed, e.g. to
/// make the first git commit; it gets the files the plan wrote, and a [`Finishing`] to declare what
/// it creates.
pub fn apply(
    plan: &Plan,
    claim: &Claim,
    finish: impl FnOnce(&Path, &[&str], &mut Finishing) -> Result<()>,
) -> Result<()> {
    let destination = claim.path();
    let mut checkpoint = Checkpoint::new();
    let written: Vec<&str> = plan
        .ops
        .iter()
        .filter(|op| matches!(op.change, Change::Write(_)))
        .map(|op| op.path.as_str())
        .collect();

    if plan.fresh {
        return apply_fresh(plan, claim, &mut checkpoint, &written, finish);
    }

    let Some(target) = claim.dir() else {
        return Err(Error::io(
            destination,
            std::io::Error::from(std::io::ErrorKind::NotFound),
        ));
    };
    // Everything new is staged first, so a failure to render or write bytes happens before the
    // destination is touched at all.
    let (parent, _) = destination::split(destination);
    let home =
        Dir::open_ambient_dir(&parent, ambient_authority()).map_err(|e| Error::io(&parent, e))?;
    let staging = Staging::create(home, &parent)?;
    for sub in [NEW, BACKUP] {
        staging
            .dir
            .create_dir(sub)
            .map_err(|e| Error::io(staging.path.join(sub), e))?;
    }
    let open = |sub: &str| {
        staging
            .dir
            .open_dir(sub)
            .map_err(|e| Error::io(staging.path.join(sub), e))
    };
    let (staged, backups) = (open(NEW)?, open(BACKUP)?);
    let staged_path = staging.path.join(NEW);
    for op in &plan.ops {
        if let Change::Write(state) = &op.change {
            write_file(&staged, &staged_path, &op.path, state)?;
        }
    }
    // The journal is on disk too, so a run killed midway is rolled back by the next run that
    // claims this destination (see `recover`).
    let absolute = std::path::absolute(destination).map_err(|e| Error::io(destination, e))?;
    staging
        .dir
        .write(DESTINATION, absolute.as_os_str().as_encoded_bytes())
        .map_err(|e| Error::io(staging.path.join(DESTINATION), e))?;
    let log = staging
        .dir
        .create(JOURNAL)
        .map_err(|e| Error::io(staging.path.join(JOURNAL), e))?;
    let mut journal = Journal {
        target,
        root: destination,
        staged: &staged,
        backups: &backups,
        done: Vec::new(),
        log,
        log_path: staging.path.join(JOURNAL),
    };
    let result = plan.ops.iter().filter(|op| op.writes()).try_for_each(|op| {
        checkpoint.tick()?;
        match op.change {
            Change::Write(_) => journal.place(&op.path),
            Change::Delete => journal.remove(&op.path),
            Change::Nothing => Ok(()),
        }
    });
    // `finish` (the git step) is part of the transaction: when it fails, the files go back too.
    let result = result.and_then(|()| {
        finish(
            destination,
            &written,
            &mut Finishing {
                journal: Some(&mut journal),
            },
        )
    });
    if let Err(error) = result {
        journal.roll_back();
        return Err(error);
    }
    Ok(())
}

/// A fresh destination: the whole project is staged (and `finish`ed) first, then revealed.
fn apply_fresh(
    plan: &Plan,
    claim: &Claim,
    checkpoint: &mut Checkpoint,
    written: &[&str],
    finish: impl FnOnce(&Path, &[&str], &mut Finishing) -> Result<()>,
) -> Result<()> {
    let destination = claim.path();
    // An empty destination holds its own staging, so a read-only parent does not block it; an
    // absent one is staged beside it and renamed into place.
    //
    // Folders missing above an absent destination (`new -o OUT` with no OUT yet) belong to the
    // run as much as the destination does: they are staged too, and the outermost one appears
    // with the project in the same rename, so a failed or killed run leaves none of them behind.
    let (staging, levels) = if let Some(dir) = claim.dir() {
        let home = dir.try_clone().map_err(|e| Error::io(destination, e))?;
        (Staging::create(home, destination)?, Vec::new())
    } else {
        let (parent, name) = destination::split(destination);
        let (home_path, mut levels) =
            destination::nearest_existing(&parent).map_err(|e| Error::io(&parent, e))?;
        levels.extend(name);
        let home = Dir::open_ambient_dir(&home_path, ambient_authority())
            .map_err(|e| Error::io(&home_path, e))?;
        (Staging::create(home, &home_path)?, levels)
    };
    // `PROJECT` stands for the outermost level; the project root is the innermost.
    let mut root_relative = PathBuf::from(PROJECT);
    for (i, level) in levels.iter().enumerate() {
        if i > 0 {
            root_relative.push(level);
        }
        staging
            .dir
            .create_dir(&root_relative)
            .map_err(|e| Error::io(staging.path.join(&root_relative), e))?;
    }
    if levels.is_empty() {
        staging
            .dir
            .create_dir(PROJECT)
            .map_err(|e| Error::io(staging.path.join(PROJECT), e))?;
    }
    let root = staging
        .dir
        .open_dir(&root_relative)
        .map_err(|e| Error::io(staging.path.join(&root_relative), e))?;
    let root_path = staging.path.join(&root_relative);
    for op in &plan.ops {
        if let Change::Write(state) = &op.change {
            checkpoint.tick()?;
            write_file(&root, &root_path, &op.path, state)?;
        }
    }
    set_mode(&staging.dir, &staging.path, &root_relative, 0o755)?;
    finish(&root_path, written, &mut Finishing { journal: None })?;
    if interrupted() {
        return Err(Error::Interrupted);
    }
    match claim.dir() {
        // An empty directory may be someone's working directory (`groundwork new .`):
        // replacing it would leave their shell in a deleted directory, so fill it instead.
        Some(dir) => move_children(&root, &root_path, dir, destination),
        None => reveal(&staging, &levels, destination),
    }
}

/// Whether the tests asked the git step to fail (`GROUNDWORK_FAULT_INJECT=git`).
pub fn git_fault_injected() -> bool {
    std::env::var("GROUNDWORK_FAULT_INJECT").is_ok_and(|v| v == "git")
}

/// Whether the tests asked the process to die in the git step, after `git init` and staging the
/// files (`GROUNDWORK_FAULT_INJECT=abort:git`).
pub fn git_abort_injected() -> bool {
    std::env::var("GROUNDWORK_FAULT_INJECT").is_ok_and(|v| v == "abort:git")
}

/// Names inside a staging folder.
const PROJECT: &str = "project";
const NEW: &str = "new";
const BACKUP: &str = "backup";
/// The file in a staging folder naming the process that owns it.
const OWNER: &str = "owner";
/// The forced write's journal (one `KIND\tPATH` line before each step) and its destination.
const JOURNAL: &str = "journal";
const DESTINATION: &str = "destination";
/// What every staging folder's name starts with.
pub const STAGING_PREFIX: &str = ".groundwork-staging-";

/// A private folder for one run's staged files: created beside (or, for an empty destination,
/// inside) the destination, locked by its owner for as long as the run lives, with the owner's pid
/// in `owner`, and removed when dropped. A run that finds one whose owner is gone removes it.
struct Staging {
    home: Dir,
    name: String,
    path: PathBuf,
    dir: Dir,
}

impl Staging {
    fn create(home: Dir, home_path: &Path) -> Result<Staging> {
        sweep(&home, home_path);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let mut attempt = 0u32;
        let name = loop {
            let name = format!(
                "{STAGING_PREFIX}{}-{:08x}",
                std::process::id(),
                nanos.wrapping_add(attempt.wrapping_mul(0x9e37_79b9))
            );
            let mut builder = cap_std::fs::DirBuilder::new();
            builder.mode(0o700);
            match home.create_dir_with(&name, &builder) {
                Ok(()) => break name,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(e) => return Err(Error::io(home_path.join(&name), e)),
            }
        };
        let path = home_path.join(&name);
        let dir = match open_below(&home, &name) {
            Ok(dir) => dir,
            Err(e) => {
                let _ = home.remove_dir_all(&name);
                return Err(Error::io(&path, e));
            }
        };
        let staging = Staging {
            home,
            name,
            path,
            dir,
        };
        // The lock first, then the owner file: a folder with an owner file and no lock is stale.
        destination::lock(&staging.dir, &staging.path)?;
        staging
            .dir
            .write(OWNER, format!("{}\n", std::process::id()))
            .map_err(|e| Error::io(staging.path.join(OWNER), e))?;
        Ok(staging)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if let Err(e) = self.home.remove_dir_all(&self.name)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            eprintln!("warning: removing {}: {e}", self.path.display());
        }
    }
}

/// What a look at the staging folders of one place found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Swept {
    /// An interrupted forced write or update on `destination` was rolled back from its journal.
    RolledBack {
        destination: PathBuf,
        owner: String,
        undone: usize,
    },
    /// A staging folder whose owner is gone was removed.
    Removed { path: PathBuf, owner: String },
    /// The journal of an interrupted run on another destination, left for the run that claims it.
    Left {
        path: PathBuf,
        destination: PathBuf,
        owner: String,
    },
    /// A rollback or removal that failed; the staging folder stays for another try.
    Failed { message: String },
}

impl Swept {
    /// What happened, as a sentence starting in lower case.
    pub fn sentence(&self) -> String {
        match self {
            Swept::RolledBack {
                destination,
                owner,
                undone,
            } => format!(
                "rolled back an interrupted groundwork run on {} (process {owner}): {undone} {} undone",
                destination.display(),
                if *undone == 1 { "step" } else { "steps" }
            ),
            Swept::Removed { path, owner } => format!(
                "removed {}, left by an interrupted groundwork run (process {owner})",
                path.display()
            ),
            Swept::Left {
                path,
                destination,
                owner,
            } => format!(
                "{} holds the journal of an interrupted groundwork run on {} (process {owner}); `groundwork recover {}` (or the next groundwork run there) rolls it back",
                path.display(),
                destination.display(),
                destination.display()
            ),
            Swept::Failed { message } => message.clone(),
        }
    }

    pub fn is_failure(&self) -> bool {
        matches!(self, Swept::Failed { .. })
    }

    /// Prints it on stderr: a note, or a warning for a failure.
    pub fn print(&self) {
        let kind = if self.is_failure() { "warning" } else { "note" };
        eprintln!("{kind}: {}", self.sentence());
    }
}

/// Removes the staging folders in `home` whose owner is gone (killed before it could clean up),
/// saying so on stderr. A locked folder is left, and so is one without an owner file whose name
/// carries the id of a running process (it is being set up).
pub fn sweep(home: &Dir, home_path: &Path) {
    for swept in sweep_for(home, home_path, &[], None) {
        swept.print();
    }
}

/// [`sweep`], returning what it did instead of printing it.
pub fn sweep_quietly(home: &Dir, home_path: &Path) -> Vec<Swept> {
    sweep_for(home, home_path, &[], None)
}

/// Before a run writes the destination it has claimed (`claimed`, locked, at the absolute path
/// `absolute`): rolls back any interrupted forced write or update on it whose staging folder is in
/// `home`, then removes stale staging folders there.
pub fn recover_interrupted(
    home: &Dir,
    home_path: &Path,
    absolute: &Path,
    claimed: &Dir,
) -> Vec<Swept> {
    sweep_for(home, home_path, &[absolute.to_owned()], Some(claimed))
}

fn sweep_for(
    home: &Dir,
    home_path: &Path,
    recover_into_claimed: &[PathBuf],
    claimed: Option<&Dir>,
) -> Vec<Swept> {
    let mut swept = Vec::new();
    let Ok(entries) = home.entries() else {
        return swept;
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name.starts_with(STAGING_PREFIX))
        .collect();
    names.sort();
    for name in &names {
        let name = name.as_str();
        let Ok(dir) = open_below(home, name) else {
            continue;
        };
        let Some(owner) = stale_owner(name, &dir) else {
            continue;
        };
        if let Ok(target) = dir.read(DESTINATION)
            && dir.symlink_metadata(JOURNAL).is_ok()
        {
            // Its backups are the only copy of what the killed run had moved: only the run that
            // claims that destination may roll it back.
            let target = PathBuf::from(String::from_utf8_lossy(&target).into_owned());
            if !recover_into_claimed.contains(&target) {
                swept.push(Swept::Left {
                    path: home_path.join(name),
                    destination: target,
                    owner,
                });
                continue;
            }
            let Some(claimed) = claimed else { continue };
            match recover(&dir, claimed) {
                Ok(undone) => swept.push(Swept::RolledBack {
                    destination: target,
                    owner: owner.clone(),
                    undone,
                }),
                Err(e) => {
                    swept.push(Swept::Failed {
                        message: format!(
                            "rolling back the interrupted run in {}: {e}",
                            home_path.join(name).display()
                        ),
                    });
                    continue;
                }
            }
        }
        drop(dir);
        let path = home_path.join(name);
        match home.remove_dir_all(name) {
            Ok(()) => swept.push(Swept::Removed { path, owner }),
            Err(e) => swept.push(Swept::Failed {
                message: format!("removing stale {}: {e}", path.display()),
            }),
        }
    }
    swept
}

/// The owner of the staging folder `name` when it is stale (nobody holds its lock, and it has an
/// owner file or the process its name carries is gone); `None` when it may be in use.
fn stale_owner(name: &str, dir: &Dir) -> Option<String> {
    if destination::is_locked(dir) {
        return None;
    }
    // Without an owner file the folder is being set up or was being removed: it is stale only
    // when the process its name carries is gone.
    let pid_in_name = name[STAGING_PREFIX.len()..]
        .split('-')
        .next()
        .and_then(|pid| pid.parse::<i32>().ok());
    match dir.read_to_string(OWNER) {
        Ok(owner) => Some(owner.trim().to_owned()),
        Err(_) => match pid_in_name {
            Some(pid) if !process_alive(pid) => Some(pid.to_string()),
            _ => None,
        },
    }
}

/// Undoes the journal of a killed run in `staging` on the destination `target`, newest step first,
/// and returns how many steps it undid. Each undo checks what is there, because the run may have
/// died after logging a step and before taking it.
fn recover(staging: &Dir, target: &Dir) -> std::io::Result<usize> {
    let journal = staging.read_to_string(JOURNAL)?;
    let staged = staging.open_dir(NEW)?;
    let backups = staging.open_dir(BACKUP)?;
    let mut undone = 0;
    for line in journal.lines().rev() {
        let Some((kind, path)) = line.split_once('\t') else {
            continue;
        };
        let path = Path::new(path);
        match kind {
            // Placed: the staged file is gone from `new` only if the move happened.
            "P" if staged.symlink_metadata(path).is_err() => {
                not_found_ok(target.remove_file(path))?;
            }
            // Moved aside, or a file the last step was changing (`.git/index`): the backup goes
            // back. No backup of a changed file means the run died before its copy was complete,
            // so before the change.
            "A" | "S" if backups.symlink_metadata(path).is_ok() => {
                backups.rename(path, target, path)?;
            }
            "D" => {
                let _ = target.remove_dir(path);
            }
            "R" => {
                let _ = target.create_dir(path);
            }
            // A tree the run's last step was making (the `.git` of a forced write's commit).
            "T" => remove_tree(target, path)?,
            // A file the last step was about to create.
            "N" => not_found_ok(target.remove_file(path))?,
            _ => continue,
        }
        undone += 1;
    }
    Ok(undone)
}

/// Removes the file or folder tree at `path` below `target` (never following a symlink), if any.
fn remove_tree(target: &Dir, path: &Path) -> std::io::Result<()> {
    match target.symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => target.remove_dir_all(path),
        Ok(_) => target.remove_file(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Whether a process with this id exists (one of another user's counts).
fn process_alive(pid: i32) -> bool {
    let Some(pid) = rustix::process::Pid::from_raw(pid) else {
        return false;
    };
    match rustix::process::test_kill_process(pid) {
        Ok(()) | Err(Errno::PERM) => true,
        Err(_) => false,
    }
}

/// Opens the directory `name` in `home`, refusing a symlink.
fn open_below<P: rustix::path::Arg>(home: &Dir, name: P) -> std::io::Result<Dir> {
    let fd = rustix::fs::openat(
        home,
        name,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    Ok(Dir::from_std_file(std::fs::File::from(fd)))
}

/// Renames the staged project to the absent destination, failing when anything has appeared there
/// meanwhile: two runs can never both create one destination. `levels` are the names from the
/// staging folder's home down to the destination (more than one when folders above it were
/// missing); the outermost is staged as `PROJECT`. When another run made one of those folders
/// meanwhile (two projects into one new `-o OUT`), the next level is revealed inside it instead.
fn reveal(staging: &Staging, levels: &[OsString], destination: &Path) -> Result<()> {
    let taken = || Error::DestinationTaken {
        path: destination.to_owned(),
    };
    if levels.is_empty() {
        return Err(taken());
    }
    let mut staged = PathBuf::from(PROJECT);
    let mut into = staging
        .home
        .try_clone()
        .map_err(|e| Error::io(&staging.path, e))?;
    for (i, name) in levels.iter().enumerate() {
        let last = i + 1 == levels.len();
        match rustix::fs::renameat_with(
            &staging.dir,
            &staged,
            &into,
            name.as_os_str(),
            RenameFlags::NOREPLACE,
        ) {
            Ok(()) => return Ok(()),
            Err(Errno::EXIST | Errno::NOTEMPTY) if last => return Err(taken()),
            Err(Errno::EXIST | Errno::NOTEMPTY) => {
                into = open_below(&into, name.as_os_str())
                    .map_err(|e| Error::io(shown_level(destination, levels, i), e))?;
                staged.push(&levels[i + 1]);
            }
            // A file system without no-replace renames: claim the names with exclusive mkdirs.
            Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => {
                return reveal_by_moving(staging, &levels[i..], &staged, &into, destination);
            }
            Err(e) => return Err(Error::io(destination, e.into())),
        }
    }
    Err(taken())
}

/// [`reveal`] where a no-replace rename is not supported: each missing level is made with a
/// `mkdir` (the destination's exclusively) and the project's entries are moved in; on failure the
/// levels this made are removed again.
fn reveal_by_moving(
    staging: &Staging,
    levels: &[OsString],
    staged: &Path,
    into: &Dir,
    destination: &Path,
) -> Result<()> {
    let mut made: Vec<(Dir, OsString)> = Vec::new();
    let mut into = into.try_clone().map_err(|e| Error::io(destination, e))?;
    let mut result = Ok(());
    for (i, name) in levels.iter().enumerate() {
        let last = i + 1 == levels.len();
        let shown = shown_level(destination, levels, i);
        match into.create_dir(name) {
            Ok(()) => match into.try_clone() {
                Ok(parent) => made.push((parent, name.clone())),
                Err(e) => {
                    result = Err(Error::io(&shown, e));
                    break;
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && !last => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                result = Err(Error::DestinationTaken {
                    path: destination.to_owned(),
                });
                break;
            }
            Err(e) => {
                result = Err(Error::io(&shown, e));
                break;
            }
        }
        match open_below(&into, name.as_os_str()) {
            Ok(next) => into = next,
            Err(e) => {
                result = Err(Error::io(&shown, e));
                break;
            }
        }
        if last {
            let mut root_relative = staged.to_owned();
            for level in &levels[1..] {
                root_relative.push(level);
            }
            result = staging
                .dir
                .open_dir(&root_relative)
                .map_err(|e| Error::io(staging.path.join(&root_relative), e))
                .and_then(|root| {
                    move_children(
                        &root,
                        &staging.path.join(&root_relative),
                        &into,
                        destination,
                    )
                });
        }
    }
    if result.is_err() {
        for (parent, name) in made.iter().rev() {
            let _ = parent.remove_dir(name);
        }
    }
    result
}

/// The folder at level `i` of `levels` (the last of which is `destination`), for messages.
fn shown_level(destination: &Path, levels: &[OsString], i: usize) -> PathBuf {
    let mut shown = destination.to_owned();
    for _ in i + 1..levels.len() {
        shown.pop();
    }
    shown
}

/// Moves every top-level entry of `from` into the empty directory `to`; on failure moves back the
/// ones already moved, so `to` is empty again.
fn move_children(from: &Dir, from_path: &Path, to: &Dir, to_path: &Path) -> Result<()> {
    let mut names = Vec::new();
    for entry in from.entries().map_err(|e| Error::io(from_path, e))? {
        names.push(entry.map_err(|e| Error::io(from_path, e))?.file_name());
    }
    names.sort();
    let mut moved = Vec::new();
    for name in names {
        let step = if interrupted() {
            Err(Error::Interrupted)
        } else {
            rustix::fs::renameat_with(from, &name, to, &name, RenameFlags::NOREPLACE)
                .map_err(|e| Error::io(to_path.join(&name), e.into()))
        };
        if let Err(error) = step {
            for back in moved.iter().rev() {
                if let Err(e) = to.rename(back, from, back) {
                    eprintln!(
                        "warning: rolling back {}: {e}",
                        to_path.join(back).display()
                    );
                }
            }
            return Err(error);
        }
        moved.push(name);
    }
    Ok(())
}

/// Writes one file below `root` (shown as `root_path`), making its directories.
fn write_file(root: &Dir, root_path: &Path, path: &str, state: &FileState) -> Result<()> {
    let relative = Path::new(path);
    if let Some(dir) = relative.parent().filter(|d| !d.as_os_str().is_empty()) {
        root.create_dir_all(dir)
            .map_err(|e| Error::io(root_path.join(dir), e))?;
    }
    root.write(relative, &state.contents)
        .map_err(|e| Error::io(root_path.join(relative), e))?;
    set_mode(
        root,
        root_path,
        relative,
        crate::tree::file_mode(state.executable, state.mode),
    )
}

fn set_mode(root: &Dir, root_path: &Path, relative: &Path, mode: u32) -> Result<()> {
    use cap_std::fs::PermissionsExt as _;
    root.set_permissions(relative, cap_std::fs::Permissions::from_mode(mode))
        .map_err(|e| Error::io(root_path.join(relative), e))
}

/// What a forced write has done so far, so it can be undone. Every step goes through the handles
/// on the destination and the staging folder; paths are relative to them.
struct Journal<'a> {
    target: &'a Dir,
    /// The destination as the user named it, for messages.
    root: &'a Path,
    staged: &'a Dir,
    backups: &'a Dir,
    done: Vec<Done>,
    /// The on-disk copy of `done`, written before each step.
    log: cap_std::fs::File,
    log_path: PathBuf,
}

enum Done {
    CreatedDir(PathBuf),
    Created(PathBuf),
    /// A replaced or deleted file lives on in the backup until the apply succeeds.
    MovedAside(PathBuf),
    /// A directory a deletion left empty.
    RemovedDir(PathBuf),
    /// A tree `finish` was about to create (the `.git` of a forced write's commit).
    CreatedTree(PathBuf),
    /// A file `finish` was about to change, copied into the backup first.
    Saved(PathBuf),
    /// A file `finish` was about to create.
    WasAbsent(PathBuf),
}

impl Journal<'_> {
    /// Records the step about to be taken, so a killed run can be undone by the next one.
    fn log(&mut self, kind: char, relative: &Path) -> Result<()> {
        use std::io::Write as _;
        let line = format!("{kind}\t{}\n", relative.display());
        self.log
            .write_all(line.as_bytes())
            .map_err(|e| Error::io(&self.log_path, e))
    }

    fn will_create(&mut self, name: &str) -> Result<()> {
        let relative = Path::new(name);
        match self.target.symlink_metadata(relative) {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.log('T', relative)?;
                self.done.push(Done::CreatedTree(relative.to_owned()));
                Ok(())
            }
            Err(e) => Err(Error::io(self.root.join(relative), e)),
        }
    }

    fn will_change(&mut self, relative: &Path) -> Result<()> {
        match self.target.symlink_metadata(relative) {
            Ok(meta) if meta.is_file() => {
                if let Some(parent) = relative.parent().filter(|d| !d.as_os_str().is_empty()) {
                    self.backups
                        .create_dir_all(parent)
                        .map_err(|e| Error::io(self.root.join(relative), e))?;
                }
                self.log('S', relative)?;
                // Copied under another name, then renamed: a copy in the backup is a whole one,
                // even when the run is killed while copying.
                let mut partial = relative.as_os_str().to_owned();
                partial.push(".groundwork-partial");
                self.target
                    .copy(relative, self.backups, &partial)
                    .and_then(|_| self.backups.rename(&partial, self.backups, relative))
                    .map_err(|e| Error::io(self.root.join(relative), e))?;
                self.done.push(Done::Saved(relative.to_owned()));
                Ok(())
            }
            // Not a file (git would fail on it): nothing this run could change there.
            Ok(_) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.log('N', relative)?;
                self.done.push(Done::WasAbsent(relative.to_owned()));
                Ok(())
            }
            Err(e) => Err(Error::io(self.root.join(relative), e)),
        }
    }

    fn place(&mut self, path: &str) -> Result<()> {
        let relative = Path::new(path);
        let mut dir = PathBuf::new();
        if let Some(parent) = relative.parent() {
            for segment in parent.components() {
                dir.push(segment);
                match self.target.symlink_metadata(&dir) {
                    Ok(meta) if meta.is_dir() => {}
                    Ok(_) => {
                        return Err(Error::Blocked {
                            path: self.root.join(&dir),
                            reason: format!(
                                "the template needs a directory here for {path}, but it is not one"
                            ),
                        });
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        self.log('D', &dir)?;
                        self.target
                            .create_dir(&dir)
                            .map_err(|e| Error::io(self.root.join(&dir), e))?;
                        self.done.push(Done::CreatedDir(dir.clone()));
                    }
                    Err(e) => return Err(Error::io(self.root.join(&dir), e)),
                }
            }
        }
        if self.target.symlink_metadata(relative).is_ok() {
            self.back_up(relative)?;
        }
        self.log('P', relative)?;
        self.done.push(Done::Created(relative.to_owned()));
        self.staged
            .rename(relative, self.target, relative)
            .map_err(|e| Error::io(self.root.join(relative), e))
    }

    /// Deletes the file at `path` by moving it into the backups, then removes the directories the
    /// deletion left empty (never the destination itself).
    fn remove(&mut self, path: &str) -> Result<()> {
        let relative = Path::new(path);
        if self.target.symlink_metadata(relative).is_err() {
            return Ok(());
        }
        self.back_up(relative)?;
        let mut dir = relative.parent();
        while let Some(current) = dir.filter(|d| !d.as_os_str().is_empty()) {
            let empty = self
                .target
                .read_dir(current)
                .is_ok_and(|mut entries| entries.next().is_none());
            if !empty {
                break;
            }
            self.log('R', current)?;
            if self.target.remove_dir(current).is_err() {
                break;
            }
            self.done.push(Done::RemovedDir(current.to_owned()));
            dir = current.parent();
        }
        Ok(())
    }

    fn back_up(&mut self, relative: &Path) -> Result<()> {
        if let Some(parent) = relative.parent().filter(|d| !d.as_os_str().is_empty()) {
            self.backups
                .create_dir_all(parent)
                .map_err(|e| Error::io(self.root.join(relative), e))?;
        }
        self.log('A', relative)?;
        self.target
            .rename(relative, self.backups, relative)
            .map_err(|e| Error::io(self.root.join(relative), e))?;
        self.done.push(Done::MovedAside(relative.to_owned()));
        Ok(())
    }

    /// Undoes everything in reverse order. Best effort: a step that fails is reported and the rest
    /// still run, so as much as possible of the previous state comes back.
    fn roll_back(self) {
        for done in self.done.into_iter().rev() {
            let (path, outcome) = match &done {
                Done::Created(path) | Done::WasAbsent(path) => {
                    (path, not_found_ok(self.target.remove_file(path)))
                }
                Done::CreatedDir(path) => (path, not_found_ok(self.target.remove_dir(path))),
                Done::MovedAside(path) | Done::Saved(path) => {
                    (path, self.backups.rename(path, self.target, path))
                }
                Done::RemovedDir(path) => (path, self.target.create_dir(path)),
                Done::CreatedTree(path) => (path, remove_tree(self.target, path)),
            };
            if let Err(e) = outcome {
                eprintln!(
                    "warning: rolling back {}: {e}",
                    self.root.join(path).display()
                );
            }
        }
    }
}

fn not_found_ok(result: std::io::Result<()>) -> std::io::Result<()> {
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two runs making projects in one new output folder: the one that reveals second finds the
    /// folder made by the first and reveals its project inside it, rather than failing.
    #[test]
    fn reveal_goes_inside_a_missing_folder_another_run_made_meanwhile() {
        let temp = tempfile::tempdir().unwrap();
        let home_path = temp.path();
        let home = Dir::open_ambient_dir(home_path, ambient_authority()).unwrap();
        let staging = Staging::create(home, home_path).unwrap();
        staging.dir.create_dir_all("project/out/proj").unwrap();
        staging.dir.write("project/out/proj/a.txt", "a\n").unwrap();
        // The rival run revealed `parent/out/other` first.
        std::fs::create_dir_all(home_path.join("parent/out/other")).unwrap();
        let levels: Vec<OsString> = ["parent", "out", "proj"].map(OsString::from).to_vec();
        let destination = home_path.join("parent/out/proj");
        reveal(&staging, &levels, &destination).unwrap();
        assert_eq!(
            std::fs::read_to_string(destination.join("a.txt")).unwrap(),
            "a\n"
        );
        assert!(home_path.join("parent/out/other").is_dir());

        // The project folder itself taken: refused, the rival's folder untouched.
        staging.dir.create_dir_all("project/out/proj").unwrap();
        match reveal(&staging, &levels, &destination) {
            Err(Error::DestinationTaken { path }) => assert_eq!(path, destination),
            other => panic!("expected DestinationTaken, got {other:?}"),
        }
        assert!(destination.join("a.txt").is_file());
    }
}
