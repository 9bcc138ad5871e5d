//! Where a template comes from: a built-in template embedded in the binary, or a local directory.
//! Loads the manifest and every file into a [`Template`]; it never renders or writes anything.
//! Symlinks in a local template are read as the file they point to, and only inside the template.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::error::{Error, Result};
use crate::release::STORE_DIR;
use crate::template::manifest::{self, MANIFEST_FILE};
use crate::template::{Template, TemplateFile};

pub(crate) static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

mod recorded {
    include!(concat!(env!("OUT_DIR"), "/executables.rs"));
}

/// The built-in template used when none is named.
pub const DEFAULT_TEMPLATE: &str = "datascience";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Builtin(String),
    Local(PathBuf),
}

impl Source {
    /// Reads a `--template` argument: a path when it looks like one (contains a separator or starts
    /// with `.`), otherwise the name of a built-in template.
    pub fn parse(arg: &str) -> Source {
        if arg.contains('/') || arg.contains(std::path::MAIN_SEPARATOR) || arg.starts_with('.') {
            Source::Local(PathBuf::from(arg))
        } else {
            Source::Builtin(arg.to_owned())
        }
    }

    pub fn load(&self) -> Result<Template> {
        match self {
            Source::Builtin(name) => load_builtin(name),
            Source::Local(path) => load_local(path),
        }
    }
}

/// How the source is recorded in the answers file.
impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Builtin(name) => write!(f, "builtin:{name}"),
            Source::Local(path) => write!(f, "{}", path.display()),
        }
    }
}

/// Every built-in template, sorted by name.
pub fn builtin_templates() -> Result<Vec<Template>> {
    builtin_names()
        .iter()
        .map(|name| load_builtin(name))
        .collect()
}

pub(crate) fn builtin_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = BUILTIN
        .dirs()
        .filter(|dir| dir.get_file(dir.path().join(MANIFEST_FILE)).is_some())
        .filter_map(|dir| dir.path().to_str())
        .collect();
    names.sort_unstable();
    names
}

fn load_builtin(name: &str) -> Result<Template> {
    let unknown = || Error::UnknownTemplate {
        name: name.to_owned(),
        available: builtin_names().join(", "),
    };
    let dir = BUILTIN
        .get_dir(name)
        .filter(|_| !name.contains('/'))
        .ok_or_else(unknown)?;
    let manifest_path = dir.path().join(MANIFEST_FILE);
    let manifest_file = dir.get_file(&manifest_path).ok_or_else(unknown)?;
    let display_path = PathBuf::from("builtin:").join(&manifest_path);
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

fn load_local(root: &Path) -> Result<Template> {
    let meta = fs::metadata(root).map_err(|e| Error::io(root, e))?;
    if !meta.is_dir() {
        return Err(Error::NotATemplate {
            path: root.to_owned(),
        });
    }
    let manifest_path = root.join(MANIFEST_FILE);
    if !manifest_path.is_file() {
        if root.join("cookiecutter.json").is_file() {
            return Err(Error::CookiecutterUnsupported {
                path: root.to_owned(),
            });
        }
        return Err(Error::NotATemplate {
            path: root.to_owned(),
        });
    }
    let text = fs::read_to_string(&manifest_path).map_err(|e| Error::io(&manifest_path, e))?;
    let manifest = manifest::parse(&manifest_path, &text)?;

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
        if entry.depth() == 0 || relative == MANIFEST_FILE {
            continue;
        }
        let file_type = entry.file_type();
        if file_type.is_dir() {
            continue;
        }
        let (contents, executable) = if file_type.is_symlink() {
            read_symlink(entry.path(), &canonical_root)?
        } else {
            read_file(entry.path())?
        };
        files.push(TemplateFile {
            path: relative,
            contents,
            executable,
        });
    }
    Template::new(manifest, files)
}

/// A symlink is read as its target when the target is a file inside the template.
fn read_symlink(path: &Path, canonical_root: &Path) -> Result<(Vec<u8>, bool)> {
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
    if !target.is_file() {
        return Err(Error::TemplateSymlink {
            path: path.to_owned(),
            reason: "points to a directory; only links to files are supported".into(),
        });
    }
    read_file(&target)
}

fn read_file(path: &Path) -> Result<(Vec<u8>, bool)> {
    let contents = fs::read(path).map_err(|e| Error::io(path, e))?;
    let meta = fs::metadata(path).map_err(|e| Error::io(path, e))?;
    Ok((contents, is_executable(&meta)))
}

#[cfg(unix)]
fn is_executable(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_: &fs::Metadata) -> bool {
    false
}

fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
