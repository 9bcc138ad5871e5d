//! Where a template comes from, and what exactly was loaded. Classifies a `--template` argument
//! into a [`Source`] (a built-in template, a plain directory, or a git repository), loads the
//! template at a version, and reports its [`Provenance`] as `.groundwork.toml` records it.
//! It never renders or writes anything outside its git cache, never starts a `git` process, and
//! never follows a symlink out of a template.

pub(crate) mod files;
mod git;
pub(crate) mod release;

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use include_dir::Dir;
use sha2::{Digest as _, Sha256};

use self::files::{BUILTIN, builtin_names, read_file};
use self::release::STORE_DIR;
use crate::core::error::{Error, Result};
use crate::core::file::{hex, slash_path};
use crate::dialect::Template;
use crate::dialect::registry::{self, Foreign};
use crate::template::TemplateFile;
use crate::template::manifest::{self, MANIFEST_FILE, Manifest};
use crate::template::provenance::{BUILTIN_PREFIX, Provenance};

pub(crate) use git::{cache_root, left_out_of_commit};

mod recorded {
    include!(concat!(env!("OUT_DIR"), "/executables.rs"));
}

/// The built-in template used when none is named.
pub(crate) const DEFAULT_TEMPLATE: &str = "datascience";

/// The reference [`Available`] gives a source that has only its current version.
pub(crate) const CURRENT: &str = "current";

/// URL schemes that always mean a git repository, whatever else the argument looks like.
const URL_SCHEMES: &[&str] = &["https://", "http://", "ssh://", "git://", "file://"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A built-in template, by name.
    Builtin(String),
    /// The absolute path of a plain directory (not the root of a git repository).
    Local(PathBuf),
    /// A git repository: a URL as given, or the absolute path of a local repository; `subdir` is
    /// where the template lies inside it (`/`-separated, relative, without `..`).
    Git { url: String, subdir: Option<String> },
}

/// One version a source offers, and the reference that loads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Available {
    pub version: semver::Version,
    /// The tag name for git; the version for a built-in template; [`CURRENT`] for a directory.
    pub reference: String,
}

/// A loaded template with what is needed to load exactly the same one again.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub template: Template,
    pub provenance: Provenance,
    /// Things the user should know that did not stop the load (an offline fetch, for example).
    pub warnings: Vec<String>,
}

impl Source {
    /// Classifies a `--template` argument; `subdir` is `--subdir`, a template inside a repository
    /// or directory. Relative paths are taken from the current directory.
    pub fn classify(arg: &str, subdir: Option<&str>) -> Result<Source> {
        let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
        classify_in(arg, subdir, &cwd)
    }

    /// The nested template at `path` (relative, as a template menu names it) inside this source.
    pub fn nested(&self, path: &str) -> Result<Source> {
        let join = |base: Option<&str>, shown: &str| -> Result<Option<String>> {
            let path = normalize_subdir(shown, path)?;
            Ok(match (base, path) {
                (Some(base), Some(path)) => Some(format!("{base}/{path}")),
                (base, path) => path.or_else(|| base.map(str::to_owned)),
            })
        };
        match self {
            Source::Builtin(name) => Err(unknown_builtin(name)),
            Source::Local(dir) => {
                let shown = dir.display().to_string();
                match join(None, &shown)? {
                    Some(sub) => Ok(Source::Local(existing_dir(
                        &format!("{shown}/{sub}"),
                        &dir.join(sub),
                    )?)),
                    None => Ok(self.clone()),
                }
            }
            Source::Git { url, subdir } => Ok(Source::Git {
                url: url.clone(),
                subdir: join(subdir.as_deref(), url)?,
            }),
        }
    }

    /// Rebuilds the source recorded in `.groundwork.toml`. A recorded commit means git even when
    /// the repository is gone (the cache may still hold it); a recorded digest means a directory.
    pub fn from_provenance(p: &Provenance) -> Result<Source> {
        let recorded = |reason: &str| Error::RecordedSource {
            recorded: p.source.clone(),
            reason: reason.to_owned(),
        };
        if let Some(name) = p.source.strip_prefix(BUILTIN_PREFIX) {
            if !builtin_names().contains(&name) {
                return Err(unknown_builtin(name));
            }
            return Ok(Source::Builtin(name.to_owned()));
        }
        if is_url(&p.source) {
            return Ok(Source::Git {
                url: p.source.clone(),
                subdir: p.subdir.clone(),
            });
        }
        let path = PathBuf::from(&p.source);
        if !path.is_absolute() {
            return Err(recorded(
                "expected builtin:NAME, a git URL or an absolute path",
            ));
        }
        if p.commit.is_some() || (p.digest.is_none() && is_git_repository(&path)) {
            return Ok(Source::Git {
                url: p.source.clone(),
                subdir: p.subdir.clone(),
            });
        }
        Ok(Source::Local(match &p.subdir {
            Some(subdir) => path.join(subdir),
            None => path,
        }))
    }

    /// Loads the template at `reference`: a tag, a version without its `v`, a branch, or a full or
    /// abbreviated commit for git; `None` is the highest version tag (git) or the current version.
    pub fn load(&self, reference: Option<&str>) -> Result<Loaded> {
        match self {
            Source::Builtin(name) => load_builtin_version(name, reference),
            Source::Local(path) => load_local_version(path, reference),
            Source::Git { url, subdir } => {
                let cache = GitCache::for_url(url)?;
                let mut loaded = git::load(url, subdir.as_deref(), reference, cache.path())?;
                loaded.warnings.extend(cache.note);
                Ok(loaded)
            }
        }
    }

    /// The template exactly as a project recorded it (`provenance`): a git template at its
    /// recorded commit, anything else at its recorded version. For git it also says when the
    /// tag of the recorded version now names another commit (the tag was moved: `check` would
    /// call the project up to date, and `update` would go "from 1.0.0 to 1.0.0"), and a recorded
    /// commit the repository no longer holds is an error saying so rather than an unknown ref.
    pub fn load_recorded(&self, provenance: &Provenance) -> Result<Loaded> {
        let (Source::Git { url, .. }, Some(commit)) = (self, &provenance.commit) else {
            return self.load(Some(&provenance.version.to_string()));
        };
        let moved = self.moved_tag(provenance, commit);
        match self.load(Some(commit)) {
            Ok(mut loaded) => {
                if let Some(moved) = moved {
                    loaded.warnings.push(format!(
                        "tag {} of {url} now points to commit {}, but this project recorded version {} at commit {}: the tag was moved; the recorded commit stays the base, so the moved tag's changes show as template changes",
                        moved.tag,
                        short(&moved.commit),
                        provenance.version,
                        short(commit)
                    ));
                }
                Ok(loaded)
            }
            Err(Error::UnknownRef { .. }) => Err(Error::RecordedCommitGone {
                url: url.clone(),
                commit: commit.clone(),
                version: provenance.version.to_string(),
                moved: moved.map_or_else(String::new, |moved| {
                    format!(
                        " (tag {} was moved to commit {})",
                        moved.tag,
                        short(&moved.commit)
                    )
                }),
            }),
            Err(e) => Err(e),
        }
    }

    /// The tag of the recorded version and the commit it names now, when that is not `commit`.
    /// Best effort: a source whose versions cannot be listed (offline) is not checked.
    fn moved_tag(&self, provenance: &Provenance, commit: &str) -> Option<MovedTag> {
        let tag = self
            .versions()
            .ok()?
            .into_iter()
            .find(|a| a.version == provenance.version)?
            .reference;
        let now = self.load(Some(&tag)).ok()?.provenance.commit?;
        (now != commit).then_some(MovedTag { tag, commit: now })
    }

    /// Every version the source offers, ascending.
    pub fn versions(&self) -> Result<Vec<Available>> {
        match self {
            Source::Builtin(name) => builtin_versions(name),
            Source::Local(path) if foreign_dialect(path).is_some() => Ok(with_current(
                Vec::new(),
                load_local(path)?.0.manifest.version,
            )),
            Source::Local(path) => {
                let (manifest, _) = read_local_manifest(path)?;
                let released = release::Store::Disk(path.clone()).versions()?;
                // Unreleased edits are a version of their own (`X.Y.Z+digest`): what `update`
                // would bring.
                let (_, digest) = load_local(path)?;
                let current =
                    unreleased_label(path, &manifest.version, &digest)?.unwrap_or(manifest.version);
                Ok(with_current(released, current))
            }
            Source::Git { url, .. } => git::versions(url, GitCache::for_url(url)?.path()),
        }
    }
}

/// A version tag that names another commit than the one a project recorded.
struct MovedTag {
    tag: String,
    commit: String,
}

/// A commit id as `check` shows it: 12 characters.
fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

/// Where git clones of one URL go for one load: the shared cache, or a temporary folder when the
/// cache cannot be written and holds no clone of it yet.
struct GitCache {
    root: PathBuf,
    /// Removed when the load is done: the template is read into memory by then. Named with
    /// this process's id and locked, so `groundwork recover` can remove what a killed run left.
    _temporary: Option<crate::dialect::cookiecutter::hooks::TempFolder>,
    /// Said to the user when the clone is temporary.
    note: Option<String>,
}

impl GitCache {
    /// The cache for `url`. A clone in the cache that has been replaced by a symlink is refused:
    /// it could lead anywhere, and groundwork reads templates from there. A cold cache that cannot
    /// be written (read-only, or not creatable) is no reason to fail: the clone goes to a
    /// temporary folder for this load instead, with a note.
    fn for_url(url: &str) -> Result<GitCache> {
        let root = cache_root()?;
        let entry = root.join(git::cache_name(url));
        match fs::symlink_metadata(&entry) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(Error::GitTemplate {
                    url: url.to_owned(),
                    message: format!(
                        "the cached clone {} is a symlink; groundwork never follows a link out of its cache: delete it to clone again",
                        entry.display()
                    ),
                });
            }
            // A warm cache serves even read-only (a fetch that cannot write is a warning).
            Ok(_) => return Ok(GitCache::shared(root)),
            Err(_) => {}
        }
        let Err(reason) = probe_writable(&root) else {
            return Ok(GitCache::shared(root));
        };
        let temporary = crate::dialect::cookiecutter::hooks::TempFolder::new(
            crate::dialect::cookiecutter::hooks::CLONE_DIR_PREFIX,
        )?;
        Ok(GitCache {
            root: temporary.path().to_owned(),
            note: Some(format!(
                "the git cache {} cannot be written ({reason}); {url} is cloned into a temporary folder for this run instead",
                root.display()
            )),
            _temporary: Some(temporary),
        })
    }

    fn shared(root: PathBuf) -> GitCache {
        GitCache {
            root,
            _temporary: None,
            note: None,
        }
    }

    fn path(&self) -> &Path {
        &self.root
    }
}

/// Whether a clone can be made in `root`: it exists or can be made, and a folder can be created
/// in it (the way a clone is staged). Returns why not.
fn probe_writable(root: &Path) -> std::result::Result<(), std::io::Error> {
    fs::create_dir_all(root)?;
    tempfile::Builder::new()
        .prefix(".probe-")
        .tempdir_in(root)
        .map(drop)
}

/// What is recorded as `source` in `.groundwork.toml` (a subdir is recorded separately).
impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Builtin(name) => write!(f, "{BUILTIN_PREFIX}{name}"),
            Source::Local(path) => write!(f, "{}", path.display()),
            Source::Git { url, .. } => f.write_str(url),
        }
    }
}

/// [`Source::classify`] with the directory relative paths start from given explicitly, so tests
/// need not change the process-wide current directory.
fn classify_in(arg: &str, subdir: Option<&str>, cwd: &Path) -> Result<Source> {
    if let Some(url) = expand_abbreviation(arg) {
        return classify_in(&url, subdir, cwd);
    }
    let subdir = subdir
        .map(|s| normalize_subdir(arg, s))
        .transpose()?
        .flatten();
    if let Some(name) = arg.strip_prefix(BUILTIN_PREFIX) {
        return builtin_source(arg, name, subdir.as_deref());
    }
    if is_url(arg) {
        return Ok(Source::Git {
            url: arg.to_owned(),
            subdir,
        });
    }
    if looks_like_path(arg) {
        return classify_path(arg, &expand_home(arg)?, cwd, subdir);
    }
    if builtin_names().contains(&arg) {
        return builtin_source(arg, arg, subdir.as_deref());
    }
    if !arg.is_empty() && cwd.join(arg).is_dir() {
        return classify_path(arg, Path::new(arg), cwd, subdir);
    }
    Err(Error::NoSuchTemplate {
        name: arg.to_owned(),
        available: builtin_names().join(", "),
    })
}

fn builtin_source(arg: &str, name: &str, subdir: Option<&str>) -> Result<Source> {
    if !builtin_names().contains(&name) {
        return Err(unknown_builtin(name));
    }
    if let Some(subdir) = subdir {
        return Err(Error::InvalidSubdir {
            template: arg.to_owned(),
            subdir: subdir.to_owned(),
            reason: "a built-in template has no subdirectories".into(),
        });
    }
    Ok(Source::Builtin(name.to_owned()))
}

/// A URL git understands, or git's scp-like `user@host:path`.
/// Cookiecutter's built-in abbreviations (`gh:`, `gl:` and `bb:` followed by `owner/repo`) and
/// its `git+URL` form.
fn expand_abbreviation(arg: &str) -> Option<String> {
    if let Some(url) = arg.strip_prefix("git+")
        && is_url(url)
    {
        return Some(url.to_owned());
    }
    let (prefix, rest) = arg.split_once(':')?;
    if rest.is_empty() || rest.starts_with('/') {
        return None;
    }
    match prefix {
        "gh" => Some(format!("https://github.com/{rest}.git")),
        "gl" => Some(format!("https://gitlab.com/{rest}.git")),
        "bb" => Some(format!("https://bitbucket.org/{rest}")),
        _ => None,
    }
}

fn is_url(arg: &str) -> bool {
    let lower = arg.to_ascii_lowercase();
    if URL_SCHEMES.iter().any(|scheme| lower.starts_with(scheme)) {
        return true;
    }
    // scp-like: the colon comes before any slash, and a user is named (which is what tells
    // `git@host:repo` from a Windows drive or a file name with a colon).
    let Some((before, after)) = arg.split_once(':') else {
        return false;
    };
    match before.split_once('@') {
        Some((user, host)) => {
            !user.is_empty() && !host.is_empty() && !before.contains('/') && !after.is_empty()
        }
        None => false,
    }
}

/// Whether the argument can only be meant as a path (never a built-in name).
fn looks_like_path(arg: &str) -> bool {
    arg == "."
        || arg == ".."
        || arg == "~"
        || arg.starts_with("~/")
        || arg.contains('/')
        || arg.contains(std::path::MAIN_SEPARATOR)
        || Path::new(arg).is_absolute()
}

fn expand_home(arg: &str) -> Result<PathBuf> {
    let rest = if arg == "~" {
        ""
    } else if let Some(rest) = arg.strip_prefix("~/") {
        rest
    } else {
        return Ok(PathBuf::from(arg));
    };
    let home = dirs::home_dir().ok_or_else(|| Error::TemplatePathMissing {
        path: PathBuf::from(arg),
    })?;
    Ok(home.join(rest))
}

/// A directory argument: a git repository when it is the root of one, a plain directory otherwise.
fn classify_path(arg: &str, path: &Path, cwd: &Path, subdir: Option<String>) -> Result<Source> {
    let absolute = existing_dir(arg, &cwd.join(path))?;
    if is_git_repository(&absolute) {
        // A cookiecutter template in a checkout (not a bare repository) is read from its files as
        // they are, as cookiecutter reads a local directory (a clean one still records its commit).
        let inner = subdir
            .as_ref()
            .map_or_else(|| absolute.clone(), |s| absolute.join(s));
        if absolute.join(".git").exists() && foreign_dialect(&inner).is_some() {
            return Ok(Source::Local(existing_dir(arg, &inner)?));
        }
        return Ok(Source::Git {
            url: absolute.to_string_lossy().into_owned(),
            subdir,
        });
    }
    match subdir {
        Some(subdir) => {
            let shown = format!("{arg}/{subdir}");
            Ok(Source::Local(existing_dir(&shown, &absolute.join(subdir))?))
        }
        None => Ok(Source::Local(absolute)),
    }
}

/// The canonical path of a directory that must exist; errors name the argument as given.
fn existing_dir(arg: &str, path: &Path) -> Result<PathBuf> {
    match fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::TemplatePathMissing {
            path: PathBuf::from(arg),
        }),
        Err(e) => Err(Error::io(arg, e)),
        Ok(meta) if !meta.is_dir() => Err(Error::TemplatePathNotDirectory {
            path: PathBuf::from(arg),
        }),
        Ok(_) => fs::canonicalize(path).map_err(|e| Error::io(arg, e)),
    }
}

/// The root of a work tree (`.git` at its root, as a directory or a worktree's file) or a bare
/// repository. A directory merely somewhere inside a repository is not one: it is a plain template.
fn is_git_repository(path: &Path) -> bool {
    path.join(".git").exists() || git2::Repository::open_bare(path).is_ok()
}

/// `--subdir` as `/`-separated relative components; `None` when it names the root itself.
fn normalize_subdir(arg: &str, subdir: &str) -> Result<Option<String>> {
    let invalid = |reason: &str| Error::InvalidSubdir {
        template: arg.to_owned(),
        subdir: subdir.to_owned(),
        reason: reason.to_owned(),
    };
    if subdir.starts_with('/') || subdir.starts_with('\\') || Path::new(subdir).is_absolute() {
        return Err(invalid(
            "must be a relative path inside the template source",
        ));
    }
    let mut parts = Vec::new();
    for part in subdir.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return Err(invalid("must not contain `..`")),
            _ if part.eq_ignore_ascii_case(".git") => {
                return Err(invalid("must not point into `.git`"));
            }
            _ => parts.push(part),
        }
    }
    Ok((!parts.is_empty()).then(|| parts.join("/")))
}

/// Every built-in template, sorted by name.
pub(crate) fn builtin_templates() -> Result<Vec<Template>> {
    builtin_names()
        .iter()
        .map(|name| load_builtin(name))
        .collect()
}

/// Every version of built-in template `name` this binary can load, ascending: its recorded
/// releases and the embedded current version.
pub(crate) fn builtin_versions(name: &str) -> Result<Vec<Available>> {
    let current = load_builtin(name)?.manifest.version;
    Ok(with_current(release::builtin_versions(name)?, current))
}

/// `released` plus `current`, ascending, each once, as references that load them.
fn with_current(mut released: Vec<semver::Version>, current: semver::Version) -> Vec<Available> {
    if !released.contains(&current) {
        released.push(current);
    }
    released.sort();
    released
        .into_iter()
        .map(|version| Available {
            reference: version.to_string(),
            version,
        })
        .collect()
}

/// The version a `--ref`/`--to` names, if it names one (`1.2.0` or `v1.2.0`).
fn as_version(reference: &str) -> Option<semver::Version> {
    semver::Version::parse(reference.strip_prefix('v').unwrap_or(reference)).ok()
}

/// Built-in template `name` at `reference` (a version, with or without `v`; `None` = current).
fn load_builtin_version(name: &str, reference: Option<&str>) -> Result<Loaded> {
    let mut template = load_builtin(name)?;
    let current = template.manifest.version.clone();
    if let Some(reference) = reference.filter(|r| *r != CURRENT) {
        match as_version(reference) {
            Some(wanted) if wanted == current => {}
            // Earlier releases come from the store embedded beside the template.
            Some(wanted) if release::builtin_versions(name)?.contains(&wanted) => {
                template = release::builtin_at(name, &wanted)?;
            }
            _ => {
                let known: Vec<String> = builtin_versions(name)?
                    .iter()
                    .map(|a| a.version.to_string())
                    .collect();
                return Err(Error::VersionUnavailable {
                    template: format!("{BUILTIN_PREFIX}{name}"),
                    reference: reference.to_owned(),
                    reason: format!("this groundwork has versions {}", known.join(", ")),
                });
            }
        }
    }
    let current = &template.manifest.version;
    Ok(Loaded {
        provenance: Provenance {
            source: format!("{BUILTIN_PREFIX}{name}"),
            version: current.clone(),
            commit: None,
            digest: None,
            subdir: None,
        },
        template,
        warnings: Vec::new(),
    })
}

fn unknown_builtin(name: &str) -> Error {
    Error::UnknownTemplate {
        name: name.to_owned(),
        available: builtin_names().join(", "),
    }
}

fn load_builtin(name: &str) -> Result<Template> {
    let unknown = || unknown_builtin(name);
    let dir = BUILTIN
        .get_dir(name)
        .filter(|_| !name.contains('/'))
        .ok_or_else(unknown)?;
    let manifest_path = dir.path().join(MANIFEST_FILE);
    let manifest_file = dir.get_file(&manifest_path).ok_or_else(unknown)?;
    let display_path = PathBuf::from(BUILTIN_PREFIX).join(&manifest_path);
    let text = manifest_file
        .contents_utf8()
        .ok_or_else(|| Error::Manifest {
            path: display_path.clone(),
            line: 1,
            column: 1,
            message: "not UTF-8".into(),
        })?;
    let manifest = manifest::parse(&display_path, text)?;

    let mut files = Vec::new();
    collect_builtin(dir, dir.path(), &mut files);
    Template::new(manifest, files)
}

fn collect_builtin(dir: &Dir<'static>, root: &Path, files: &mut Vec<TemplateFile>) {
    for file in dir.files() {
        let relative = slash_path(file.path().strip_prefix(root).unwrap_or(file.path()));
        if relative == MANIFEST_FILE {
            continue;
        }
        let recorded = slash_path(file.path());
        files.push(TemplateFile {
            mode: None,
            executable: recorded::EXECUTABLES.contains(&recorded.as_str()),
            path: relative,
            contents: file.contents().to_vec(),
        });
    }
    for sub in dir.dirs() {
        // Past releases are stored beside the template, but are not project content.
        if sub.path() == root.join(STORE_DIR) {
            continue;
        }
        collect_builtin(sub, root, files);
    }
}

/// A plain directory at `reference`: only its current state exists.
fn load_local_version(root: &Path, reference: Option<&str>) -> Result<Loaded> {
    // A reference into a cookiecutter checkout is read from git, as `--checkout` would.
    if let Some(reference) = reference.filter(|r| *r != CURRENT)
        && foreign_dialect(root).is_some()
        && let Some((_, workdir, subdir)) = git::checkout_of(root)
    {
        let url = workdir.display().to_string();
        let cache = GitCache::for_url(&url)?;
        let mut loaded = git::load(&url, subdir.as_deref(), Some(reference), cache.path())?;
        loaded.warnings.extend(cache.note);
        return Ok(loaded);
    }
    let (mut template, digest) = load_local(root)?;
    // Edits since the release the manifest names are no release: they render as
    // `X.Y.Z+<digest>`, so nothing ships under the last release's label.
    let unreleased = if template.dialect.follows_branch() {
        None
    } else {
        unreleased_label(root, &template.manifest.version, &digest)?
    };
    if let Some(reference) = reference.filter(|r| *r != CURRENT) {
        let store = release::Store::Disk(root.to_owned());
        match as_version(reference) {
            Some(wanted) if unreleased.as_ref() == Some(&wanted) => {}
            Some(wanted) if wanted == template.manifest.version && unreleased.is_none() => {}
            // A directory keeps earlier versions when its maintainer cut releases.
            Some(wanted) if store.versions()?.contains(&wanted) => {
                let digest = release_digest(&store, &wanted)?;
                let template =
                    store.template_at(&format!("{}@{wanted}", root.display()), &wanted)?;
                return Ok(folder_loaded(root, template, digest, Vec::new()));
            }
            _ => {
                return Err(Error::VersionUnavailable {
                    template: root.display().to_string(),
                    reference: reference.to_owned(),
                    reason: "a plain directory has its current version and the releases recorded with `groundwork template release`; make it a git repository and tag versions".into(),
                });
            }
        }
    }
    if reference.is_none()
        && template.dialect.follows_branch()
        && let Some(checkout) = git::clean_checkout(root)
    {
        // Files exactly at a commit: recorded as that commit, so `update` reads its base from git.
        template.manifest.version = checkout.version.clone();
        return Ok(Loaded {
            provenance: Provenance {
                source: checkout.workdir.display().to_string(),
                version: checkout.version,
                commit: Some(checkout.commit),
                digest: None,
                subdir: checkout.subdir,
            },
            template,
            warnings: Vec::new(),
        });
    }
    let mut warnings = Vec::new();
    if let Some(label) = unreleased {
        warnings.push(format!(
            "{} has changes that are in no release: its files differ from release {}, so they go by {label}; cut a release with `groundwork template release {}`",
            root.display(),
            template.manifest.version,
            root.display()
        ));
        template.manifest.version = label;
    }
    Ok(folder_loaded(root, template, digest, warnings))
}

/// A template read from the folder `root` (its files, or a release recorded there), as loaded.
fn folder_loaded(root: &Path, template: Template, digest: String, warnings: Vec<String>) -> Loaded {
    Loaded {
        provenance: Provenance {
            source: root.display().to_string(),
            version: template.manifest.version.clone(),
            commit: None,
            digest: Some(digest),
            subdir: None,
        },
        template,
        warnings,
    }
}

/// The content digest of release `version` in `store`, comparable with a folder's own.
fn release_digest(store: &release::Store, version: &semver::Version) -> Result<String> {
    let files = store.files_at(version)?;
    let mut hashed: Vec<(&str, bool, &[u8])> = files
        .iter()
        .map(|f| (f.path.as_str(), f.executable, f.contents.as_slice()))
        .collect();
    Ok(content_digest(&mut hashed))
}

/// `X.Y.Z+<first 8 hex digits of digest>` when the folder `root` records release `version` (its
/// manifest's) and its files (`digest`) differ from it; `None` when they are that release, or when
/// the folder has no such release (then there is nothing to tell them apart from).
fn unreleased_label(
    root: &Path,
    version: &semver::Version,
    digest: &str,
) -> Result<Option<semver::Version>> {
    let store = release::Store::Disk(root.to_owned());
    if !store.versions()?.contains(version) {
        return Ok(None);
    }
    if release_digest(&store, version)? == digest {
        return Ok(None);
    }
    let short = digest.trim_start_matches("sha256:").get(..8).unwrap_or("0");
    let mut label = version.clone();
    label.build = semver::BuildMetadata::new(short).unwrap_or(semver::BuildMetadata::EMPTY);
    Ok(Some(label))
}

/// The parsed manifest of a directory template and its file's bytes and executable bit.
fn read_local_manifest(root: &Path) -> Result<(Manifest, (Vec<u8>, bool))> {
    let meta = fs::metadata(root).map_err(|e| Error::io(root, e))?;
    if !meta.is_dir() {
        return Err(Error::NotATemplate {
            path: root.to_owned(),
        });
    }
    let manifest_path = root.join(MANIFEST_FILE);
    if !manifest_path.is_file() {
        return Err(Error::NotATemplate {
            path: root.to_owned(),
        });
    }
    // A symlinked template.toml is read like any symlink in the template: only when it points
    // to a file inside it (the git form refuses one that leaves the template, too).
    let is_link = fs::symlink_metadata(&manifest_path)
        .map_err(|e| Error::io(&manifest_path, e))?
        .file_type()
        .is_symlink();
    let (bytes, bits) = if is_link {
        let canonical_root = fs::canonicalize(root).map_err(|e| Error::io(root, e))?;
        read_symlink(&manifest_path, &canonical_root)?
    } else {
        read_file(&manifest_path)?
    };
    let (executable, _) = crate::core::tree::mode_of(bits);
    let manifest = manifest::parse_bytes(&manifest_path, &bytes)?;
    Ok((manifest, (bytes, executable)))
}

/// The dialect `root` is written in when it has no `template.toml` but another dialect's marker
/// file (a cookiecutter template's `cookiecutter.json`).
fn foreign_dialect(root: &Path) -> Option<&'static Foreign> {
    if root.join(MANIFEST_FILE).is_file() {
        return None;
    }
    registry::recognise(|marker| root.join(marker).is_file())
}

/// The name a cookiecutter template goes by: its folder's.
fn folder_name(root: &Path) -> String {
    root.file_name().map_or_else(
        || "cookiecutter".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// A directory template and the digest of everything it holds.
fn load_local(root: &Path) -> Result<(Template, String)> {
    // A template of another dialect has no manifest of its own (`cookiecutter.json` is one of its
    // files).
    let foreign = foreign_dialect(root);
    let native = match foreign {
        Some(_) => None,
        None => Some(read_local_manifest(root)?),
    };

    let canonical_root = fs::canonicalize(root).map_err(|e| Error::io(root, e))?;
    let mut files = Vec::new();
    let walk = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            !(e.depth() == 1 && (e.file_name() == ".git" || e.file_name() == STORE_DIR))
        });
    for entry in walk {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(root).to_owned();
            Error::io(path, e.into())
        })?;
        let relative = slash_path(entry.path().strip_prefix(root).unwrap_or(entry.path()));
        if entry.depth() == 0 || (native.is_some() && relative == MANIFEST_FILE) {
            continue;
        }
        let file_type = entry.file_type();
        if file_type.is_dir() {
            continue;
        }
        // Paths are text from here on (rendered, recorded, compared); a lossy conversion would
        // silently write another name (`\xff.txt` as `\u{fffd}.txt`). A folder's name is checked
        // with the files below it.
        if entry
            .path()
            .strip_prefix(root)
            .unwrap_or(entry.path())
            .to_str()
            .is_none()
        {
            return Err(Error::TemplateEntry {
                path: relative,
                reason: "has a name that is not UTF-8 (shown with \u{fffd} for the bytes that are not); template file names must be UTF-8: rename it".into(),
            });
        }
        if !file_type.is_file() && !file_type.is_symlink() {
            return Err(Error::TemplateEntry {
                path: relative,
                reason: format!(
                    "is {}; a template holds only regular files, directories and symlinks to its own files",
                    crate::core::input::special_kind(&file_type)
                ),
            });
        }
        let (contents, bits) = if file_type.is_symlink() {
            read_symlink(entry.path(), &canonical_root)?
        } else {
            read_file(entry.path())?
        };
        // The mode goes with the file; only the cookiecutter dialect writes it (as cookiecutter's
        // `shutil.copymode` does, following a symlink as it does).
        let (executable, mode) = crate::core::tree::mode_of(bits);
        files.push(TemplateFile {
            mode,
            path: relative,
            contents,
            executable,
        });
    }
    let mut hashed: Vec<(&str, bool, &[u8])> = files
        .iter()
        .map(|f| (f.path.as_str(), f.executable, f.contents.as_slice()))
        .collect();
    if let Some((_, (manifest_bytes, manifest_executable))) = &native {
        hashed.push((MANIFEST_FILE, *manifest_executable, manifest_bytes));
    }
    let digest = content_digest(&mut hashed);
    let template = match (native, foreign) {
        (Some((manifest, _)), _) => Template::new(manifest, files)?,
        (None, Some(dialect)) => (dialect.load)(
            &folder_name(root),
            semver::Version::new(0, 0, 0),
            root.join(dialect.marker),
            files,
        )?,
        (None, None) => {
            return Err(Error::NotATemplate {
                path: root.to_owned(),
            });
        }
    };
    Ok((template, digest))
}

/// `sha256:<hex>` over (path, executable bit, bytes) of every file, in path order. Each field is
/// length-prefixed so that no two different trees can feed the hash the same byte stream.
fn content_digest(files: &mut [(&str, bool, &[u8])]) -> String {
    files.sort_by(|a, b| a.0.cmp(b.0));
    let mut hasher = Sha256::new();
    for (path, executable, contents) in files.iter() {
        hasher.update((path.len() as u64).to_le_bytes());
        hasher.update(path.as_bytes());
        hasher.update([u8::from(*executable)]);
        hasher.update((contents.len() as u64).to_le_bytes());
        hasher.update(contents);
    }
    format!("sha256:{}", hex(&hasher.finalize()))
}

/// A symlink is read as its target when the target is a file inside the template.
fn read_symlink(path: &Path, canonical_root: &Path) -> Result<(Vec<u8>, u32)> {
    let target = fs::canonicalize(path).map_err(|_| Error::TemplateSymlink {
        path: path.to_owned(),
        reason: "is broken".into(),
    })?;
    if !target.starts_with(canonical_root) {
        return Err(Error::TemplateSymlink {
            path: path.to_owned(),
            reason: format!(
                "points outside the template (to {}); templates may only link to their own files",
                target.display()
            ),
        });
    }
    let meta = fs::metadata(&target).map_err(|e| Error::io(&target, e))?;
    if !meta.is_file() {
        let kind = crate::core::input::special_kind(&meta.file_type());
        return Err(Error::TemplateSymlink {
            path: path.to_owned(),
            reason: format!("points to {kind}; only links to regular files are supported"),
        });
    }
    read_file(&target)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "[template]\nname = \"t\"\nversion = \"1.0.0\"\n";

    fn template_dir(root: &Path, name: &str) -> PathBuf {
        let dir = root.join(name);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(MANIFEST_FILE), MANIFEST).unwrap();
        fs::write(dir.join("readme.txt"), "hello\n").unwrap();
        fs::canonicalize(dir).unwrap()
    }

    fn error(arg: &str, cwd: &Path) -> String {
        classify_in(arg, None, cwd).unwrap_err().to_string()
    }

    #[test]
    fn builtin_names_and_prefix_are_builtin() {
        let cwd = tempfile::tempdir().unwrap();
        for arg in [DEFAULT_TEMPLATE, "builtin:datascience"] {
            assert_eq!(
                classify_in(arg, None, cwd.path()).unwrap(),
                Source::Builtin(DEFAULT_TEMPLATE.into())
            );
        }
        let message = error("builtin:nope", cwd.path());
        assert!(message.contains("`nope`"), "{message}");
        assert!(message.contains(DEFAULT_TEMPLATE), "{message}");
    }

    #[test]
    fn a_bare_name_prefers_the_builtin_and_a_path_never_is_one() {
        let cwd = tempfile::tempdir().unwrap();
        let shadow = template_dir(cwd.path(), DEFAULT_TEMPLATE);
        assert_eq!(
            classify_in(DEFAULT_TEMPLATE, None, cwd.path()).unwrap(),
            Source::Builtin(DEFAULT_TEMPLATE.into())
        );
        assert_eq!(
            classify_in("./datascience", None, cwd.path()).unwrap(),
            Source::Local(shadow)
        );
    }

    #[test]
    fn relative_paths_and_bare_directory_names_are_local() {
        let cwd = tempfile::tempdir().unwrap();
        let dir = template_dir(cwd.path(), "mine");
        for arg in ["./mine", "mine", "./mine/", "mine/."] {
            assert_eq!(
                classify_in(arg, None, cwd.path()).unwrap(),
                Source::Local(dir.clone()),
                "{arg}"
            );
        }
        // `..` is resolved: the recorded path is canonical.
        assert_eq!(
            classify_in("../mine", None, &dir).unwrap(),
            Source::Local(dir.clone())
        );
        let absolute = dir.to_string_lossy().into_owned();
        assert_eq!(
            classify_in(&absolute, None, Path::new("/")).unwrap(),
            Source::Local(dir.clone())
        );
    }

    #[test]
    fn an_unknown_bare_name_lists_builtins_and_hints_at_a_path() {
        let cwd = tempfile::tempdir().unwrap();
        let message = error("nope", cwd.path());
        assert!(message.contains("unknown template `nope`"), "{message}");
        assert!(message.contains(DEFAULT_TEMPLATE), "{message}");
        assert!(message.contains("./nope"), "{message}");
    }

    #[test]
    fn issue10_cookiecutter_abbreviations_expand_to_their_hosts() {
        let cwd = tempfile::tempdir().unwrap();
        for (given, url) in [
            ("gh:org/repo", "https://github.com/org/repo.git"),
            ("gl:group/sub/repo", "https://gitlab.com/group/sub/repo.git"),
            ("bb:team/repo", "https://bitbucket.org/team/repo"),
            ("git+https://example.com/r.git", "https://example.com/r.git"),
        ] {
            assert_eq!(
                classify_in(given, Some("t"), cwd.path()).unwrap(),
                Source::Git {
                    url: url.into(),
                    subdir: Some("t".into())
                },
                "{given}"
            );
        }
        // Not abbreviations: another prefix, or nothing after the colon.
        assert!(classify_in("gx:org/repo", None, cwd.path()).is_err());
        assert!(classify_in("gh:", None, cwd.path()).is_err());
    }

    #[test]
    fn urls_and_scp_addresses_are_git_as_given() {
        let cwd = tempfile::tempdir().unwrap();
        for url in [
            "https://github.com/org/repo.git",
            "http://example.com/repo",
            "ssh://git@example.com/org/repo.git",
            "git://example.com/repo.git",
            "file:///srv/templates/repo.git",
            "git@github.com:org/repo.git",
            "HTTPS://example.com/Repo",
        ] {
            assert_eq!(
                classify_in(url, None, cwd.path()).unwrap(),
                Source::Git {
                    url: url.into(),
                    subdir: None
                },
                "{url}"
            );
        }
        assert_eq!(
            classify_in("git@example.com:repo", Some("templates/a/"), cwd.path()).unwrap(),
            Source::Git {
                url: "git@example.com:repo".into(),
                subdir: Some("templates/a".into())
            }
        );
    }

    #[test]
    fn missing_paths_and_files_are_clear_errors() {
        let cwd = tempfile::tempdir().unwrap();
        assert_eq!(
            error("./missing", cwd.path()),
            "template path ./missing does not exist"
        );
        assert_eq!(error("a/b", cwd.path()), "template path a/b does not exist");
        fs::write(cwd.path().join("file"), "x").unwrap();
        assert_eq!(
            error("./file", cwd.path()),
            "template path ./file is not a directory"
        );
    }

    #[test]
    fn a_repository_root_is_git_and_a_directory_inside_one_is_local() {
        let cwd = tempfile::tempdir().unwrap();
        let repo = template_dir(cwd.path(), "repo");
        git2::Repository::init(&repo).unwrap();
        let inner = template_dir(&repo, "inner");
        assert_eq!(
            classify_in("./repo", None, cwd.path()).unwrap(),
            Source::Git {
                url: repo.to_string_lossy().into_owned(),
                subdir: None
            }
        );
        assert_eq!(
            classify_in("repo", Some("inner"), cwd.path()).unwrap(),
            Source::Git {
                url: repo.to_string_lossy().into_owned(),
                subdir: Some("inner".into())
            }
        );
        assert_eq!(
            classify_in("./repo/inner", None, cwd.path()).unwrap(),
            Source::Local(inner)
        );
        let bare = cwd.path().join("bare.git");
        git2::Repository::init_bare(&bare).unwrap();
        assert!(matches!(
            classify_in("./bare.git", None, cwd.path()).unwrap(),
            Source::Git { .. }
        ));
    }

    #[test]
    fn subdir_must_stay_inside_and_joins_a_plain_directory() {
        let cwd = tempfile::tempdir().unwrap();
        let inner = template_dir(&cwd.path().join("outer"), "inner");
        assert_eq!(
            classify_in("./outer", Some("./inner"), cwd.path()).unwrap(),
            Source::Local(inner)
        );
        for bad in ["../x", "a/../../b", "/abs", ".git"] {
            let message = classify_in("./outer", Some(bad), cwd.path())
                .unwrap_err()
                .to_string();
            assert!(message.contains(bad), "{message}");
        }
        let message = classify_in(DEFAULT_TEMPLATE, Some("x"), cwd.path())
            .unwrap_err()
            .to_string();
        assert!(message.contains("built-in"), "{message}");
        assert!(
            classify_in("./outer", Some("missing"), cwd.path())
                .unwrap_err()
                .to_string()
                .contains("does not exist")
        );
    }

    #[test]
    fn local_digest_is_stable_and_sees_every_byte_and_mode() {
        let root = tempfile::tempdir().unwrap();
        let dir = template_dir(root.path(), "t");
        let digest = |dir: &Path| {
            Source::Local(dir.to_owned())
                .load(None)
                .unwrap()
                .provenance
                .digest
                .unwrap()
        };
        let first = digest(&dir);
        assert!(
            first.starts_with("sha256:") && first.len() == 7 + 64,
            "{first}"
        );
        assert_eq!(digest(&dir), first);

        fs::write(dir.join("readme.txt"), "hellp\n").unwrap();
        let changed = digest(&dir);
        assert_ne!(changed, first);
        fs::write(dir.join("readme.txt"), "hello\n").unwrap();
        assert_eq!(digest(&dir), first, "same bytes, same digest");

        fs::write(
            dir.join(MANIFEST_FILE),
            MANIFEST.replace("name = \"t\"", "name = \"u\""),
        )
        .unwrap();
        assert_ne!(digest(&dir), first, "template.toml is part of the digest");
        fs::write(dir.join(MANIFEST_FILE), MANIFEST).unwrap();

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(dir.join("readme.txt"), fs::Permissions::from_mode(0o755)).unwrap();
            assert_ne!(
                digest(&dir),
                first,
                "the executable bit is part of the digest"
            );
        }
    }

    #[test]
    fn local_and_builtin_offer_their_current_version_and_releases() {
        let root = tempfile::tempdir().unwrap();
        let dir = template_dir(root.path(), "t");
        let local = Source::Local(dir.clone());
        let loaded = local.load(None).unwrap();
        assert_eq!(loaded.provenance.source, dir.display().to_string());
        assert_eq!(loaded.provenance.version.to_string(), "1.0.0");
        assert_eq!(loaded.provenance.commit, None);
        let versions = local.versions().unwrap();
        assert_eq!(versions.len(), 1);
        assert_eq!(versions[0].reference, "1.0.0");
        assert!(local.load(Some(CURRENT)).is_ok());
        assert!(local.load(Some("v1.0.0")).is_ok());
        let message = local.load(Some("v0.9.0")).unwrap_err().to_string();
        assert!(
            message.contains("has its current version and the releases recorded"),
            "{message}"
        );
        assert!(message.contains("v0.9.0"), "{message}");

        let builtin = Source::Builtin(DEFAULT_TEMPLATE.into());
        let versions = builtin.versions().unwrap();
        let current = versions.last().unwrap();
        assert_eq!(
            current.version,
            builtin.load(None).unwrap().provenance.version
        );
        let loaded = builtin.load(Some(&current.reference)).unwrap();
        assert_eq!(loaded.provenance.source, "builtin:datascience");
        assert_eq!(loaded.provenance.version, current.version);
        assert!(builtin.load(Some(&format!("v{}", current.version))).is_ok());
        let message = builtin.load(Some("0.0.1")).unwrap_err().to_string();
        assert!(
            message.contains("builtin:datascience has no version `0.0.1`"),
            "{message}"
        );
    }

    #[test]
    fn provenance_round_trips_through_toml_and_back_to_a_source() {
        let provenance = Provenance {
            source: "https://example.com/t.git".into(),
            version: semver::Version::new(1, 2, 3),
            commit: Some("a".repeat(40)),
            digest: None,
            subdir: Some("templates/a".into()),
        };
        let text = toml::to_string(&provenance).unwrap();
        assert!(text.contains("version = \"1.2.3\""), "{text}");
        assert!(!text.contains("digest"), "{text}");
        let back: Provenance = toml::from_str(&text).unwrap();
        assert_eq!(back, provenance);
        assert_eq!(
            Source::from_provenance(&back).unwrap(),
            Source::Git {
                url: "https://example.com/t.git".into(),
                subdir: Some("templates/a".into())
            }
        );

        let builtin: Provenance =
            toml::from_str("source = \"builtin:datascience\"\nversion = \"0.1.0\"\n").unwrap();
        assert_eq!(
            Source::from_provenance(&builtin).unwrap(),
            Source::Builtin(DEFAULT_TEMPLATE.into())
        );

        let root = tempfile::tempdir().unwrap();
        let dir = template_dir(root.path(), "t");
        let loaded = Source::Local(dir.clone()).load(None).unwrap();
        assert_eq!(
            Source::from_provenance(&loaded.provenance).unwrap(),
            Source::Local(dir.clone())
        );
        let gone = Provenance {
            source: root.path().join("gone").display().to_string(),
            commit: Some("b".repeat(40)),
            ..loaded.provenance
        };
        assert!(matches!(
            Source::from_provenance(&gone).unwrap(),
            Source::Git { .. }
        ));
        let relative = Provenance {
            source: "relative/path".into(),
            ..gone
        };
        assert!(Source::from_provenance(&relative).is_err());
    }
}
