//! `groundwork template release`: records a folder template's current files as a release in its
//! store (`.groundwork-releases/`), after checking that the version moves forward and that
//! the render it would record is the one users get. The store's reading side is `source::release`.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use semver::Version;
use sha2::{Digest as _, Sha256};

use crate::core::error::{Error, Result};
use crate::dialect::Template;
use crate::dialect::native::{self, Expressions};
use crate::source::Source;
use crate::source::release::{
    BLOBS_DIR, DIGEST_DESTINATION, FileRecord, Files, RECORD_HEADER, Record, STORE_DIR, Store, hex,
    sha256_hex,
};
use crate::template::answers::{Mode, Presets};
use crate::template::manifest::{self, MANIFEST_FILE};

/// What `cut` recorded, for printing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cut {
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
    /// Template files git ignores or does not track, released anyway (`--allow-ignored`).
    pub left_out: Vec<String>,
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
        if !self.left_out.is_empty() {
            writeln!(
                f,
                "  not in git (released with --allow-ignored; a commit leaves them out): {}",
                self.left_out.join(", ")
            )?;
        }
        match &self.tag {
            Some(tag) => writeln!(
                f,
                "commit {MANIFEST_FILE} and {STORE_DIR}/, then: git tag {tag} && git push origin {tag}"
            ),
            None => writeln!(f, "commit {MANIFEST_FILE} and {STORE_DIR}/"),
        }
    }
}

/// `groundwork template release DIR --version X.Y.Z`: records the template in `dir` as release
/// `version`, and sets that version in its template.toml.
pub(crate) fn cut(dir: &Path, version: &Version, allow_left_out: bool) -> Result<Cut> {
    // The same loader `new` uses, so a release holds exactly what a project would be made from
    // (and a broken manifest is refused before anything is recorded).
    let template = Source::Local(dir.to_owned()).load(None)?.template;
    let name = template.manifest.name.clone();
    let left_out = check_left_out(dir, allow_left_out)?;
    let store = Store::Disk(dir.to_owned());
    let latest = store.versions()?.pop();
    check_moves_forward(&template.manifest, version, latest.as_ref())?;

    let manifest_path = dir.join(MANIFEST_FILE);
    let (manifest_bytes, _) = crate::source::files::read_file(&manifest_path)?;
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
        left_out,
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
// Only the tests call it today (the built-in templates must have no unreleased change); a
// warning about unreleased edits (issue 18) is its product use to come.
#[cfg(test)]
pub(crate) fn unreleased_changes(dir: &Path, version: &Version) -> Result<Vec<String>> {
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
            crate::source::files::read_file(&manifest_path)?.0,
            source_executable(&manifest_path)?,
        ),
    );
    let released: Files = Store::Disk(dir.to_owned())
        .files_at(version)?
        .into_iter()
        .map(|f| (f.path, (f.contents, f.executable)))
        .collect();
    let paths: std::collections::BTreeSet<&String> =
        current.keys().chain(released.keys()).collect();
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

/// A release's version is greater than every recorded release and than the manifest's.
fn check_moves_forward(
    manifest: &crate::template::Manifest,
    version: &Version,
    latest: Option<&Version>,
) -> Result<()> {
    let refuse = |reason: String| Error::ReleaseVersion {
        name: manifest.name.clone(),
        version: version.to_string(),
        reason,
    };
    if let Some(latest) = latest.filter(|latest| version <= *latest) {
        return Err(refuse(format!(
            "it must be greater than every recorded release (latest: {latest}); pass --version {} or higher",
            next_patch(latest)
        )));
    }
    if *version < manifest.version {
        return Err(refuse(format!(
            "{MANIFEST_FILE} already says {}; a release never goes back: pass --version {} or higher",
            manifest.version, manifest.version
        )));
    }
    Ok(())
}

/// The template files a commit would leave out (`path (ignored|untracked)`): refused unless
/// `allow` (`--allow-ignored`). A release published by a git tag holds what the commit holds, so
/// such a file would be in the release record but never reach the projects made from the tag.
fn check_left_out(dir: &Path, allow: bool) -> Result<Vec<String>> {
    let left_out: Vec<String> = crate::source::left_out_of_commit(dir)
        .into_iter()
        .map(|(path, kind)| format!("{path} ({kind})"))
        .collect();
    if !left_out.is_empty() && !allow {
        return Err(Error::ReleaseLeftOut {
            dir: dir.to_owned(),
            files: left_out.join(", "),
        });
    }
    Ok(left_out)
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

/// Writes through a temporary file and a rename, so a reader never sees half a file. The file
/// gets the mode a file created there would (0666 less the umask: a store shared by a team stays
/// readable), or, when `path` exists, keeps the mode it had: a release never narrows it.
fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    let existing = fs::metadata(path).ok().map(|m| m.permissions());
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        // Created with 0666, which the process umask narrows, as `File::create` would be.
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut file = builder
        .tempfile_in(parent)
        .map_err(|e| Error::io(parent, e))?;
    file.write_all(contents).map_err(|e| Error::io(path, e))?;
    if let Some(permissions) = existing {
        file.as_file()
            .set_permissions(permissions)
            .map_err(|e| Error::io(path, e))?;
    }
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

/// Digest of the render of `template` with the fixed answer set (every default, destination name
/// "release-digest"): sha256 over the rendered files in path order, each as
/// `path NUL executable(0|1) NUL length NUL bytes`. The length makes the encoding unambiguous.
pub(crate) fn render_digest(template: &Template) -> Result<String> {
    let answers = crate::dialect::native::answers::collect(
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::source::release::{builtin_at, builtin_dir, builtin_versions};

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
        let first = cut(root, &v("0.1.0"), false).unwrap();
        assert_eq!((first.added, first.changed, first.removed), (5, 0, 0));
        assert_eq!(first.parent, None);
        assert_eq!(first.tag, None, "a temp dir is no git work tree");
        let first_tree = on_disk(root);
        let first_blobs = blobs(root);
        assert_eq!(first_blobs.len(), 5);

        write(root, "keep.txt", "kept, and changed\n");
        write(root, "new.txt", "new\n");
        fs::remove_file(root.join("gone.txt")).unwrap();
        let second = cut(root, &v("0.2.0"), false).unwrap();
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
        cut(root, &v("0.2.0"), false).unwrap();
        write(root, "keep.txt", "changed\n");
        for version in ["0.2.0", "0.1.9"] {
            let error = cut(root, &v(version), false).unwrap_err().to_string();
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
        let error = cut(fresh.path(), &v("0.4.0"), false)
            .unwrap_err()
            .to_string();
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
        cut(root, &v("0.1.0"), false).unwrap();
        let before = blobs(root);
        let error = cut(root, &v("0.2.0"), false).unwrap_err();
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
        cut(root, &v("0.1.0"), false).unwrap();
        make_executable(&root.join("keep.txt"));
        let second = cut(root, &v("0.1.1"), false).unwrap();
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
        cut(dir.path(), &v("1.0.0"), false).unwrap();
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
        cut(root, &v("0.1.0"), false).unwrap();
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
        for name in crate::source::files::builtin_names() {
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
        for name in crate::source::files::builtin_names() {
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
