//! The in-memory tree a render produces: `{ relative path -> bytes + executable bit }`, sorted, and
//! the rules that keep its paths inside the destination. It never touches a disk.

use std::collections::BTreeMap;

use crate::core::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub contents: Vec<u8>,
    pub executable: bool,
    /// Permission bits other than the usual 0644/0755 (see [`file_mode`]).
    pub mode: Option<u32>,
    /// The template file it came from, for error messages.
    pub source: String,
}

impl Entry {
    /// An entry written with the usual mode, 0755 or 0644 by `executable`.
    pub fn usual(contents: Vec<u8>, executable: bool, source: String) -> Entry {
        Entry {
            contents,
            executable,
            mode: None,
            source,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Folder {
    spelled: String,
    source: String,
    files: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    files: BTreeMap<String, Entry>,
    /// Every path by its [`portable_key`], to find paths that are one file on macOS or Windows.
    portable: BTreeMap<String, String>,
    /// Every folder the files lie in, by its [`portable_key`]: how it is spelled, the template
    /// file that first put it there, and how many files lie below it (so [`Tree::remove`] knows
    /// when it is gone). `Dir/a` and `dir/b` are one folder on macOS and Windows.
    folders: BTreeMap<String, Folder>,
    /// Names Windows cannot hold are let through (a template's `portable_names = false`, and
    /// cookiecutter templates, which cookiecutter writes whatever they name).
    unportable_names: bool,
}

impl Tree {
    /// An empty tree that takes names Windows cannot hold (see [`check_relative`]); paths that
    /// are one file on macOS or Windows still collide.
    pub fn with_unportable_names() -> Tree {
        Tree {
            unportable_names: true,
            ..Tree::default()
        }
    }

    /// An empty tree with the name rules `portable` asks for (a template's `portable_names`).
    pub fn for_names(portable: bool) -> Tree {
        if portable {
            Tree::default()
        } else {
            Tree::with_unportable_names()
        }
    }

    /// Adds a file at a `/`-separated relative path, refusing unsafe paths and collisions (two
    /// files at one path, or a file where another needs a directory).
    pub fn insert(&mut self, path: String, entry: Entry) -> Result<()> {
        let check = if self.unportable_names {
            check_safe
        } else {
            check_relative
        };
        check(&path).map_err(|reason| Error::UnsafePath {
            source_path: entry.source.clone(),
            rendered: path.clone(),
            reason,
        })?;
        if let Some(existing) = self.files.get(&path) {
            return Err(collision(&existing.source, &entry.source, &path));
        }
        for (i, _) in path.match_indices('/') {
            if let Some(existing) = self.files.get(&path[..i]) {
                return Err(collision(&existing.source, &entry.source, &path[..i]));
            }
        }
        let below = format!("{path}/");
        if let Some((_, existing)) = self
            .files
            .range(below.clone()..)
            .next()
            .filter(|(p, _)| p.starts_with(&below))
        {
            return Err(collision(&existing.source, &entry.source, &path));
        }
        let key = portable_key(&path);
        let portable =
            |other: &String, first_path: &str, second_path: &str| Error::PortableCollision {
                first: self.files[other].source.clone(),
                second: entry.source.clone(),
                first_path: first_path.to_owned(),
                second_path: second_path.to_owned(),
            };
        if let Some(other) = self.portable.get(&key) {
            return Err(portable(other, other, &path));
        }
        // A file where another needs a directory, once case and normalization are ignored
        // (`a` and `A/x`): the same clash as above on macOS and Windows.
        for (i, _) in path.match_indices('/') {
            if let Some(other) = self.portable.get(&portable_key(&path[..i])) {
                return Err(portable(other, other, &path[..i]));
            }
        }
        let below = format!("{key}/");
        if let Some((_, other)) = self
            .portable
            .range(below.clone()..)
            .next()
            .filter(|(k, _)| k.starts_with(&below))
        {
            let folder = other
                .split('/')
                .take(path.split('/').count())
                .collect::<Vec<_>>();
            return Err(portable(other, &folder.join("/"), &path));
        }
        // Two folders that differ only by case or normalization (`Dir/a`, `dir/b`) are one on
        // macOS and Windows: the checkout there would merge them, and git would then see every
        // file of one of them as renamed. Checked after the file rules, so a clash of two files
        // is reported as such.
        for (i, _) in path.match_indices('/') {
            if let Some(folder) = self.folders.get(&portable_key(&path[..i]))
                && folder.spelled != path[..i]
            {
                return Err(Error::PortableFolderCollision {
                    first: folder.source.clone(),
                    second: entry.source.clone(),
                    first_path: folder.spelled.clone(),
                    second_path: path[..i].to_owned(),
                });
            }
        }
        for (i, _) in path.match_indices('/') {
            self.folders
                .entry(portable_key(&path[..i]))
                .or_insert_with(|| Folder {
                    spelled: path[..i].to_owned(),
                    source: entry.source.clone(),
                    files: 0,
                })
                .files += 1;
        }
        self.portable.insert(key, path.clone());
        self.files.insert(path, entry);
        Ok(())
    }

    pub fn remove(&mut self, path: &str) -> Option<Entry> {
        let removed = self.files.remove(path)?;
        self.portable.remove(&portable_key(path));
        for (i, _) in path.match_indices('/') {
            let key = portable_key(&path[..i]);
            if let Some(folder) = self.folders.get_mut(&key) {
                folder.files -= 1;
                if folder.files == 0 {
                    self.folders.remove(&key);
                }
            }
        }
        Some(removed)
    }

    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.files.get(path)
    }

    /// Files in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.files.iter().map(|(p, e)| (p.as_str(), e))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

fn collision(first: &str, second: &str, path: &str) -> Error {
    Error::PathCollision {
        first: first.to_owned(),
        second: second.to_owned(),
        path: path.to_owned(),
    }
}

/// What a path is on a file system that ignores case and Unicode normalization (macOS, Windows):
/// two paths with one key are one file there.
fn portable_key(path: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    path.nfc()
        .collect::<String>()
        .to_lowercase()
        .nfc()
        .collect()
}

/// Names Windows reserves for devices, whatever extension follows them. Windows counts the
/// Latin-1 superscript digits `¹²³` as digits here, and `COM0`/`LPT0` are reserved as well
/// (Microsoft's "Naming Files, Paths, and Namespaces"); `CONIN$`/`CONOUT$` name the console.
const WINDOWS_RESERVED: [&str; 32] = [
    "CON",
    "PRN",
    "AUX",
    "NUL",
    "CONIN$",
    "CONOUT$",
    "COM0",
    "COM1",
    "COM2",
    "COM3",
    "COM4",
    "COM5",
    "COM6",
    "COM7",
    "COM8",
    "COM9",
    "COM\u{b9}",
    "COM\u{b2}",
    "COM\u{b3}",
    "LPT0",
    "LPT1",
    "LPT2",
    "LPT3",
    "LPT4",
    "LPT5",
    "LPT6",
    "LPT7",
    "LPT8",
    "LPT9",
    "LPT\u{b9}",
    "LPT\u{b2}",
    "LPT\u{b3}",
];

/// Why a path segment cannot be checked out on every OS, if it cannot.
fn unportable(segment: &str) -> Option<String> {
    if let Some(c) = segment
        .chars()
        .find(|c| matches!(c, ':' | '<' | '>' | '|' | '?' | '*' | '"') || c.is_ascii_control())
    {
        return Some(format!(
            "contains {c:?}, which Windows does not allow in file names; projects are cloned on every OS"
        ));
    }
    if segment.ends_with('.') || segment.ends_with(' ') {
        return Some(format!(
            "has {segment:?}, which ends with a dot or a space that Windows drops; projects are cloned on every OS"
        ));
    }
    let stem = segment.split('.').next().unwrap_or(segment).trim_end();
    // ASCII case only: Windows folds the letters, and the superscripts have no case.
    if WINDOWS_RESERVED
        .iter()
        .any(|reserved| stem.eq_ignore_ascii_case(reserved))
    {
        return Some(format!(
            "has {segment:?}, a device name Windows reserves (with any extension); projects are cloned on every OS"
        ));
    }
    None
}

/// The start of the name of groundwork's staging folders (`apply::STAGING_PREFIX`, kept equal by a
/// test): `recover` removes folders so named, so a template must not render one. Defined here
/// because the path rules sit below apply.
pub(crate) const STAGING_PREFIX: &str = ".groundwork-staging-";

/// The name Windows opens for `segment`: NTFS drops trailing dots and spaces, and anything from
/// a colon on names a stream of that file or folder (`.git::$INDEX_ALLOCATION` and
/// `.git:$I30:$INDEX_ALLOCATION` open the folder `.git` itself). This is the rule git applies
/// to the names it refuses to check out (`is_ntfs_dotgit`).
fn windows_name(segment: &str) -> &str {
    let name = segment.split(':').next().unwrap_or(segment);
    name.trim_end_matches(['.', ' '])
}

/// Whether a file system may take `segment` for `.git`: in any ASCII case, with code points HFS+
/// ignores in names (`.g\u{200c}it`), as the NTFS short name `git~1` (the spellings git itself
/// refuses to check out, CVE-2014-9390), or in a spelling Windows resolves to one of those
/// ([`windows_name`]).
fn is_git_dir_name(segment: &str) -> bool {
    let hfs_ignorable = |c: char| matches!(c, '\u{200c}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{206a}'..='\u{206f}' | '\u{feff}');
    let visible: String = segment.chars().filter(|&c| !hfs_ignorable(c)).collect();
    windows_name(&visible).eq_ignore_ascii_case(".git")
        || windows_name(segment).eq_ignore_ascii_case("git~1")
}

/// Why a rendered relative path could escape or misbehave in the destination, or could not be
/// checked out on every OS, if it could.
pub fn check_relative(path: &str) -> Result<(), String> {
    check_safe(path)?;
    if path.as_bytes().get(1) == Some(&b':') {
        return Err("is absolute; rendered paths must stay inside the destination".into());
    }
    match path.split('/').find_map(unportable) {
        Some(reason) => Err(reason),
        None => Ok(()),
    }
}

/// Why a rendered relative path could escape or misbehave in the destination, if it could.
fn check_safe(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("is empty".into());
    }
    if path.starts_with('/') || path.starts_with('\\') {
        return Err("is absolute; rendered paths must stay inside the destination".into());
    }
    for segment in path.split('/') {
        match segment {
            "" => return Err("has an empty path segment".into()),
            "." | ".." => {
                return Err(format!(
                    "contains `{segment}`; rendered paths must stay inside the destination"
                ));
            }
            s if s.contains('\\') => {
                return Err("contains a backslash, which is not portable".into());
            }
            s if s.contains('\0') => return Err("contains a NUL byte".into()),
            s if is_git_dir_name(s) && windows_name(s) != s => {
                return Err(format!(
                    "contains `{s}`, which Windows reads as `{}`: that belongs to git, and groundwork never writes a repository's metadata, at any depth, in any case or spelling",
                    windows_name(s)
                ));
            }
            s if is_git_dir_name(s) => {
                return Err(format!(
                    "contains `{s}`, which belongs to git: groundwork never writes a repository's metadata, at any depth or in any case"
                ));
            }
            s if s.len() >= STAGING_PREFIX.len()
                && s.as_bytes()[..STAGING_PREFIX.len()]
                    .eq_ignore_ascii_case(STAGING_PREFIX.as_bytes()) =>
            {
                return Err(format!(
                    "contains `{s}`, a name groundwork reserves for its staging folders (`{STAGING_PREFIX}*`, which `groundwork recover` removes): rename it"
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The permission bits a file is written with: `mode` when it has particular ones (a cookiecutter
/// template's file, whose mode cookiecutter copies), else 0755 or 0644 by its executable bit.
pub(crate) fn file_mode(executable: bool, mode: Option<u32>) -> u32 {
    mode.unwrap_or(if executable { 0o755 } else { 0o644 })
}

/// The executable bit and the particular mode (see [`file_mode`]) of a file with the permission
/// bits `bits`. Only owner/group/other rwx count: setuid, setgid and sticky bits are never copied
/// from a template.
pub(crate) fn mode_of(bits: u32) -> (bool, Option<u32>) {
    let bits = bits & 0o777;
    let executable = bits & 0o111 != 0;
    let usual = file_mode(executable, None);
    (executable, (bits != usual).then_some(bits))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(source: &str) -> Entry {
        Entry {
            mode: None,
            contents: Vec::new(),
            executable: false,
            source: source.into(),
        }
    }

    #[test]
    fn escaping_paths_are_refused() {
        for bad in [
            "../evil",
            "a/../../b",
            "/etc/passwd",
            "a//b",
            ".git/config",
            "sub/.git/config",
            ".GIT/hooks/x",
            "a/.Git",
            ".g\u{200c}it/config",
            "sub/\u{feff}.GIT/x",
            "GIT~1/config",
            "C:/x",
            "a/./b",
            "con",
            "docs/CON.txt",
            "lpt9.tar.gz",
            "a/aux",
            "trailing.",
            "trailing ",
            "a:b",
            "what?",
            "q\"uote",
            "pipe|d",
            "tab\tname",
        ] {
            assert!(check_relative(bad).is_err(), "{bad} should be refused");
        }
        for good in [
            "a",
            "a/b.txt",
            ".github/workflows/ci.yml",
            "..hidden",
            "a..b",
            ".gitignore",
            "sub/.github/x",
            "a.git/b",
            "console.txt",
            "com10",
            "lpt",
            ".hidden",
        ] {
            assert!(check_relative(good).is_ok(), "{good} should be accepted");
        }
    }

    #[test]
    fn collisions_between_files_and_directories_are_refused() {
        let mut tree = Tree::default();
        tree.insert("a/b".into(), entry("x")).unwrap();
        assert!(tree.insert("a/b".into(), entry("y")).is_err());
        assert!(tree.insert("a".into(), entry("z")).is_err());
        assert!(tree.insert("a/b/c".into(), entry("w")).is_err());
        tree.insert("a/c".into(), entry("v")).unwrap();
        assert_eq!(tree.len(), 2);
    }

    #[test]
    fn issue7_a_tree_for_unportable_names_takes_what_windows_cannot_hold_but_stays_safe() {
        for name in ["aux.py", "con/x", "a:b", "what?", "trailing."] {
            let mut strict = Tree::default();
            assert!(strict.insert(name.into(), entry("s")).is_err(), "{name}");
            let mut lenient = Tree::for_names(false);
            lenient.insert(name.into(), entry("l")).unwrap();
        }
        let mut lenient = Tree::with_unportable_names();
        for unsafe_path in ["/abs", "a/../b", "sub/.git/config", "a\\b", ""] {
            assert!(
                lenient.insert(unsafe_path.into(), entry("x")).is_err(),
                "{unsafe_path}"
            );
        }
        lenient.insert("README.md".into(), entry("x")).unwrap();
        assert!(lenient.insert("readme.md".into(), entry("y")).is_err());
    }

    #[test]
    fn paths_that_are_one_file_on_macos_or_windows_collide() {
        let mut tree = Tree::default();
        tree.insert("README.md".into(), entry("x")).unwrap();
        assert!(tree.insert("readme.md".into(), entry("y")).is_err());
        tree.insert("caf\u{e9}.txt".into(), entry("nfc")).unwrap();
        assert!(tree.insert("cafe\u{301}.txt".into(), entry("nfd")).is_err());
        assert!(tree.insert("CAF\u{c9}.txt".into(), entry("upper")).is_err());
        tree.remove("README.md");
        tree.insert("readme.md".into(), entry("y")).unwrap();
    }

    /// Found while writing `properties::check_relative_accepts_only_safe_paths`: HFS+ ignores
    /// some code points in names and NTFS has short names, so these were `.git` there.
    #[test]
    fn proptest_git_spelled_for_hfs_or_ntfs_is_refused() {
        for bad in [
            ".g\u{200c}it",
            "a/.gi\u{200f}t/config",
            "\u{feff}.GIT",
            "Git~1/hooks/x",
        ] {
            assert!(check_relative(bad).is_err(), "{bad:?} should be refused");
        }
        for good in [".gi\u{200c}thub", "git~2", "\u{200c}git"] {
            assert!(check_relative(good).is_ok(), "{good:?} should be accepted");
        }
    }

    #[test]
    fn issue15_staging_folder_names_are_refused_at_any_depth() {
        assert_eq!(STAGING_PREFIX, crate::write::apply::STAGING_PREFIX);
        for bad in [
            ".groundwork-staging-1-x/owner",
            "a/.groundwork-staging-123",
            ".GROUNDWORK-Staging-9/journal",
        ] {
            assert_eq!(
                check_safe(bad).unwrap_err(),
                format!(
                    "contains `{}`, a name groundwork reserves for its staging folders (`.groundwork-staging-*`, which `groundwork recover` removes): rename it",
                    bad.split('/')
                        .find(|s| s.to_ascii_lowercase().starts_with(STAGING_PREFIX))
                        .unwrap()
                )
            );
        }
        for good in [
            ".groundwork-staging",
            ".groundwork-stagingx",
            "x.groundwork-staging-1",
        ] {
            assert!(check_relative(good).is_ok(), "{good:?}");
        }
    }

    /// Windows drops trailing dots and spaces and reads `NAME:stream` as a stream of NAME, so these
    /// are `.git` there; portable names refuse them for their colon or trailing dot anyway, so the
    /// lenient rules ([`check_safe`]) are the ones that must know them.
    #[test]
    fn issue15_git_spelled_for_windows_is_refused_even_without_portable_names() {
        for bad in [
            ".git.",
            ".git ",
            ".GIT. .",
            ".git::$INDEX_ALLOCATION",
            ".Git:$I30:$INDEX_ALLOCATION",
            ".git . ::$INDEX_ALLOCATION",
            ".git:stream",
            "sub/.git./config",
            "GIT~1.",
            "git~1::$INDEX_ALLOCATION",
            ".g\u{200c}it.",
        ] {
            let reason = check_safe(bad).unwrap_err();
            assert!(
                reason.contains("belongs to git"),
                "{bad:?} should be refused as .git: {reason}"
            );
            assert!(check_relative(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            check_safe(".git::$INDEX_ALLOCATION/x").unwrap_err(),
            "contains `.git::$INDEX_ALLOCATION`, which Windows reads as `.git`: that belongs to git, and groundwork never writes a repository's metadata, at any depth, in any case or spelling"
        );
        for good in [".git.txt", ".gitx.", ".git-x:y", "x.git.", "a:.git"] {
            assert!(check_safe(good).is_ok(), "{good:?} should be accepted");
        }
    }

    /// Found by `properties::accepted_trees_hold_no_two_paths_that_are_one_on_macos_or_windows`:
    /// a file `a` beside `A/.github` was accepted, but on macOS and Windows `A` is the file `a`.
    #[test]
    fn proptest_a_file_and_a_folder_that_differ_only_by_case_collide() {
        let mut tree = Tree::default();
        tree.insert("a".into(), entry("x")).unwrap();
        assert!(matches!(
            tree.insert("A/.github".into(), entry("y")),
            Err(Error::PortableCollision { first_path, second_path, .. })
                if first_path == "a" && second_path == "A"
        ));
        let mut tree = Tree::default();
        tree.insert("caf\u{e9}/x/y".into(), entry("x")).unwrap();
        assert!(matches!(
            tree.insert("CAFE\u{301}".into(), entry("y")),
            Err(Error::PortableCollision { first_path, second_path, .. })
                if first_path == "caf\u{e9}" && second_path == "CAFE\u{301}"
        ));
        tree.insert("Caf\u{e9}2/z".into(), entry("z")).unwrap();
    }

    #[test]
    fn issue15_superscript_and_console_device_names_are_refused() {
        for bad in [
            "COM\u{b9}",
            "com\u{b2}",
            "Lpt\u{b3}",
            "COM\u{b9}.txt",
            "a/lpt\u{b2}.tar.gz",
            "CONIN$",
            "conout$",
            "ConIn$.log",
            "COM0",
            "lpt0.txt",
        ] {
            let reason = check_relative(bad).unwrap_err();
            assert!(
                reason.contains("a device name Windows reserves"),
                "{bad:?}: {reason}"
            );
        }
        for good in [
            "COM\u{b9}0",
            "com\u{b4}",
            "conin",
            "CONIN$X",
            "lpt\u{b9}\u{b9}",
        ] {
            assert!(check_relative(good).is_ok(), "{good:?} should be accepted");
        }
    }

    #[test]
    fn issue15_folders_that_differ_only_by_case_or_normalization_collide() {
        let mut tree = Tree::default();
        tree.insert("Dir/a".into(), entry("one")).unwrap();
        tree.insert("Dir/sub/b".into(), entry("two")).unwrap();
        assert!(matches!(
            tree.insert("dir/b".into(), entry("three")),
            Err(Error::PortableFolderCollision { first, second, first_path, second_path })
                if first == "one" && second == "three" && first_path == "Dir" && second_path == "dir"
        ));
        assert!(matches!(
            tree.insert("Dir/SUB/c".into(), entry("four")),
            Err(Error::PortableFolderCollision { first_path, second_path, .. })
                if first_path == "Dir/sub" && second_path == "Dir/SUB"
        ));
        let mut tree = Tree::with_unportable_names();
        tree.insert("caf\u{e9}/a".into(), entry("nfc")).unwrap();
        assert!(tree.insert("cafe\u{301}/b".into(), entry("nfd")).is_err());
        // Once every file below a folder is gone, the folder is gone, and another spelling fits.
        let mut tree = Tree::default();
        tree.insert("Dir/a".into(), entry("x")).unwrap();
        tree.insert("Dir/b/c".into(), entry("y")).unwrap();
        tree.remove("Dir/a");
        assert!(tree.insert("dir/z".into(), entry("z")).is_err());
        tree.remove("Dir/b/c");
        tree.insert("dir/z".into(), entry("z")).unwrap();
        assert!(tree.remove("DIR/z").is_none());
        assert!(tree.insert("DIR/y".into(), entry("w")).is_err());
    }
}
