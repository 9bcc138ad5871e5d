//! One file's state and what a run does to it: its bytes and mode ([`FileState`]), the action a
//! plan or an update reports for it ([`Action`]), whether its bytes are text, and the text forms of
//! a file's digest and path that every layer shares.

use crate::core::tree::Entry;

/// What an operation means to the user; printed in plans and update reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `new`: a file that did not exist.
    Create,
    /// `new --force`: a file replaced by the template's.
    Overwrite,
    /// Already as it should be.
    Unchanged,
    /// `new --skip-if-file-exists`: a file that exists is left as it is.
    Skipped,
    /// `update`: the template's new version taken (the user had not changed the file).
    Updated,
    /// `update`: both sides changed and the line merge was clean.
    Merged,
    /// `update`: needs the user: conflict markers, a kept edit of a deleted file, or a file beside.
    Conflict,
    /// `update`: the user's version kept (only the user changed it).
    Kept,
    /// `update`: new in the template.
    Added,
    /// `update`: the template dropped it and the user had not changed it.
    Removed,
    /// `update`: the user deleted it, and it stays deleted.
    LeftDeleted,
    /// `update`: the template moved it here from `from` (the user's edits go with it).
    Moved { from: String },
}

impl Action {
    pub fn label(&self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Overwrite => "overwrite",
            Action::Unchanged => "unchanged",
            Action::Skipped => "skipped",
            Action::Updated => "updated",
            Action::Merged => "merged",
            Action::Conflict => "conflict",
            Action::Kept => "kept",
            Action::Added => "added",
            Action::Removed => "removed",
            Action::LeftDeleted => "left deleted",
            Action::Moved { .. } => "moved",
        }
    }
}

/// A file's bytes and executable bit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileState {
    pub contents: Vec<u8>,
    pub executable: bool,
    /// Permission bits other than the usual 0644/0755 (see [`crate::core::tree::file_mode`]); `None`
    /// for a file read from the destination, whose exact mode is not compared.
    pub mode: Option<u32>,
}

/// Whether `bytes` can be rendered or merged as text: UTF-8 without NUL bytes. Other files are
/// copied as they are; a `*.tera` file that is not text is an error.
pub(crate) fn is_text(bytes: &[u8]) -> bool {
    !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok()
}

/// Lower-case hexadecimal of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, byte| {
            let _ = write!(out, "{byte:02x}");
            out
        })
}

/// The SHA-256 of `bytes`, in hexadecimal.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex(&sha2::Sha256::digest(bytes))
}

/// A relative path as a template or a tree names it: its components joined by `/`.
pub(crate) fn slash_path(path: &std::path::Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// A rendered entry as `update` merges and compares it: contents and the executable bit (a
/// particular mode a cookiecutter template gave a file is written by `new` only, see
/// [`FileState::exact`]).
impl From<&Entry> for FileState {
    fn from(entry: &Entry) -> Self {
        FileState {
            mode: None,
            contents: entry.contents.clone(),
            executable: entry.executable,
        }
    }
}

impl FileState {
    /// A rendered entry with the exact mode the template gave it: what `new` writes.
    pub fn exact(entry: &Entry) -> FileState {
        FileState {
            mode: entry.mode,
            ..FileState::from(entry)
        }
    }
}
