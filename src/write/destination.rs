//! The destination of a write, held through directory handles instead of paths. A [`Claim`] is the
//! exclusive right to write one destination: an existing directory is opened without following a
//! symlink and locked with `flock` for the whole run (a second run fails at once, naming the
//! destination); an absent one is claimed when the finished project is renamed into place with
//! no-replace semantics, so two runs can never both create it. Every read and write below the
//! destination goes through the held [`Dir`] (cap-std), which cannot be led out of the directory by
//! a symlink swapped in at any moment.

use std::ffi::OsString;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use cap_std::fs::Dir;
use rustix::fs::{FlockOperation, Mode, OFlags};

use crate::core::error::{Error, Result};
use crate::core::file::FileState;
use crate::core::input::special_kind;

/// What the destination is before `new` writes to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Absent,
    Empty,
    NonEmpty,
}

/// The exclusive right to write one destination, held until dropped (or the process ends).
#[derive(Debug)]
pub struct Claim {
    path: PathBuf,
    /// The locked destination directory; `None` when it did not exist when claimed.
    dir: Option<Dir>,
}

impl Claim {
    /// Opens `destination` (locked when `exclusive`) without looking for an interrupted run: the
    /// `acquire` functions (in `apply`, which owns recovery) do that.
    pub(crate) fn open(destination: &Path, exclusive: bool) -> Result<Claim> {
        match std::fs::symlink_metadata(destination) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Claim {
                    path: destination.to_owned(),
                    dir: None,
                });
            }
            Err(e) => return Err(Error::io(destination, e)),
            Ok(meta) if !meta.is_dir() => {
                return Err(not_a_directory(destination, meta.file_type().is_symlink()));
            }
            Ok(_) => {}
        }
        crate::core::fault::swap_point(destination);
        let dir = open_dir_nofollow(destination).map_err(|e| {
            if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error())
                || e.raw_os_error() == Some(rustix::io::Errno::NOTDIR.raw_os_error())
            {
                // Something else was put there since the look above (a symlink swapped in is
                // the attack the no-follow open stops): report what stands there now, as the
                // look would have.
                let symlink = std::fs::symlink_metadata(destination)
                    .is_ok_and(|meta| meta.file_type().is_symlink());
                not_a_directory(destination, symlink)
            } else {
                Error::io(destination, e)
            }
        })?;
        if exclusive {
            lock(&dir, destination)?;
        }
        Ok(Claim {
            path: destination.to_owned(),
            dir: Some(dir),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The locked destination directory, when it existed.
    pub fn dir(&self) -> Option<&Dir> {
        self.dir.as_ref()
    }

    /// Absent, empty or not, as seen through the held handle.
    pub fn state(&self) -> Result<State> {
        let Some(dir) = &self.dir else {
            return Ok(State::Absent);
        };
        let mut entries = dir.entries().map_err(|e| Error::io(&self.path, e))?;
        Ok(if entries.next().is_some() {
            State::NonEmpty
        } else {
            State::Empty
        })
    }

    /// Refuses a `.git` in the destination that is not a plain directory (a symlink or a file
    /// would lead git to commit into a repository outside the destination).
    pub fn check_git_dir(&self) -> Result<()> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        let entries = dir.entries().map_err(|e| Error::io(&self.path, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&self.path, e))?;
            let name = entry.file_name();
            if !name.to_string_lossy().eq_ignore_ascii_case(".git") {
                continue;
            }
            let file_type = entry.file_type().map_err(|e| Error::io(&self.path, e))?;
            if !file_type.is_dir() || name != ".git" {
                return Err(Error::ForeignGitDir {
                    path: self.path.join(name),
                });
            }
        }
        Ok(())
    }
}

/// Opens a directory without following a symlink at its last component.
pub fn open_dir_nofollow(path: &Path) -> std::io::Result<Dir> {
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    Ok(Dir::from_std_file(std::fs::File::from(fd)))
}

/// The refusal of a destination that is not a directory: a symlink is named with where it points
/// (groundwork never writes through one), anything else is "not a directory".
fn not_a_directory(destination: &Path, symlink: bool) -> Error {
    if symlink {
        Error::DestinationSymlink {
            path: destination.to_owned(),
            to: std::fs::read_link(destination).unwrap_or_default(),
        }
    } else {
        Error::DestinationNotDirectory {
            path: destination.to_owned(),
        }
    }
}

/// Takes the exclusive lock on `dir` without waiting.
pub fn lock(dir: &Dir, path: &Path) -> Result<()> {
    match rustix::fs::flock(dir, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(()),
        Err(rustix::io::Errno::WOULDBLOCK) => Err(Error::DestinationBusy {
            path: path.to_owned(),
        }),
        Err(e) => Err(Error::io(path, e.into())),
    }
}

/// Whether another process holds the lock on `dir` (taking and releasing it when nobody does).
pub fn is_locked(dir: &Dir) -> bool {
    match rustix::fs::flock(dir, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => {
            let _ = rustix::fs::flock(dir, FlockOperation::Unlock);
            false
        }
        Err(_) => true,
    }
}

/// Reads the file at the relative `path` below the directory handle `dir` (shown as `root` in
/// errors), or `None` when nothing is there. Refuses to look through a symlink, refuses a directory
/// where the template has a file (or a file where it needs a directory), and refuses FIFOs, sockets
/// and devices before opening them (and opens without blocking, in case one is swapped in).
pub(crate) fn read_existing(dir: &Dir, root: &Path, path: &str) -> Result<Option<FileState>> {
    let segments: Vec<&str> = path.split('/').collect();
    let mut relative = PathBuf::new();
    for (i, segment) in segments.iter().enumerate() {
        relative.push(segment);
        let shown = root.join(&relative);
        let last = i + 1 == segments.len();
        let meta = match dir.symlink_metadata(&relative) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&shown, e)),
        };
        let blocked = |reason: &str| Error::Blocked {
            path: shown.clone(),
            reason: reason.to_owned(),
        };
        if meta.file_type().is_symlink() {
            return Err(blocked(
                "it is a symlink; groundwork never reads or writes through links in the destination",
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
            if !meta.is_file() {
                return Err(blocked(&format!(
                    "it is {}, not a regular file; remove it first",
                    special_kind(&meta.file_type())
                )));
            }
            let (contents, executable) = read_regular(dir, &relative, &shown)?;
            return Ok(Some(FileState {
                mode: None,
                contents,
                executable,
            }));
        }
    }
    Ok(None)
}

/// Opens a file below `dir` without blocking and without following a final symlink, checks it is
/// a regular file, and reads it.
fn read_regular(dir: &Dir, relative: &Path, shown: &Path) -> Result<(Vec<u8>, bool)> {
    use cap_std::fs::{MetadataExt as _, OpenOptionsExt as _};
    let mut options = cap_std::fs::OpenOptions::new();
    options
        .read(true)
        .custom_flags((OFlags::NONBLOCK | OFlags::NOFOLLOW).bits().cast_signed());
    let mut file = dir
        .open_with(relative, &options)
        .map_err(|e| Error::io(shown, e))?;
    let meta = file.metadata().map_err(|e| Error::io(shown, e))?;
    if !meta.is_file() {
        return Err(Error::Blocked {
            path: shown.to_owned(),
            reason: format!(
                "it is {}, not a regular file; remove it first",
                special_kind(&meta.file_type())
            ),
        });
    }
    let mut contents = Vec::new();
    file.read_to_end(&mut contents)
        .map_err(|e| Error::io(shown, e))?;
    Ok((contents, meta.mode() & 0o111 != 0))
}

/// The last component of a destination and the directory that holds it.
pub(crate) fn split(destination: &Path) -> (PathBuf, Option<OsString>) {
    let parent = match destination.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    (parent, destination.file_name().map(ToOwned::to_owned))
}

/// The nearest of `dir` and its ancestors that exists, and the names of the missing folders from
/// there down to `dir`, outermost first: what a run must create to write into `dir`.
pub(crate) fn nearest_existing(dir: &Path) -> std::io::Result<(PathBuf, Vec<OsString>)> {
    let mut missing = Vec::new();
    let mut current = dir.to_owned();
    loop {
        match std::fs::symlink_metadata(&current) {
            Ok(_) => break,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let (parent, name) = split(&current);
                // A path ending in `..` below a missing folder: opening it reports the error.
                let Some(name) = name else { break };
                missing.push(name);
                current = parent;
            }
            Err(e) => return Err(e),
        }
    }
    missing.reverse();
    Ok((current, missing))
}
