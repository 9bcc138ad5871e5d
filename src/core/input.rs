//! Reading the small files groundwork takes as input from a project or from the user: a
//! project's answers file (`.groundwork.toml`) and `.cruft.json`, and `--data-file`. Whatever
//! stands at such a path, reading it can neither hang nor fill the memory: the file is opened
//! without blocking (a FIFO opens at once instead of waiting for a writer that may never come),
//! without following a symlink where the file belongs to a project, and refused unless what was
//! opened is a regular file (checked on the open handle, so nothing swapped in between the check
//! and the read gets through); and no more than [`MAX_INPUT_BYTES`] are read (a `/dev/zero`-like
//! file that grows without end is cut off and refused).

use std::io::Read as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

use rustix::fs::OFlags;

use crate::core::error::{Error, Result};

/// The most groundwork reads from one answers, data or `.cruft.json` file: 16 MiB, thousands of
/// times what a real one holds.
pub(crate) const MAX_INPUT_BYTES: u64 = 16 << 20;

/// Whether a symlink at the path is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Symlinks {
    /// Followed: a path the user gave (`--data-file`), where a link is theirs to make.
    Follow,
    /// Refused: a file inside a project, which groundwork never reads through a symlink.
    Refuse,
}

/// The text of the regular file at `path` (`what` names it in the size error, e.g. "an answers
/// file"); `Ok(None)` when nothing is there.
pub(crate) fn read_text(path: &Path, symlinks: Symlinks, what: &str) -> Result<Option<String>> {
    let Some(bytes) = read(path, symlinks, what)? else {
        return Ok(None);
    };
    String::from_utf8(bytes).map(Some).map_err(|_| {
        Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text"),
        )
    })
}

/// The bytes of the regular file at `path`, at most [`MAX_INPUT_BYTES`]; `Ok(None)` when nothing
/// is there.
pub(crate) fn read(path: &Path, symlinks: Symlinks, what: &str) -> Result<Option<Vec<u8>>> {
    let read = read_limited(path, symlinks, MAX_INPUT_BYTES, |_| Error::InputTooLarge {
        path: path.to_owned(),
        limit: MAX_INPUT_BYTES,
        what: what.to_owned(),
    })?;
    Ok(read.map(|(bytes, _)| bytes))
}

/// The bytes and permission bits of the regular file at `path`, read the same careful way as
/// [`read`] but bounded by `limit` bytes, for files whose bound is not an input's (a template's
/// files, held to the per-file render limit). A file over `limit` is refused with
/// `too_large(its size)` before anything is read, its size taken from the open handle; one that
/// grows past `limit` while it is read is refused the same way. `Ok(None)` when nothing is there.
pub(crate) fn read_limited(
    path: &Path,
    symlinks: Symlinks,
    limit: u64,
    too_large: impl Fn(u64) -> Error,
) -> Result<Option<(Vec<u8>, u32)>> {
    use std::os::unix::fs::PermissionsExt as _;
    // A look before opening: opening some devices has effects of its own (a tape rewinds, a
    // terminal becomes the controlling one), so the common case never opens them at all.
    let looked = match symlinks {
        Symlinks::Follow => std::fs::metadata(path),
        Symlinks::Refuse => std::fs::symlink_metadata(path),
    };
    match looked {
        Ok(meta) if !meta.is_file() => return Err(not_regular(path, meta.file_type())),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    }
    let mut flags = OFlags::NONBLOCK | OFlags::NOCTTY;
    if symlinks == Symlinks::Refuse {
        flags |= OFlags::NOFOLLOW;
    }
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags.bits().cast_signed())
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        // O_NOFOLLOW on a symlink (put there since the look above).
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
            return Err(Error::NotARegularFile {
                path: path.to_owned(),
                kind: "a symlink".into(),
            });
        }
        Err(e) => return Err(Error::io(path, e)),
    };
    // What was opened is what is read: the handle's type decides, whatever the path shows now.
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(not_regular(path, meta.file_type()));
    }
    if meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    // One byte more than the bound tells a file at the bound from one that grew past it.
    let mut bytes = Vec::new();
    (&file)
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > limit {
        // It grew while it was read: its size now, which is past the bound.
        let size = file.metadata().map_or(bytes.len() as u64, |m| m.len());
        return Err(too_large(size.max(bytes.len() as u64)));
    }
    Ok(Some((bytes, meta.permissions().mode())))
}

fn not_regular(path: &Path, file_type: std::fs::FileType) -> Error {
    Error::NotARegularFile {
        path: path.to_owned(),
        kind: crate::core::input::special_kind(&file_type).to_owned(),
    }
}

/// "a FIFO", "a socket", "a device", ...: what a file that is neither a regular file, a directory
/// nor a symlink is, in words.
pub(crate) fn special_kind(file_type: &impl SpecialKind) -> &'static str {
    file_type.kind()
}

/// File types that can name their special kind (std's and cap-std's).
pub(crate) trait SpecialKind {
    fn kind(&self) -> &'static str;
}

macro_rules! special_kind {
    ($ty:ty, $ext:path) => {
        impl SpecialKind for $ty {
            fn kind(&self) -> &'static str {
                use $ext as _;
                if self.is_fifo() {
                    "a FIFO (named pipe)"
                } else if self.is_socket() {
                    "a socket"
                } else if self.is_char_device() {
                    "a character device"
                } else if self.is_block_device() {
                    "a block device"
                } else if self.is_symlink() {
                    "a symlink"
                } else if self.is_dir() {
                    "a directory"
                } else {
                    "not a regular file"
                }
            }
        }
    };
}

special_kind!(std::fs::FileType, std::os::unix::fs::FileTypeExt);

special_kind!(cap_std::fs::FileType, cap_std::fs::FileTypeExt);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_is_read_and_a_missing_one_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.toml");
        std::fs::write(&path, "a = 1\n").unwrap();
        assert_eq!(
            read_text(&path, Symlinks::Refuse, "an answers file").unwrap(),
            Some("a = 1\n".to_owned())
        );
        let missing = dir.path().join("missing.toml");
        assert!(
            read_text(&missing, Symlinks::Follow, "a data file")
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_symlink_is_followed_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("real.toml"), "a = 1\n").unwrap();
        let link = dir.path().join("link.toml");
        std::os::unix::fs::symlink("real.toml", &link).unwrap();
        assert!(read(&link, Symlinks::Follow, "a data file").is_ok());
        let error = read(&link, Symlinks::Refuse, "an answers file").unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "cannot read {}: it is a symlink, not a regular file",
                link.display()
            )
        );
    }

    #[test]
    fn a_device_is_refused_without_reading_it() {
        let error = read(Path::new("/dev/zero"), Symlinks::Follow, "a data file").unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot read /dev/zero: it is a character device, not a regular file"
        );
    }

    #[test]
    fn a_file_over_the_bound_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(MAX_INPUT_BYTES + 1).unwrap();
        let error = read(&path, Symlinks::Follow, "a data file").unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "cannot read {}: it holds more than 16777216 bytes, the most groundwork reads from a data file",
                path.display()
            )
        );
    }
}
