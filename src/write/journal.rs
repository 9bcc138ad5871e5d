//! The write-ahead journal of a forced write or an update: every step is logged before it is
//! taken, and every undone step is logged after it is undone, so a run killed at any instruction,
//! and a rollback of it killed at any instruction, and so on, is finished by whichever run comes
//! next and converges on the tree from before the first run.
//!
//! Each undo is idempotent by construction, so a step undone just before a kill (and not yet
//! marked) can be undone again: it looks at what is there, acts only on what it can account for
//! (a placed file is recognised by its inode, which nothing else can have while the staging
//! folder keeps it alive), and moves anything else aside instead of deleting it.
//!
//! This module owns the journal's format and the undo of its steps; it never decides what to
//! write (that is `apply`) and never finds or trusts a staging folder (that is `apply::sweep`).

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use cap_std::fs::{Dir, MetadataExt as _};
use rustix::fs::RenameFlags;
use rustix::io::Errno;

/// A file placed by a run: the device and inode the staged file had (which a rename keeps), and
/// its size and modification time. The inode alone is not enough: a file the user deletes frees
/// its number, and the next file made (an editor saving under the same name) may get it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileId {
    dev: u64,
    ino: u64,
    size: u64,
    mtime: i64,
    mtime_nsec: i64,
}

impl FileId {
    pub(crate) fn of(meta: &cap_std::fs::Metadata) -> FileId {
        FileId {
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.len(),
            mtime: meta.mtime(),
            mtime_nsec: meta.mtime_nsec(),
        }
    }

    fn field(&self) -> String {
        format!(
            "{}:{}:{}:{}:{}",
            self.dev, self.ino, self.size, self.mtime, self.mtime_nsec
        )
    }

    fn parse(text: &str) -> Option<FileId> {
        let mut parts = text.split(':');
        let id = FileId {
            dev: parts.next()?.parse().ok()?,
            ino: parts.next()?.parse().ok()?,
            size: parts.next()?.parse().ok()?,
            mtime: parts.next()?.parse().ok()?,
            mtime_nsec: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(id)
    }
}

/// One step of a forced write, logged before it is taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// `D`: a directory about to be created in the destination.
    CreatedDir(PathBuf),
    /// `P`: a staged file about to be moved into the destination. Journals of earlier versions
    /// carry no id; their undo falls back to "the staged file is gone".
    Placed(PathBuf, Option<FileId>),
    /// `A`: a file about to be moved from the destination into the backups.
    MovedAside(PathBuf),
    /// `R`: a directory a deletion left empty, about to be removed.
    RemovedDir(PathBuf),
    /// `T`: a tree about to be created (the `.git` of a forced write's commit).
    CreatedTree(PathBuf),
    /// `S`: a file about to be changed, copied into the backups first (`.git/index`).
    Saved(PathBuf),
    /// `N`: a file about to be created (`.git/index` of a repository without one).
    WasAbsent(PathBuf),
}

impl Step {
    fn path(&self) -> &Path {
        match self {
            Step::CreatedDir(p)
            | Step::Placed(p, _)
            | Step::MovedAside(p)
            | Step::RemovedDir(p)
            | Step::CreatedTree(p)
            | Step::Saved(p)
            | Step::WasAbsent(p) => p,
        }
    }

    /// The line that logs it, newline included.
    pub(crate) fn line(&self) -> String {
        let kind = match self {
            Step::CreatedDir(_) => 'D',
            Step::Placed(..) => 'P',
            Step::MovedAside(_) => 'A',
            Step::RemovedDir(_) => 'R',
            Step::CreatedTree(_) => 'T',
            Step::Saved(_) => 'S',
            Step::WasAbsent(_) => 'N',
        };
        let path = escape(&self.path().to_string_lossy());
        match self {
            Step::Placed(_, Some(id)) => format!("{kind}\t{path}\t{}\n", id.field()),
            _ => format!("{kind}\t{path}\n"),
        }
    }
}

/// Paths are UTF-8 (the tree's rule) but may hold a tab or a newline: those are escaped.
fn escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn parse_step(line: &str) -> Option<Step> {
    let mut fields = line.split('\t');
    let kind = fields.next()?;
    let path = PathBuf::from(unescape(fields.next()?));
    // A path that could leave the destination is no step of ours (the journal is trusted only
    // when this user wrote it, but a damaged one must still not reach outside).
    if path.is_absolute()
        || path
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return None;
    }
    let step = match kind {
        "D" => Step::CreatedDir(path),
        "P" => {
            let id = fields.next().and_then(FileId::parse);
            Step::Placed(path, id)
        }
        "A" => Step::MovedAside(path),
        "R" => Step::RemovedDir(path),
        "T" => Step::CreatedTree(path),
        "S" => Step::Saved(path),
        "N" => Step::WasAbsent(path),
        _ => return None,
    };
    Some(step)
}

/// The steps of a journal's text, each with its number (its place among the step lines, which
/// the undo marks name), and which of them an earlier rollback already undid. A line cut short by
/// a kill is ignored: its step was never taken (each is logged before it is taken) and an
/// unfinished undo mark only means that undo runs again.
pub(crate) fn parse(text: &str) -> (Vec<(usize, Step)>, BTreeSet<usize>) {
    let mut steps = Vec::new();
    let mut undone = BTreeSet::new();
    let mut number = 0;
    for line in text.split_inclusive('\n') {
        let Some(line) = line.strip_suffix('\n') else {
            continue;
        };
        if let Some(mark) = line.strip_prefix("U\t") {
            if let Ok(n) = mark.parse() {
                undone.insert(n);
            }
            continue;
        }
        // A line that is not a step of ours still has its number, so the marks stay in step.
        if let Some(step) = parse_step(line) {
            steps.push((number, step));
        }
        number += 1;
    }
    (steps, undone)
}

/// The handles a rollback works through: the destination, the staging folder's staged files and
/// its backups, and the journal file, where each undone step is marked.
pub(crate) struct Undo<'a> {
    pub(crate) target: &'a Dir,
    pub(crate) staged: &'a Dir,
    pub(crate) backups: &'a Dir,
    pub(crate) log: &'a mut cap_std::fs::File,
    /// Files found where a step's undo had to put something back: moved aside (from, to), never
    /// deleted.
    pub(crate) set_aside: Vec<(PathBuf, PathBuf)>,
}

/// How a rollback ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Every step is undone; the count is of the steps this rollback undid.
    Done(usize),
    /// Stopped at a safe point by a signal; the journal holds what is left to undo.
    Stopped(usize),
}

impl Undo<'_> {
    /// Undoes `steps` newest first, skipping those in `already`, marking each in the journal once
    /// it is undone. With `stop_on_signal`, a signal stops it between two steps (the journal lets
    /// the next run finish); a rollback of this run's own failure finishes whatever comes.
    /// A step that fails is an error; the journal keeps it for another try.
    pub(crate) fn run(
        &mut self,
        steps: &[(usize, Step)],
        already: &BTreeSet<usize>,
        stop_on_signal: bool,
    ) -> std::io::Result<Outcome> {
        let mut undone = 0;
        for (n, step) in steps.iter().rev() {
            if already.contains(n) {
                continue;
            }
            crate::core::fault::signal_point(undone);
            if stop_on_signal && crate::core::interrupt::interrupted() {
                return Ok(Outcome::Stopped(undone));
            }
            self.undo(step)?;
            self.log.write_all(format!("U\t{n}\n").as_bytes())?;
            undone += 1;
            crate::core::fault::fault_point("undo", undone);
        }
        Ok(Outcome::Done(undone))
    }

    fn undo(&mut self, step: &Step) -> std::io::Result<()> {
        match step {
            Step::CreatedDir(path) => {
                // Not empty: something that is not ours is in it; it stays, and so does the folder.
                match self.target.remove_dir(path) {
                    Err(e)
                        if e.kind() == std::io::ErrorKind::NotFound
                            || e.raw_os_error() == Some(Errno::NOTEMPTY.raw_os_error())
                            || e.raw_os_error() == Some(Errno::EXIST.raw_os_error())
                            || e.raw_os_error() == Some(Errno::NOTDIR.raw_os_error()) =>
                    {
                        Ok(())
                    }
                    other => other,
                }
            }
            Step::Placed(path, id) => self.unplace(path, *id),
            Step::MovedAside(path) => {
                if self.backups.symlink_metadata(path).is_err() {
                    // Never moved, or already moved back.
                    return Ok(());
                }
                self.put_back(path)
            }
            Step::RemovedDir(path) => match self.target.create_dir(path) {
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
                other => other,
            },
            Step::CreatedTree(path) => remove_tree(self.target, path),
            // The file the last step was changing: its whole copy goes back over it. No copy
            // means the run died before the copy was complete, so before the change.
            Step::Saved(path) => match self.backups.symlink_metadata(path) {
                Ok(_) => self.backups.rename(path, self.target, path),
                Err(_) => Ok(()),
            },
            Step::WasAbsent(path) => not_found_ok(self.target.remove_file(path)),
        }
    }

    /// Takes a placed file out of the destination, back into the staging folder: only the file
    /// this run placed (the same inode), never one that was put back or made since.
    fn unplace(&mut self, path: &Path, id: Option<FileId>) -> std::io::Result<()> {
        let Ok(meta) = self.target.symlink_metadata(path) else {
            return Ok(());
        };
        let ours = match id {
            Some(id) => meta.is_file() && FileId::of(&meta) == id,
            // An older journal: the move happened when the staged file is gone, and nothing put
            // back since (that older binary never resumed a rollback).
            None => self.staged.symlink_metadata(path).is_err(),
        };
        if !ours {
            return Ok(());
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            self.staged.create_dir_all(parent)?;
        }
        match rustix::fs::renameat_with(
            self.target,
            path,
            self.staged,
            path,
            RenameFlags::NOREPLACE,
        ) {
            Ok(()) => Ok(()),
            // Something is staged there already: this run's file need not be kept.
            Err(Errno::EXIST) => not_found_ok(self.target.remove_file(path)),
            Err(e) => Err(e.into()),
        }
    }

    /// Moves the backup of `path` back into the destination. Whatever is there now was not put
    /// there by this run (its own files were taken out first): it is moved aside, not replaced.
    fn put_back(&mut self, path: &Path) -> std::io::Result<()> {
        loop {
            match rustix::fs::renameat_with(
                self.backups,
                path,
                self.target,
                path,
                RenameFlags::NOREPLACE,
            ) {
                Ok(()) => return Ok(()),
                Err(Errno::EXIST) => {
                    let aside = self.free_name(path)?;
                    self.target.rename(path, self.target, &aside)?;
                    self.set_aside.push((path.to_owned(), aside));
                }
                // A file system without no-replace renames: look first.
                Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => {
                    if self.target.symlink_metadata(path).is_ok() {
                        let aside = self.free_name(path)?;
                        self.target.rename(path, self.target, &aside)?;
                        self.set_aside.push((path.to_owned(), aside));
                    }
                    return self.backups.rename(path, self.target, path);
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// `path.groundwork-found`, or with `.1`, `.2`, ... when that is taken.
    fn free_name(&self, path: &Path) -> std::io::Result<PathBuf> {
        for n in 0..10_000 {
            let mut name = path.as_os_str().to_owned();
            name.push(if n == 0 {
                ".groundwork-found".to_owned()
            } else {
                format!(".groundwork-found.{n}")
            });
            let candidate = PathBuf::from(name);
            if self.target.symlink_metadata(&candidate).is_err() {
                return Ok(candidate);
            }
        }
        Err(std::io::Error::from(std::io::ErrorKind::AlreadyExists))
    }
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

fn not_found_ok(result: std::io::Result<()>) -> std::io::Result<()> {
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip_with_awkward_paths() {
        let steps = vec![
            Step::CreatedDir(PathBuf::from("a\tb")),
            Step::Placed(
                PathBuf::from("a\tb/c\nd\\e"),
                Some(FileId {
                    dev: 3,
                    ino: 77,
                    size: 12,
                    mtime: 1_700_000_000,
                    mtime_nsec: 5,
                }),
            ),
            Step::Placed(PathBuf::from("old"), None),
            Step::MovedAside(PathBuf::from("x y.txt")),
            Step::RemovedDir(PathBuf::from("dir")),
            Step::CreatedTree(PathBuf::from(".git")),
            Step::Saved(PathBuf::from(".git/index")),
            Step::WasAbsent(PathBuf::from(".git/index")),
        ];
        let mut text: String = steps.iter().map(Step::line).collect();
        text.push_str("U\t7\nU\t6\nU\t5");
        let (parsed, undone) = parse(&text);
        assert_eq!(parsed, steps.into_iter().enumerate().collect::<Vec<_>>());
        // The last mark was cut short by a kill: that undo runs again.
        assert_eq!(undone, BTreeSet::from([6, 7]));
    }

    #[test]
    fn steps_that_could_leave_the_destination_are_ignored() {
        let (steps, _) = parse("P\t../outside\nA\t/etc/passwd\nT\ta/../../b\nD\tok\n");
        assert_eq!(steps, vec![(3, Step::CreatedDir(PathBuf::from("ok")))]);
    }
}
