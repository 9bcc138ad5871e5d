//! Fetching from a repository on this machine (a path, or a `file://` URL) into a cached clone by
//! copying its object files, instead of through libgit2's local transport.
//!
//! Why: that transport builds a pack in memory from the source's objects, reading every object
//! whole and compressing it again (a 1 GiB blob: over 1 GiB resident and 20 s or more) before
//! groundwork can look at a single header and refuse the blob as over the per-file limit. Object
//! files never change once written and are named by their content (a loose object by its id, a
//! pack and its index by the pack's checksum), so copying the files the cache lacks, then setting
//! the refs where the source's are, is the same fetch without reading one object: afterwards the
//! cache has the source's branches (as `refs/remotes/origin/*`), its tags and its HEAD, and refs
//! the source deleted are pruned, as [`super::fetch`] does over the network. Unlike a fetch it also
//! copies objects nothing reaches and never repacks; a source's repack adds a pack beside the old
//! ones. For templates that is a few files more.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io;
use std::os::unix::ffi::{OsStrExt as _, OsStringExt as _};
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use git2::{Odb, OdbLookupFlags, Oid, Repository};
use rustix::fs::OFlags;
use rustix::io::Errno;

use super::{FetchError, REMOTE, REMOTE_HEAD, set_remote_head};

/// How deep `objects/info/alternates` files are followed, as libgit2 reads them.
const MAX_ALTERNATES_DEPTH: usize = 5;
/// Copy passes before objects that the source's refs name are called missing: a `git gc` in the
/// source while a pass runs moves loose objects into a new pack, which the next pass finds.
const MAX_PASSES: usize = 3;
/// The prefix of an object file while it is being copied; renamed to its name once complete, so
/// libgit2 never sees half an object. A killed run's leftover is ignored by git and libgit2.
const PARTIAL_PREFIX: &str = "tmp_groundwork_";
const REFLOG_MESSAGE: &str = "groundwork: fetch from a local repository";

/// The repository on this machine that `url` names the way libgit2 decides it, when it does: a
/// `file://` URL (host empty or `localhost`, percent-encoding decoded) or a path, naming an
/// existing directory. Anything else (a missing repository too) goes through libgit2's fetch, so
/// its errors read as they always have.
pub(super) fn repository_path(url: &str) -> Option<PathBuf> {
    let path = match url.strip_prefix("file://") {
        Some(rest) => {
            let rest = rest.strip_prefix("localhost").unwrap_or(rest);
            // libgit2 refuses a URL with nothing after the slash, or another slash.
            if !rest.starts_with('/') || rest == "/" || rest.starts_with("//") {
                return None;
            }
            PathBuf::from(OsString::from_vec(percent_decode(rest)?))
        }
        None if url.contains("://") => return None,
        None => PathBuf::from(url),
    };
    path.is_dir().then_some(path)
}

/// `%XX` escapes decoded; anything else after a `%` is kept as it is, as libgit2 decodes. `None`
/// for a decoded NUL, which libgit2's C strings would cut the path at.
fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        if let Some(byte) = escaped {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    (!out.contains(&0)).then_some(out)
}

/// Brings the cached clone `repo` up to date with the repository at `source_dir`.
pub(super) fn fetch(repo: &Repository, source_dir: &Path) -> Result<(), FetchError> {
    let source = Repository::open(source_dir)?;
    // Refs first: git writes objects before the refs naming them, so every object a ref read
    // here names is on disk by the time the copy lists the files.
    let wanted = wanted_refs(&source)?;
    let folders = object_folders(&source);
    let target = repo.path().join("objects");
    let odb = repo.odb()?;
    let mut missing = None;
    for _ in 0..MAX_PASSES {
        let mut vanished = false;
        for folder in &folders {
            vanished |= copy_objects(folder, &target, &odb)?;
        }
        odb.refresh()?;
        missing = wanted.values().find(|wanted| !odb.exists(wanted.id));
        if missing.is_none() || !vanished {
            break;
        }
    }
    if let Some(wanted) = missing {
        return Err(FetchError::MissingObject {
            name: wanted.source.clone(),
            id: wanted.id,
        });
    }
    update_refs(repo, &wanted)?;
    // HEAD last, once the branch it names exists in the cache. An unborn HEAD (an empty
    // repository) names nothing, as libgit2's transport does not advertise it either.
    if let Ok(head) = source.find_reference("HEAD")
        && let Ok(resolved) = head.resolve()
        && let Some(id) = resolved.target()
    {
        let branch = head
            .symbolic_target()
            .ok()
            .flatten()
            .and_then(|t| t.strip_prefix("refs/heads/"));
        set_remote_head(repo, branch, id)?;
    }
    Ok(())
}

/// A ref of the source the cache should hold.
struct Wanted {
    /// Its name in the source, for messages.
    source: String,
    id: Oid,
}

/// The refs the cache should hold, by their names in the cache: each branch of the source as
/// `refs/remotes/origin/<branch>`, each tag as itself (the refspecs of every cached clone).
fn wanted_refs(source: &Repository) -> Result<BTreeMap<String, Wanted>, FetchError> {
    let mut wanted = BTreeMap::new();
    for reference in source.references()? {
        let reference = reference?;
        // A name that is not UTF-8 cannot be a version tag nor a branch `--ref` can name.
        let Ok(name) = reference.name() else {
            continue;
        };
        let cached = if let Some(branch) = name.strip_prefix("refs/heads/") {
            format!("refs/remotes/{REMOTE}/{branch}")
        } else if name.starts_with("refs/tags/") {
            name.to_owned()
        } else {
            continue;
        };
        // A symbolic branch is followed; one that leads nowhere names nothing to fetch.
        let Some(id) = reference.resolve().ok().and_then(|r| r.target()) else {
            continue;
        };
        wanted.insert(
            cached,
            Wanted {
                source: name.to_owned(),
                id,
            },
        );
    }
    Ok(wanted)
}

/// The source's object folders: its own, then those its `objects/info/alternates` borrow from
/// (relative entries only at the first level, as libgit2 reads them). Ones that cannot be read
/// are left out: an object missing because of it is reported by name after the copy.
fn object_folders(source: &Repository) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = Vec::new();
    let mut queue = vec![(source.commondir().join("objects"), 0)];
    while let Some((folder, depth)) = queue.pop() {
        let Ok(folder) = fs::canonicalize(&folder) else {
            continue;
        };
        if folders.contains(&folder) {
            continue;
        }
        if depth < MAX_ALTERNATES_DEPTH
            && let Ok(text) = fs::read(folder.join("info").join("alternates"))
        {
            for line in text.split(|b| *b == b'\n') {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if line.is_empty() || line.starts_with(b"#") {
                    continue;
                }
                let alternate = Path::new(OsStr::from_bytes(line));
                if alternate.is_absolute() {
                    queue.push((alternate.to_owned(), depth + 1));
                } else if depth == 0 {
                    queue.push((folder.join(alternate), depth + 1));
                }
            }
        }
        folders.push(folder);
    }
    folders
}

/// Copies the packs and loose objects of the object folder `from` that `to` (the objects of
/// `odb`) lacks. Returns whether a file vanished while being copied (a concurrent `git gc` in the
/// source).
fn copy_objects(from: &Path, to: &Path, odb: &Odb<'_>) -> Result<bool, FetchError> {
    let mut vanished = false;
    let packs = from.join("pack");
    for name in names(&packs)? {
        let Some(stem) = name
            .to_str()
            .and_then(|n| n.strip_suffix(".idx"))
            .filter(|n| n.starts_with("pack-"))
        else {
            continue;
        };
        let index = format!("{stem}.idx");
        let pack = format!("{stem}.pack");
        // libgit2 finds packs by their index: the pack goes first, so an index in the cache
        // always has its complete pack beside it (and an index present means both are).
        if to.join("pack").join(&index).exists() {
            continue;
        }
        let copied = match copy_file(&packs.join(&pack), &to.join("pack"), &pack)? {
            Copy::Done => copy_file(&packs.join(&index), &to.join("pack"), &index)?,
            other => other,
        };
        vanished |= copied == Copy::Vanished;
    }
    for fan in names(from)? {
        if !is_hex(&fan, 2) {
            continue;
        }
        let folder = from.join(&fan);
        for name in names(&folder)? {
            // SHA-1 ids (38 more digits); SHA-256 ones (62) where libgit2 reads them.
            if !(is_hex(&name, 38) || is_hex(&name, 62)) {
                continue;
            }
            let cached = to.join(&fan);
            if cached.join(&name).exists() || already_held(odb, &fan, &name) {
                continue;
            }
            vanished |= copy_file(&folder.join(&name), &cached, &name)? == Copy::Vanished;
        }
    }
    Ok(vanished)
}

/// The entry names of `folder`; none when it does not exist (no packs yet, a fan folder that a
/// `git gc` just emptied).
fn names(folder: &Path) -> Result<Vec<OsString>, FetchError> {
    let entries = match fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(FetchError::io(folder, e)),
    };
    let mut names = Vec::new();
    for entry in entries {
        names.push(entry.map_err(|e| FetchError::io(folder, e))?.file_name());
    }
    names.sort();
    Ok(names)
}

/// Whether `odb` holds the loose object named `fan/name` already (in a pack from an earlier
/// fetch, say), so it need not be copied again. The pack list is not reread for each object: it
/// was read at the start of the pass, and a pack added since then is at worst one copy too many.
fn already_held(odb: &Odb<'_>, fan: &OsStr, name: &OsStr) -> bool {
    let (Some(fan), Some(name)) = (fan.to_str(), name.to_str()) else {
        return false;
    };
    Oid::from_str(&format!("{fan}{name}"))
        .is_ok_and(|id| name.len() == 38 && odb.exists_ext(id, OdbLookupFlags::NO_REFRESH))
}

fn is_hex(name: &OsStr, len: usize) -> bool {
    name.len() == len && name.as_bytes().iter().all(u8::is_ascii_hexdigit)
}

/// What became of one object file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Copy {
    Done,
    /// It no longer exists (a concurrent `git gc`): the next pass may find its objects elsewhere.
    Vanished,
    /// Not a regular file (a symlink, a FIFO, a device): git never makes one, and reading it could
    /// lead out of the repository, block or never end. Objects only it holds are reported missing.
    Skipped,
}

/// Copies `from` to `folder/name` through a partial file renamed into place, read-only as git
/// leaves object files. Checks for Ctrl-C first: between files is where a copy can stop without
/// leaving anything half made.
fn copy_file(from: &Path, folder: &Path, name: impl AsRef<OsStr>) -> Result<Copy, FetchError> {
    if crate::core::interrupt::interrupted() {
        return Err(FetchError::Interrupted);
    }
    // Without blocking (a FIFO) nor following a link; the type of what was opened decides.
    let opened = fs::OpenOptions::new()
        .read(true)
        .custom_flags((OFlags::NONBLOCK | OFlags::NOFOLLOW).bits().cast_signed())
        .open(from);
    let mut source = match opened {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Copy::Vanished),
        Err(e) if e.raw_os_error() == Some(Errno::LOOP.raw_os_error()) => return Ok(Copy::Skipped),
        Err(e) => return Err(FetchError::io(from, e)),
    };
    if !source
        .metadata()
        .map_err(|e| FetchError::io(from, e))?
        .is_file()
    {
        return Ok(Copy::Skipped);
    }
    fs::create_dir_all(folder).map_err(|e| FetchError::io(folder, e))?;
    let mut partial = tempfile::Builder::new()
        .prefix(PARTIAL_PREFIX)
        .tempfile_in(folder)
        .map_err(|e| FetchError::io(folder, e))?;
    io::copy(&mut source, partial.as_file_mut()).map_err(|e| FetchError::io(from, e))?;
    partial
        .as_file()
        .set_permissions(fs::Permissions::from_mode(0o444))
        .map_err(|e| FetchError::io(partial.path(), e))?;
    let target = folder.join(name.as_ref());
    partial
        .persist(&target)
        .map_err(|e| FetchError::io(&target, e.error))?;
    Ok(Copy::Done)
}

/// Sets every wanted ref and deletes the cached branches and tags the source no longer has.
fn update_refs(repo: &Repository, wanted: &BTreeMap<String, Wanted>) -> Result<(), FetchError> {
    for (name, wanted) in wanted {
        if repo.refname_to_id(name).ok() != Some(wanted.id) {
            repo.reference(name, wanted.id, true, REFLOG_MESSAGE)?;
        }
    }
    let branches = format!("refs/remotes/{REMOTE}/");
    let mut stale = Vec::new();
    for reference in repo.references()? {
        let reference = reference?;
        let Ok(name) = reference.name() else {
            continue;
        };
        let fetched = name.starts_with(&branches) || name.starts_with("refs/tags/");
        if fetched && name != REMOTE_HEAD && !wanted.contains_key(name) {
            stale.push(name.to_owned());
        }
    }
    for name in stale {
        repo.find_reference(&name)?.delete()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_and_paths_name_local_repositories_as_libgit2_reads_them() {
        let dir = tempfile::tempdir().unwrap();
        let spaced = dir.path().join("a b");
        fs::create_dir(&spaced).unwrap();
        let text = spaced.to_str().unwrap();
        assert_eq!(repository_path(text), Some(spaced.clone()));
        let encoded = text.replace(' ', "%20");
        assert_eq!(
            repository_path(&format!("file://{encoded}")),
            Some(spaced.clone())
        );
        assert_eq!(
            repository_path(&format!("file://localhost{encoded}")),
            Some(spaced.clone())
        );
        assert_eq!(repository_path(&format!("file://{text}")), Some(spaced));
        // Not local, or not there: libgit2's fetch says why.
        assert_eq!(repository_path(&format!("file://host{encoded}")), None);
        assert_eq!(repository_path(&format!("file://{encoded}%00")), None);
        fs::create_dir(dir.path().join("50%zz")).unwrap();
        let literal = dir.path().join("50%zz");
        assert_eq!(
            repository_path(&format!("file://{}", literal.display())),
            Some(literal)
        );
        assert_eq!(repository_path(&format!("file://{encoded}/missing")), None);
        assert_eq!(repository_path("https://example.com/t.git"), None);
        assert_eq!(repository_path("git@example.com:t.git"), None);
    }
}
