//! Git templates: a bare clone per repository in a cache, fetched on every use, versions from
//! semver tags, and a template read straight out of a commit's tree in memory.
//! Only git2 is used: no `git` process is ever started (users' PATHs hold anything), and nothing
//! is checked out, so a template's files never touch the disk outside the object database.
//! A repository on this machine is fetched by copying its object files ([`local`]), never through
//! libgit2's local transport, which reads every object whole.

mod local;

use std::collections::BTreeSet;
use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use git2::{
    AutotagOption, Cred, CredentialType, FetchOptions, FetchPrune, ObjectType, Oid,
    RemoteCallbacks, Repository, Tree,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sha2::{Digest as _, Sha256};

use super::{Available, Loaded, hex};
use crate::core::error::{Error, Result};
use crate::dialect::Template;
use crate::dialect::registry;
use crate::source::release::STORE_DIR;
use crate::template::TemplateFile;
use crate::template::manifest::{self, MANIFEST_FILE};
use crate::template::provenance::Provenance;

/// The remote every cached clone fetches from; the name git users expect to see.
const REMOTE: &str = "origin";
const BRANCHES: &str = "+refs/heads/*:refs/remotes/origin/*";
const TAGS: &str = "+refs/tags/*:refs/tags/*";
const REMOTE_HEAD: &str = "refs/remotes/origin/HEAD";

/// Credential attempts before giving up: libgit2 calls back again after every rejected
/// credential, and would loop forever on a helper that keeps returning the same wrong one.
const MAX_CREDENTIAL_ATTEMPTS: usize = 4;
/// Links followed from one symlink before calling it a loop.
const MAX_LINKS: usize = 16;

const MODE_SYMLINK: i32 = 0o120_000;
const MODE_EXECUTABLE: i32 = 0o100_755;

/// Where cached clones live: `$GROUNDWORK_CACHE_DIR`, else the user cache `groundwork/git`.
pub(crate) fn cache_root() -> Result<PathBuf> {
    if let Some(dir) = crate::core::env::CACHE_DIR.value() {
        return Ok(PathBuf::from(dir));
    }
    dirs::cache_dir()
        .map(|dir| dir.join("groundwork").join("git"))
        .ok_or(Error::NoCacheDir)
}

/// Loads the template of `url` at `reference`, caching the clone under `cache`.
pub(super) fn load(
    url: &str,
    subdir: Option<&str>,
    reference: Option<&str>,
    cache: &Path,
) -> Result<Loaded> {
    let synced = sync(url, cache)?;
    let repo = &synced.repo;
    let mut warnings = Vec::new();
    let resolved = match reference {
        None => default_commit(repo, url, subdir),
        Some(_) => resolve(repo, url, reference),
    };
    let oid = match (resolved, &synced.fetch_error) {
        (Ok(oid), None) => oid,
        (Ok(oid), Some(fetch_error)) => {
            warnings.push(format!(
                "could not fetch {url} ({fetch_error}); using the cached copy, which may be out of date"
            ));
            oid
        }
        (Err(resolve_error), Some(fetch_error)) => {
            return Err(Error::GitFetch {
                url: url.to_owned(),
                message: format!(
                    "{fetch_error} (and the cached copy cannot serve: {resolve_error})"
                ),
            });
        }
        (Err(resolve_error), None) => return Err(resolve_error),
    };
    let template = read_template(repo, url, oid, subdir)?;
    // A template in a subfolder may share its repository's tags with others (a monorepo of
    // templates): only a template at the root owns them.
    if subdir.is_none() && !template.dialect.follows_branch() {
        check_tags_agree(repo, url, oid, &template.manifest.version)?;
    }
    Ok(Loaded {
        provenance: Provenance {
            source: url.to_owned(),
            version: template.manifest.version.clone(),
            commit: Some(oid.to_string()),
            digest: None,
            subdir: subdir.map(str::to_owned),
        },
        template,
        warnings,
    })
}

/// Every semver tag of `url`, ascending, after a fetch. A failed fetch is an error here: a stale
/// list would silently answer "no newer version", and this signature has no room for a warning.
pub(super) fn versions(url: &str, cache: &Path) -> Result<Vec<Available>> {
    let synced = sync(url, cache)?;
    if let Some(e) = synced.fetch_error {
        return Err(fetch_error(url, &e));
    }
    Ok(version_tags(&synced.repo, url)?
        .into_iter()
        .map(|(version, reference)| Available { version, reference })
        .collect())
}

/// A cached clone, and why fetching into it failed if it did (the cache may still serve).
struct Synced {
    repo: Repository,
    fetch_error: Option<FetchError>,
}

/// Why bringing a cached clone up to date failed.
#[derive(Debug, thiserror::Error)]
enum FetchError {
    /// libgit2's message alone: its `Display` adds class and code, which mean nothing to users.
    #[error("{}", .0.message())]
    Git(#[from] git2::Error),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{name} names object {id}, which is in none of the repository's object folders")]
    MissingObject { name: String, id: Oid },
    #[error("interrupted")]
    Interrupted,
}

impl FetchError {
    fn io(path: &Path, source: std::io::Error) -> FetchError {
        FetchError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// The cached bare clone of `url`, created or brought up to date.
fn sync(url: &str, cache: &Path) -> Result<Synced> {
    let dir = cache.join(cache_name(url));
    if !dir.exists() {
        let repo = clone_fresh(url, cache, &dir)?;
        remember_fetch(&dir);
        return Ok(Synced {
            repo,
            fetch_error: None,
        });
    }
    let repo = Repository::open_bare(&dir).map_err(|e| Error::GitTemplate {
        url: url.to_owned(),
        message: format!(
            "the cached clone {} cannot be opened ({}); delete it to clone again",
            dir.display(),
            e.message()
        ),
    })?;
    let cached_url = repo
        .find_remote(REMOTE)
        .ok()
        .and_then(|r| r.url().ok().map(str::to_owned));
    if cached_url.as_deref() != Some(url) {
        return Err(Error::GitTemplate {
            url: url.to_owned(),
            message: format!(
                "the cache directory {} holds a clone of {}; delete it to clone again",
                dir.display(),
                cached_url.as_deref().unwrap_or("another repository")
            ),
        });
    }
    // One command loads a template up to three times (`update`: base and new version; `check`:
    // base, versions, newest): the remote is asked once per run.
    if fetched_this_run(&dir) {
        return Ok(Synced {
            repo,
            fetch_error: None,
        });
    }
    let fetch_error = fetch(&repo, url).err();
    if fetch_error.is_some() && crate::core::interrupt::interrupted() {
        return Err(Error::Interrupted);
    }
    if fetch_error.is_none() {
        remember_fetch(&dir);
    }
    Ok(Synced { repo, fetch_error })
}

/// Cache clones this process has already cloned or fetched successfully.
static FETCHED: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

fn fetched_this_run(dir: &Path) -> bool {
    FETCHED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .contains(dir)
}

fn remember_fetch(dir: &Path) {
    FETCHED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(dir.to_owned());
}

/// The cache directory name of `url`: short, filesystem-safe, and stable across runs.
pub(super) fn cache_name(url: &str) -> String {
    let digest = Sha256::digest(url.as_bytes());
    format!("{}.git", hex(&digest[..8]))
}

/// Clones into a staging directory beside the cache and renames it into place, so a failed or
/// interrupted first clone leaves nothing behind and two concurrent clones cannot mix.
fn clone_fresh(url: &str, cache: &Path, dir: &Path) -> Result<Repository> {
    fs::create_dir_all(cache).map_err(|e| Error::io(cache, e))?;
    let staging = tempfile::Builder::new()
        .prefix(".clone-")
        .tempdir_in(cache)
        .map_err(|e| Error::io(cache, e))?;
    let cache_error = |e: git2::Error| Error::Git {
        path: staging.path().to_owned(),
        source: e,
    };
    {
        let repo = Repository::init_bare(staging.path()).map_err(cache_error)?;
        repo.remote_with_fetch(REMOTE, url, BRANCHES)
            .map_err(cache_error)?;
        repo.remote_add_fetch(REMOTE, TAGS).map_err(cache_error)?;
        fetch(&repo, url).map_err(|e| {
            if crate::core::interrupt::interrupted() {
                Error::Interrupted
            } else {
                fetch_error(url, &e)
            }
        })?;
    }
    let staged = staging.keep();
    if let Err(e) = fs::rename(&staged, dir) {
        // Another run finished the same clone first: use theirs.
        let _ = fs::remove_dir_all(&staged);
        if !dir.is_dir() {
            return Err(Error::io(dir, e));
        }
    }
    Repository::open_bare(dir).map_err(|e| Error::Git {
        path: dir.to_owned(),
        source: e,
    })
}

fn fetch_error(url: &str, e: &FetchError) -> Error {
    Error::GitFetch {
        url: url.to_owned(),
        message: e.to_string(),
    }
}

/// Fetches every branch and tag of `origin`, pruning what the remote deleted, and records the
/// remote's HEAD so the default branch is known offline too. A repository on this machine is
/// fetched by copying its object files, so that no object is read before its size is checked.
fn fetch(repo: &Repository, url: &str) -> Result<(), FetchError> {
    match local::repository_path(url) {
        Some(dir) => local::fetch(repo, &dir),
        None => fetch_remote(repo, url),
    }
}

/// [`fetch`] through libgit2's transports (https, ssh, git).
fn fetch_remote(repo: &Repository, url: &str) -> Result<(), FetchError> {
    let mut remote = repo.find_remote(REMOTE)?;
    let bar = progress_bar(url);
    let mut callbacks = RemoteCallbacks::new();
    callbacks.credentials(credentials());
    let shown = bar.clone();
    callbacks.transfer_progress(move |progress| {
        if let Some(bar) = &shown {
            bar.set_length(u64::try_from(progress.total_objects()).unwrap_or(u64::MAX));
            bar.set_position(u64::try_from(progress.received_objects()).unwrap_or(u64::MAX));
        }
        // Returning false cancels the transfer: Ctrl-C must not wait for a large clone.
        !crate::core::interrupt::interrupted()
    });
    let mut options = FetchOptions::new();
    options
        .remote_callbacks(callbacks)
        .download_tags(AutotagOption::All)
        .prune(FetchPrune::On);
    let result = remote.fetch::<&str>(&[], Some(&mut options), None);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    result?;
    // The advertised refs stay readable after the fetch disconnects (libgit2's clone relies on
    // the same). Without a HEAD the default branch is guessed later, so failing here is not fatal.
    if let Ok(heads) = remote.list()
        && let Some(head) = heads.iter().find(|h| h.name() == "HEAD")
    {
        let branch = head
            .symref_target()
            .and_then(|t| t.strip_prefix("refs/heads/"));
        set_remote_head(repo, branch, head.oid())?;
    }
    Ok(())
}

/// Records the remote's HEAD in the cached clone: the branch it names, else the commit it is at
/// (detached); nothing for a zero id (an empty repository).
fn set_remote_head(repo: &Repository, branch: Option<&str>, id: Oid) -> Result<(), git2::Error> {
    let message = "groundwork: remote HEAD";
    match branch {
        Some(branch) => {
            let target = format!("refs/remotes/{REMOTE}/{branch}");
            repo.reference_symbolic(REMOTE_HEAD, &target, true, message)?;
        }
        None if !id.is_zero() => {
            repo.reference(REMOTE_HEAD, id, true, message)?;
        }
        None => {}
    }
    Ok(())
}

/// A bar of received objects on stderr, only for a person watching a terminal.
fn progress_bar(url: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} objects") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(format!("fetching {url}"));
    Some(bar)
}

/// Credentials in the order a git user expects: ssh-agent, then the usual key files for ssh;
/// git's credential helpers for https; a bounded number of tries in all.
fn credentials() -> impl FnMut(&str, Option<&str>, CredentialType) -> Result<Cred, git2::Error> {
    let mut attempts = 0;
    let mut ssh_keys = ssh_key_files().into_iter();
    move |url, username, allowed| {
        attempts += 1;
        if attempts > MAX_CREDENTIAL_ATTEMPTS {
            return Err(git2::Error::from_str(&format!(
                "authentication failed after {MAX_CREDENTIAL_ATTEMPTS} attempts"
            )));
        }
        if allowed.contains(CredentialType::USERNAME) {
            return Cred::username(username.unwrap_or("git"));
        }
        if allowed.contains(CredentialType::SSH_KEY) {
            let user = username.unwrap_or("git");
            if attempts == 1 {
                return Cred::ssh_key_from_agent(user);
            }
            if let Some(key) = ssh_keys.next() {
                return Cred::ssh_key(user, None, &key, None);
            }
        }
        // The user's `credential.helper`, run by git2: a helper named like `store` runs as
        // `git credential-store`. That is the one way a git process can start here, and only
        // when an https server asks for a password and the user configured such a helper.
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT)
            && let Ok(config) = git2::Config::open_default()
            && let Ok(cred) = Cred::credential_helper(&config, url, username)
        {
            return Ok(cred);
        }
        if allowed.contains(CredentialType::DEFAULT) {
            return Cred::default();
        }
        Err(git2::Error::from_str(&format!(
            "no credentials for {url}: use ssh-agent for ssh, or a git credential helper for https"
        )))
    }
}

fn ssh_key_files() -> Vec<PathBuf> {
    let Some(home) = dirs::home_dir() else {
        return Vec::new();
    };
    ["id_ed25519", "id_ecdsa", "id_rsa"]
        .iter()
        .map(|name| home.join(".ssh").join(name))
        .filter(|path| path.is_file())
        .collect()
}

/// Where a template directory's files stand in git, when they stand exactly at a commit.
pub(super) struct CleanCheckout {
    /// The repository's work tree (absolute).
    pub workdir: PathBuf,
    /// The template directory inside it (`None`: the work tree's root).
    pub subdir: Option<String>,
    pub commit: String,
    /// The highest version tag on that commit, else 0.0.0.
    pub version: semver::Version,
}

/// The commit checked out in the git work tree that holds `dir`, when nothing in the work tree
/// differs from it (no modified, staged or untracked files; ignored ones do not count): a template
/// rendered from those files can then be re-read from git later, at that commit.
pub(super) fn clean_checkout(dir: &Path) -> Option<CleanCheckout> {
    let (repo, workdir, subdir) = checkout_of(dir)?;
    let mut options = git2::StatusOptions::new();
    options
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false);
    if !repo.statuses(Some(&mut options)).ok()?.is_empty() {
        return None;
    }
    let head = repo.head().ok()?.peel_to_commit().ok()?.id();
    let url = workdir.display().to_string();
    let version = version_at(&repo, &url, head).ok()?;
    Some(CleanCheckout {
        workdir,
        subdir,
        commit: head.to_string(),
        version,
    })
}

/// Files of the template folder `dir` that a commit of its git work tree would leave out: those
/// git ignores (`"ignored"`) and those it does not track yet (`"untracked"`), template-relative
/// and sorted; empty when `dir` is in no work tree. The `.git` folder and the release store are
/// not template files.
pub(crate) fn left_out_of_commit(dir: &Path) -> Vec<(String, &'static str)> {
    let Some((repo, _, subdir)) = checkout_of(dir) else {
        return Vec::new();
    };
    let mut options = git2::StatusOptions::new();
    options
        .include_ignored(true)
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .recurse_ignored_dirs(true);
    if let Some(subdir) = &subdir {
        options.pathspec(subdir);
    }
    let Ok(statuses) = repo.statuses(Some(&mut options)) else {
        return Vec::new();
    };
    let prefix = subdir.map(|s| format!("{s}/")).unwrap_or_default();
    let mut left: Vec<(String, &'static str)> = statuses
        .iter()
        .filter_map(|entry| {
            let path = entry.path().ok()?.strip_prefix(prefix.as_str())?.to_owned();
            let kind = if entry.status().is_ignored() {
                "ignored"
            } else if entry.status().is_wt_new() {
                "untracked"
            } else {
                return None;
            };
            (!path.starts_with(".groundwork-releases/")).then_some((path, kind))
        })
        .collect();
    left.sort();
    left
}

/// The git work tree holding `dir`: the repository, its work tree (absolute) and where `dir` lies
/// inside it (`None`: the root).
pub(super) fn checkout_of(dir: &Path) -> Option<(Repository, PathBuf, Option<String>)> {
    let repo = Repository::discover(dir).ok()?;
    let workdir = fs::canonicalize(repo.workdir()?).ok()?;
    let relative = fs::canonicalize(dir)
        .ok()?
        .strip_prefix(&workdir)
        .ok()?
        .to_owned();
    let subdir = relative
        .to_str()
        .filter(|s| !s.is_empty())
        .map(|s| s.replace('\\', "/"));
    Some((repo, workdir, subdir))
}

/// A native template's version is its `template.toml`'s; a version tag on the same commit must
/// say the same, or `check` (which lists tags) and `update` (which records the manifest) would
/// disagree for ever.
fn check_tags_agree(
    repo: &Repository,
    url: &str,
    commit: Oid,
    version: &semver::Version,
) -> Result<()> {
    for (tagged, tag) in version_tags(repo, url)? {
        let on_commit = repo
            .revparse_single(&format!("refs/tags/{tag}"))
            .and_then(|o| o.peel_to_commit())
            .is_ok_and(|c| c.id() == commit);
        if on_commit && tagged != *version {
            return Err(Error::TagVersionMismatch {
                url: url.to_owned(),
                tag,
                tagged: tagged.to_string(),
                version: version.to_string(),
            });
        }
    }
    Ok(())
}

/// A cookiecutter template's version at `commit`: the highest version tag on it, else 0.0.0.
fn version_at(repo: &Repository, url: &str, commit: Oid) -> Result<semver::Version> {
    Ok(version_tags(repo, url)?
        .into_iter()
        .filter(|(_, tag)| {
            repo.revparse_single(tag)
                .and_then(|o| o.peel_to_commit())
                .is_ok_and(|c| c.id() == commit)
        })
        .map(|(version, _)| version)
        .next_back()
        .unwrap_or_else(|| semver::Version::new(0, 0, 0)))
}

/// Semver tags (`v1.2.3` or `1.2.3`), ascending; when both spellings name one version, the first
/// in tag-name order (`1.2.3` before `v1.2.3`) stands for it. Other tags are not versions.
fn version_tags(repo: &Repository, url: &str) -> Result<Vec<(semver::Version, String)>> {
    let names = repo.tag_names(None).map_err(|e| Error::GitTemplate {
        url: url.to_owned(),
        message: e.message().to_owned(),
    })?;
    let mut tags: Vec<(semver::Version, String)> = names
        .iter()
        // Tag names that are not UTF-8 cannot be semver versions.
        .filter_map(|name| name.ok().flatten())
        .filter_map(|name| {
            let text = name.strip_prefix('v').unwrap_or(name);
            semver::Version::parse(text)
                .ok()
                .map(|version| (version, name.to_owned()))
        })
        .collect();
    tags.sort();
    tags.dedup_by(|later, earlier| later.0 == earlier.0);
    Ok(tags)
}

/// The commit `reference` names; `None` is the highest release tag (a pre-release only when
/// there is no release), or the remote's default branch when there are no version tags.
fn resolve(repo: &Repository, url: &str, reference: Option<&str>) -> Result<Oid> {
    let tags = version_tags(repo, url)?;
    let Some(reference) = reference else {
        let best = tags
            .iter()
            .rev()
            .find(|(v, _)| v.pre.is_empty())
            .or_else(|| tags.last());
        if let Some((_, tag)) = best {
            return peel(repo, url, &format!("refs/tags/{tag}"));
        }
        return match default_branch(repo) {
            Some(name) => peel(repo, url, &name),
            None => Err(Error::GitTemplate {
                url: url.to_owned(),
                message: "has no version tags and no default branch".into(),
            }),
        };
    };
    let candidates = [
        format!("refs/tags/{reference}"),
        format!("refs/tags/v{reference}"),
        format!("refs/remotes/{REMOTE}/{reference}"),
    ];
    for name in &candidates {
        // Checked first: arbitrary user text must not reach libgit2 as a malformed ref name.
        if git2::Reference::is_valid_name(name) && repo.find_reference(name).is_ok() {
            return peel(repo, url, name);
        }
    }
    let is_hex = reference.bytes().all(|b| b.is_ascii_hexdigit());
    if is_hex && (7..=64).contains(&reference.len()) {
        match repo.find_object_by_prefix(reference, Some(ObjectType::Commit)) {
            Ok(object) => return Ok(object.id()),
            Err(e) if e.code() == git2::ErrorCode::Ambiguous => {
                return Err(Error::GitTemplate {
                    url: url.to_owned(),
                    message: format!(
                        "commit prefix `{reference}` is ambiguous; give more characters"
                    ),
                });
            }
            Err(_) => {}
        }
    }
    let available = tags
        .iter()
        .map(|(_, tag)| tag.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    Err(Error::UnknownRef {
        url: url.to_owned(),
        reference: reference.to_owned(),
        available: if available.is_empty() {
            "(none)".into()
        } else {
            available
        },
    })
}

/// The remote's default branch, as a reference name in the cached clone.
fn default_branch(repo: &Repository) -> Option<String> {
    [
        REMOTE_HEAD.to_owned(),
        format!("refs/remotes/{REMOTE}/main"),
        format!("refs/remotes/{REMOTE}/master"),
    ]
    .into_iter()
    .find(|name| repo.find_reference(name).is_ok())
}

/// The commit a source without `--ref` is read at: the highest version tag, except that a
/// cookiecutter template is read at its default branch's head, as cookiecutter and cruft read it
/// (its tags, when it has any, still name the versions `check` and `update --to` know).
fn default_commit(repo: &Repository, url: &str, subdir: Option<&str>) -> Result<Oid> {
    if let Some(name) = default_branch(repo)
        && let Ok(head) = peel(repo, url, &name)
        && is_foreign_at(repo, head, subdir)
    {
        return Ok(head);
    }
    resolve(repo, url, None)
}

/// Whether the commit holds a template of another dialect (cookiecutter's) and no native one at
/// `subdir`.
fn is_foreign_at(repo: &Repository, oid: Oid, subdir: Option<&str>) -> bool {
    let Ok(mut root) = repo.find_commit(oid).and_then(|c| c.tree()) else {
        return false;
    };
    if let Some(subdir) = subdir {
        match root
            .get_path(Path::new(subdir))
            .and_then(|entry| repo.find_tree(entry.id()))
        {
            Ok(tree) => root = tree,
            Err(_) => return false,
        }
    }
    root.get_name(MANIFEST_FILE).is_none()
        && registry::recognise(|f| root.get_name(f).is_some()).is_some()
}

/// The commit a reference ends at, through annotated tags.
fn peel(repo: &Repository, url: &str, name: &str) -> Result<Oid> {
    repo.find_reference(name)
        .and_then(|r| r.peel_to_commit())
        .map(|c| c.id())
        .map_err(|e| Error::GitTemplate {
            url: url.to_owned(),
            message: format!("{name}: {}", e.message()),
        })
}

/// Where in a repository, for messages: `URL@abc1234[/subdir]`.
struct Place<'a> {
    repo: &'a Repository,
    url: &'a str,
    label: String,
}

impl Place<'_> {
    fn path(&self, relative: &str) -> String {
        format!("{}/{relative}", self.label)
    }

    fn git_error(&self, e: &git2::Error) -> Error {
        Error::GitTemplate {
            url: self.url.to_owned(),
            message: format!("reading {}: {}", self.label, e.message()),
        }
    }
}

/// The template in `subdir` of commit `oid`, read from the object database.
fn read_template(repo: &Repository, url: &str, oid: Oid, subdir: Option<&str>) -> Result<Template> {
    let short = &oid.to_string()[..7];
    let mut place = Place {
        repo,
        url,
        label: format!("{url}@{short}"),
    };
    let commit = repo.find_commit(oid).map_err(|e| place.git_error(&e))?;
    let mut root = commit.tree().map_err(|e| place.git_error(&e))?;
    if let Some(subdir) = subdir {
        let missing = || Error::SubdirMissing {
            url: url.to_owned(),
            subdir: subdir.to_owned(),
            commit: short.to_owned(),
        };
        let entry = root.get_path(Path::new(subdir)).map_err(|_| missing())?;
        if entry.kind() != Some(ObjectType::Tree) {
            return Err(missing());
        }
        root = repo
            .find_tree(entry.id())
            .map_err(|e| place.git_error(&e))?;
        place.label = format!("{}/{subdir}", place.label);
    }

    if root.get_name(MANIFEST_FILE).is_none() {
        if let Some(dialect) = registry::recognise(|f| root.get_name(f).is_some()) {
            let version = version_at(repo, url, oid)?;
            let mut files = Vec::new();
            collect(&place, &root, &root, "", &mut files)?;
            let name = subdir
                .and_then(|s| s.rsplit('/').next())
                .or_else(|| {
                    url.trim_end_matches('/')
                        .trim_end_matches(".git")
                        .rsplit(['/', ':'])
                        .next()
                })
                .unwrap_or("cookiecutter");
            let mut template = (dialect.load)(
                name,
                version,
                PathBuf::from(place.path(dialect.marker)),
                files,
            )?;
            // A cookiecutter template's `{% gitcommit %}` prints its own commit, as jinja2-git does.
            if let Some(dialect) = template.dialect.at_commit(&oid.to_string()) {
                template.dialect = dialect;
            }
            return Ok(template);
        }
        return Err(Error::NotATemplate {
            path: PathBuf::from(&place.label),
        });
    }
    let (bytes, _) = read_blob(&place, &root, MANIFEST_FILE)?;
    let manifest = manifest::parse_bytes(&PathBuf::from(place.path(MANIFEST_FILE)), &bytes)?;

    let mut files = Vec::new();
    collect(&place, &root, &root, "", &mut files)?;
    Template::new(manifest, files)
}

/// Every file below `tree` (at `prefix` in the template), symlinks read as their targets.
fn collect(
    place: &Place<'_>,
    root: &Tree<'_>,
    tree: &Tree<'_>,
    prefix: &str,
    files: &mut Vec<TemplateFile>,
) -> Result<()> {
    for entry in tree {
        let Ok(name) = entry.name() else {
            return Err(Error::TemplateEntry {
                path: place.path(&format!(
                    "{prefix}{}",
                    String::from_utf8_lossy(entry.name_bytes())
                )),
                reason: "has a name that is not UTF-8".into(),
            });
        };
        // Never part of a template, whatever the case: `.git` is never written into a project.
        if name.eq_ignore_ascii_case(".git") || (prefix.is_empty() && name == STORE_DIR) {
            continue;
        }
        let path = format!("{prefix}{name}");
        match entry.kind() {
            Some(ObjectType::Tree) => {
                let sub = place
                    .repo
                    .find_tree(entry.id())
                    .map_err(|e| place.git_error(&e))?;
                collect(place, root, &sub, &format!("{path}/"), files)?;
            }
            Some(ObjectType::Blob) => {
                if path == MANIFEST_FILE {
                    continue;
                }
                let (contents, executable) = read_blob(place, root, &path)?;
                files.push(TemplateFile {
                    mode: None,
                    path,
                    contents,
                    executable,
                });
            }
            Some(ObjectType::Commit) => {
                return Err(Error::TemplateEntry {
                    path: place.path(&path),
                    reason: "is a git submodule; templates cannot contain submodules".into(),
                });
            }
            _ => {
                return Err(Error::TemplateEntry {
                    path: place.path(&path),
                    reason: "is neither a file nor a directory".into(),
                });
            }
        }
    }
    Ok(())
}

/// The bytes and executable bit of the file at `path` in `root`; a symlink is followed while
/// its target stays inside `root`, like a symlink in a directory template.
fn read_blob(place: &Place<'_>, root: &Tree<'_>, path: &str) -> Result<(Vec<u8>, bool)> {
    let symlink_error = |link: &str, reason: String| Error::TemplateSymlink {
        path: PathBuf::from(place.path(link)),
        reason,
    };
    let mut current = path.to_owned();
    for _ in 0..MAX_LINKS {
        let entry = root
            .get_path(Path::new(&current))
            .map_err(|_| symlink_error(path, format!("is broken (`{current}` does not exist)")))?;
        match entry.kind() {
            Some(ObjectType::Blob) => {}
            Some(ObjectType::Tree) => {
                return Err(symlink_error(
                    path,
                    "points to a directory; only links to files are supported".into(),
                ));
            }
            _ => {
                return Err(symlink_error(
                    path,
                    "points to something that is not a file".into(),
                ));
            }
        }
        check_blob_size(place, path, entry.id())?;
        let blob = place
            .repo
            .find_blob(entry.id())
            .map_err(|e| place.git_error(&e))?;
        if entry.filemode() != MODE_SYMLINK {
            return Ok((blob.content().to_vec(), entry.filemode() == MODE_EXECUTABLE));
        }
        let target = String::from_utf8_lossy(blob.content()).into_owned();
        current = link_target(&current, &target).ok_or_else(|| {
            symlink_error(
                path,
                format!(
                    "points outside the template (to {target}); templates may only link to their own files"
                ),
            )
        })?;
    }
    Err(symlink_error(
        path,
        format!("is a chain of more than {MAX_LINKS} links"),
    ))
}

/// Refuses a blob over the per-file limit before it is read: its size comes from the object's
/// header (`Odb::read_header` inflates only that), so a huge blob costs neither the time to
/// inflate it nor the memory to hold it (twice: libgit2's copy and ours).
fn check_blob_size(place: &Place<'_>, path: &str, id: Oid) -> Result<()> {
    let limits = crate::dialect::native::Limits::try_from_env()?;
    let odb = place.repo.odb().map_err(|e| place.git_error(&e))?;
    let (size, _) = odb.read_header(id).map_err(|e| place.git_error(&e))?;
    match limits.file_over(size as u64) {
        Some(message) => Err(Error::RenderLimit {
            path: place.path(path),
            message,
        }),
        None => Ok(()),
    }
}

/// The template-relative path a link at `link` with text `target` points to, or `None` when it
/// leaves the template (absolute, climbing above the root, or into `.git`).
fn link_target(link: &str, target: &str) -> Option<String> {
    if target.starts_with('/') || Path::new(target).is_absolute() {
        return None;
    }
    let mut parts: Vec<&str> = link.split('/').collect();
    parts.pop();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ if part.eq_ignore_ascii_case(".git") => return None,
            _ => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use git2::{Repository, RepositoryInitOptions, Signature};

    use super::*;

    const FILE: i32 = 0o100_644;
    const EXEC: i32 = MODE_EXECUTABLE;
    const LINK: i32 = MODE_SYMLINK;
    const SUBMODULE: i32 = 0o160_000;

    /// A file to commit: its path, bytes and git file mode.
    type Entry<'a> = (&'a str, Vec<u8>, i32);

    fn manifest(version: &str) -> Vec<u8> {
        format!("[template]\nname = \"t\"\nversion = \"{version}\"\n").into_bytes()
    }

    /// Writes nested trees for `files` (path, bytes, mode) straight into the object database.
    fn tree_of(repo: &Repository, files: &[Entry<'_>]) -> Oid {
        let mut builder = repo.treebuilder(None).unwrap();
        let mut dirs: BTreeMap<&str, Vec<Entry<'_>>> = BTreeMap::new();
        for (path, bytes, mode) in files {
            match path.split_once('/') {
                Some((dir, rest)) => {
                    dirs.entry(dir)
                        .or_default()
                        .push((rest, bytes.clone(), *mode));
                }
                None if *mode == SUBMODULE => {
                    builder
                        .insert(path, Oid::from_bytes(&[7; 20]).unwrap(), *mode)
                        .unwrap();
                }
                None => {
                    builder
                        .insert(path, repo.blob(bytes).unwrap(), *mode)
                        .unwrap();
                }
            }
        }
        for (dir, entries) in dirs {
            builder
                .insert(dir, tree_of(repo, &entries), 0o040_000)
                .unwrap();
        }
        builder.write().unwrap()
    }

    /// Commits `files` on `branch` (on top of its tip) and returns the commit.
    fn commit(repo: &Repository, branch: &str, files: &[Entry<'_>]) -> Oid {
        let tree = repo.find_tree(tree_of(repo, files)).unwrap();
        let refname = format!("refs/heads/{branch}");
        let parent = repo
            .find_reference(&refname)
            .ok()
            .and_then(|r| r.peel_to_commit().ok());
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let sig = Signature::now("Test", "test@example.com").unwrap();
        repo.commit(Some(&refname), &sig, &sig, "commit", &tree, &parents)
            .unwrap()
    }

    fn tag(repo: &Repository, name: &str, oid: Oid, annotated: bool) {
        let object = repo.find_object(oid, None).unwrap();
        if annotated {
            let sig = Signature::now("Test", "test@example.com").unwrap();
            repo.tag(name, &object, &sig, "release", false).unwrap();
        } else {
            repo.tag_lightweight(name, &object, false).unwrap();
        }
    }

    fn template_files(version: &str) -> Vec<Entry<'static>> {
        vec![
            (MANIFEST_FILE, manifest(version), FILE),
            (
                "readme.md",
                format!("version {version}\n").into_bytes(),
                FILE,
            ),
            ("bin/run.sh", b"#!/bin/sh\n".to_vec(), EXEC),
            ("docs/alias.md", b"../readme.md".to_vec(), LINK),
            ("sub/template.toml", manifest("5.0.0"), FILE),
            ("sub/inner.txt", b"inner\n".to_vec(), FILE),
        ]
    }

    struct Fixture {
        _dir: tempfile::TempDir,
        origin: PathBuf,
        cache: PathBuf,
        commits: BTreeMap<&'static str, Oid>,
    }

    impl Fixture {
        fn url(&self) -> String {
            self.origin.to_string_lossy().into_owned()
        }

        /// Loads as a new run would: these tests change the origin between loads.
        fn load(&self, reference: Option<&str>) -> Result<Loaded> {
            forget_fetch(&self.cache.join(cache_name(&self.url())));
            load(&self.url(), None, reference, &self.cache)
        }
    }

    /// A work tree repository on `main` with v1.0.0, v1.2.0 (annotated) and v1.10.0, a
    /// non-semver tag, and a `develop` branch one commit ahead at 2.0.0.
    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let origin = dir.path().join("origin");
        let mut options = RepositoryInitOptions::new();
        options.initial_head("main");
        let repo = Repository::init_opts(&origin, &options).unwrap();
        let mut commits = BTreeMap::new();
        for (version, annotated) in [("1.0.0", false), ("1.2.0", true), ("1.10.0", false)] {
            let oid = commit(&repo, "main", &template_files(version));
            tag(&repo, &format!("v{version}"), oid, annotated);
            commits.insert(version, oid);
        }
        tag(&repo, "not-a-version", commits["1.0.0"], false);
        repo.branch(
            "develop",
            &repo.find_commit(commits["1.10.0"]).unwrap(),
            false,
        )
        .unwrap();
        commits.insert("2.0.0", commit(&repo, "develop", &template_files("2.0.0")));
        Fixture {
            cache: dir.path().join("cache"),
            origin: fs::canonicalize(origin).unwrap(),
            _dir: dir,
            commits,
        }
    }

    fn version(loaded: &Loaded) -> String {
        loaded.template.manifest.version.to_string()
    }

    #[test]
    fn references_resolve_to_tags_versions_branches_and_commits() {
        let f = fixture();
        let latest = f.load(None).unwrap();
        assert_eq!(
            version(&latest),
            "1.10.0",
            "10 > 2, and non-semver tags ignored"
        );
        assert_eq!(
            latest.provenance.commit,
            Some(f.commits["1.10.0"].to_string())
        );
        assert_eq!(latest.provenance.source, f.url());
        assert!(latest.warnings.is_empty(), "{:?}", latest.warnings);

        assert_eq!(version(&f.load(Some("v1.0.0")).unwrap()), "1.0.0");
        assert_eq!(
            version(&f.load(Some("1.2.0")).unwrap()),
            "1.2.0",
            "annotated, no v"
        );
        assert_eq!(version(&f.load(Some("develop")).unwrap()), "2.0.0");
        assert_eq!(version(&f.load(Some("main")).unwrap()), "1.10.0");
        let sha = f.commits["1.2.0"].to_string();
        assert_eq!(version(&f.load(Some(&sha[..8])).unwrap()), "1.2.0");
        assert_eq!(version(&f.load(Some(&sha)).unwrap()), "1.2.0");

        let versions: Vec<String> = versions(&f.url(), &f.cache)
            .unwrap()
            .into_iter()
            .map(|a| format!("{}={}", a.version, a.reference))
            .collect();
        assert_eq!(versions, ["1.0.0=v1.0.0", "1.2.0=v1.2.0", "1.10.0=v1.10.0"]);
    }

    #[test]
    fn an_unknown_reference_lists_the_version_tags() {
        let f = fixture();
        let message = f.load(Some("v9")).unwrap_err().to_string();
        assert!(message.contains(&f.url()), "{message}");
        assert!(message.contains("`v9`"), "{message}");
        assert!(message.contains("v1.0.0, v1.2.0, v1.10.0"), "{message}");
        assert!(!message.contains("not-a-version"), "{message}");
        assert!(f.load(Some("../../etc")).is_err());
    }

    #[test]
    fn files_keep_their_mode_and_in_template_links_are_read_through() {
        let f = fixture();
        let loaded = f.load(None).unwrap();
        let files: BTreeMap<&str, (&[u8], bool)> = loaded
            .template
            .files
            .iter()
            .map(|t| (t.path.as_str(), (t.contents.as_slice(), t.executable)))
            .collect();
        assert_eq!(files["bin/run.sh"], (&b"#!/bin/sh\n"[..], true));
        assert_eq!(files["readme.md"], (&b"version 1.10.0\n"[..], false));
        assert_eq!(files["docs/alias.md"], files["readme.md"]);
        assert!(!files.contains_key(MANIFEST_FILE));
    }

    #[test]
    fn file_urls_and_subdirs_work() {
        let f = fixture();
        let url = format!("file://{}", f.url());
        let loaded = load(&url, Some("sub"), None, &f.cache).unwrap();
        assert_eq!(version(&loaded), "5.0.0");
        assert_eq!(loaded.provenance.source, url);
        assert_eq!(loaded.provenance.subdir.as_deref(), Some("sub"));
        let paths: Vec<&str> = loaded
            .template
            .files
            .iter()
            .map(|t| t.path.as_str())
            .collect();
        assert_eq!(paths, ["inner.txt"]);

        let message = load(&url, Some("nowhere"), None, &f.cache)
            .unwrap_err()
            .to_string();
        assert!(message.contains("no directory `nowhere`"), "{message}");
        assert!(message.contains(&url), "{message}");
    }

    #[test]
    fn links_out_of_the_template_and_submodules_are_refused() {
        let f = fixture();
        let repo = Repository::open(&f.origin).unwrap();
        // From `sub`, `../readme.md` is in the repository but outside the template.
        let mut files = template_files("3.0.0");
        files.push(("sub/escape.md", b"../readme.md".to_vec(), LINK));
        commit(&repo, "escape", &files);
        let message = load(&f.url(), Some("sub"), Some("escape"), &f.cache)
            .unwrap_err()
            .to_string();
        assert!(message.contains("escape.md"), "{message}");
        assert!(message.contains("points outside the template"), "{message}");

        let mut files = template_files("3.0.0");
        files.push(("absolute", b"/etc/passwd".to_vec(), LINK));
        commit(&repo, "absolute", &files);
        let message = f.load(Some("absolute")).unwrap_err().to_string();
        assert!(message.contains("points outside the template"), "{message}");

        let mut files = template_files("3.0.0");
        files.push(("vendored", Vec::new(), SUBMODULE));
        commit(&repo, "submodule", &files);
        let message = f.load(Some("submodule")).unwrap_err().to_string();
        assert!(message.contains("submodule"), "{message}");
    }

    #[test]
    fn without_tags_the_default_branch_is_used() {
        let dir = tempfile::tempdir().unwrap();
        let origin = dir.path().join("origin.git");
        let mut options = RepositoryInitOptions::new();
        options.initial_head("trunk").bare(true);
        let repo = Repository::init_opts(&origin, &options).unwrap();
        commit(&repo, "other", &template_files("0.1.0"));
        commit(&repo, "trunk", &template_files("0.2.0"));
        let url = origin.to_string_lossy();
        let loaded = load(&url, None, None, &dir.path().join("cache")).unwrap();
        assert_eq!(version(&loaded), "0.2.0");
        let message = load(&url, None, Some("nope"), &dir.path().join("cache"))
            .unwrap_err()
            .to_string();
        assert!(message.contains("(none)"), "{message}");
    }

    /// As if a new run started, for one cache clone (tests run in parallel in one process).
    fn forget_fetch(dir: &Path) {
        FETCHED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(dir);
    }

    #[test]
    fn one_run_asks_the_remote_once() {
        let f = fixture();
        f.load(None).unwrap();
        fs::remove_dir_all(&f.origin).unwrap();
        // The same run loads another version: no second fetch, so no offline warning.
        let loaded = load(&f.url(), None, Some("1.2.0"), &f.cache).unwrap();
        assert_eq!(version(&loaded), "1.2.0");
        assert_eq!(loaded.warnings, Vec::<String>::new());
    }

    #[test]
    fn offline_the_cache_serves_with_a_warning() {
        let f = fixture();
        f.load(None).unwrap();
        fs::remove_dir_all(&f.origin).unwrap();

        let loaded = f.load(Some("1.2.0")).unwrap();
        assert_eq!(version(&loaded), "1.2.0");
        assert_eq!(loaded.warnings.len(), 1);
        assert!(
            loaded.warnings[0].contains(&f.url()),
            "{:?}",
            loaded.warnings
        );
        assert_eq!(version(&f.load(None).unwrap()), "1.10.0");

        let message = f.load(Some("v7.0.0")).unwrap_err().to_string();
        assert!(
            message.starts_with(&format!("cannot fetch {}", f.url())),
            "{message}"
        );
        let message = versions(&f.url(), &f.cache).unwrap_err().to_string();
        assert!(message.contains(&f.url()), "{message}");
    }

    /// The cached clone's branches (as `origin/*`), tags and remote HEAD, as `name=target`.
    fn cached_refs(f: &Fixture) -> Vec<String> {
        let cache = Repository::open_bare(f.cache.join(cache_name(&f.url()))).unwrap();
        let mut refs: Vec<String> = cache
            .references()
            .unwrap()
            .map(|r| {
                let r = r.unwrap();
                let target = match r.symbolic_target().unwrap() {
                    Some(name) => name.to_owned(),
                    None => r.target().unwrap().to_string(),
                };
                format!("{}={target}", r.name().unwrap())
            })
            .collect();
        refs.sort();
        refs
    }

    #[test]
    fn a_local_fetch_moves_and_prunes_refs_as_a_fetch_does() {
        let f = fixture();
        f.load(None).unwrap();
        let c = |v: &str| f.commits[v].to_string();
        assert_eq!(
            cached_refs(&f),
            [
                "refs/remotes/origin/HEAD=refs/remotes/origin/main".to_owned(),
                format!("refs/remotes/origin/develop={}", c("2.0.0")),
                format!("refs/remotes/origin/main={}", c("1.10.0")),
                format!("refs/tags/not-a-version={}", c("1.0.0")),
                format!("refs/tags/v1.0.0={}", c("1.0.0")),
                format!("refs/tags/v1.10.0={}", c("1.10.0")),
                // Annotated: the tag object, as a fetch stores it.
                format!(
                    "refs/tags/v1.2.0={}",
                    Repository::open(&f.origin)
                        .unwrap()
                        .refname_to_id("refs/tags/v1.2.0")
                        .unwrap()
                ),
            ]
        );

        // The remote deletes a branch and a tag, moves a tag and switches its HEAD.
        let repo = Repository::open(&f.origin).unwrap();
        repo.find_reference("refs/heads/main")
            .unwrap()
            .delete()
            .unwrap();
        repo.find_reference("refs/tags/v1.2.0")
            .unwrap()
            .delete()
            .unwrap();
        repo.find_reference("refs/tags/not-a-version")
            .unwrap()
            .delete()
            .unwrap();
        repo.reference("refs/tags/v1.0.0", f.commits["2.0.0"], true, "moved")
            .unwrap();
        repo.set_head("refs/heads/develop").unwrap();
        assert_eq!(version(&f.load(None).unwrap()), "1.10.0");
        assert_eq!(
            cached_refs(&f),
            [
                "refs/remotes/origin/HEAD=refs/remotes/origin/develop".to_owned(),
                format!("refs/remotes/origin/develop={}", c("2.0.0")),
                format!("refs/tags/v1.0.0={}", c("2.0.0")),
                format!("refs/tags/v1.10.0={}", c("1.10.0")),
            ]
        );
    }

    #[test]
    fn a_local_fetch_copies_what_alternates_and_linked_worktrees_hold() {
        let f = fixture();
        // A bare repository that borrows every object from the fixture's (`git clone --shared`).
        let borrower = f.origin.with_file_name("borrower.git");
        let repo = Repository::init_bare(&borrower).unwrap();
        let objects = f.origin.join(".git").join("objects");
        fs::write(
            borrower.join("objects").join("info").join("alternates"),
            format!("{}\n", objects.display()),
        )
        .unwrap();
        repo.reference("refs/heads/main", f.commits["1.2.0"], true, "borrowed")
            .unwrap();
        tag(&repo, "v1.2.0", f.commits["1.2.0"], false);
        let url = borrower.to_string_lossy().into_owned();
        let loaded = load(&url, None, None, &f.cache).unwrap();
        assert_eq!(version(&loaded), "1.2.0");

        // The cache holds copies, not a borrowed folder: with the lender gone it still has
        // every object the refs need, so the fetch succeeds; a new cache cannot be filled.
        let lender = f.origin.with_file_name("lender");
        fs::rename(&f.origin, &lender).unwrap();
        forget_fetch(&f.cache.join(cache_name(&url)));
        let loaded = load(&url, None, None, &f.cache).unwrap();
        assert_eq!(version(&loaded), "1.2.0");
        assert_eq!(loaded.warnings, Vec::<String>::new());
        let message = load(&url, None, None, &f.cache.join("new"))
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with(&format!(
                "cannot fetch {url}: refs/heads/main names object {}, which is in none of the repository's object folders",
                f.commits["1.2.0"]
            )),
            "{message}"
        );

        // A linked work tree: its objects and refs are the main repository's.
        let main = Repository::open(&lender).unwrap();
        let tree = lender.with_file_name("linked");
        main.worktree("linked", &tree, None).unwrap();
        let url = tree.to_string_lossy().into_owned();
        let loaded = load(&url, None, Some("develop"), &f.cache).unwrap();
        assert_eq!(version(&loaded), "2.0.0");
        assert_eq!(
            default_branch(&Repository::open_bare(f.cache.join(cache_name(&url))).unwrap())
                .as_deref(),
            Some(REMOTE_HEAD)
        );
    }

    #[test]
    fn a_local_fetch_copies_regular_files_only() {
        let f = fixture();
        let objects = f.origin.join(".git").join("objects");
        // What git never makes: a pack that is a link to an endless device (its index is a
        // regular file), and a FIFO named like a loose object. Neither may hang the fetch.
        let stem = format!("pack-{}", "0".repeat(40));
        fs::write(objects.join("pack").join(format!("{stem}.idx")), b"junk").unwrap();
        std::os::unix::fs::symlink(
            "/dev/zero",
            objects.join("pack").join(format!("{stem}.pack")),
        )
        .unwrap();
        let fifo = objects.join("ab").join("c".repeat(38));
        fs::create_dir_all(fifo.parent().unwrap()).unwrap();
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o644),
            0,
        )
        .unwrap();
        assert_eq!(version(&f.load(None).unwrap()), "1.10.0");
        let cached = f.cache.join(cache_name(&f.url())).join("objects");
        assert!(!cached.join("pack").join(format!("{stem}.idx")).exists());
        assert!(!cached.join("pack").join(format!("{stem}.pack")).exists());
        assert!(!cached.join("ab").join("c".repeat(38)).exists());
    }

    #[test]
    fn a_local_fetch_does_not_copy_again_what_the_cache_holds_packed() {
        let f = fixture();
        f.load(None).unwrap();
        // The cache packed (as a clone through the network leaves it), its loose copies gone.
        let dir = f.cache.join(cache_name(&f.url()));
        let cache = Repository::open_bare(&dir).unwrap();
        let mut pack = cache.packbuilder().unwrap();
        for id in f.commits.values() {
            pack.insert_commit(*id).unwrap();
        }
        pack.write(&dir.join("objects").join("pack"), 0o444)
            .unwrap();
        for entry in fs::read_dir(dir.join("objects")).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name().len() == 2 {
                fs::remove_dir_all(entry.path()).unwrap();
            }
        }
        let loose = |id: Oid| {
            let hex = id.to_string();
            dir.join("objects").join(&hex[..2]).join(&hex[2..])
        };
        let repo = Repository::open(&f.origin).unwrap();
        let new = commit(&repo, "main", &template_files("3.0.0"));
        f.load(Some("main")).unwrap();
        assert!(loose(new).exists(), "the new commit is copied");
        assert!(!loose(f.commits["1.10.0"]).exists(), "a packed one is not");
    }

    #[test]
    fn a_first_clone_that_fails_names_the_url_and_leaves_no_cache() {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("missing").to_string_lossy().into_owned();
        let cache = dir.path().join("cache");
        let message = load(&url, None, None, &cache).unwrap_err().to_string();
        assert!(
            message.starts_with(&format!("cannot fetch {url}")),
            "{message}"
        );
        assert_eq!(fs::read_dir(&cache).unwrap().count(), 0);
    }

    #[test]
    fn link_targets_stay_inside_the_root() {
        assert_eq!(link_target("a/b", "c").as_deref(), Some("a/c"));
        assert_eq!(link_target("a/b", "../c").as_deref(), Some("c"));
        assert_eq!(link_target("a/b", "./x/../c").as_deref(), Some("a/c"));
        assert_eq!(link_target("b", "../c"), None);
        assert_eq!(link_target("a/b", "/c"), None);
        assert_eq!(link_target("a/b", ".git/config"), None);
    }
}
