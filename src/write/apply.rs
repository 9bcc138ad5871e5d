//! Applying a [`Plan`]: the only place that writes a project, always into a held
//! [`Claim`](crate::write::destination::Claim) and always through directory handles (cap-std), never
//! through a path a symlink could redirect. Files are first staged in an owned staging folder; a
//! fresh project then appears with one no-replace rename (or, for an empty destination, by moving
//! its entries in), and a forced write moves files in one by one with backups, rolled back on any
//! failure or Ctrl-C. Either way a failure leaves no destination or the untouched previous one.
//! The journal of a forced write is also kept on disk, so a run killed midway is rolled back by the
//! next run that claims the destination.
//!
//! `GROUNDWORK_FAULT_INJECT=N` makes the apply fail after N file writes (and `abort:undo:N`,
//! `signal:TERM:N`, `edit:PATH`, `swap:symlink:TARGET`: see [`fault_point`], [`signal_point`],
//! [`edit_point`], [`swap_point`]), `=git` makes the git step
//! fail after `git init` and staging the files in the index, `=abort:N` kills the process after N
//! writes and `=abort:git` kills it at that point of the git step (the next run, or `groundwork recover`, must roll the journal
//! back). They exist so the tests can prove the rollback on the real binary; they have
//! no other use.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use cap_std::ambient_authority;
use std::fmt::Write as _;

use cap_std::fs::{Dir, DirBuilderExt as _, MetadataExt as _, OpenOptionsExt as _};
use rustix::fs::{Mode, OFlags, RenameFlags};
use rustix::io::Errno;

use crate::core::error::{Error, Result};
use crate::core::file::FileState;
use crate::core::interrupt::interrupted;
use crate::write::destination::{self, Claim};
use crate::write::journal::{self, FileId, Step, Undo};
use crate::write::plan::{Change, Digest, Expected, Plan};

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
            fault_after: crate::core::fault::fault_after(),
            abort_after: crate::core::fault::abort_after(),
        }
    }

    fn tick(&mut self) -> Result<()> {
        crate::core::fault::signal_point(self.writes);
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
    let mut staging = Staging::create(home, &parent)?;
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
        steps: Vec::new(),
        log,
        log_path: staging.path.join(JOURNAL),
        checked: Vec::new(),
    };
    crate::core::fault::edit_point(target);
    let result = plan.ops.iter().filter(|op| op.writes()).try_for_each(|op| {
        checkpoint.tick()?;
        match op.change {
            Change::Write(_) => journal.place(&op.path, &op.expected),
            Change::Delete => journal.remove(&op.path, &op.expected),
            Change::Nothing => Ok(()),
        }
    });
    let result = result.and_then(|()| journal.recheck());
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
        journal.roll_back(&mut staging);
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
pub(crate) const STAGING_PREFIX: &str = ".groundwork-staging-";

/// A private folder for one run's staged files: created beside (or, for an empty destination,
/// inside) the destination, locked by its owner for as long as the run lives, with the owner's pid
/// in `owner`, and removed when dropped. A run that finds one whose owner is gone removes it.
struct Staging {
    home: Dir,
    name: String,
    path: PathBuf,
    dir: Dir,
    /// A rollback that failed keeps the folder: its journal and backups are all that can finish it.
    kept: bool,
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
            kept: false,
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

impl Staging {
    fn keep(&mut self) {
        self.kept = true;
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.kept {
            return;
        }
        if let Err(e) = self.home.remove_dir_all(&self.name)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            crate::core::report::warning(format_args!("removing {}: {e}", self.path.display()));
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
        /// Files found where the rollback put a file back: moved aside (from, to), not deleted.
        set_aside: Vec<(PathBuf, PathBuf)>,
    },
    /// The rollback was stopped by a signal at a safe point; its journal is kept.
    Stopped { destination: PathBuf, undone: usize },
    /// A staging folder whose owner is gone was removed.
    Removed { path: PathBuf, owner: String },
    /// The journal of an interrupted run on another destination, left for the run that claims it.
    Left {
        path: PathBuf,
        destination: PathBuf,
        owner: String,
    },
    /// A folder named like a staging folder that this user's runs did not make (another user's,
    /// or one with permissions groundwork never gives its own): reported, never replayed.
    Untrusted { path: PathBuf, reason: String },
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
                set_aside,
            } => {
                let mut sentence = format!(
                    "rolled back an interrupted groundwork run on {} (process {owner}): {undone} {} undone",
                    destination.display(),
                    if *undone == 1 { "step" } else { "steps" }
                );
                for (from, to) in set_aside {
                    let _ = write!(
                        sentence,
                        "; {} had appeared since and was moved to {}",
                        from.display(),
                        to.display()
                    );
                }
                sentence
            }
            Swept::Stopped {
                destination,
                undone,
            } => format!(
                "stopped rolling back the interrupted groundwork run on {} at a safe point ({undone} {} undone); run `groundwork recover {}` to finish",
                destination.display(),
                if *undone == 1 { "step" } else { "steps" },
                destination.display()
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
            Swept::Untrusted { path, reason } => format!(
                "{} is named like a groundwork staging folder, but this user's groundwork runs did not make it ({reason}); it was left alone and nothing in it was replayed",
                path.display()
            ),
            Swept::Failed { message } => message.clone(),
        }
    }

    pub fn is_failure(&self) -> bool {
        matches!(self, Swept::Failed { .. })
    }

    /// Prints it on stderr: a note, or a warning for a failure or an untrusted folder.
    pub fn print(&self) {
        match self {
            Swept::Failed { .. } | Swept::Untrusted { .. } | Swept::Stopped { .. } => {
                crate::core::report::warning(format_args!("{}", self.sentence()));
            }
            _ => crate::core::report::note(format_args!("{}", self.sentence())),
        }
    }
}

/// Removes the staging folders in `home` whose owner is gone (killed before it could clean up),
/// saying so on stderr. A locked folder is left, and so is one without an owner file whose name
/// carries the id of a running process (it is being set up).
pub(crate) fn sweep(home: &Dir, home_path: &Path) {
    for swept in sweep_for(home, home_path, &[], None) {
        swept.print();
    }
}

/// [`sweep`], returning what it did instead of printing it.
pub(crate) fn sweep_quietly(home: &Dir, home_path: &Path) -> Vec<Swept> {
    sweep_for(home, home_path, &[], None)
}

/// Before a run writes the destination it has claimed (`claimed`, locked, at the absolute path
/// `absolute`): rolls back any interrupted forced write or update on it whose staging folder is in
/// `home`, then removes stale staging folders there.
pub(crate) fn recover_interrupted(
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
        let path = home_path.join(name);
        let Ok(dir) = open_below(home, name) else {
            continue;
        };
        if let Err(reason) = trusted(name, &dir) {
            swept.push(Swept::Untrusted { path, reason });
            continue;
        }
        let Some(owner) = stale_owner(name, &dir) else {
            continue;
        };
        if let Ok(target) = read_own_file(&dir, DESTINATION)
            && dir.symlink_metadata(JOURNAL).is_ok()
        {
            // Its backups are the only copy of what the killed run had moved: only the run that
            // claims that destination may roll it back.
            let target = PathBuf::from(String::from_utf8_lossy(&target).into_owned());
            if !recover_into_claimed.contains(&target) {
                swept.push(Swept::Left {
                    path,
                    destination: target,
                    owner,
                });
                continue;
            }
            let Some(claimed) = claimed else { continue };
            // This run now owns the folder: a kill from here on leaves it locked by nobody again.
            if destination::lock(&dir, &path).is_err() {
                continue;
            }
            match recover(&dir, claimed) {
                Ok((journal::Outcome::Done(undone), set_aside)) => {
                    swept.push(Swept::RolledBack {
                        destination: target,
                        owner: owner.clone(),
                        undone,
                        set_aside,
                    });
                }
                Ok((journal::Outcome::Stopped(undone), set_aside)) => {
                    if !set_aside.is_empty() {
                        swept.push(Swept::RolledBack {
                            destination: target.clone(),
                            owner: owner.clone(),
                            undone: 0,
                            set_aside,
                        });
                    }
                    swept.push(Swept::Stopped {
                        destination: target,
                        undone,
                    });
                    return swept;
                }
                Err(e) => {
                    swept.push(Swept::Failed {
                        message: format!(
                            "rolling back the interrupted run in {}: {e}",
                            path.display()
                        ),
                    });
                    continue;
                }
            }
        }
        drop(dir);
        match home.remove_dir_all(name) {
            Ok(()) => swept.push(Swept::Removed { path, owner }),
            Err(e) => swept.push(Swept::Failed {
                message: format!("removing stale {}: {e}", path.display()),
            }),
        }
    }
    swept
}

/// Whether the staging folder `name` (opened as `dir`) was made by this user's groundwork runs:
/// named as groundwork names them, owned by this user, and closed to everyone else (groundwork
/// makes them 0700, which no file a template renders gets, and a template cannot render the name
/// at all). Anything else may be another user's plant, and replaying its journal would let them
/// delete or replace this user's files.
fn trusted(name: &str, dir: &Dir) -> std::result::Result<(), String> {
    let suffix = &name[STAGING_PREFIX.len()..];
    let well_named = suffix.split_once('-').is_some_and(|(pid, nonce)| {
        !pid.is_empty()
            && pid.bytes().all(|b| b.is_ascii_digit())
            && nonce.len() == 8
            && nonce.bytes().all(|b| b.is_ascii_hexdigit())
    });
    if !well_named {
        return Err("its name is not one groundwork gives".to_owned());
    }
    let meta = dir
        .dir_metadata()
        .map_err(|e| format!("its owner cannot be read: {e}"))?;
    check_owned(&meta)
}

/// Owned by this user and writable by nobody else.
fn check_owned(meta: &cap_std::fs::Metadata) -> std::result::Result<(), String> {
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me {
        return Err(format!("it belongs to user id {}, not {me}", meta.uid()));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(format!(
            "its permissions are {:o}, and groundwork makes its own {:o}",
            meta.mode() & 0o7777,
            if meta.is_dir() { 0o700 } else { 0o600 }
        ));
    }
    Ok(())
}

/// Reads a file of a trusted staging folder, without following a symlink and only when it is a
/// regular file of this user.
fn read_own_file(dir: &Dir, name: &str) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut options = cap_std::fs::OpenOptions::new();
    options
        .read(true)
        .custom_flags((OFlags::NONBLOCK | OFlags::NOFOLLOW).bits().cast_signed());
    let mut file = dir.open_with(name, &options)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other(format!(
            "{name} is not a regular file"
        )));
    }
    // Its mode is not checked: the folder is 0700 (checked first), so nobody else can reach it,
    // and a group-writable file is only what a umask of 002 makes of groundwork's own.
    if meta.uid() != rustix::process::geteuid().as_raw() {
        return Err(std::io::Error::other(format!(
            "{name} is not this user's own file"
        )));
    }
    let mut contents = Vec::new();
    file.read_to_end(&mut contents)?;
    Ok(contents)
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
    match read_own_file(dir, OWNER) {
        Ok(owner) => Some(String::from_utf8_lossy(&owner).trim().to_owned()),
        Err(_) => match pid_in_name {
            Some(pid) if !process_alive(pid) => Some(pid.to_string()),
            _ => None,
        },
    }
}

/// Rolls back the journal of a killed run (or of a killed rollback of it) in `staging` on the
/// destination `target`: the steps no earlier rollback marked undone, newest first. A signal
/// stops it between two steps; the journal then holds what is left.
fn recover(
    staging: &Dir,
    target: &Dir,
) -> std::io::Result<(journal::Outcome, Vec<(PathBuf, PathBuf)>)> {
    let text = read_own_file(staging, JOURNAL)?;
    let (steps, already) = journal::parse(&String::from_utf8_lossy(&text));
    let staged = staging.open_dir(NEW)?;
    let backups = staging.open_dir(BACKUP)?;
    let mut log = staging.open_with(JOURNAL, cap_std::fs::OpenOptions::new().append(true))?;
    let mut undo = Undo {
        target,
        staged: &staged,
        backups: &backups,
        log: &mut log,
        set_aside: Vec::new(),
    };
    let outcome = undo.run(&steps, &already, true)?;
    let set_aside = std::mem::take(&mut undo.set_aside);
    Ok((outcome, set_aside))
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
                    crate::core::report::warning(format_args!(
                        "rolling back {}: {e}",
                        to_path.join(back).display()
                    ));
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
        crate::core::tree::file_mode(state.executable, state.mode),
    )
}

fn set_mode(root: &Dir, root_path: &Path, relative: &Path, mode: u32) -> Result<()> {
    use cap_std::fs::PermissionsExt as _;
    root.set_permissions(relative, cap_std::fs::Permissions::from_mode(mode))
        .map_err(|e| Error::io(root_path.join(relative), e))
}

/// What a forced write has done so far, so it can be undone. Every step goes through the handles
/// on the destination and the staging folder; paths are relative to them. Each step is logged in
/// the journal file before it is taken (see [`crate::write::journal`]).
struct Journal<'a> {
    target: &'a Dir,
    /// The destination as the user named it, for messages.
    root: &'a Path,
    staged: &'a Dir,
    backups: &'a Dir,
    steps: Vec<Step>,
    /// The on-disk copy of `steps`, written before each step.
    log: cap_std::fs::File,
    log_path: PathBuf,
    /// Files moved aside from the destination after checking they were what the plan read: their
    /// size and modification time then, so an edit landing in them later is noticed too.
    checked: Vec<(PathBuf, Stamp)>,
}

/// A file's size and its modification and change times, to the nanosecond: any write to it
/// changes one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp([i64; 5]);

impl Stamp {
    fn of(meta: &cap_std::fs::Metadata) -> Stamp {
        Stamp([
            i64::try_from(meta.len()).unwrap_or(i64::MAX),
            meta.mtime(),
            meta.mtime_nsec(),
            meta.ctime(),
            meta.ctime_nsec(),
        ])
    }
}

impl Journal<'_> {
    /// Records the step about to be taken, so a killed run can be undone by the next one.
    fn log(&mut self, step: Step) -> Result<()> {
        use std::io::Write as _;
        self.log
            .write_all(step.line().as_bytes())
            .map_err(|e| Error::io(&self.log_path, e))?;
        self.steps.push(step);
        Ok(())
    }

    fn will_create(&mut self, name: &str) -> Result<()> {
        let relative = Path::new(name);
        match self.target.symlink_metadata(relative) {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.log(Step::CreatedTree(relative.to_owned()))
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
                self.log(Step::Saved(relative.to_owned()))?;
                // Copied under another name, then renamed: a copy in the backup is a whole one,
                // even when the run is killed while copying.
                let mut partial = relative.as_os_str().to_owned();
                partial.push(".groundwork-partial");
                self.target
                    .copy(relative, self.backups, &partial)
                    .and_then(|_| self.backups.rename(&partial, self.backups, relative))
                    .map_err(|e| Error::io(self.root.join(relative), e))
            }
            // Not a file (git would fail on it): nothing this run could change there.
            Ok(_) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.log(Step::WasAbsent(relative.to_owned()))
            }
            Err(e) => Err(Error::io(self.root.join(relative), e)),
        }
    }

    fn place(&mut self, path: &str, expected: &Expected) -> Result<()> {
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
                        self.log(Step::CreatedDir(dir.clone()))?;
                        self.target
                            .create_dir(&dir)
                            .map_err(|e| Error::io(self.root.join(&dir), e))?;
                    }
                    Err(e) => return Err(Error::io(self.root.join(&dir), e)),
                }
            }
        }
        let previous_mode = if self.target.symlink_metadata(relative).is_ok() {
            self.back_up(relative)?;
            let mode = self.check_backup(relative, expected)?;
            Some(mode)
        } else {
            self.check_absent(relative, expected)?;
            None
        };
        let staged_meta = self
            .staged
            .symlink_metadata(relative)
            .map_err(|e| Error::io(self.root.join(relative), e))?;
        if let Some(previous) = previous_mode {
            // A mode the user narrowed (0600 for a file with secrets) stays narrowed: only the
            // executable bits follow the plan.
            let wanted = staged_meta.mode() & 0o7777;
            let mode = narrowed_mode(previous, wanted);
            if mode != wanted {
                use cap_std::fs::PermissionsExt as _;
                self.staged
                    .set_permissions(relative, cap_std::fs::Permissions::from_mode(mode))
                    .map_err(|e| Error::io(self.root.join(relative), e))?;
            }
        }
        self.log(Step::Placed(
            relative.to_owned(),
            Some(FileId::of(&staged_meta)),
        ))?;
        self.staged
            .rename(relative, self.target, relative)
            .map_err(|e| Error::io(self.root.join(relative), e))
    }

    /// Deletes the file at `path` by moving it into the backups, then removes the directories the
    /// deletion left empty (never the destination itself).
    fn remove(&mut self, path: &str, expected: &Expected) -> Result<()> {
        let relative = Path::new(path);
        if self.target.symlink_metadata(relative).is_err() {
            return Ok(());
        }
        self.back_up(relative)?;
        self.check_backup(relative, expected)?;
        let mut dir = relative.parent();
        while let Some(current) = dir.filter(|d| !d.as_os_str().is_empty()) {
            let empty = self
                .target
                .read_dir(current)
                .is_ok_and(|mut entries| entries.next().is_none());
            if !empty {
                break;
            }
            self.log(Step::RemovedDir(current.to_owned()))?;
            if self.target.remove_dir(current).is_err() {
                break;
            }
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
        self.log(Step::MovedAside(relative.to_owned()))?;
        self.target
            .rename(relative, self.backups, relative)
            .map_err(|e| Error::io(self.root.join(relative), e))
    }

    /// Compare-and-swap: the file just moved aside must be what the plan read, or someone changed
    /// it since (an edit while the run was planning); then the run stops and rolls back, which
    /// puts the edited file back. Returns the file's mode.
    fn check_backup(&mut self, relative: &Path, expected: &Expected) -> Result<u32> {
        let shown = self.root.join(relative);
        let meta = self
            .backups
            .symlink_metadata(relative)
            .map_err(|e| Error::io(&shown, e))?;
        if let Expected::Anything = expected {
            return Ok(meta.mode() & 0o7777);
        }
        let same = match expected {
            Expected::File(digest) if meta.is_file() => {
                let contents = self
                    .backups
                    .read(relative)
                    .map_err(|e| Error::io(&shown, e))?;
                Digest::of(&contents) == *digest
            }
            _ => false,
        };
        if !same {
            return Err(Error::ChangedDuringRun { path: shown });
        }
        self.checked.push((relative.to_owned(), Stamp::of(&meta)));
        Ok(meta.mode() & 0o7777)
    }

    /// The file the plan read is gone (deleted while the run planned): that is a change too.
    fn check_absent(&self, relative: &Path, expected: &Expected) -> Result<()> {
        match expected {
            Expected::File(_) => Err(Error::ChangedDuringRun {
                path: self.root.join(relative),
            }),
            Expected::Anything | Expected::Absent => Ok(()),
        }
    }

    /// After the last step: a file moved aside must still be as it was when checked (a writer
    /// that had it open may have written into it since).
    fn recheck(&self) -> Result<()> {
        for (relative, stamp) in &self.checked {
            let unchanged = self
                .backups
                .symlink_metadata(relative)
                .is_ok_and(|meta| Stamp::of(&meta) == *stamp);
            if !unchanged {
                return Err(Error::ChangedDuringRun {
                    path: self.root.join(relative),
                });
            }
        }
        Ok(())
    }

    /// Undoes everything in reverse order, marking each undone step in the journal, so that a
    /// kill during the rollback leaves a journal the next run finishes. A step that fails is
    /// reported and the journal (with its staging folder) is kept for `groundwork recover`.
    fn roll_back(mut self, staging: &mut Staging) {
        let steps: Vec<(usize, Step)> = std::mem::take(&mut self.steps)
            .into_iter()
            .enumerate()
            .collect();
        let mut undo = Undo {
            target: self.target,
            staged: self.staged,
            backups: self.backups,
            log: &mut self.log,
            set_aside: Vec::new(),
        };
        let outcome = undo.run(&steps, &std::collections::BTreeSet::new(), false);
        for (path, aside) in &undo.set_aside {
            crate::core::report::warning(format_args!(
                "rolling back: {} was not there before this run; it was moved to {}",
                self.root.join(path).display(),
                self.root.join(aside).display()
            ));
        }
        if let Err(e) = outcome {
            crate::core::report::warning(format_args!(
                "rolling back {}: {e}; its journal is kept: run `groundwork recover {}` to finish",
                self.root.display(),
                self.root.display()
            ));
            staging.keep();
        }
    }
}

/// The mode of a file the plan replaces: never wider than the previous file's nor the plan's
/// read and write bits (a 0600 file with secrets stays 0600), with the executable bits the plan
/// wants, for those who may read it.
fn narrowed_mode(previous: u32, wanted: u32) -> u32 {
    let base = previous & wanted & 0o666;
    if wanted & 0o111 == 0 {
        base
    } else {
        base | ((base & 0o444) >> 2)
    }
}

/// Claiming a destination runs recovery first, which is this module's; the claim itself is
/// `destination`'s.
impl Claim {
    /// Claims `destination`: locks it when it is a directory (failing at once when another run
    /// holds it), or notes it absent. A symlink or a file at the destination is refused.
    /// Before anything else, an interrupted run on it is rolled back and stale staging folders
    /// are removed, with a note on stderr for each.
    pub fn acquire(destination: &Path) -> Result<Claim> {
        let (claim, swept) = Self::acquire_recovering(destination)?;
        for swept in &swept {
            swept.print();
        }
        // A rollback a signal stopped must be finished before anything else writes here.
        if let Some(Swept::Stopped { undone, .. }) =
            swept.iter().find(|s| matches!(s, Swept::Stopped { .. }))
        {
            return Err(Error::RecoveryStopped {
                path: destination.to_owned(),
                undone: *undone,
            });
        }
        Ok(claim)
    }

    /// Like [`Claim::acquire`], but returns what the recovery did instead of printing it
    /// (`groundwork recover`).
    pub fn acquire_recovering(destination: &Path) -> Result<(Claim, Vec<Swept>)> {
        let claim = Claim::open(destination, true)?;
        let mut swept = Vec::new();
        if let Some(dir) = claim.dir() {
            // A forced write or update killed midway is rolled back before anything else looks
            // at the destination; its staging folder is in the parent.
            let absolute =
                std::path::absolute(destination).map_err(|e| Error::io(destination, e))?;
            let (parent, _) = destination::split(&absolute);
            if let Ok(home) = Dir::open_ambient_dir(&parent, cap_std::ambient_authority()) {
                swept = recover_interrupted(&home, &parent, &absolute, dir);
            }
            // An interrupted run may have left its staging inside an empty destination.
            swept.extend(sweep_quietly(dir, destination));
        }
        Ok((claim, swept))
    }

    /// Like [`Claim::acquire`] but without the lock: for reading only (`--dry-run`).
    pub fn inspect(destination: &Path) -> Result<Claim> {
        Claim::open(destination, false)
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
