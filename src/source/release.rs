//! Released versions of native templates, kept compactly beside the template in
//! `.groundwork-releases/`: content-addressed blobs shared by every release, and one small record
//! per release listing only what changed since its parent (see docs/template-format.md,
//! "Releases"). Owns reading a store (embedded in the binary or on disk), rebuilding the files of any
//! release, the digest of a release's render, and cutting a new release.
//!
//! It must never rewrite or delete a recorded release or blob (a project's true base lives there),
//! never start a `git` process (git2 only, and only to notice a work tree), and never write a
//! project: it renders only in memory, to compute digests.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use include_dir::Dir;
use semver::Version;
use serde::Deserialize;

use crate::core::error::{Error, Result};
use crate::dialect::Template;
use crate::template::TemplateFile;
use crate::template::manifest::{self, MANIFEST_FILE};

/// The folder, at a template's root, that holds its releases.
pub(crate) const STORE_DIR: &str = ".groundwork-releases";
/// The folder, inside [`STORE_DIR`], of content-addressed file contents.
pub(crate) const BLOBS_DIR: &str = "blobs";
/// The destination name of the fixed answer set a release's digest is computed from.
pub(crate) const DIGEST_DESTINATION: &str = "release-digest";
/// The first line of every record, for whoever opens one.
pub(crate) const RECORD_HEADER: &str = "# A groundwork template release: written by `groundwork template release`, never edited.\n# Format: docs/template-format.md, \"Releases\".\n";

/// A release store, read from the embedded built-in templates or from a directory on disk. Both
/// variants name the template's directory (the one holding `template.toml` and [`STORE_DIR`]).
pub(crate) enum Store {
    Embedded(&'static Dir<'static>),
    Disk(PathBuf),
}

/// One release's record, as stored in `<version>.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
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
pub(crate) struct FileRecord {
    /// sha256 hex of the contents, which live in `blobs/<blob>`.
    pub blob: String,
    pub executable: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRecord {
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
    pub(crate) fn versions(&self) -> Result<Vec<Version>> {
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
    pub(crate) fn record(&self, version: &Version) -> Result<Record> {
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
    pub(crate) fn files_at(&self, version: &Version) -> Result<Vec<TemplateFile>> {
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
    pub(crate) fn blob(&self, hex: &str, what: &str) -> Result<Vec<u8>> {
        let contents = self
            .read(&[BLOBS_DIR, hex])?
            .ok_or_else(|| self.corrupt(format!("blob {hex} ({what}) is missing")))?;
        if sha256_hex(&contents) != hex {
            return Err(self.corrupt(format!("blob {hex} ({what}) does not match its hash")));
        }
        Ok(contents)
    }

    /// The contents of `parts` below the store, `None` when absent.
    pub(crate) fn read(&self, parts: &[&str]) -> Result<Option<Vec<u8>>> {
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
    pub(crate) fn record_names(&self) -> Result<Vec<String>> {
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

    pub(crate) fn location(&self) -> PathBuf {
        match self {
            Store::Embedded(dir) => PathBuf::from("builtin:").join(dir.path()).join(STORE_DIR),
            Store::Disk(root) => root.join(STORE_DIR),
        }
    }

    pub(crate) fn corrupt(&self, message: String) -> Error {
        Error::ReleaseStore {
            path: self.location(),
            message,
        }
    }

    pub(crate) fn unknown(&self, version: &Version) -> Error {
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
pub(crate) fn builtin_at(name: &str, version: &Version) -> Result<Template> {
    Store::Embedded(builtin_dir(name)?).template_at(&format!("builtin:{name}@{version}"), version)
}

impl Store {
    /// Release `version` as a template; `shown` names it in error messages.
    pub(crate) fn template_at(&self, shown: &str, version: &Version) -> Result<Template> {
        release_template(self, shown, version)
    }
}

pub(crate) fn release_template(store: &Store, shown: &str, version: &Version) -> Result<Template> {
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

pub(crate) fn builtin_dir(name: &str) -> Result<&'static Dir<'static>> {
    let names = crate::source::files::builtin_names();
    names
        .contains(&name)
        .then(|| crate::source::files::BUILTIN.get_dir(name))
        .flatten()
        .ok_or_else(|| Error::UnknownTemplate {
            name: name.to_owned(),
            available: names.join(", "),
        })
}

/// A file of a release: contents and executable bit.
pub(crate) type Files = BTreeMap<String, (Vec<u8>, bool)>;

pub(crate) fn join(versions: &[Version]) -> String {
    versions
        .iter()
        .map(Version::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) use crate::core::file::{hex, sha256_hex};

pub(crate) fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
