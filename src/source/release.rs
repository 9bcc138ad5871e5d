//! Released versions of native templates, kept compactly beside the template in
//! `.groundwork-releases/`: content-addressed blobs shared by every release, and one small record
//! per release listing only what changed since its parent (see docs/template-format.md,
//! "Releases"). Owns reading a store (embedded in the binary or on disk), rebuilding the files of any
//! release, the digest of a release's render, and cutting a new release.
//!
//! It must never rewrite or delete a recorded release or blob (a project's true base lives there),
//! never start a `git` process (git2 only, and only to notice a work tree), and never write a
//! project: it renders only in memory, to compute digests.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use include_dir::Dir;
use semver::Version;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use crate::core::error::{Error, Result};
use crate::dialect::native::{self, Expressions};
use crate::source::{self, Source};
use crate::template::answers::{self, Mode, Presets};
use crate::template::manifest::{self, MANIFEST_FILE};
use crate::template::{Template, TemplateFile};

/// The folder, at a template's root, that holds its releases.
pub const STORE_DIR: &str = ".groundwork-releases";
/// The folder, inside [`STORE_DIR`], of content-addressed file contents.
const BLOBS_DIR: &str = "blobs";
/// The destination name of the fixed answer set a release's digest is computed from.
const DIGEST_DESTINATION: &str = "release-digest";
/// The first line of every record, for whoever opens one.
const RECORD_HEADER: &str = "# A groundwork template release: written by `groundwork template release`, never edited.\n# Format: docs/template-format.md, \"Releases\".\n";

/// A release store, read from the embedded built-in templates or from a directory on disk. Both
/// variants name the template's directory (the one holding `template.toml` and [`STORE_DIR`]).
pub enum Store {
    Embedded(&'static Dir<'static>),
    Disk(PathBuf),
}

/// One release's record, as stored in `<version>.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub version: Version,
    /// The previous release; `None` for the first, which lists every file.
    pub parent: Option<Version>,
    /// `sha256:<hex>` of the release's render with the fixed answer set (see [`render_digest`]).
    pub digest: String,
    /// Paths added or changed since `parent`.
    pub files: BTreeMap<String, FileRecord>,
    /// Paths present in `parent` and gone in this release.
    pub removed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRecord {
    /// sha256 hex of the contents, which live in `blobs/<blob>`.
    pub blob: String,
    pub executable: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecord {
    version: String,
    parent: Option<String>,
    digest: String,
    #[serde(default)]
    removed: Vec<String>,
    #[serde(default)]
    files: BTreeMap<String, FileRecord>,
}

impl Store {
    /// Every recorded release, ascending; empty when the template has no store.
    pub fn versions(&self) -> Result<Vec<Version>> {
        let mut versions = Vec::new();
        for name in self.record_names()? {
            let Some(stem) = name.strip_suffix(".toml") else {
                continue;
            };
            let version = Version::parse(stem).map_err(|e| {
                self.corrupt(format!("record `{name}` is not named <version>.toml: {e}"))
            })?;
            versions.push(version);
        }
        versions.sort();
        Ok(versions)
    }

    /// The record of `version`, checked: its name, version and parent agree, and its paths and blob
    /// names are well formed.
    pub fn record(&self, version: &Version) -> Result<Record> {
        let name = format!("{version}.toml");
        let text = self.read(&[&name])?.ok_or_else(|| self.unknown(version))?;
        let text =
            String::from_utf8(text).map_err(|_| self.corrupt(format!("{name} is not UTF-8")))?;
        let raw: RawRecord = toml::from_str(&text)
            .map_err(|e| self.corrupt(format!("{name}: {}", e.message().trim_end())))?;
        let parse = |field: &str, text: &str| {
            Version::parse(text).map_err(|e| self.corrupt(format!("{name}: `{field}`: {e}")))
        };
        let record = Record {
            version: parse("version", &raw.version)?,
            parent: raw
                .parent
                .as_deref()
                .map(|p| parse("parent", p))
                .transpose()?,
            digest: raw.digest,
            files: raw.files,
            removed: raw.removed,
        };
        if record.version != *version {
            return Err(self.corrupt(format!("{name} records version {}", record.version)));
        }
        if record.parent.as_ref().is_some_and(|p| p >= version) {
            return Err(self.corrupt(format!("{name}: the parent must be an earlier release")));
        }
        for path in record.files.keys().chain(&record.removed) {
            crate::core::tree::check_relative(path)
                .map_err(|reason| self.corrupt(format!("{name}: path {path:?} {reason}")))?;
        }
        if let Some((_, bad)) = record.files.iter().find(|(_, f)| !is_sha256_hex(&f.blob)) {
            return Err(self.corrupt(format!("{name}: blob {:?} is not a sha256", bad.blob)));
        }
        Ok(record)
    }

    /// The files of release `version`, sorted by path, `template.toml` included, each blob checked
    /// against its hash.
    pub fn files_at(&self, version: &Version) -> Result<Vec<TemplateFile>> {
        let mut chain = Vec::new();
        let mut next = Some(version.clone());
        while let Some(version) = next.take() {
            let record = self.record(&version)?;
            next.clone_from(&record.parent);
            chain.push(record);
        }
        let mut tree: BTreeMap<String, FileRecord> = BTreeMap::new();
        for record in chain.iter().rev() {
            for path in &record.removed {
                if tree.remove(path).is_none() {
                    return Err(self.corrupt(format!(
                        "{}.toml removes `{path}`, which its parent does not have",
                        record.version
                    )));
                }
            }
            tree.extend(record.files.clone());
        }
        tree.into_iter()
            .map(|(path, file)| {
                Ok(TemplateFile {
                    mode: None,
                    contents: self.blob(&file.blob, &format!("`{path}` of release {version}"))?,
                    executable: file.executable,
                    path,
                })
            })
            .collect()
    }

    /// The contents of blob `hex`, checked against its name; `what` says whose blob it is.
    fn blob(&self, hex: &str, what: &str) -> Result<Vec<u8>> {
        let contents = self
            .read(&[BLOBS_DIR, hex])?
            .ok_or_else(|| self.corrupt(format!("blob {hex} ({what}) is missing")))?;
        if sha256_hex(&contents) != hex {
            return Err(self.corrupt(format!("blob {hex} ({what}) does not match its hash")));
        }
        Ok(contents)
    }

    /// The contents of `parts` below the store, `None` when absent.
    fn read(&self, parts: &[&str]) -> Result<Option<Vec<u8>>> {
        match self {
            Store::Embedded(dir) => {
                let mut path = dir.path().join(STORE_DIR);
                path.extend(parts);
                Ok(dir.get_file(path).map(|f| f.contents().to_vec()))
            }
            Store::Disk(root) => {
                let mut path = root.join(STORE_DIR);
                path.extend(parts);
                // The store is a template's files (its blobs hold the released files): held to
                // the per-file limit before it is read, never a FIFO's hang, never a symlink
                // (groundwork writes only regular files there).
                let limits = crate::dialect::native::Limits::try_from_env()?;
                let too_large = |size| {
                    self.corrupt(format!(
                        "{} {}",
                        parts.join("/"),
                        limits.file_over(size).unwrap_or_default()
                    ))
                };
                let read = crate::core::input::read_limited(
                    &path,
                    crate::core::input::Symlinks::Refuse,
                    limits.file,
                    too_large,
                )?;
                Ok(read.map(|(contents, _)| contents))
            }
        }
    }

    /// File names directly in the store folder.
    fn record_names(&self) -> Result<Vec<String>> {
        match self {
            Store::Embedded(dir) => Ok(dir
                .get_dir(dir.path().join(STORE_DIR))
                .into_iter()
                .flat_map(Dir::files)
                .filter_map(|f| f.path().file_name()?.to_str().map(str::to_owned))
                .collect()),
            Store::Disk(root) => {
                let path = root.join(STORE_DIR);
                let entries = match fs::read_dir(&path) {
                    Ok(entries) => entries,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
                    Err(e) => return Err(Error::io(path, e)),
                };
                let mut names = Vec::new();
                for entry in entries {
                    let entry = entry.map_err(|e| Error::io(&path, e))?;
                    if entry
                        .file_type()
                        .map_err(|e| Error::io(entry.path(), e))?
                        .is_file()
                    {
                        names.push(entry.file_name().to_string_lossy().into_owned());
                    }
                }
                Ok(names)
            }
        }
    }

    fn location(&self) -> PathBuf {
        match self {
            Store::Embedded(dir) => PathBuf::from("builtin:").join(dir.path()).join(STORE_DIR),
            Store::Disk(root) => root.join(STORE_DIR),
        }
    }

    fn corrupt(&self, message: String) -> Error {
        Error::ReleaseStore {
            path: self.location(),
            message,
        }
    }

    fn unknown(&self, version: &Version) -> Error {
        let (name, place) = match self {
            Store::Embedded(dir) => (dir.path().display().to_string(), "this binary".to_owned()),
            Store::Disk(root) => (
                root.file_name().map_or_else(
                    || root.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                ),
                self.location().display().to_string(),
            ),
        };
        let known = match self.versions() {
            Ok(versions) if !versions.is_empty() => join(&versions),
            Ok(_) => "none".to_owned(),
            Err(e) => format!("unreadable ({e})"),
        };
        Error::UnknownRelease {
            name,
            version: version.to_string(),
            place,
            known,
        }
    }
}

/// The built-in template `name` at a released `version` (its own template.toml parsed as the manifest).
pub fn builtin_at(name: &str, version: &Version) -> Result<Template> {
    Store::Embedded(builtin_dir(name)?).template_at(&format!("builtin:{name}@{version}"), version)
}

impl Store {
    /// Release `version` as a template; `shown` names it in error messages.
    pub fn template_at(&self, shown: &str, version: &Version) -> Result<Template> {
        release_template(self, shown, version)
    }
}

fn release_template(store: &Store, shown: &str, version: &Version) -> Result<Template> {
    let mut files = store.files_at(version)?;
    let index = files
        .iter()
        .position(|f| f.path == MANIFEST_FILE)
        .ok_or_else(|| store.corrupt(format!("release {version} has no {MANIFEST_FILE}")))?;
    let manifest_file = files.remove(index);
    let display_path = PathBuf::from(shown).join(MANIFEST_FILE);
    let text = String::from_utf8(manifest_file.contents)
        .map_err(|_| store.corrupt(format!("{MANIFEST_FILE} of release {version} is not UTF-8")))?;
    let manifest = manifest::parse(&display_path, &text)?;
    if manifest.version != *version {
        return Err(store.corrupt(format!(
            "release {version} has a {MANIFEST_FILE} that says version {}",
            manifest.version
        )));
    }
    Template::new(manifest, files)
}

/// Every release of the built-in template `name` in this binary, ascending.
pub fn builtin_versions(name: &str) -> Result<Vec<Version>> {
    Store::Embedded(builtin_dir(name)?).versions()
}

fn builtin_dir(name: &str) -> Result<&'static Dir<'static>> {
    let names = source::builtin_names();
    names
        .contains(&name)
        .then(|| source::BUILTIN.get_dir(name))
        .flatten()
        .ok_or_else(|| Error::UnknownTemplate {
            name: name.to_owned(),
            available: names.join(", "),
        })
}

/// Digest of the render of `template` with the fixed answer set (every default, destination name
/// "release-digest"): sha256 over the rendered files in path order, each as
/// `path NUL executable(0|1) NUL length NUL bytes`. The length makes the encoding unambiguous.
pub fn render_digest(template: &Template) -> Result<String> {
    let answers = answers::collect(
        &template.manifest,
        &Presets::default(),
        Mode::Unattended,
        &Expressions::new(DIGEST_DESTINATION),
    )?;
    let tree = native::render(template, &answers)?;
    let mut hasher = Sha256::new();
    for (path, entry) in tree.iter() {
        hasher.update(path.as_bytes());
        hasher.update([0]);
        hasher.update(if entry.executable { b"1" } else { b"0" });
        hasher.update([0]);
        hasher.update(entry.contents.len().to_string().as_bytes());
        hasher.update([0]);
        hasher.update(&entry.contents);
    }
    Ok(format!("sha256:{}", hex(&hasher.finalize())))
}

/// What `cut` recorded, for printing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    pub name: String,
    pub version: Version,
    pub parent: Option<Version>,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    /// New blobs written, and their total size; contents already stored are shared.
    pub blobs_added: usize,
    pub blob_bytes_added: u64,
    pub digest: String,
    /// The record written.
    pub record: PathBuf,
    /// The tag to push, when the template directory is the top of a git work tree.
    pub tag: Option<String>,
}

impl fmt::Display for Cut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parent = self
            .parent
            .as_ref()
            .map_or_else(|| "first release".to_owned(), |p| format!("since {p}"));
        writeln!(
            f,
            "released {} {} ({parent}): {} added, {} changed, {} removed",
            self.name, self.version, self.added, self.changed, self.removed
        )?;
        writeln!(f, "  record  {}", self.record.display())?;
        writeln!(
            f,
            "  blobs   {} new, {} bytes",
            self.blobs_added, self.blob_bytes_added
        )?;
        writeln!(f, "  digest  {}", self.digest)?;
        match &self.tag {
            Some(tag) => writeln!(
                f,
                "commit {MANIFEST_FILE} and {STORE_DIR}/, then: git tag {tag} && git push origin {tag}"
            ),
            None => writeln!(f, "commit {MANIFEST_FILE} and {STORE_DIR}/"),
        }
    }
}

/// A file of a release: contents and executable bit.
type Files = BTreeMap<String, (Vec<u8>, bool)>;

/// `groundwork template release DIR --version X.Y.Z`: records the template in `dir` as release
/// `version`, and sets that version in its template.toml.
pub fn cut(dir: &Path, version: &Version) -> Result<Cut> {
    // The same loader `new` uses, so a release holds exactly what a project would be made from
    // (and a broken manifest is refused before anything is recorded).
    let template = Source::Local(dir.to_owned()).load(None)?.template;
    let name = template.manifest.name.clone();
    let refuse = |reason: String| Error::ReleaseVersion {
        name: name.clone(),
        version: version.to_string(),
        reason,
    };
    let store = Store::Disk(dir.to_owned());
    let latest = store.versions()?.pop();
    if let Some(latest) = latest.as_ref().filter(|latest| version <= *latest) {
        return Err(refuse(format!(
            "it must be greater than every recorded release (latest: {latest}); pass --version {} or higher",
            next_patch(latest)
        )));
    }
    if *version < template.manifest.version {
        return Err(refuse(format!(
            "{MANIFEST_FILE} already says {}; a release never goes back: pass --version {} or higher",
            template.manifest.version, template.manifest.version
        )));
    }

    let manifest_path = dir.join(MANIFEST_FILE);
    let (manifest_bytes, _) = crate::source::read_file(&manifest_path)?;
    let manifest_text = String::from_utf8(manifest_bytes).map_err(|_| {
        Error::io(
            &manifest_path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text"),
        )
    })?;
    let manifest_executable = source_executable(&manifest_path)?;
    let bumped = set_version(&manifest_path, &manifest_text, version)?;
    let mut files: Files = template
        .files
        .iter()
        .map(|f| (f.path.clone(), (f.contents.clone(), f.executable)))
        .collect();
    files.insert(
        MANIFEST_FILE.to_owned(),
        (bumped.clone().into_bytes(), manifest_executable),
    );

    let parent_files: Files = match &latest {
        Some(latest) => store
            .files_at(latest)?
            .into_iter()
            .map(|f| (f.path, (f.contents, f.executable)))
            .collect(),
        None => Files::new(),
    };
    if let Some(latest) = &latest {
        // The version line always differs, so compare with the parent's manifest at this version.
        let mut normalized = parent_files.clone();
        if let Some((contents, _)) = normalized.get_mut(MANIFEST_FILE) {
            let text = String::from_utf8_lossy(contents).into_owned();
            *contents = set_version(&manifest_path, &text, version)?.into_bytes();
        }
        if normalized == files {
            return Err(Error::NothingToRelease {
                name,
                version: version.to_string(),
                latest: latest.to_string(),
            });
        }
    }

    let release = Template::new(manifest::parse(&manifest_path, &bumped)?, template.files)?;
    let digest = render_digest(&release)?;

    let mut cut = Cut {
        name,
        version: version.clone(),
        parent: latest.clone(),
        added: 0,
        changed: 0,
        removed: 0,
        blobs_added: 0,
        blob_bytes_added: 0,
        digest: digest.clone(),
        record: dir.join(STORE_DIR).join(format!("{version}.toml")),
        tag: top_of_work_tree(dir).then(|| format!("v{version}")),
    };
    let record = Record {
        version: version.clone(),
        parent: latest,
        digest,
        files: write_changes(
            &store,
            &dir.join(STORE_DIR).join(BLOBS_DIR),
            &files,
            &parent_files,
            &mut cut,
        )?,
        removed: parent_files
            .keys()
            .filter(|path| !files.contains_key(*path))
            .cloned()
            .collect(),
    };
    cut.removed = record.removed.len();

    // The manifest before the record: the record is what makes a release exist, so an interrupted
    // cut leaves at worst unreferenced blobs and a bumped template.toml, and can simply be rerun.
    if bumped != manifest_text {
        write_atomic(&manifest_path, bumped.as_bytes())?;
    }
    write_atomic(&cut.record, record_text(&record).as_bytes())?;
    Ok(cut)
}

/// Writes the blobs of the files added or changed since `parent_files`, counting them in `cut`, and
/// returns their entries for the record.
fn write_changes(
    store: &Store,
    blobs: &Path,
    files: &Files,
    parent_files: &Files,
    cut: &mut Cut,
) -> Result<BTreeMap<String, FileRecord>> {
    fs::create_dir_all(blobs).map_err(|e| Error::io(blobs, e))?;
    let mut entries = BTreeMap::new();
    for (path, file) in files {
        match parent_files.get(path) {
            Some(old) if old == file => continue,
            Some(_) => cut.changed += 1,
            None => cut.added += 1,
        }
        let (contents, executable) = file;
        let hex = sha256_hex(contents);
        if write_blob(store, blobs, &hex, contents)? {
            cut.blobs_added += 1;
            cut.blob_bytes_added += contents.len() as u64;
        }
        entries.insert(
            path.clone(),
            FileRecord {
                blob: hex,
                executable: *executable,
            },
        );
    }
    Ok(entries)
}

/// Paths in the current template that differ from its release `version` (added, changed, removed or
/// with another executable bit), sorted; empty when the directory is exactly that release.
pub fn unreleased_changes(dir: &Path, version: &Version) -> Result<Vec<String>> {
    let template = Source::Local(dir.to_owned()).load(None)?.template;
    let manifest_path = dir.join(MANIFEST_FILE);
    let mut current: Files = template
        .files
        .into_iter()
        .map(|f| (f.path, (f.contents, f.executable)))
        .collect();
    current.insert(
        MANIFEST_FILE.to_owned(),
        (
            crate::source::read_file(&manifest_path)?.0,
            source_executable(&manifest_path)?,
        ),
    );
    let released: Files = Store::Disk(dir.to_owned())
        .files_at(version)?
        .into_iter()
        .map(|f| (f.path, (f.contents, f.executable)))
        .collect();
    let paths: BTreeSet<&String> = current.keys().chain(released.keys()).collect();
    Ok(paths
        .into_iter()
        .filter(|path| current.get(*path) != released.get(*path))
        .cloned()
        .collect())
}

/// Sets `[template] version` with `toml_edit`, keeping comments, layout and the value's own comment.
fn set_version(path: &Path, text: &str, version: &Version) -> Result<String> {
    let fail = |message: String| Error::Manifest {
        path: path.to_owned(),
        line: 1,
        column: 1,
        message,
    };
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e| fail(format!("{e}")))?;
    let item = doc
        .get_mut("template")
        .and_then(toml_edit::Item::as_table_like_mut)
        .and_then(|t| t.get_mut("version"))
        .ok_or_else(|| fail("no `version` in [template]".into()))?;
    let mut value = toml_edit::Value::from(version.to_string());
    if let Some(old) = item.as_value() {
        *value.decor_mut() = old.decor().clone();
    }
    *item = toml_edit::Item::Value(value);
    Ok(doc.to_string())
}

/// Writes a blob unless the store already has it; returns whether it was written.
fn write_blob(store: &Store, blobs: &Path, hex: &str, contents: &[u8]) -> Result<bool> {
    let path = blobs.join(hex);
    if path.exists() {
        // Read back through the store, which checks the hash: a damaged blob is never reused.
        store.blob(hex, "already stored")?;
        return Ok(false);
    }
    write_atomic(&path, contents)?;
    Ok(true)
}

/// Writes through a temporary file and a rename, so a reader never sees half a file.
fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(parent).map_err(|e| Error::io(parent, e))?;
    file.write_all(contents).map_err(|e| Error::io(path, e))?;
    file.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

fn record_text(record: &Record) -> String {
    use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, value};
    let mut doc = DocumentMut::new();
    doc["version"] = value(record.version.to_string());
    if let Some(parent) = &record.parent {
        doc["parent"] = value(parent.to_string());
    }
    doc["digest"] = value(record.digest.as_str());
    if !record.removed.is_empty() {
        // One path per line, so that a record reads (and diffs) like a list.
        let mut removed: Array = record.removed.iter().map(String::as_str).collect();
        for item in removed.iter_mut() {
            item.decor_mut().set_prefix("\n    ");
        }
        removed.set_trailing("\n");
        removed.set_trailing_comma(true);
        doc["removed"] = value(removed);
    }
    let mut files = Table::new();
    for (path, file) in &record.files {
        let mut entry = InlineTable::new();
        entry.insert("blob", file.blob.as_str().into());
        entry.insert("executable", file.executable.into());
        files.insert(path, value(entry));
    }
    doc["files"] = Item::Table(files);
    format!("{RECORD_HEADER}{doc}")
}

/// Whether `dir` is the top of a git work tree (where a tag names the template's version).
fn top_of_work_tree(dir: &Path) -> bool {
    let Ok(repo) = git2::Repository::open(dir) else {
        return false;
    };
    match (repo.workdir().map(fs::canonicalize), fs::canonicalize(dir)) {
        (Some(Ok(workdir)), Ok(dir)) => workdir == dir,
        _ => false,
    }
}

#[cfg(unix)]
fn source_executable(path: &Path) -> Result<bool> {
    use std::os::unix::fs::PermissionsExt;
    let meta = fs::metadata(path).map_err(|e| Error::io(path, e))?;
    Ok(meta.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn source_executable(_: &Path) -> Result<bool> {
    Ok(false)
}

fn next_patch(version: &Version) -> Version {
    Version::new(version.major, version.minor, version.patch + 1)
}

fn join(versions: &[Version]) -> String {
    versions
        .iter()
        .map(Version::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        write!(out, "{byte:02x}").expect("writing to a String cannot fail");
    }
    out
}

fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "# keep this comment\n[template]\nname = \"tiny\"\nversion = \"0.1.0\"   # semver, bumped by releases\ndescription = \"test\"\n\n[[questions]]\nname = \"who\"\ndefault = \"world\"\n";

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn write(root: &Path, path: &str, contents: &str) {
        let target = root.join(path);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::write(target, contents).unwrap();
    }

    #[cfg(unix)]
    fn make_executable(path: &Path) {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
    }

    fn tiny() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, MANIFEST_FILE, MANIFEST);
        write(root, "README.md.tera", "hello {{ who }}\n");
        write(root, "keep.txt", "kept\n");
        write(root, "gone.txt", "soon gone\n");
        write(root, "bin/run.sh", "#!/bin/sh\necho run\n");
        #[cfg(unix)]
        make_executable(&root.join("bin/run.sh"));
        dir
    }

    /// Every file of the template on disk, as `files_at` should give it back.
    fn on_disk(root: &Path) -> Vec<(String, Vec<u8>, bool)> {
        let mut files: Vec<_> = walkdir::WalkDir::new(root)
            .into_iter()
            .filter_entry(|e| e.file_name() != STORE_DIR)
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let path = e.path().strip_prefix(root).unwrap().to_str().unwrap();
                (
                    path.to_owned(),
                    fs::read(e.path()).unwrap(),
                    source_executable(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    }

    fn released(root: &Path, version: &str) -> Vec<(String, Vec<u8>, bool)> {
        Store::Disk(root.to_owned())
            .files_at(&v(version))
            .unwrap()
            .into_iter()
            .map(|f| (f.path, f.contents, f.executable))
            .collect()
    }

    fn blobs(root: &Path) -> BTreeSet<String> {
        fs::read_dir(root.join(STORE_DIR).join(BLOBS_DIR))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect()
    }

    #[test]
    fn release_second_cut_records_only_the_changes_and_both_trees_come_back() {
        let dir = tiny();
        let root = dir.path();
        let first = cut(root, &v("0.1.0")).unwrap();
        assert_eq!((first.added, first.changed, first.removed), (5, 0, 0));
        assert_eq!(first.parent, None);
        assert_eq!(first.tag, None, "a temp dir is no git work tree");
        let first_tree = on_disk(root);
        let first_blobs = blobs(root);
        assert_eq!(first_blobs.len(), 5);

        write(root, "keep.txt", "kept, and changed\n");
        write(root, "new.txt", "new\n");
        fs::remove_file(root.join("gone.txt")).unwrap();
        let second = cut(root, &v("0.2.0")).unwrap();
        let second_tree = on_disk(root);

        let record = Store::Disk(root.to_owned()).record(&v("0.2.0")).unwrap();
        // template.toml is a file of the release, and its version line changed with the release.
        assert_eq!(
            record.files.keys().collect::<Vec<_>>(),
            ["keep.txt", "new.txt", MANIFEST_FILE]
        );
        assert_eq!(record.removed, ["gone.txt"]);
        assert_eq!(record.parent, Some(v("0.1.0")));
        assert_eq!(record.digest, second.digest);
        assert_eq!((second.added, second.changed, second.removed), (1, 2, 1));

        // Only the two edited files and the bumped manifest are new: nothing else is copied.
        let added: BTreeSet<_> = blobs(root).difference(&first_blobs).cloned().collect();
        let expected: BTreeSet<_> = ["kept, and changed\n", "new\n"]
            .iter()
            .map(|c| sha256_hex(c.as_bytes()))
            .chain([sha256_hex(&fs::read(root.join(MANIFEST_FILE)).unwrap())])
            .collect();
        assert_eq!(added, expected);
        assert_eq!(second.blobs_added, 3);

        assert_eq!(released(root, "0.1.0"), first_tree);
        assert_eq!(released(root, "0.2.0"), second_tree);
        assert!(first_tree.iter().any(|(p, _, x)| p == "bin/run.sh" && *x));
        assert_eq!(
            Store::Disk(root.to_owned()).versions().unwrap(),
            [v("0.1.0"), v("0.2.0")]
        );
        assert!(unreleased_changes(root, &v("0.2.0")).unwrap().is_empty());
        assert_eq!(
            unreleased_changes(root, &v("0.1.0")).unwrap(),
            ["gone.txt", "keep.txt", "new.txt", MANIFEST_FILE]
        );
    }

    #[test]
    fn release_version_must_move_forward() {
        let dir = tiny();
        let root = dir.path();
        cut(root, &v("0.2.0")).unwrap();
        write(root, "keep.txt", "changed\n");
        for version in ["0.2.0", "0.1.9"] {
            let error = cut(root, &v(version)).unwrap_err().to_string();
            assert!(
                error.contains("greater than every recorded release (latest: 0.2.0)")
                    && error.contains("--version 0.2.1"),
                "{error}"
            );
        }
        // Below the version template.toml already names, even with no release recorded.
        let fresh = tiny();
        let text = MANIFEST.replace("0.1.0", "0.5.0");
        write(fresh.path(), MANIFEST_FILE, &text);
        let error = cut(fresh.path(), &v("0.4.0")).unwrap_err().to_string();
        assert!(
            error.contains("template.toml already says 0.5.0"),
            "{error}"
        );
        assert!(!fresh.path().join(STORE_DIR).exists());
    }

    #[test]
    fn release_with_nothing_changed_is_refused_and_writes_nothing() {
        let dir = tiny();
        let root = dir.path();
        cut(root, &v("0.1.0")).unwrap();
        let before = blobs(root);
        let error = cut(root, &v("0.2.0")).unwrap_err();
        assert!(matches!(error, Error::NothingToRelease { .. }), "{error}");
        assert!(error.to_string().contains("since release 0.1.0"));
        assert_eq!(blobs(root), before);
        assert_eq!(
            fs::read_to_string(root.join(MANIFEST_FILE)).unwrap(),
            MANIFEST
        );
        assert!(!root.join(STORE_DIR).join("0.2.0.toml").exists());
    }

    #[test]
    #[cfg(unix)]
    fn release_notices_a_changed_executable_bit() {
        let dir = tiny();
        let root = dir.path();
        cut(root, &v("0.1.0")).unwrap();
        make_executable(&root.join("keep.txt"));
        let second = cut(root, &v("0.1.1")).unwrap();
        assert_eq!(second.changed, 2, "keep.txt and template.toml");
        // Same contents: the blob is shared, only the record says executable.
        assert_eq!(second.blobs_added, 1);
        assert!(released(root, "0.1.1").contains(&(
            "keep.txt".to_owned(),
            b"kept\n".to_vec(),
            true
        )));
    }

    #[test]
    fn release_bump_keeps_comments_and_layout() {
        let dir = tiny();
        cut(dir.path(), &v("1.0.0")).unwrap();
        let text = fs::read_to_string(dir.path().join(MANIFEST_FILE)).unwrap();
        assert_eq!(
            text,
            MANIFEST.replace("\"0.1.0\"", "\"1.0.0\""),
            "only the version changes"
        );
    }

    #[test]
    fn release_store_refuses_a_damaged_blob_and_an_unknown_version() {
        let dir = tiny();
        let root = dir.path();
        cut(root, &v("0.1.0")).unwrap();
        let store = Store::Disk(root.to_owned());
        let error = store.files_at(&v("0.3.0")).unwrap_err().to_string();
        assert!(
            error.contains("version 0.3.0 of") && error.contains("known: 0.1.0"),
            "{error}"
        );
        let hex = sha256_hex(b"kept\n");
        fs::write(
            root.join(STORE_DIR).join(BLOBS_DIR).join(&hex),
            "tampered\n",
        )
        .unwrap();
        let error = store.files_at(&v("0.1.0")).unwrap_err().to_string();
        assert!(
            error.contains(&format!(
                "blob {hex} (`keep.txt` of release 0.1.0) does not match its hash"
            )),
            "{error}"
        );
    }

    #[test]
    fn release_every_builtin_release_reproduces_its_recorded_digest() {
        for name in source::builtin_names() {
            let store = Store::Embedded(builtin_dir(name).unwrap());
            let versions = builtin_versions(name).unwrap();
            assert!(!versions.is_empty(), "built-in `{name}` has no release");
            for version in versions {
                let template =
                    builtin_at(name, &version).unwrap_or_else(|e| panic!("{name} {version}: {e}"));
                let recorded = store.record(&version).unwrap().digest;
                assert_eq!(
                    render_digest(&template).unwrap(),
                    recorded,
                    "built-in `{name}` {version} no longer renders as released: its blobs or \
                     record were altered, or rendering changed"
                );
            }
        }
    }

    #[test]
    fn release_each_builtin_template_is_its_own_released_version() {
        let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        for name in source::builtin_names() {
            let current = Source::Builtin(name.to_owned())
                .load(None)
                .unwrap()
                .template;
            let version = &current.manifest.version;
            let versions = builtin_versions(name).unwrap();
            let next = versions.last().map_or_else(|| v("0.1.0"), next_patch);
            let hint = format!(
                "run `groundwork template release templates/{name} --version {next}` (or higher) and commit \
                 templates/{name}"
            );
            assert!(
                versions.contains(version),
                "templates/{name} says version {version}, which was never released: {hint}"
            );
            let changes = unreleased_changes(&templates.join(name), version).unwrap();
            assert!(
                changes.is_empty(),
                "templates/{name} differs from its release {version} in: {}; a built-in template is \
                 changed only by cutting a release: {hint}",
                changes.join(", ")
            );
            // What the binary serves for new projects is that release, executable bits included.
            let released = builtin_at(name, version).unwrap();
            let shape = |t: &Template| {
                t.files
                    .iter()
                    .map(|f| (f.path.clone(), f.contents.clone(), f.executable))
                    .collect::<Vec<_>>()
            };
            assert_eq!(shape(&current), shape(&released));
        }
    }
}
