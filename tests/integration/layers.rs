//! The module tree's layers (issue 16): every `crate::`, `super::` and `self::` path of `src/`
//! is resolved to the file it names, and each arrow must point to the same layer or to a layer the
//! table below allows; no two files of `src/` may import each other, directly or round a circle.
//! `docs/architecture.md` explains the layers; this table is what holds them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each layer (a folder of `src/`) and the layers its files may import, besides their own.
const LAYERS: &[(&str, &[&str])] = &[
    ("core", &[]),
    ("template", &["core"]),
    ("dialect", &["core", "template"]),
    ("source", &["core", "template", "dialect"]),
    ("write", &["core", "template"]),
    ("merge", &["core"]),
    (
        "project",
        &["core", "template", "dialect", "source", "write", "merge"],
    ),
    (
        "commands",
        &[
            "core", "template", "dialect", "source", "write", "merge", "project",
        ],
    ),
    (
        "cli",
        &[
            "core", "template", "dialect", "source", "write", "merge", "project", "commands",
        ],
    ),
];

/// `lib.rs` and `main.rs` only declare the layers and call `cli::run`.
const ROOT_FILES: &[&str] = &["lib.rs", "main.rs"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The module path of a file: `src/core/tree.rs` -> `[core, tree]`, `src/dialect/mod.rs` ->
/// `[dialect]`.
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.strip_suffix(".rs").unwrap_or(&last).to_owned();
    if stem != "mod" && stem != "lib" && stem != "main" {
        parts.push(stem);
    }
    parts
}

/// The file that holds the longest prefix of `path` that is a module.
fn file_of(modules: &BTreeMap<Vec<String>, PathBuf>, path: &[String]) -> Option<PathBuf> {
    (1..=path.len())
        .rev()
        .find_map(|n| modules.get(&path[..n]).cloned())
}

/// Product code only: a file's test module at its end is left out (tests may reach sideways).
fn product_text(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim() == "#[cfg(test)]"
            && lines
                .peek()
                .is_some_and(|next| next.trim_start().starts_with("mod "))
        {
            break;
        }
        let code = match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        };
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// Every path a file's code names, absolute from the crate root: `crate::a::b`, `super::x`,
/// `self::y`, including each member of a `use crate::{a::b, c::{d, e}}` group.
fn paths_in(text: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let bytes: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let rest: String = bytes[i..bytes.len().min(i + 7)].iter().collect();
        let boundary = i == 0
            || !(bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '_' || bytes[i - 1] == ':');
        let base: Option<(usize, Vec<String>)> = if !boundary {
            None
        } else if rest.starts_with("crate::") {
            Some((7, Vec::new()))
        } else if rest.starts_with("super::") {
            // The parent of a file's module; a `mod.rs` file is its folder's module.
            let mut parent = module.to_vec();
            parent.pop();
            Some((7, parent))
        } else if rest.starts_with("self::") {
            Some((6, module.to_vec()))
        } else {
            None
        };
        let Some((skip, mut prefix)) = base else {
            i += 1;
            continue;
        };
        i += skip;
        while bytes[i..].starts_with(&['s', 'u', 'p', 'e', 'r', ':', ':']) {
            prefix.pop();
            i += 7;
        }
        i = collect_tree(&bytes, i, &prefix, &mut found);
    }
    found
}

/// Reads one path (or a `{...}` group of them) at `i`, adding each full path to `found`.
fn collect_tree(
    chars: &[char],
    mut i: usize,
    prefix: &[String],
    found: &mut Vec<Vec<String>>,
) -> usize {
    let mut path = prefix.to_vec();
    if chars.get(i) == Some(&'{') {
        return collect_group(chars, i + 1, &path, found);
    }
    loop {
        let start = i;
        while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
            i += 1;
        }
        if i > start {
            let segment: String = chars[start..i].iter().collect();
            if segment != "self" {
                path.push(segment);
            }
        }
        if chars[i..].starts_with(&[':', ':']) {
            i += 2;
            if chars.get(i) == Some(&'{') {
                return collect_group(chars, i + 1, &path, found);
            }
            continue;
        }
        found.push(path);
        // Skip an `as name` or a `*` after the path.
        while chars.get(i).is_some_and(|c| {
            *c != ',' && *c != '}' && *c != ';' && *c != '\n' && *c != ')' && *c != '('
        }) {
            i += 1;
        }
        return i;
    }
}

/// Reads the members of a `{...}` group that starts at `i` (after the brace).
fn collect_group(
    chars: &[char],
    mut i: usize,
    prefix: &[String],
    found: &mut Vec<Vec<String>>,
) -> usize {
    loop {
        while chars.get(i).is_some_and(|c| c.is_whitespace() || *c == ',') {
            i += 1;
        }
        if chars.get(i).is_none_or(|c| *c == '}') {
            return i + 1;
        }
        i = collect_tree(chars, i, prefix, found);
    }
}

/// The arrows between files of `src/`: file -> the files it names.
fn graph() -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let root = src();
    let mut modules = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.expect("src/ can be walked");
        if entry.path().extension().is_some_and(|e| e == "rs") {
            let relative = entry.path().strip_prefix(&root).unwrap().to_path_buf();
            modules.insert(module_of(&relative), relative);
        }
    }
    let mut arrows = BTreeMap::new();
    for (module, file) in &modules {
        let text = std::fs::read_to_string(root.join(file)).expect("a source file is UTF-8");
        let targets: BTreeSet<PathBuf> = paths_in(&product_text(&text), module)
            .iter()
            .filter_map(|path| file_of(&modules, path))
            .filter(|target| target != file)
            .collect();
        arrows.insert(file.clone(), targets);
    }
    arrows
}

fn layer_of(file: &Path) -> String {
    let first = file.iter().next().unwrap().to_string_lossy().into_owned();
    first.strip_suffix(".rs").unwrap_or(&first).to_owned()
}

/// The circles: groups of two or more files that each reach all the others (strongly connected
/// components, found by reachability; `src/` has a few dozen files).
fn circles(arrows: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<Vec<PathBuf>> {
    let reach = |from: &PathBuf| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(file) = todo.pop() {
            for next in arrows.get(&file).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&PathBuf, BTreeSet<PathBuf>> =
        arrows.keys().map(|f| (f, reach(f))).collect();
    let mut placed = BTreeSet::new();
    let mut found = Vec::new();
    for file in arrows.keys() {
        if placed.contains(file) || !reachable[file].contains(file) {
            continue;
        }
        let group: Vec<PathBuf> = reachable[file]
            .iter()
            .filter(|other| reachable[*other].contains(file))
            .cloned()
            .collect();
        placed.extend(group.iter().cloned());
        found.push(group);
    }
    found
}

/// What breaks the layer table, one line per arrow.
fn upward(arrows: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<String> {
    let allowed: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut wrong = Vec::new();
    for (file, targets) in arrows {
        let from = layer_of(file);
        if ROOT_FILES.contains(&file.to_string_lossy().as_ref()) {
            continue;
        }
        let Some(may) = allowed.get(from.as_str()) else {
            wrong.push(format!("{}: not in a layer folder", file.display()));
            continue;
        };
        for target in targets {
            let to = layer_of(target);
            if to != from && !may.contains(&to.as_str()) {
                wrong.push(format!(
                    "{} ({from}) imports {} ({to})",
                    file.display(),
                    target.display()
                ));
            }
        }
    }
    wrong
}

#[test]
fn issue16_no_file_imports_a_layer_above_its_own() {
    let wrong = upward(&graph());
    assert!(wrong.is_empty(), "upward imports:\n{}", wrong.join("\n"));
}

#[test]
fn issue16_no_import_circle_between_files() {
    let found = circles(&graph());
    let shown: Vec<String> = found
        .iter()
        .map(|c| {
            c.iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(" -> ")
        })
        .collect();
    assert!(shown.is_empty(), "import circles:\n{}", shown.join("\n"));
}

#[test]
fn issue16_the_layer_check_sees_an_upward_import_and_a_circle() {
    // The check itself must be able to fail: a core file naming a command, and two files naming
    // each other, are both caught.
    let mut arrows = BTreeMap::new();
    let core = PathBuf::from("core/tree.rs");
    let command = PathBuf::from("commands/new.rs");
    arrows.insert(core.clone(), BTreeSet::from([command.clone()]));
    arrows.insert(command.clone(), BTreeSet::from([core.clone()]));
    assert_eq!(
        upward(&arrows),
        ["core/tree.rs (core) imports commands/new.rs (commands)"]
    );
    assert_eq!(circles(&arrows).len(), 1);
    // And the reader resolves grouped, `super::` and `self::` paths to files.
    let paths = paths_in(
        "use crate::{core::error::Error, write::{plan, apply::x}};\nuse super::engine::f;\nuse self::git::y;",
        &["dialect".into(), "cookiecutter".into(), "pystr".into()],
    );
    let shown: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        shown,
        [
            "core::error::Error",
            "write::plan",
            "write::apply::x",
            "dialect::cookiecutter::engine::f",
            "dialect::cookiecutter::pystr::git::y",
        ]
    );
}

#[test]
fn issue16_only_the_registry_reads_the_environment() {
    // Every variable groundwork reads is in `core/env.rs`, so a malformed one is refused at
    // start-up and the docs can list them all.
    let root = src();
    let mut readers = Vec::new();
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.expect("src/ can be walked");
        let relative = entry.path().strip_prefix(&root).unwrap().to_path_buf();
        if entry.path().extension().is_none_or(|e| e != "rs")
            || relative == Path::new("core/env.rs")
        {
            continue;
        }
        let text = product_text(&std::fs::read_to_string(entry.path()).unwrap());
        if text.contains("env::var") {
            readers.push(relative.display().to_string());
        }
    }
    assert!(
        readers.is_empty(),
        "read the environment themselves: {readers:?}"
    );
}
