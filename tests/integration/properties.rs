//! Property tests (proptest) of issue 7: the path rules (`tree::check_relative`, `Tree::insert`)
//! on arbitrary and adversarial paths, and plan/apply on random trees written over random existing
//! destinations (then compared file by file), with and without an injected failure. The injected
//! failure is only reachable through `GROUNDWORK_FAULT_INJECT`, which apply reads from the
//! environment, so those cases run the real binary (fewer of them). Case counts keep the whole
//! suite to a few seconds.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use groundwork::api::Claim;
use groundwork::api::{Entry, Tree};
use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization as _;

use crate::env::{TestEnv, snapshot};

/// Path segments that are dangerous, differ only by case or normalization, or are reserved.
const SEGMENTS: &[&str] = &[
    "a",
    "A",
    "b",
    "B",
    "caf\u{e9}",
    "cafe\u{301}",
    "CAF\u{c9}",
    ".",
    "..",
    "...",
    "",
    ".git",
    ".GIT",
    ".gIt",
    ".github",
    ".gitignore",
    ".g\u{200c}it",
    "\u{feff}.Git",
    "GIT~1",
    "git~2",
    "con",
    "Con.txt",
    "com10",
    "x:y",
    "back\\slash",
    "nul\0",
    "trail.",
    "trail ",
    " lead",
    "C:",
    "~",
    "\u{130}",
    "\u{212a}",
    "\u{fb01}le",
    // Issue 15: device names with Windows' superscript digits and the console's, folders that
    // differ only by case (`Dir`, `dir` with `a`, `b` below them).
    "COM\u{b9}",
    "lpt\u{b3}.txt",
    "Com\u{b2}",
    "CONIN$",
    "conout$.log",
    "LPT0",
    "COM\u{b9}0",
    "Dir",
    "dir",
    // Issue 15: `.git` as Windows reads it (trailing dots and spaces, stream suffixes).
    ".git.",
    ".GIT ",
    ".git::$INDEX_ALLOCATION",
    ".Git:$I30:$INDEX_ALLOCATION",
    "git~1.",
    ".git.d",
    // Issue 15: groundwork's staging folders, which `recover` removes.
    ".groundwork-staging-1-x",
    ".groundwork-staging",
];

/// A path built from [`SEGMENTS`] (and sometimes an arbitrary one), joined by `/` or `\`, with an
/// optional leading `/`.
fn adversarial_path() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::collection::vec(
            prop_oneof![
                4 => prop::sample::select(SEGMENTS).prop_map(str::to_owned),
                1 => any::<String>(),
            ],
            1..5,
        ),
        prop::sample::select(&["/", "/", "/", "\\"][..]),
    )
        .prop_map(|(absolute, segments, separator)| {
            let joined = segments.join(separator);
            if absolute {
                format!("/{joined}")
            } else {
                joined
            }
        })
}

/// What `path` is on a file system that ignores case and Unicode normalization, computed here
/// independently of the crate.
fn folded(path: &str) -> String {
    path.nfd()
        .collect::<String>()
        .to_lowercase()
        .nfc()
        .collect()
}

fn entry(contents: Vec<u8>, executable: bool) -> Entry {
    Entry {
        mode: None,
        contents,
        executable,
        source: "prop".into(),
    }
}

/// Asserts what every accepted path must be.
fn assert_safe(path: &str) {
    assert!(!path.is_empty(), "empty path accepted");
    assert!(!path.starts_with('/'), "absolute path accepted: {path:?}");
    for segment in path.split('/') {
        assert!(
            !matches!(segment, "" | "." | ".."),
            "{path:?} accepted with segment {segment:?}"
        );
        // `.git` in any case, also as HFS+ (which ignores some code points) or NTFS (short names)
        // may read it.
        let visible: String = segment
            .chars()
            .filter(|c| !matches!(c, '\u{200c}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{206a}'..='\u{206f}' | '\u{feff}'))
            .collect();
        // Windows drops trailing dots and spaces, and reads `NAME:...` as a stream of NAME.
        let on_windows = |name: &str| {
            let base = name.split(':').next().unwrap_or_default();
            base.trim_end_matches(['.', ' ']).to_ascii_lowercase()
        };
        assert!(
            on_windows(&visible) != ".git" && on_windows(segment) != "git~1",
            "{path:?} accepted with a .git segment"
        );
        assert!(
            !segment
                .to_ascii_lowercase()
                .starts_with(".groundwork-staging-"),
            "{path:?} accepted with a staging folder's name"
        );
    }
    assert!(
        Path::new(path)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_))),
        "{path:?} has a component that is not a plain name"
    );
}

/// Asserts that every segment of an accepted portable path is a name Windows can hold as a
/// file: no device name (computed here independently of the crate), with any extension.
fn assert_portable(path: &str) {
    const DEVICES: &[&str] = &["con", "prn", "aux", "nul", "conin$", "conout$"];
    for segment in path.split('/') {
        let stem = segment
            .split('.')
            .next()
            .unwrap_or_default()
            .trim_end()
            .to_ascii_lowercase();
        let numbered = ["com", "lpt"].iter().any(|device| {
            stem.strip_prefix(device).is_some_and(|n| {
                matches!(
                    n,
                    "0" | "1"
                        | "2"
                        | "3"
                        | "4"
                        | "5"
                        | "6"
                        | "7"
                        | "8"
                        | "9"
                        | "\u{b9}"
                        | "\u{b2}"
                        | "\u{b3}"
                )
            })
        });
        assert!(
            !numbered && !DEVICES.contains(&stem.as_str()),
            "{path:?} accepted with the device name {segment:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn check_relative_never_panics_on_any_string(path in any::<String>()) {
        if groundwork::api::check_relative(&path).is_ok() {
            assert_safe(&path);
            assert_portable(&path);
        }
    }

    #[test]
    fn check_relative_accepts_only_safe_paths(path in adversarial_path()) {
        if groundwork::api::check_relative(&path).is_ok() {
            assert_safe(&path);
            assert_portable(&path);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, failure_persistence: None, ..ProptestConfig::default() })]

    /// Random path sets, many of them equal under case folding or normalization, or nested in
    /// each other: inserting never panics, and what is accepted is one file per path on every OS.
    #[test]
    fn accepted_trees_hold_no_two_paths_that_are_one_on_macos_or_windows(
        paths in prop::collection::vec(adversarial_path(), 0..16),
    ) {
        let mut tree = Tree::default();
        for path in paths {
            let _ = tree.insert(path, entry(Vec::new(), false));
        }
        let accepted: Vec<&str> = tree.iter().map(|(p, _)| p).collect();
        let mut seen = BTreeMap::new();
        for path in &accepted {
            assert_safe(path);
            if let Some(other) = seen.insert(folded(path), *path) {
                panic!("{other:?} and {path:?} are one file on macOS or Windows");
            }
        }
        // No file where another needs a directory, even when they differ only by case.
        for a in &accepted {
            for b in &accepted {
                let below = format!("{}/", folded(a));
                assert!(!folded(b).starts_with(&below), "{a:?} is a file, but {b:?} needs it to be a directory");
            }
        }
        // Issue 15: no two folders that are one on macOS or Windows, spelled differently.
        let mut folders = BTreeMap::new();
        for path in &accepted {
            for (i, _) in path.match_indices('/') {
                let folder = &path[..i];
                if let Some(other) = folders.insert(folded(folder), folder) {
                    assert_eq!(other, folder, "folders {other:?} and {folder:?} are one on macOS or Windows");
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, failure_persistence: None, ..ProptestConfig::default() })]

    /// Issue 15: a tree that takes names Windows cannot hold (`portable_names = false`, cookiecutter)
    /// still takes only safe paths: no `.git` in any spelling Windows or macOS resolves to it.
    #[test]
    fn lenient_trees_accept_only_safe_paths(
        paths in prop::collection::vec(adversarial_path(), 0..16),
    ) {
        let mut tree = Tree::for_names(false);
        for path in paths {
            let _ = tree.insert(path, entry(Vec::new(), false));
        }
        for (path, _) in tree.iter() {
            assert_safe(path);
        }
    }
}

/// Segments for plan/apply trees: few, so paths collide and nest.
const SMALL: &[&str] = &["a", "b", "c"];

fn small_path() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(SMALL), 1..4).prop_map(|s| s.join("/"))
}

/// Random files: `(path, bytes, executable)`, duplicates and nestings included (the tree refuses
/// those).
fn files() -> impl Strategy<Value = Vec<(String, Vec<u8>, bool)>> {
    prop::collection::vec(
        (
            small_path(),
            prop::collection::vec(any::<u8>(), 0..48),
            any::<bool>(),
        ),
        0..10,
    )
}

/// What is in the destination before the write: absent, an empty directory, or these files (each
/// either the tree's bytes for that path, or its own).
#[derive(Debug, Clone)]
enum Existing {
    Absent,
    Empty,
    Files(Vec<(String, Option<Vec<u8>>, bool)>),
}

/// A tree's files and a destination to write them into, whose files mostly reuse the tree's
/// paths (with its bytes or others) so the write has something to overwrite or leave unchanged.
fn case() -> impl Strategy<Value = (Vec<(String, Vec<u8>, bool)>, Existing)> {
    files().prop_flat_map(|files| {
        let paths: Vec<String> = tree_of(files.clone())
            .iter()
            .map(|(p, _)| p.to_owned())
            .collect();
        let path = if paths.is_empty() {
            small_path().boxed()
        } else {
            prop_oneof![2 => prop::sample::select(paths), 1 => small_path()].boxed()
        };
        let existing = prop_oneof![
            1 => Just(Existing::Absent),
            1 => Just(Existing::Empty),
            4 => prop::collection::vec(
                (
                    path,
                    prop::option::of(prop::collection::vec(any::<u8>(), 0..48)),
                    any::<bool>(),
                ),
                1..8,
            )
            .prop_map(Existing::Files),
        ];
        (Just(files), existing)
    })
}

fn tree_of(files: Vec<(String, Vec<u8>, bool)>) -> Tree {
    let mut tree = Tree::default();
    for (path, contents, executable) in files {
        let _ = tree.insert(path, entry(contents, executable));
    }
    tree
}

/// Creates the existing destination at `dest`; a file that reuses the tree's path takes the tree's
/// bytes when it has none of its own. Returns whether some existing file is where the tree needs a
/// directory or the other way around (then the write must be refused).
fn populate(dest: &Path, existing: &Existing, tree: &Tree) -> bool {
    let Existing::Files(files) = existing else {
        if matches!(existing, Existing::Empty) {
            fs::create_dir(dest).unwrap();
        }
        return false;
    };
    fs::create_dir(dest).unwrap();
    let mut placed = Tree::default();
    for (path, contents, executable) in files {
        let contents = contents.clone().unwrap_or_else(|| {
            tree.get(path)
                .map_or_else(|| b"own".to_vec(), |e| e.contents.clone())
        });
        if placed
            .insert(path.clone(), entry(contents.clone(), *executable))
            .is_err()
        {
            continue;
        }
        let target = dest.join(path);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::write(&target, &contents).unwrap();
        let mode = if *executable { 0o755 } else { 0o644 };
        fs::set_permissions(&target, fs::Permissions::from_mode(mode)).unwrap();
    }
    let nested = |a: &str, b: &str| b.starts_with(&format!("{a}/"));
    placed
        .iter()
        .any(|(p, _)| tree.iter().any(|(q, _)| nested(p, q) || nested(q, p)))
}

fn state(dest: &Path) -> Option<Vec<(String, Vec<u8>, u32)>> {
    dest.exists().then(|| snapshot(dest))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, failure_persistence: None, ..ProptestConfig::default() })]

    /// `new --force` planning then apply, through the library: every file of the tree is on disk
    /// with its bytes and mode, every other file is untouched, and nothing is left beside the
    /// destination. A tree that needs a directory where a file is (or the reverse) is refused
    /// with the destination unchanged.
    #[test]
    fn forced_apply_writes_the_tree_and_leaves_everything_else((files, existing) in case()) {
        let parent = tempfile::tempdir().unwrap();
        let dest = parent.path().join("dest");
        let tree = tree_of(files);
        let blocked = populate(&dest, &existing, &tree);
        let before = state(&dest);

        let claim = Claim::acquire(&dest).unwrap();
        let result = groundwork::api::plan_new(&tree, &claim, groundwork::api::Existing::Overwrite)
            .and_then(|plan| groundwork::api::apply(&plan, &claim, |_, _, _| Ok(())));
        drop(claim);

        let leftovers: Vec<_> = fs::read_dir(parent.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != "dest")
            .collect();
        assert!(leftovers.is_empty(), "left beside the destination: {leftovers:?}");
        if let Err(error) = result {
            assert!(blocked, "{error}");
            assert_eq!(state(&dest), before, "a refused write changed the destination");
            return Ok(());
        }
        assert!(!blocked, "a file/directory clash was written");
        if tree.is_empty() && before.is_none() {
            return Ok(());
        }
        for (path, entry) in tree.iter() {
            let on_disk = dest.join(path);
            assert_eq!(fs::read(&on_disk).unwrap(), entry.contents, "{path}");
            let mode = fs::metadata(&on_disk).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, if entry.executable { 0o755 } else { 0o644 }, "{path}");
        }
        for (path, contents, mode) in before.unwrap_or_default() {
            if path.is_empty() || tree.get(&path).is_some() {
                continue;
            }
            let on_disk = dest.join(&path);
            let meta = fs::symlink_metadata(&on_disk).unwrap();
            assert_eq!(meta.permissions().mode(), mode, "{path}");
            if meta.is_file() {
                assert_eq!(fs::read(&on_disk).unwrap(), contents, "{path}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    /// The real binary, `new --force` with `GROUNDWORK_FAULT_INJECT=N` (the apply fails after N
    /// writes): the destination is byte-identical to before and nothing is left beside it.
    #[test]
    fn a_failed_forced_write_leaves_the_destination_byte_identical(
        (files, existing) in case().prop_filter("a file to write", |(f, _)| !f.is_empty()),
        fault in any::<prop::sample::Index>(),
    ) {
        let env = TestEnv::new();
        let tree = tree_of(files);
        let mut builder = env.template("t", "");
        for (path, entry) in tree.iter() {
            builder = builder.file(path, &entry.contents);
            if entry.executable {
                let path = env.path("t").join(path);
                fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
        let template = builder.build();
        let dest = env.path("dest");
        populate(&dest, &existing, &tree);
        let before = state(&dest);
        let output = env
            .new_project(&template, "dest", &["--defaults", "--force"])
            // Within the writes: the tree's files and the answers file.
            .env("GROUNDWORK_FAULT_INJECT", fault.index(tree.len() + 1).to_string())
            .output()
            .unwrap();
        let after = state(&dest);
        // A fault past the last write lets the run succeed; then there is nothing to compare.
        if output.status.success() {
            return Ok(());
        }
        assert_eq!(after, before, "{}", String::from_utf8_lossy(&output.stderr));
        assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());
    }
}
