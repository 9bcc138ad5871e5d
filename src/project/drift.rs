//! How far a project on disk is from a pristine render: the files whose bytes or executable bit
//! differ, and the ones that are gone. `diff` shows them; `adopt` counts them. What `update`
//! treats as the team's work is exactly this set.

use std::path::Path;

use crate::core::error::Result;
use crate::core::file::FileState;
use crate::core::tree::Tree;
use crate::write::plan;

/// One file of a pristine render that the disk does not match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Drifted {
    pub path: String,
    /// What the render gives.
    pub pristine: FileState,
    /// What the disk holds; `None` when the file is absent.
    pub ours: Option<FileState>,
}

/// The files of `tree` that differ on disk below `root` (contents or executable bit; the exact
/// mode is not compared) or are absent, in the tree's order. Never reads through a symlink.
pub(crate) fn drift(root: &Path, tree: &Tree) -> Result<Vec<Drifted>> {
    let reader = plan::Reader::open(root)?;
    let mut drifted = Vec::new();
    for (path, entry) in tree.iter() {
        let pristine = FileState::from(entry);
        let ours = reader.read(path)?;
        if ours.as_ref() != Some(&pristine) {
            drifted.push(Drifted {
                path: path.to_owned(),
                pristine,
                ours,
            });
        }
    }
    Ok(drifted)
}
