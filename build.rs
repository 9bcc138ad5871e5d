//! Records facts about the built-in templates that `include_dir` cannot carry: which files are
//! executable, and when the embedded copy is stale. `include_dir` keeps no permission bits and does
//! not rebuild when a template file changes, so both are handled here.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    println!("cargo:rerun-if-changed={}", root.display());

    let mut executables = Vec::new();
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let entry = entry.expect("templates/ must be readable at build time");
        // Directories are listed too, so that adding or removing a file triggers a rebuild.
        println!("cargo:rerun-if-changed={}", entry.path().display());
        if entry.file_type().is_file() && is_executable(&entry) {
            let relative = entry
                .path()
                .strip_prefix(&root)
                .expect("walkdir yields paths below its root");
            let relative = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            executables.push(relative);
        }
    }

    let mut out =
        String::from("/// Template-relative paths (`<template>/<path>`) of executable files.\n");
    out.push_str("pub(crate) const EXECUTABLES: &[&str] = &[\n");
    for path in &executables {
        writeln!(out, "    {path:?},").expect("writing to a String cannot fail");
    }
    out.push_str("];\n");
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("executables.rs");
    std::fs::write(dest, out).expect("OUT_DIR must be writable");
}

#[cfg(unix)]
fn is_executable(entry: &walkdir::DirEntry) -> bool {
    use std::os::unix::fs::PermissionsExt;
    entry
        .metadata()
        .is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(_: &walkdir::DirEntry) -> bool {
    false
}
