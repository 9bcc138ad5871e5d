//! Reading a template's files: the built-in templates embedded in the binary, and one file of a
//! template on disk within the size limit. Below both the source loaders and the release store.

use std::path::Path;

use include_dir::{Dir, include_dir};

use crate::core::error::{Error, Result};
use crate::template::manifest::MANIFEST_FILE;

pub(crate) static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

pub(crate) fn builtin_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = BUILTIN
        .dirs()
        .filter(|dir| dir.get_file(dir.path().join(MANIFEST_FILE)).is_some())
        .filter_map(|dir| dir.path().to_str())
        .collect();
    names.sort_unstable();
    names
}

/// Reads a regular file of a template: its bytes and permission bits. Opens without blocking and
/// checks the type of what was opened, so a FIFO or device swapped in after the walk is an error
/// instead of a hang or an endless read; and refuses a file over the per-file limit before
/// reading it (its size from the open handle), worded as for a git blob, so a huge file costs
/// neither the time nor the memory to read it.
pub(crate) fn read_file(path: &Path) -> Result<(Vec<u8>, u32)> {
    let limits = crate::dialect::native::Limits::try_from_env()?;
    let too_large = |size| Error::RenderLimit {
        path: path.display().to_string(),
        message: limits.file_over(size).unwrap_or_default(),
    };
    crate::core::input::read_limited(
        path,
        crate::core::input::Symlinks::Follow,
        limits.file,
        too_large,
    )?
    .ok_or_else(|| Error::io(path, std::io::ErrorKind::NotFound.into()))
}
