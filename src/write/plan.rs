//! Plans: what writing into a destination would do, file by file, decided before anything is
//! written so it can be printed (`--dry-run`) and then applied in one go. Every operation owns the
//! bytes and mode it writes, because merged output belongs to no single rendered tree.
//! Reads the destination to decide (through its handle, never through a symlink); never writes.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use crate::core::error::{Error, Result};
use crate::core::file::{Action, FileState};
use crate::core::tree::Tree;
use crate::write::destination::{self, Claim};

/// What happens on disk at one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Write(FileState),
    Delete,
    /// Nothing is written: the file is reported only.
    Nothing,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    pub path: String,
    pub action: Action,
    pub change: Change,
    /// What the plan read at `path`: apply replaces or removes only that (compare-and-swap).
    pub expected: Expected,
}

/// The SHA-256 of a file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digest([u8; 32]);

impl Digest {
    pub fn of(bytes: &[u8]) -> Digest {
        use sha2::Digest as _;
        Digest(sha2::Sha256::digest(bytes).into())
    }
}

/// What a plan found at a path when it decided what to do there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// Not read: whatever is there may be replaced (a fresh destination has nothing).
    Anything,
    /// Nothing was there.
    Absent,
    /// A file with these bytes.
    File(Digest),
}

impl Expected {
    /// What a read of the destination found: a file's state or nothing.
    pub fn of(found: Option<&FileState>) -> Expected {
        match found {
            Some(state) => Expected::File(Digest::of(&state.contents)),
            None => Expected::Absent,
        }
    }
}

impl Op {
    pub fn writes(&self) -> bool {
        self.change != Change::Nothing
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub destination: PathBuf,
    /// The destination is absent or an empty directory: the whole project appears in one rename.
    pub fresh: bool,
    /// In the order they are applied.
    pub ops: Vec<Op>,
}

impl Plan {
    /// Whether applying the plan would leave the disk as it is.
    pub fn changes_nothing(&self) -> bool {
        !self.ops.iter().any(Op::writes)
    }

    /// Those of `paths` (relative to the destination) that the plan writes or deletes, or that
    /// stand where it needs a folder (`a` when it writes `a/b`), or inside a path it makes a file.
    pub fn in_the_way<'a>(&self, paths: &'a [String]) -> Vec<&'a str> {
        let below = |path: &str, folder: &str| {
            path.strip_prefix(folder)
                .is_some_and(|rest| rest.starts_with('/'))
        };
        paths
            .iter()
            .map(String::as_str)
            .filter(|path| {
                self.ops
                    .iter()
                    .filter(|op| op.writes())
                    .any(|op| op.path == *path || below(&op.path, path) || below(path, &op.path))
            })
            .collect()
    }
}

pub(crate) use crate::write::destination::State as Destination;

/// What the destination path is now (absent, empty or not), for refusing early; the decision that
/// counts is made again through the [`Claim`] once it is held.
pub(crate) fn inspect(destination: &Path) -> Result<Destination> {
    match fs::symlink_metadata(destination) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Destination::Absent),
        Err(e) => Err(Error::io(destination, e)),
        Ok(meta) if meta.file_type().is_symlink() => Err(Error::DestinationSymlink {
            path: destination.to_owned(),
            // Only for the message: the refusal stands whether or not the link can be read.
            to: fs::read_link(destination).unwrap_or_default(),
        }),
        Ok(meta) if !meta.is_dir() => Err(Error::DestinationNotDirectory {
            path: destination.to_owned(),
        }),
        Ok(_) => {
            let mut entries = fs::read_dir(destination).map_err(|e| Error::io(destination, e))?;
            Ok(if entries.next().is_some() {
                Destination::NonEmpty
            } else {
                Destination::Empty
            })
        }
    }
}

/// What `new` does with a destination that already holds files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Refuse a non-empty destination.
    Refuse,
    /// `--force`: write the template's files over the ones there; delete nothing.
    Overwrite,
    /// `--skip-if-file-exists`: write only the files that do not exist yet (and the answers file).
    Skip,
}

/// Plans `groundwork new` into the claimed destination: refuses a non-empty destination when
/// `existing` is [`Existing::Refuse`]; otherwise plans to write only the files the tree holds
/// (over the ones there, or, with [`Existing::Skip`], only where none is), deleting nothing and
/// refusing a `.git` that is not a plain directory.
pub fn plan_new(tree: &Tree, claim: &Claim, existing: Existing) -> Result<Plan> {
    let destination = claim.path();
    let state = claim.state()?;
    if state == Destination::NonEmpty && existing == Existing::Refuse {
        return Err(Error::DestinationNotEmpty {
            path: destination.to_owned(),
        });
    }
    let fresh = state != Destination::NonEmpty;
    if !fresh {
        claim.check_git_dir()?;
    }
    let mut ops = Vec::with_capacity(tree.len());
    for (path, entry) in tree.iter() {
        // Unlike `update`'s merge (which compares and writes contents and the executable bit),
        // `new` writes a file with the exact mode the template gave it.
        let wanted = FileState::exact(entry);
        let on_disk = match claim.dir() {
            Some(dir) if !fresh => destination::read_existing(dir, destination, path)?,
            _ => None,
        };
        let expected = if fresh {
            Expected::Anything
        } else {
            Expected::of(on_disk.as_ref())
        };
        let (action, change) = match on_disk {
            None => (Action::Create, Change::Write(wanted)),
            Some(current) if current == wanted => (Action::Unchanged, Change::Nothing),
            // The answers file records this run's answers, which the next update merges from.
            Some(_)
                if existing == Existing::Skip && path != crate::template::answers::ANSWERS_FILE =>
            {
                (Action::Skipped, Change::Nothing)
            }
            Some(_) => (Action::Overwrite, Change::Write(wanted)),
        };
        ops.push(Op {
            path: path.to_owned(),
            action,
            change,
            expected,
        });
    }
    Ok(Plan {
        destination: destination.to_owned(),
        fresh,
        ops,
    })
}

/// Reads the file at the relative `path` below `destination`, or `None` when nothing is there,
/// through a handle on `destination` (see [`destination::read_existing`]).
pub(crate) fn read_existing(destination: &Path, path: &str) -> Result<Option<FileState>> {
    Reader::open(destination)?.read(path)
}

/// Reads many files below one destination through a single directory handle.
pub(crate) struct Reader {
    dir: cap_std::fs::Dir,
    root: PathBuf,
}

impl Reader {
    pub(crate) fn open(destination: &Path) -> Result<Reader> {
        let dir =
            destination::open_dir_nofollow(destination).map_err(|e| Error::io(destination, e))?;
        Ok(Reader {
            dir,
            root: destination.to_owned(),
        })
    }

    /// The file at the relative `path`, or `None` when nothing is there.
    pub(crate) fn read(&self, path: &str) -> Result<Option<FileState>> {
        destination::read_existing(&self.dir, &self.root, path)
    }
}

impl Plan {
    /// How many operations report `action` (a move counts whatever it was moved from).
    pub fn count(&self, action: &Action) -> usize {
        let label = action.label();
        self.ops
            .iter()
            .filter(|op| op.action.label() == label)
            .count()
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for op in &self.ops {
            let mode = match &op.change {
                Change::Write(state) => {
                    format!(
                        "{:o}",
                        crate::core::tree::file_mode(state.executable, state.mode)
                    )
                }
                _ => "   ".to_owned(),
            };
            writeln!(f, "  {:<9} {mode}  {}", op.action.label(), op.path)?;
        }
        write!(
            f,
            "{} files into {}: {} to create, {} to overwrite, {} unchanged",
            self.ops.len(),
            self.destination.display(),
            self.count(&Action::Create),
            self.count(&Action::Overwrite),
            self.count(&Action::Unchanged),
        )?;
        match self.count(&Action::Skipped) {
            0 => Ok(()),
            skipped => write!(f, ", {skipped} skipped (they exist)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(path: &str, change: Change) -> Op {
        Op {
            path: path.to_owned(),
            action: Action::Updated,
            change,
            expected: Expected::Anything,
        }
    }

    #[test]
    fn only_paths_the_plan_writes_deletes_or_needs_as_a_folder_are_in_the_way() {
        let file = FileState {
            mode: None,
            contents: b"x\n".to_vec(),
            executable: false,
        };
        let plan = Plan {
            destination: PathBuf::from("p"),
            fresh: false,
            ops: vec![
                op("docs/guide.md", Change::Write(file.clone())),
                op("old.txt", Change::Delete),
                op("kept.txt", Change::Nothing),
                op("tool", Change::Write(file)),
            ],
        };
        let paths: Vec<String> = [
            "docs/guide.md",
            "docs",
            "docsx/guide.md",
            "old.txt",
            "kept.txt",
            "tool/cache.bin",
            "scratch.py",
        ]
        .map(str::to_owned)
        .to_vec();
        assert_eq!(
            plan.in_the_way(&paths),
            ["docs/guide.md", "docs", "old.txt", "tool/cache.bin"]
        );
        assert!(!plan.changes_nothing());
        let quiet = Plan {
            ops: vec![op("kept.txt", Change::Nothing)],
            ..plan
        };
        assert!(quiet.changes_nothing());
        assert!(quiet.in_the_way(&paths).is_empty());
    }
}
