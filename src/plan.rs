//! Plans: what writing a rendered [`Tree`] into a destination would do, file by file, decided
//! before anything is written so it can be printed (`--dry-run`) and then applied in one go.
//! Reads the destination to decide; never writes.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::tree::Tree;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Overwrite,
    Unchanged,
}

impl Action {
    fn label(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Overwrite => "overwrite",
            Action::Unchanged => "unchanged",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    pub path: String,
    pub action: Action,
    pub executable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub destination: PathBuf,
    /// The destination is absent or an empty directory: the whole project appears in one rename.
    pub fresh: bool,
    pub ops: Vec<Op>,
}

/// What the destination is before `new` writes to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    Absent,
    Empty,
    NonEmpty,
}

pub fn inspect(destination: &Path) -> Result<Destination> {
    match fs::symlink_metadata(destination) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Destination::Absent),
        Err(e) => Err(Error::io(destination, e)),
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

/// Plans `groundwork new`: refuses a non-empty destination unless `force`, and with `force` plans
/// to overwrite only the files the tree holds.
pub fn plan_new(tree: &Tree, destination: &Path, force: bool) -> Result<Plan> {
    let state = inspect(destination)?;
    if state == Destination::NonEmpty && !force {
        return Err(Error::DestinationNotEmpty {
            path: destination.to_owned(),
        });
    }
    let fresh = state != Destination::NonEmpty;
    let mut ops = Vec::with_capacity(tree.len());
    for (path, entry) in tree.iter() {
        let action = if fresh {
            Action::Create
        } else {
            existing_action(destination, path, &entry.contents)?
        };
        ops.push(Op {
            path: path.to_owned(),
            action,
            executable: entry.executable,
        });
    }
    Ok(Plan {
        destination: destination.to_owned(),
        fresh,
        ops,
    })
}

/// Decides one file of a forced write. Refuses to write through a symlink or over a directory.
fn existing_action(destination: &Path, path: &str, contents: &[u8]) -> Result<Action> {
    let mut current = destination.to_owned();
    let segments: Vec<&str> = path.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        current.push(segment);
        let last = i + 1 == segments.len();
        let meta = match fs::symlink_metadata(&current) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Action::Create),
            Err(e) => return Err(Error::io(&current, e)),
        };
        let blocked = |reason: &str| Error::Blocked {
            path: current.clone(),
            reason: reason.to_owned(),
        };
        if meta.file_type().is_symlink() {
            return Err(blocked(
                "it is a symlink; groundwork never writes through links in the destination",
            ));
        }
        if !last && !meta.is_dir() {
            return Err(blocked(&format!(
                "the template needs a directory here for {path}, but it is a file"
            )));
        }
        if last {
            if meta.is_dir() {
                return Err(blocked(
                    "the template writes a file here, but it is a directory",
                ));
            }
            let old = fs::read(&current).map_err(|e| Error::io(&current, e))?;
            return Ok(if old == contents {
                Action::Unchanged
            } else {
                Action::Overwrite
            });
        }
    }
    Ok(Action::Create)
}

impl Plan {
    pub fn count(&self, action: Action) -> usize {
        self.ops.iter().filter(|op| op.action == action).count()
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for op in &self.ops {
            let mode = if op.executable { "755" } else { "644" };
            writeln!(f, "  {:<9} {mode}  {}", op.action.label(), op.path)?;
        }
        write!(
            f,
            "{} files into {}: {} to create, {} to overwrite, {} unchanged",
            self.ops.len(),
            self.destination.display(),
            self.count(Action::Create),
            self.count(Action::Overwrite),
            self.count(Action::Unchanged),
        )
    }
}
