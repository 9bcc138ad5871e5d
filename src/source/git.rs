//! Git templates: a bare clone per repository in a cache, fetched on every use, versions from
//! semver tags, and a template read straight out of a commit's tree in memory.
//! Only git2 is used: no `git` process is ever started (users' PATHs hold anything), and nothing
//! is checked out, so a template's files never touch the disk outside the object database.

use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use git2::{
    AutotagOption, Cred, CredentialType, FetchOptions, FetchPrune, ObjectType, Oid,
    RemoteCallbacks, Repository, Tree,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sha2::{Digest as _, Sha256};

use super::{Available, Loaded, Provenance, hex};
use crate::error::{Error, Result};
use crate::template::manifest::{self, MANIFEST_FILE};
use crate::template::{Template, TemplateFile};

/// Environment variable naming the directory that holds the git cache (tests set it).
pub const CACHE_ENV: &str = "GROUNDWORK_CACHE_DIR";

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
pub fn cache_root() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os(CACHE_ENV).filter(|d| !d.is_empty()) {
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
    let oid = match (resolve(repo, url, reference), &synced.fetch_error) {
        (Ok(oid), None) => oid,
        (Ok(oid), Some(fetch_error)) => {
            warnings.push(format!(
                "could not fetch {url} ({}); using the cached copy, which may be out of date",
                fetch_error.message()
            ));
            oid
        }
        (Err(resolve_error), Some(fetch_error)) => {
            return Err(Error::GitFetch {
                url: url.to_owned(),
                message: format!(
                    "{} (and the cached copy cannot serve: {resolve_error})",
                    fetch_error.message()
                ),
            });
        }
        (Err(resolve_error), None) => return Err(resolve_error),
    };
    let template = read_template(repo, url, oid, subdir)?;
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
    fetch_error: Option<git2::Error>,
}

/// The cached bare clone of `url`, created or brought up to date.
fn sync(url: &str, cache: &Path) -> Result<Synced> {
    let dir = cache.join(cache_name(url));
    if !dir.exists() {
        return Ok(Synced {
            repo: clone_fresh(url, cache, &dir)?,
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
    let fetch_error = fetch(&repo, url).err();
    Ok(Synced { repo, fetch_error })
}

/// The cache directory name of `url`: short, filesystem-safe, and stable across runs.
fn cache_name(url: &str) -> String {
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
        fetch(&repo, url).map_err(|e| fetch_error(url, &e))?;
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

fn fetch_error(url: &str, e: &git2::Error) -> Error {
    Error::GitFetch {
        url: url.to_owned(),
        message: e.message().to_owned(),
    }
}

/// Fetches every branch and tag of `origin`, pruning what the remote deleted, and records the
/// remote's HEAD so the default branch is known offline too.
fn fetch(repo: &Repository, url: &str) -> Result<(), git2::Error> {
    let mut remote = repo.find_remote(REMOTE)?;
    let bar = progress_bar(url);
    let mut callbacks = RemoteCallbacks::new();
    callbacks.credentials(credentials());
    if let Some(bar) = bar.clone() {
        callbacks.transfer_progress(move |progress| {
            bar.set_length(u64::try_from(progress.total_objects()).unwrap_or(u64::MAX));
            bar.set_position(u64::try_from(progress.received_objects()).unwrap_or(u64::MAX));
            true
        });
    }
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
        let message = "groundwork: remote HEAD";
        match head
            .symref_target()
            .and_then(|t| t.strip_prefix("refs/heads/"))
        {
            Some(branch) => {
                let target = format!("refs/remotes/{REMOTE}/{branch}");
                repo.reference_symbolic(REMOTE_HEAD, &target, true, message)?;
            }
            None if !head.oid().is_zero() => {
                repo.reference(REMOTE_HEAD, head.oid(), true, message)?;
            }
            None => {}
        }
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
        for name in [
            REMOTE_HEAD.to_owned(),
            format!("refs/remotes/{REMOTE}/main"),
            format!("refs/remotes/{REMOTE}/master"),
        ] {
            if repo.find_reference(&name).is_ok() {
                return peel(repo, url, &name);
            }
        }
        return Err(Error::GitTemplate {
            url: url.to_owned(),
            message: "has no version tags and no default branch".into(),
        });
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
        let label = PathBuf::from(&place.label);
        return Err(if root.get_name("cookiecutter.json").is_some() {
            Error::CookiecutterUnsupported { path: label }
        } else {
            Error::NotATemplate { path: label }
        });
    }
    let (bytes, _) = read_blob(&place, &root, MANIFEST_FILE)?;
    let manifest_path = PathBuf::from(place.path(MANIFEST_FILE));
    let text = std::str::from_utf8(&bytes).map_err(|_| Error::Manifest {
        path: manifest_path.clone(),
        line: 1,
        column: 1,
        message: "not UTF-8".into(),
    })?;
    let manifest = manifest::parse(&manifest_path, text)?;

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
        if name.eq_ignore_ascii_case(".git") {
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
