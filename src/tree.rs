//! The in-memory tree a render produces: `{ relative path -> bytes + executable bit }`, sorted, and
//! the rules that keep its paths inside the destination. It never touches a disk.

use std::collections::BTreeMap;

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub contents: Vec<u8>,
    pub executable: bool,
    /// The template file it came from, for error messages.
    pub source: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    files: BTreeMap<String, Entry>,
}

impl Tree {
    /// Adds a file at a `/`-separated relative path, refusing unsafe paths and collisions (two
    /// files at one path, or a file where another needs a directory).
    pub fn insert(&mut self, path: String, entry: Entry) -> Result<()> {
        check_relative(&path).map_err(|reason| Error::UnsafePath {
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
        self.files.insert(path, entry);
        Ok(())
    }

    pub fn remove(&mut self, path: &str) -> Option<Entry> {
        self.files.remove(path)
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

/// Why a rendered relative path could escape or misbehave in the destination, if it could.
pub fn check_relative(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("is empty".into());
    }
    if path.starts_with('/') || path.starts_with('\\') || path.as_bytes().get(1) == Some(&b':') {
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
            s if s.eq_ignore_ascii_case(".git") => {
                return Err(format!(
                    "contains `{s}`, which belongs to git: groundwork never writes a repository's metadata, at any depth or in any case"
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(source: &str) -> Entry {
        Entry {
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
            "C:/x",
            "a/./b",
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
}
