//! Git for generated projects: `git init` and the first commit, with git2. Knows nothing of
//! templates; it commits whatever the directory holds (respecting its .gitignore).

use std::path::Path;

use git2::{IndexAddOption, Repository, RepositoryInitOptions, Signature};

use crate::core::error::{Error, Result};

/// The author used when git config names nobody.
const FALLBACK_NAME: &str = "groundwork";
const FALLBACK_EMAIL: &str = "groundwork@localhost";

#[derive(Debug, Clone)]
pub struct Commit {
    pub id: String,
    pub branch: String,
    /// False when git config had no user and the fallback author was used.
    pub author_from_config: bool,
}

/// The user's `user.name` and `user.email` from git's global and system configuration, each
/// `None` when unset or empty (or when there is no configuration to read).
pub(crate) fn user_identity() -> (Option<String>, Option<String>) {
    let Ok(config) = git2::Config::open_default() else {
        return (None, None);
    };
    let get = |key: &str| {
        config
            .get_string(key)
            .ok()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    (get("user.name"), get("user.email"))
}

/// Whether `dir` is already inside a git work tree.
pub(crate) fn is_repository(dir: &Path) -> bool {
    Repository::discover(dir).is_ok_and(|repo| repo.workdir().is_some())
}

/// Whether `dir` holds its own repository (`dir/.git`) whose HEAD has no commit yet.
pub(crate) fn is_unborn(dir: &Path) -> bool {
    Repository::open(dir).is_ok_and(|repo| {
        repo.workdir().is_some()
            && repo
                .head()
                .is_err_and(|e| e.code() == git2::ErrorCode::UnbornBranch)
    })
}

/// Initialises a repository in `dir` (or opens the one there) and commits everything in it, or only the files `only` names
/// (literal `/`-separated paths, never patterns). Ignored files are left out either way.
pub(crate) fn init_and_commit(dir: &Path, message: &str, only: Option<&[&str]>) -> Result<Commit> {
    let fail = |source| Error::Git {
        path: dir.to_owned(),
        source,
    };
    let branch = git2::Config::open_default()
        .and_then(|c| c.get_string("init.defaultBranch"))
        .unwrap_or_else(|_| "main".to_owned());
    let mut options = RepositoryInitOptions::new();
    options.initial_head(&branch);
    // A repository already there (one without commits, or a forced write would not commit) is
    // opened, not initialised again: re-initialising rewrites `.git/config`, which a rollback
    // would then have to restore too.
    let repo = match Repository::open(dir) {
        Ok(repo) if repo.workdir().is_some() => repo,
        _ => Repository::init_opts(dir, &options).map_err(fail)?,
    };

    let mut index = repo.index().map_err(fail)?;
    match only {
        None => index.add_all(["*"], IndexAddOption::DEFAULT, None),
        Some(paths) => index.add_all(paths, IndexAddOption::DISABLE_PATHSPEC_MATCH, None),
    }
    .map_err(fail)?;
    index.write().map_err(fail)?;
    // The tests' faults come once the index is written: the most a failure can leave to undo.
    if crate::core::fault::git_fault_injected() {
        return Err(Error::InjectedGitFault);
    }
    if crate::core::fault::git_abort_injected() {
        std::process::abort();
    }
    let tree_id = index.write_tree().map_err(fail)?;
    let tree = repo.find_tree(tree_id).map_err(fail)?;

    let (signature, author_from_config) = match repo.signature() {
        Ok(signature) => (signature, true),
        Err(_) => (
            Signature::now(FALLBACK_NAME, FALLBACK_EMAIL).map_err(fail)?,
            false,
        ),
    };
    let id = repo
        .commit(Some("HEAD"), &signature, &signature, message, &tree, &[])
        .map_err(fail)?;
    // The branch HEAD names: in a repository that was already there, whatever it was made with,
    // not necessarily `init.defaultBranch`.
    let branch = repo
        .head()
        .ok()
        .and_then(|head| head.shorthand().ok().map(str::to_owned))
        .unwrap_or(branch);
    Ok(Commit {
        id: id.to_string(),
        branch,
        author_from_config,
    })
}

/// The files below `dir` (relative, `/`-separated) that [`init_and_commit`] changes in the
/// repository `dir` already holds, so a rollback can put them back: the index (and its lock), and
/// the branch HEAD names, which the first commit creates. Empty when `dir` holds no repository of
/// its own: then the whole `.git` is the run's.
pub(crate) fn files_a_commit_changes(dir: &Path) -> Vec<String> {
    let Ok(repo) = Repository::open(dir) else {
        return Vec::new();
    };
    if repo.workdir().is_none() || !dir.join(".git").is_dir() {
        return Vec::new();
    }
    let mut files = vec![".git/index".to_owned(), ".git/index.lock".to_owned()];
    if let Ok(head) = repo.find_reference("HEAD")
        && let Ok(Some(target)) = head.symbolic_target()
        && target.starts_with("refs/heads/")
    {
        files.push(format!(".git/{target}"));
    }
    files
}

/// What git has not committed in the work tree containing a folder (ignored files do not count).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Uncommitted {
    /// Tracked files changed in the index or the work tree (staged new files too), relative to
    /// the work tree's root.
    pub tracked: Vec<String>,
    /// Untracked files below the folder, relative to it.
    pub untracked: Vec<String>,
}

/// What is not committed in the git work tree containing `dir` (nothing when `dir` is not in a
/// work tree).
pub(crate) fn uncommitted(dir: &Path) -> Result<Uncommitted> {
    let Ok(repo) = Repository::discover(dir) else {
        return Ok(Uncommitted::default());
    };
    let Some(workdir) = repo.workdir() else {
        return Ok(Uncommitted::default());
    };
    let fail = |source| Error::Git {
        path: dir.to_owned(),
        source,
    };
    // Where `dir` lies in the work tree, as a prefix of git's `/`-separated paths (`None` when
    // it cannot be told: then no untracked file is taken for one of `dir`'s).
    let prefix = match (dir.canonicalize(), workdir.canonicalize()) {
        (Ok(dir), Ok(workdir)) => dir.strip_prefix(&workdir).ok().map(|relative| {
            let mut prefix = relative.to_string_lossy().into_owned();
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix
        }),
        _ => None,
    };
    let mut options = git2::StatusOptions::new();
    options
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false);
    let statuses = repo.statuses(Some(&mut options)).map_err(fail)?;
    let mut found = Uncommitted::default();
    for entry in statuses.iter() {
        let status = entry.status();
        let Ok(path) = entry.path() else { continue };
        if status.is_ignored() {
            continue;
        }
        if status == git2::Status::WT_NEW {
            if let Some(inside) = prefix.as_deref().and_then(|p| path.strip_prefix(p)) {
                found.untracked.push(inside.to_owned());
            }
        } else {
            found.tracked.push(path.to_owned());
        }
    }
    Ok(found)
}

/// Paths for a message: the first three, then how many more.
pub(crate) fn summary(paths: &[String]) -> String {
    let mut summary = paths.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
    if paths.len() > 3 {
        summary = format!("{summary} and {} more", paths.len() - 3);
    }
    summary
}
