//! Which project a command run inside it means, as git finds its repository: the nearest folder,
//! from the one given upward, that holds the answers file. The search stops at the root of the
//! git repository (the folder holding `.git`) or of the file system. Reads; never writes.

use std::path::{Component, Path, PathBuf};

use crate::core::error::{Error, Result};
use crate::template::answers::ANSWERS_FILE;

/// The root of the project `start` lies in: `start` itself when it holds the answers file (the
/// path as given, so reports name it as before), else the nearest folder above it that does.
pub(crate) fn project_root(start: &Path) -> Result<PathBuf> {
    // A mistyped path is an error, not a place to search upward from (it would find the project
    // the mistake was made in).
    match start.metadata() {
        Err(e) => return Err(Error::io(start, e)),
        Ok(meta) if !meta.is_dir() => {
            return Err(Error::io(
                start,
                std::io::Error::from(std::io::ErrorKind::NotADirectory),
            ));
        }
        Ok(_) => {}
    }
    if holds(start, ANSWERS_FILE) {
        return Ok(start.to_owned());
    }
    if holds(start, ".git") {
        return Err(not_found(start, Searched::Itself));
    }
    // Walk the parents of the path the shell would mean; `..` is resolved on disk first, since
    // its lexical parent is not the folder above.
    let walked = if start.components().any(|c| c == Component::ParentDir) {
        start.canonicalize().unwrap_or_else(|_| start.to_owned())
    } else {
        start.to_owned()
    };
    for dir in walked.ancestors().skip(1) {
        if holds(dir, ANSWERS_FILE) {
            return Ok(dir.to_owned());
        }
        if holds(dir, ".git") {
            return Err(not_found(start, Searched::UpTo(dir)));
        }
    }
    Err(not_found(start, Searched::Everywhere))
}

/// Whether `dir` has an entry `name`, of any kind (a symlink too: reading it then says what is
/// wrong with it).
fn holds(dir: &Path, name: &str) -> bool {
    dir.join(name).symlink_metadata().is_ok()
}

#[derive(Clone, Copy)]
enum Searched<'a> {
    /// `start` is the root of its repository.
    Itself,
    /// The repository root above `start`.
    UpTo(&'a Path),
    /// Up to the root of the file system.
    Everywhere,
}

fn not_found(start: &Path, searched: Searched<'_>) -> Error {
    let searched = match searched {
        Searched::Itself => format!(
            "it has no {ANSWERS_FILE}, and the search stops there, at the root of its git repository"
        ),
        Searched::UpTo(root) => format!(
            "neither it nor a folder above it up to its git repository's root {} has a {ANSWERS_FILE}",
            root.display()
        ),
        Searched::Everywhere => {
            format!("neither it nor any folder above it has a {ANSWERS_FILE}")
        }
    };
    Error::NoProject {
        path: start.to_owned(),
        searched,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_answers_file_upward_wins_and_git_stops_the_search() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let project = root.join("repo/proj");
        std::fs::create_dir_all(project.join("src/pkg")).unwrap();
        std::fs::create_dir_all(root.join("repo/.git")).unwrap();
        std::fs::write(project.join(ANSWERS_FILE), "").unwrap();
        assert_eq!(project_root(&project).unwrap(), project);
        assert_eq!(project_root(&project.join("src/pkg")).unwrap(), project);
        assert_eq!(
            project_root(&project.join("src/pkg/../pkg")).unwrap(),
            project.canonicalize().unwrap()
        );
        // Above the project, inside the repository: the search stops at the repository's root,
        // even though a folder above it holds an answers file.
        std::fs::write(root.join(ANSWERS_FILE), "").unwrap();
        std::fs::create_dir_all(root.join("repo/other")).unwrap();
        let error = project_root(&root.join("repo/other")).unwrap_err();
        assert!(
            matches!(&error, Error::NoProject { searched, .. } if searched.contains("up to its git repository's root")),
            "{error}"
        );
        let error = project_root(&root.join("repo")).unwrap_err();
        assert!(
            matches!(&error, Error::NoProject { searched, .. } if searched.contains("at the root of its git repository")),
            "{error}"
        );
        // A path that is not a folder is an error, not a place to search from.
        assert!(matches!(
            project_root(&project.join("src/pkgx")),
            Err(Error::Io { .. })
        ));
        // Outside any repository the search goes on upward.
        std::fs::create_dir_all(root.join("plain/deep")).unwrap();
        assert_eq!(project_root(&root.join("plain/deep")).unwrap(), root);
    }
}
