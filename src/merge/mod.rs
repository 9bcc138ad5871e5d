//! The three-way merge behind `update`: per path, it decides what happens to the destination given
//! the old render (`base`), the new render (`theirs`) and the files on disk (`ours`), following the
//! table in `docs/updates.md` ("`update`: a three-way merge"). Renames made by the template are
//! detected here (same template file, or at least half of the lines in common) so an edit follows
//! its file to the new path.
//!
//! This module only decides: it never reads or writes the destination (the caller reads `ours` and
//! applies the returned [`Resolution`]s), and it must never produce a resolution that drops a line
//! the user wrote. A path whose contents cannot be merged is left untouched on disk, with the
//! template's version written beside it.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use similar::{Algorithm, DiffOp};

use crate::core::file::is_text;
use crate::core::tree::{Entry, Tree};

pub(crate) use crate::core::file::FileState;

/// A rendered file as `update` and `diff` compare it. (`new` writes the exact mode a template gave
/// a file; `crate::write::plan::plan_new` keeps `entry.mode`.)
/// Conflict-marker labels, e.g. "template 1.0.0", "yours", "template 1.1.0".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Labels {
    pub base: String,
    pub ours: String,
    pub theirs: String,
}

/// What happened at one path, for the report: the plan's own vocabulary (never `Create` or
/// `Overwrite`, which belong to `new`).
pub(crate) use crate::core::file::Action as Outcome;

/// The decision for one path.
#[derive(Debug, Clone)]
pub(crate) struct Resolution {
    pub path: String,
    pub outcome: Outcome,
    /// Bytes and executable bit to write at `path` (`None`: leave the disk as it is). Its `mode`
    /// is always `None`: a rewritten file keeps the permissions it has on disk, or takes the usual
    /// 0644/0755.
    pub write: Option<FileState>,
    /// Remove `path` from disk.
    pub delete: bool,
    /// Needs the user's attention; makes `update` exit 3.
    pub conflict: bool,
    /// One line for the report.
    pub detail: Option<String>,
}

impl Resolution {
    fn new(path: &str, outcome: Outcome) -> Self {
        Resolution {
            path: path.to_owned(),
            outcome,
            write: None,
            delete: false,
            conflict: false,
            detail: None,
        }
    }

    fn write(mut self, state: FileState) -> Self {
        self.write = Some(state);
        self
    }

    fn delete(mut self) -> Self {
        self.delete = true;
        self
    }

    fn conflict(mut self) -> Self {
        self.conflict = true;
        self
    }

    fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// The report line for an edited file the template deleted.
pub(crate) const TEMPLATE_DELETED_EDITED: &str =
    "the template deleted this file; your edits are kept";

/// The suffix of the template's version of a binary file both sides changed, written beside it.
pub(crate) const FROM_TEMPLATE_SUFFIX: &str = ".from-template";

/// Share of lines two files must have in common to count as one file moved, in percent (git's
/// default rename threshold).
const RENAME_THRESHOLD_PERCENT: usize = 50;

/// Above this many (deleted, added) pairs similarity is not tried: rename detection is quadratic,
/// and git gives up the same way (`diff.renameLimit`). Pairing by template file still happens.
const RENAME_PAIR_LIMIT: usize = 10_000;

/// A diff for statistics that runs longer than this is finished coarsely rather than hanging.
const DIFF_TIMEOUT: Duration = Duration::from_secs(5);

/// Merges every path of `base` ∪ `theirs` with the destination.
///
/// `ours`: the destination's current file at every path of base ∪ theirs that exists on disk
/// (absent key = absent on disk). Every key of `ours` counts as taken when a `.from-template` path
/// is chosen, so the caller should also include any existing `<path>.from-template*` files: an
/// identical one is reused, any other one is never overwritten.
///
/// Returns one resolution per path touched, sorted by path. Paths the user deleted and the template
/// also deleted get no entry: there is nothing to do and nothing to tell.
pub(crate) fn merge_trees(
    base: &Tree,
    theirs: &Tree,
    ours: &BTreeMap<String, FileState>,
    labels: &Labels,
) -> Vec<Resolution> {
    let labels = sanitize(labels);
    let renames = detect_renames(base, theirs, ours);
    let moved_to: BTreeMap<&str, &str> = renames.iter().map(|(a, b)| (*a, *b)).collect();
    let moved_from: BTreeSet<&str> = renames.iter().map(|(_, b)| *b).collect();
    let mut merger = Merger {
        labels: &labels,
        ours,
        reserved: base
            .iter()
            .chain(theirs.iter())
            .map(|(p, _)| p.to_owned())
            .collect(),
        on_disk: ours.keys().cloned().collect(),
        out: Vec::new(),
    };

    for (path, old) in base.iter() {
        let old = FileState::from(old);
        if let Some(new) = theirs.get(path) {
            merger.in_both(path, &old, &FileState::from(new));
        } else if let Some(to) = moved_to.get(path).copied() {
            if let Some(new) = theirs.get(to) {
                merger.moved(path, to, &old, &FileState::from(new));
            }
        } else {
            merger.template_deleted(path, &old);
        }
    }
    for (path, new) in theirs.iter() {
        if base.get(path).is_none() && !moved_from.contains(path) {
            merger.template_added(path, &FileState::from(new));
        }
    }

    let mut out = merger.out;
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Lines added and removed from `before` to `after`, for a diffstat. Lines are compared with their
/// endings, like git, so a changed last newline counts as a changed line. Binary contents are
/// counted by their newline-separated chunks; a caller wanting git's `Bin` checks `is_text` first.
/// A diff that runs past a few seconds is finished coarsely (counts may be high, never a hang).
pub(crate) fn line_stats(before: &[u8], after: &[u8]) -> (usize, usize) {
    let old = lines(before);
    let new = lines(after);
    let deadline = Instant::now().checked_add(DIFF_TIMEOUT);
    let ops = similar::capture_diff_slices_deadline(Algorithm::Myers, &old, &new, deadline);
    ops.iter().fold((0, 0), |(added, removed), op| match *op {
        DiffOp::Equal { .. } => (added, removed),
        DiffOp::Delete { old_len, .. } => (added, removed + old_len),
        DiffOp::Insert { new_len, .. } => (added + new_len, removed),
        DiffOp::Replace {
            old_len, new_len, ..
        } => (added + new_len, removed + old_len),
    })
}

/// Lines with their endings; a last line without a newline is still a line.
fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes.split_inclusive(|&b| b == b'\n').collect()
}

/// libgit2 takes labels as C strings (a NUL would make git2 panic), and a line break would split a
/// conflict marker across lines.
fn sanitize(labels: &Labels) -> Labels {
    let clean = |label: &str| -> String {
        label
            .chars()
            .map(|c| {
                if c == '\0' || c == '\n' || c == '\r' {
                    ' '
                } else {
                    c
                }
            })
            .collect()
    };
    Labels {
        base: clean(&labels.base),
        ours: clean(&labels.ours),
        theirs: clean(&labels.theirs),
    }
}

/// Accumulates resolutions, and the paths taken, while the trees are walked.
struct Merger<'a> {
    labels: &'a Labels,
    ours: &'a BTreeMap<String, FileState>,
    /// Every path of base and theirs, and those already chosen for a `.from-template` file.
    reserved: BTreeSet<String>,
    /// The paths of `ours`, for the same lookups.
    on_disk: BTreeSet<String>,
    out: Vec<Resolution>,
}

impl Merger<'_> {
    /// Rules 1 and 3: the path is in both renders.
    fn in_both(&mut self, path: &str, base: &FileState, theirs: &FileState) {
        let Some(ours) = self.ours.get(path) else {
            let detail = if base == theirs {
                "you deleted this file; it stays deleted"
            } else {
                "you deleted this file; the template changed it, and it stays deleted"
            };
            self.out
                .push(Resolution::new(path, Outcome::LeftDeleted).detail(detail));
            return;
        };
        match decide(base, ours, theirs, self.labels) {
            Decision::Same => self.out.push(Resolution::new(path, Outcome::Unchanged)),
            Decision::TakeTheirs(state) => self
                .out
                .push(Resolution::new(path, Outcome::Updated).write(state)),
            Decision::KeepOurs => self.out.push(Resolution::new(path, Outcome::Kept)),
            Decision::Merged(state) => self
                .out
                .push(Resolution::new(path, Outcome::Merged).write(state)),
            Decision::Conflict(state) => self.out.push(
                Resolution::new(path, Outcome::Conflict)
                    .write(state)
                    .conflict()
                    .detail("your edits and the template's overlap; resolve the conflict markers"),
            ),
            Decision::Unmergeable => self.beside(
                path,
                theirs,
                "both sides changed this binary file; yours is kept",
            ),
        }
    }

    /// Rule 4: the template deleted the path (and did not move it).
    fn template_deleted(&mut self, path: &str, base: &FileState) {
        // The user deleted it too: nothing to do, nothing to report.
        let Some(ours) = self.ours.get(path) else {
            return;
        };
        if same_as_base(base, ours) {
            self.out
                .push(Resolution::new(path, Outcome::Removed).delete());
        } else {
            self.out.push(
                Resolution::new(path, Outcome::Kept)
                    .conflict()
                    .detail(TEMPLATE_DELETED_EDITED),
            );
        }
    }

    /// Rule 5: the template added the path.
    fn template_added(&mut self, path: &str, theirs: &FileState) {
        let Some(ours) = self.ours.get(path) else {
            self.out
                .push(Resolution::new(path, Outcome::Added).write(theirs.clone()));
            return;
        };
        // The user already has a file here: merge against an empty base, so any difference in the
        // contents overlaps and the user's file is never silently replaced.
        let empty = FileState {
            mode: None,
            contents: Vec::new(),
            executable: false,
        };
        match decide(&empty, ours, theirs, self.labels) {
            Decision::Same => self.out.push(Resolution::new(path, Outcome::Unchanged)),
            // Only reachable when the user's file is empty: there is nothing of theirs to lose.
            Decision::TakeTheirs(state) => self
                .out
                .push(Resolution::new(path, Outcome::Updated).write(state)),
            Decision::KeepOurs => self.out.push(
                Resolution::new(path, Outcome::Kept)
                    .detail("the template added an empty file here; yours is kept"),
            ),
            Decision::Merged(state) => self
                .out
                .push(Resolution::new(path, Outcome::Merged).write(state)),
            Decision::Conflict(state) => self.out.push(
                Resolution::new(path, Outcome::Conflict)
                    .write(state)
                    .conflict()
                    .detail(
                        "the template added this file and yours differs; resolve the conflict markers",
                    ),
            ),
            Decision::Unmergeable => self.beside(
                path,
                theirs,
                "the template added this binary file and yours differs; yours is kept",
            ),
        }
    }

    /// Rule 6: the template moved `from` to `to` (and `to` is absent on disk).
    fn moved(&mut self, from: &str, to: &str, base: &FileState, theirs: &FileState) {
        let Some(ours) = self.ours.get(from) else {
            self.out
                .push(Resolution::new(from, Outcome::LeftDeleted).detail(format!(
                    "you deleted this file; the template moved it to {to}, which is not created"
                )));
            return;
        };
        let (state, conflict) = match decide(base, ours, theirs, self.labels) {
            Decision::Same | Decision::KeepOurs => (ours.clone(), false),
            Decision::TakeTheirs(state) | Decision::Merged(state) => (state, false),
            Decision::Conflict(state) => (state, true),
            Decision::Unmergeable => {
                // A binary file both sides changed cannot follow the move: the user's stays where
                // it is and the template's is created at the new path, like a delete plus an add.
                self.out.push(
                    Resolution::new(from, Outcome::Kept)
                        .conflict()
                        .detail(format!(
                            "the template moved this binary file to {to} and changed it; your edits are kept here"
                        )),
                );
                self.out.push(
                    Resolution::new(to, Outcome::Added)
                        .write(theirs.clone())
                        .conflict()
                        .detail(format!(
                            "the template's version of {from}, which you changed; merge them by hand"
                        )),
                );
                return;
            }
        };
        self.out.push(
            Resolution::new(from, Outcome::Removed)
                .delete()
                .detail(format!("the template moved this file to {to}")),
        );
        let mut moved = Resolution::new(
            to,
            Outcome::Moved {
                from: from.to_owned(),
            },
        )
        .write(state);
        if conflict {
            moved = moved.conflict().detail(format!(
                "moved from {from}; your edits and the template's overlap; resolve the conflict markers"
            ));
        } else if ours != base {
            moved = moved.detail(format!("moved from {from} with your edits"));
        }
        self.out.push(moved);
    }

    /// Rule 2: keep the user's file untouched and write the template's version beside it.
    fn beside(&mut self, path: &str, theirs: &FileState, why: &str) {
        let (beside, existing) = self.beside_path(path, theirs);
        self.out.push(
            Resolution::new(path, Outcome::Conflict)
                .conflict()
                .detail(format!("{why}; the template's version is at {beside}")),
        );
        let copy = Resolution::new(&beside, Outcome::Added)
            .conflict()
            .detail(format!(
                "the template's version of {path}; merge them by hand"
            ));
        self.out.push(if existing {
            copy
        } else {
            copy.write(theirs.clone())
        });
    }

    /// `<path>.from-template`, or `.1`, `.2`, ... when that is taken. An existing file with the
    /// template's exact contents (from an earlier update) is reused: `true` means it is already on
    /// disk.
    fn beside_path(&mut self, path: &str, theirs: &FileState) -> (String, bool) {
        let first = format!("{path}{FROM_TEMPLATE_SUFFIX}");
        let mut candidate = first.clone();
        for n in 1_usize.. {
            let reserved = holds(&self.reserved, &candidate);
            if !reserved && self.ours.get(&candidate) == Some(theirs) {
                self.reserved.insert(candidate.clone());
                return (candidate, true);
            }
            if !reserved && !holds(&self.on_disk, &candidate) {
                break;
            }
            candidate = format!("{first}.{n}");
        }
        self.reserved.insert(candidate.clone());
        (candidate, false)
    }
}

/// Whether `path` is a key of `paths`, or a directory holding one.
fn holds(paths: &BTreeSet<String>, path: &str) -> bool {
    let below = format!("{path}/");
    paths.contains(path)
        || paths
            .range(below.clone()..)
            .next()
            .is_some_and(|p| p.starts_with(&below))
}

/// A per-file three-way decision, before it is turned into a report.
#[derive(Debug)]
enum Decision {
    /// The file on disk already is the result.
    Same,
    /// The user had not changed it: write the template's version (in the user's line endings).
    TakeTheirs(FileState),
    /// Only the user changed it.
    KeepOurs,
    /// Both changed it; the merge is clean.
    Merged(FileState),
    /// Both changed the same lines: the state holds conflict markers.
    Conflict(FileState),
    /// Both changed the contents and they cannot be merged line by line (binary).
    Unmergeable,
}

fn decide(base: &FileState, ours: &FileState, theirs: &FileState, labels: &Labels) -> Decision {
    // Untouched, byte for byte: the template's version is taken as it is, so a template that
    // changes its own line endings gets them. Only a file whose endings the user converted gets
    // the template's lines in the user's endings (below).
    if *ours == *base {
        return if theirs == base {
            Decision::Same
        } else {
            Decision::TakeTheirs(theirs.clone())
        };
    }
    let base = aligned(ours, base);
    let theirs = aligned(ours, theirs);
    if *ours == base {
        return if theirs == base {
            Decision::Same
        } else {
            Decision::TakeTheirs(theirs)
        };
    }
    if theirs == base || *ours == theirs {
        return if *ours == theirs {
            Decision::Same
        } else {
            Decision::KeepOurs
        };
    }
    // The mode merges on its own, so a template that makes a script executable does not fight a
    // user who edited its text.
    let executable = if ours.executable == base.executable {
        theirs.executable
    } else {
        ours.executable
    };
    match merge_contents(&base.contents, &ours.contents, &theirs.contents, labels) {
        Contents::Clean(contents) => {
            let state = FileState {
                mode: None,
                contents,
                executable,
            };
            if state == *ours {
                Decision::Same
            } else {
                Decision::Merged(state)
            }
        }
        Contents::Conflict(contents) => Decision::Conflict(FileState {
            mode: None,
            contents,
            executable,
        }),
        Contents::Unmergeable => Decision::Unmergeable,
    }
}

enum Contents {
    Clean(Vec<u8>),
    Conflict(Vec<u8>),
    Unmergeable,
}

fn merge_contents(base: &[u8], ours: &[u8], theirs: &[u8], labels: &Labels) -> Contents {
    if ours == base || ours == theirs {
        return Contents::Clean(theirs.to_vec());
    }
    if theirs == base {
        return Contents::Clean(ours.to_vec());
    }
    if !(is_text(base) && is_text(ours) && is_text(theirs)) {
        return Contents::Unmergeable;
    }
    // git2 0.21's `merge_file` skips the libgit2 initialisation every other entry point does, and
    // an uninitialised libgit2 has an allocator that always fails (libgit2 PR #5578): the first
    // merge of a process failed with "no error". Any call that initialises it will do; an empty
    // buffer is the cheapest and touches nothing.
    drop(git2::Buf::new());
    let mut base_input = git2::MergeFileInput::new();
    base_input.content(base);
    let mut ours_input = git2::MergeFileInput::new();
    ours_input.content(ours);
    let mut theirs_input = git2::MergeFileInput::new();
    theirs_input.content(theirs);
    let mut options = git2::MergeFileOptions::new();
    // diff3 style shows what the template used to say, which is what the user needs to decide.
    options
        .ancestor_label(labels.base.as_str())
        .our_label(labels.ours.as_str())
        .their_label(labels.theirs.as_str())
        .style_diff3(true);
    // libgit2 picks the conflict markers' line ending from the base, so a file the user keeps in
    // CRLF got LF markers when the base was empty (add/add): the result keeps the user's endings.
    let endings = |merged: &[u8]| {
        if eol_style(ours) == Some(Eol::Crlf) {
            to_crlf(merged)
        } else {
            merged.to_vec()
        }
    };
    match git2::merge_file(&base_input, &ours_input, &theirs_input, Some(&mut options)) {
        Ok(result) if result.is_automergeable() => Contents::Clean(endings(result.content())),
        Ok(result) => Contents::Conflict(endings(result.content())),
        // libgit2 refuses only what it cannot diff (e.g. too large): treat it like a binary file,
        // which keeps the user's file untouched.
        Err(_) => Contents::Unmergeable,
    }
}

/// `ours` unchanged from `base`, ignoring a line-ending conversion.
fn same_as_base(base: &FileState, ours: &FileState) -> bool {
    aligned(ours, base) == *ours
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Eol {
    Lf,
    Crlf,
}

/// The line-ending style of a text, if it has line breaks and uses one style throughout.
fn eol_style(bytes: &[u8]) -> Option<Eol> {
    let (mut lf, mut crlf) = (0_usize, 0_usize);
    let mut previous = 0_u8;
    for &b in bytes {
        if b == b'\n' {
            if previous == b'\r' {
                crlf += 1;
            } else {
                lf += 1;
            }
        }
        previous = b;
    }
    match (lf, crlf) {
        (0, 0) => None,
        (_, 0) => Some(Eol::Lf),
        (0, _) => Some(Eol::Crlf),
        _ => None,
    }
}

/// `other` converted to the line endings of `ours`, so an editor or git's autocrlf converting a
/// file is not an edit of every line. Mixed or binary files are left alone: converting them could
/// change bytes nobody meant to change.
fn aligned(ours: &FileState, other: &FileState) -> FileState {
    FileState {
        mode: None,
        contents: aligned_contents(&ours.contents, &other.contents).into_owned(),
        executable: other.executable,
    }
}

fn aligned_contents<'a>(ours: &[u8], other: &'a [u8]) -> Cow<'a, [u8]> {
    if !is_text(ours) || !is_text(other) {
        return Cow::Borrowed(other);
    }
    match (eol_style(ours), eol_style(other)) {
        (Some(Eol::Crlf), Some(Eol::Lf)) => Cow::Owned(to_crlf(other)),
        (Some(Eol::Lf), Some(Eol::Crlf)) => {
            let mut out = Vec::with_capacity(other.len());
            let mut bytes = other.iter().peekable();
            while let Some(&b) = bytes.next() {
                if b == b'\r' && bytes.peek() == Some(&&b'\n') {
                    continue;
                }
                out.push(b);
            }
            Cow::Owned(out)
        }
        _ => Cow::Borrowed(other),
    }
}

/// Every bare LF made a CRLF.
fn to_crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 16);
    let mut previous = 0_u8;
    for &b in bytes {
        if b == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        previous = b;
    }
    out
}

/// Pairs paths only in `base` with paths only in `theirs` that are the same file moved: first by
/// the template file they were rendered from, then by content (text only, best match first). A
/// target the user already has a file at is never paired: that is an add/add, and pairing would
/// merge an unrelated file into it.
fn detect_renames<'a>(
    base: &'a Tree,
    theirs: &'a Tree,
    ours: &BTreeMap<String, FileState>,
) -> Vec<(&'a str, &'a str)> {
    let mut deleted: Vec<(&str, &Entry)> = base
        .iter()
        .filter(|(path, _)| theirs.get(path).is_none())
        .collect();
    let mut added: Vec<(&str, &Entry)> = theirs
        .iter()
        .filter(|(path, _)| base.get(path).is_none() && !ours.contains_key(*path))
        .collect();
    let mut pairs = Vec::new();

    let mut by_source: HashMap<&str, &str> = HashMap::new();
    for (path, entry) in &added {
        by_source.entry(entry.source.as_str()).or_insert(path);
    }
    deleted.retain(
        |(from, entry)| match by_source.remove(entry.source.as_str()) {
            Some(to) => {
                pairs.push((*from, to));
                false
            }
            None => true,
        },
    );
    let paired: BTreeSet<&str> = pairs.iter().map(|(_, to)| *to).collect();
    added.retain(|(to, _)| !paired.contains(to));

    if deleted.len().saturating_mul(added.len()) > RENAME_PAIR_LIMIT {
        return pairs;
    }
    let profile = |entry: &'a Entry| -> Option<LineProfile<'a>> {
        is_text(&entry.contents)
            .then(|| LineProfile::new(&entry.contents))
            .filter(|p| p.total > 0)
    };
    let deleted: Vec<(&str, LineProfile)> = deleted
        .into_iter()
        .filter_map(|(path, entry)| profile(entry).map(|p| (path, p)))
        .collect();
    let added: Vec<(&str, LineProfile)> = added
        .into_iter()
        .filter_map(|(path, entry)| profile(entry).map(|p| (path, p)))
        .collect();
    let mut candidates: Vec<(Score, &str, &str)> = Vec::new();
    for (from, old) in &deleted {
        for (to, new) in &added {
            let score = old.similarity(new);
            if score.common * 100 >= score.total * RENAME_THRESHOLD_PERCENT {
                candidates.push((score, from, to));
            }
        }
    }
    // Best score first; paths break ties so the result does not depend on hash order.
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)).then(a.2.cmp(b.2)));
    let mut used_from = BTreeSet::new();
    let mut used_to = BTreeSet::new();
    for (_, from, to) in candidates {
        if !used_from.contains(from) && !used_to.contains(to) {
            used_from.insert(from);
            used_to.insert(to);
            pairs.push((from, to));
        }
    }
    pairs
}

/// A text's lines as a multiset (endings ignored), for similarity.
struct LineProfile<'a> {
    counts: HashMap<&'a [u8], usize>,
    total: usize,
}

impl<'a> LineProfile<'a> {
    fn new(contents: &'a [u8]) -> Self {
        let mut counts = HashMap::new();
        let mut total = 0;
        for line in contents.split_inclusive(|&b| b == b'\n') {
            *counts.entry(trim_eol(line)).or_insert(0) += 1;
            total += 1;
        }
        LineProfile { counts, total }
    }

    /// Lines in common over the longer file's line count, like git's similarity index.
    fn similarity(&self, other: &LineProfile) -> Score {
        let common = self
            .counts
            .iter()
            .map(|(line, n)| other.counts.get(line).map_or(0, |m| (*n).min(*m)))
            .sum();
        Score {
            common,
            total: self.total.max(other.total),
        }
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// A fraction `common / total`, compared exactly (no floats).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Score {
    common: usize,
    total: usize,
}

impl Ord for Score {
    fn cmp(&self, other: &Self) -> Ordering {
        let left = (self.common as u128) * (other.total as u128);
        let right = (other.common as u128) * (self.total as u128);
        left.cmp(&right)
            .then(self.common.cmp(&other.common))
            .then(other.total.cmp(&self.total))
    }
}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEN: &str = "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n";

    fn labels() -> Labels {
        Labels {
            base: "template 1.0.0".into(),
            ours: "yours".into(),
            theirs: "template 1.1.0".into(),
        }
    }

    fn state(contents: impl AsRef<[u8]>) -> FileState {
        FileState {
            mode: None,
            contents: contents.as_ref().to_vec(),
            executable: false,
        }
    }

    /// A tree of `(path, template source, contents, executable)`.
    fn tree_of(files: &[(&str, &str, &[u8], bool)]) -> Tree {
        let mut tree = Tree::default();
        for (path, source, contents, executable) in files {
            tree.insert(
                (*path).to_owned(),
                Entry {
                    mode: None,
                    contents: contents.to_vec(),
                    executable: *executable,
                    source: (*source).to_owned(),
                },
            )
            .expect("test trees are valid");
        }
        tree
    }

    /// A tree of text files, each rendered from a template file of the same name.
    fn tree(files: &[(&str, &str)]) -> Tree {
        let files: Vec<(&str, &str, &[u8], bool)> = files
            .iter()
            .map(|(path, contents)| (*path, *path, contents.as_bytes(), false))
            .collect();
        tree_of(&files)
    }

    fn disk(files: &[(&str, &[u8])]) -> BTreeMap<String, FileState> {
        files
            .iter()
            .map(|(path, contents)| ((*path).to_owned(), state(contents)))
            .collect()
    }

    /// Merges and checks the invariants every merge must keep.
    fn merge(base: &Tree, theirs: &Tree, ours: &BTreeMap<String, FileState>) -> Vec<Resolution> {
        let resolutions = merge_trees(base, theirs, ours, &labels());
        assert_no_user_line_lost(base, ours, &resolutions);
        resolutions
    }

    fn at<'r>(resolutions: &'r [Resolution], path: &str) -> &'r Resolution {
        resolutions
            .iter()
            .find(|r| r.path == path)
            .unwrap_or_else(|| panic!("no resolution for {path} in {resolutions:#?}"))
    }

    fn written(resolution: &Resolution) -> String {
        let state = resolution.write.as_ref().expect("a write");
        String::from_utf8(state.contents.clone()).expect("text")
    }

    /// The lines of `ours` the user wrote: not in `base` (an absent base is empty), endings ignored.
    fn user_lines<'a>(base: &'a [u8], ours: &'a [u8]) -> Vec<&'a [u8]> {
        let old: Vec<&[u8]> = base
            .split_inclusive(|&b| b == b'\n')
            .map(trim_eol)
            .collect();
        let new: Vec<&[u8]> = ours
            .split_inclusive(|&b| b == b'\n')
            .map(trim_eol)
            .collect();
        let mut lines = Vec::new();
        for op in similar::capture_diff_slices(Algorithm::Myers, &old, &new) {
            match op {
                DiffOp::Insert {
                    new_index, new_len, ..
                }
                | DiffOp::Replace {
                    new_index, new_len, ..
                } => lines.extend_from_slice(&new[new_index..new_index + new_len]),
                DiffOp::Equal { .. } | DiffOp::Delete { .. } => {}
            }
        }
        lines
    }

    /// Rule 8: wherever the user changed a file, each line they wrote is in what is written (merged
    /// or inside a conflict block), at the path or at the path it moved to, or the file is left
    /// untouched. Also: sorted, one entry per path, never a write and a delete together.
    fn assert_no_user_line_lost(
        base: &Tree,
        ours: &BTreeMap<String, FileState>,
        resolutions: &[Resolution],
    ) {
        for pair in resolutions.windows(2) {
            assert!(
                pair[0].path < pair[1].path,
                "unsorted or duplicated: {pair:#?}"
            );
        }
        for r in resolutions {
            assert!(!(r.delete && r.write.is_some()), "write and delete: {r:#?}");
        }
        for (path, mine) in ours {
            let old = base.get(path).map(FileState::from);
            if old.as_ref() == Some(mine) {
                continue;
            }
            let Some(r) = resolutions.iter().find(|r| r.path == *path) else {
                continue;
            };
            if r.write.is_none() && !r.delete {
                continue;
            }
            let result = if r.delete {
                let moved = resolutions
                    .iter()
                    .find(|m| m.outcome == Outcome::Moved { from: path.clone() })
                    .unwrap_or_else(|| panic!("the user's edited {path} was deleted: {r:#?}"));
                moved.write.clone().expect("a move writes")
            } else {
                r.write.clone().expect("checked above")
            };
            // A binary file cannot be merged: it may only move, byte for byte.
            if !is_text(&mine.contents) {
                assert!(
                    r.delete && result.contents == mine.contents,
                    "the user's binary file {path} was overwritten or deleted: {r:#?}"
                );
                continue;
            }
            let old_contents = old.map(|s| s.contents).unwrap_or_default();
            let mut have: HashMap<&[u8], usize> = HashMap::new();
            for line in result.contents.split_inclusive(|&b| b == b'\n') {
                *have.entry(trim_eol(line)).or_insert(0) += 1;
            }
            let mut need: HashMap<&[u8], usize> = HashMap::new();
            for line in user_lines(&old_contents, &mine.contents) {
                *need.entry(line).or_insert(0) += 1;
            }
            for (line, n) in need {
                assert!(
                    have.get(line).copied().unwrap_or(0) >= n,
                    "the user's line {:?} of {path} was lost: {r:#?}",
                    String::from_utf8_lossy(line)
                );
            }
        }
    }

    #[test]
    fn untouched_file_the_template_kept_is_unchanged() {
        let base = tree(&[("a.txt", TEN)]);
        let ours = disk(&[("a.txt", TEN.as_bytes())]);
        let r = merge(&base, &base, &ours);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].outcome, Outcome::Unchanged);
        assert!(r[0].write.is_none() && !r[0].delete && !r[0].conflict);
    }

    #[test]
    fn untouched_file_takes_the_template_change() {
        let base = tree(&[("a.txt", TEN)]);
        let theirs = tree(&[("a.txt", "one\n")]);
        let ours = disk(&[("a.txt", TEN.as_bytes())]);
        let r = merge(&base, &theirs, &ours);
        assert_eq!(r[0].outcome, Outcome::Updated);
        assert_eq!(r[0].write, Some(state("one\n")));
        assert!(!r[0].conflict);
    }

    #[test]
    fn user_edit_is_kept_when_the_template_did_not_change() {
        let base = tree(&[("a.txt", TEN)]);
        let ours = disk(&[("a.txt", b"mine\n")]);
        let r = merge(&base, &base, &ours);
        assert_eq!(r[0].outcome, Outcome::Kept);
        assert!(r[0].write.is_none() && !r[0].delete && !r[0].conflict);
    }

    #[test]
    fn user_edit_at_the_top_and_template_edit_at_the_bottom_merge_cleanly() {
        let base = tree(&[("a.txt", TEN)]);
        let theirs = tree(&[("a.txt", &TEN.replace("ten", "TEN"))]);
        let ours = disk(&[("a.txt", TEN.replace("one", "ONE").as_bytes())]);
        let r = merge(&base, &theirs, &ours);
        assert_eq!(r[0].outcome, Outcome::Merged);
        assert!(!r[0].conflict);
        assert_eq!(
            written(&r[0]),
            TEN.replace("one", "ONE").replace("ten", "TEN")
        );
    }

    #[test]
    fn overlapping_edits_get_conflict_markers_with_the_labels() {
        let base = tree(&[("a.txt", TEN)]);
        let theirs = tree(&[("a.txt", &TEN.replace("five", "template five"))]);
        let ours = disk(&[("a.txt", TEN.replace("five", "my five").as_bytes())]);
        let r = merge(&base, &theirs, &ours);
        assert_eq!(r[0].outcome, Outcome::Conflict);
        assert!(r[0].conflict);
        let text = written(&r[0]);
        for expected in [
            "<<<<<<< yours\nmy five\n",
            "||||||| template 1.0.0\nfive\n",
            "=======\ntemplate five\n>>>>>>> template 1.1.0\n",
        ] {
            assert!(text.contains(expected), "{expected:?} missing in\n{text}");
        }
        assert!(text.starts_with("one\n") && text.ends_with("ten\n"));
    }

    #[test]
    fn the_same_change_on_both_sides_is_unchanged() {
        let base = tree(&[("a.txt", TEN)]);
        let same = TEN.replace("two", "2");
        let theirs = tree(&[("a.txt", &same)]);
        let ours = disk(&[("a.txt", same.as_bytes())]);
        let r = merge(&base, &theirs, &ours);
        assert_eq!(r[0].outcome, Outcome::Unchanged);
        assert!(r[0].write.is_none());
    }

    #[test]
    fn executable_bit_from_the_template_merges_with_a_user_content_edit() {
        let base = tree_of(&[("run.sh", "run.sh", TEN.as_bytes(), false)]);
        let theirs = tree_of(&[("run.sh", "run.sh", TEN.as_bytes(), true)]);
        let mine = TEN.replace("three", "my three");
        let ours = disk(&[("run.sh", mine.as_bytes())]);
        let r = merge(&base, &theirs, &ours);
        assert_eq!(r[0].outcome, Outcome::Merged);
        assert_eq!(
            r[0].write,
            Some(FileState {
                mode: None,
                contents: mine.into_bytes(),
                executable: true,
            })
        );
    }

    #[test]
    fn binary_changed_on_both_sides_is_kept_and_the_template_version_written_beside() {
        let base = tree_of(&[("logo.png", "logo.png", b"\x89PNG\0old", false)]);
        let theirs = tree_of(&[("logo.png", "logo.png", b"\x89PNG\0new", false)]);
        let ours = disk(&[("logo.png", b"\x89PNG\0mine")]);
        let r = merge(&base, &theirs, &ours);
        assert_eq!(r.len(), 2);
        let original = at(&r, "logo.png");
        assert_eq!(original.outcome, Outcome::Conflict);
        assert!(original.conflict && original.write.is_none() && !original.delete);
        assert!(
            original
                .detail
                .as_deref()
                .unwrap_or("")
                .contains("logo.png.from-template")
        );
        let beside = at(&r, "logo.png.from-template");
        assert_eq!(beside.outcome, Outcome::Added);
        assert!(beside.conflict);
        assert_eq!(beside.write, Some(state(b"\x89PNG\0new")));
        assert!(beside.detail.as_deref().unwrap_or("").contains("logo.png"));
    }

    #[test]
    fn a_taken_from_template_path_gets_a_number_and_an_identical_one_is_reused() {
        let base = tree_of(&[("logo.png", "logo.png", b"\x89PNG\0old", false)]);
        let theirs = tree_of(&[("logo.png", "logo.png", b"\x89PNG\0new", false)]);
        let taken = disk(&[
            ("logo.png", b"\x89PNG\0mine"),
            ("logo.png.from-template", b"something the user keeps"),
        ]);
        let r = merge(&base, &theirs, &taken);
        assert_eq!(
            at(&r, "logo.png.from-template.1").write,
            Some(state(b"\x89PNG\0new"))
        );
        assert!(r.iter().all(|r| r.path != "logo.png.from-template"));

        let earlier = disk(&[
            ("logo.png", b"\x89PNG\0mine"),
            ("logo.png.from-template", b"\x89PNG\0new"),
        ]);
        let r = merge(&base, &theirs, &earlier);
        let reused = at(&r, "logo.png.from-template");
        assert!(reused.conflict && reused.write.is_none());
    }

    #[test]
    fn file_deleted_by_the_user_stays_deleted() {
        let base = tree(&[("a.txt", TEN), ("gone.txt", "x\n")]);
        let theirs = tree(&[("a.txt", "changed\n")]);
        let r = merge(&base, &theirs, &BTreeMap::new());
        // Deleted by both sides: nothing to do, so no entry.
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].outcome, Outcome::LeftDeleted);
        assert!(r[0].write.is_none() && !r[0].delete && !r[0].conflict);
    }

    #[test]
    fn unedited_file_deleted_by_the_template_is_removed() {
        let base = tree(&[("a.txt", TEN)]);
        let ours = disk(&[("a.txt", TEN.as_bytes())]);
        let r = merge(&base, &Tree::default(), &ours);
        assert_eq!(r[0].outcome, Outcome::Removed);
        assert!(r[0].delete && !r[0].conflict && r[0].write.is_none());
    }

    #[test]
    fn edited_file_deleted_by_the_template_is_kept_as_a_conflict() {
        let base = tree(&[("a.txt", TEN)]);
        let ours = disk(&[("a.txt", b"mine\n")]);
        let r = merge(&base, &Tree::default(), &ours);
        assert_eq!(r[0].outcome, Outcome::Kept);
        assert!(r[0].conflict && !r[0].delete && r[0].write.is_none());
        assert_eq!(r[0].detail.as_deref(), Some(TEMPLATE_DELETED_EDITED));
    }

    #[test]
    fn new_template_file_is_added() {
        let theirs = tree(&[("new.txt", TEN)]);
        let r = merge(&Tree::default(), &theirs, &BTreeMap::new());
        assert_eq!(r[0].outcome, Outcome::Added);
        assert_eq!(r[0].write, Some(state(TEN)));
        assert!(!r[0].conflict);
    }

    #[test]
    fn new_template_file_where_the_user_has_a_different_one_conflicts() {
        let theirs = tree(&[("new.txt", TEN)]);
        let ours = disk(&[("new.txt", b"my own\nfile\n")]);
        let r = merge(&Tree::default(), &theirs, &ours);
        assert_eq!(r[0].outcome, Outcome::Conflict);
        assert!(r[0].conflict);
        let text = written(&r[0]);
        assert!(text.contains("<<<<<<< yours\n") && text.contains(">>>>>>> template 1.1.0\n"));
    }

    #[test]
    fn new_template_file_identical_to_the_user_file_is_unchanged() {
        let theirs = tree(&[("new.txt", TEN)]);
        let ours = disk(&[("new.txt", TEN.as_bytes())]);
        let r = merge(&Tree::default(), &theirs, &ours);
        assert_eq!(r[0].outcome, Outcome::Unchanged);
        assert!(r[0].write.is_none() && !r[0].conflict);
    }

    #[test]
    fn rename_by_template_source_carries_the_user_edit_to_the_new_path() {
        let source = "src/{{ package }}/model.py";
        let base = tree_of(&[("src/churn/model.py", source, TEN.as_bytes(), false)]);
        let changed = TEN.replace("ten", "TEN");
        let theirs = tree_of(&[(
            "src/churn_model/model.py",
            source,
            changed.as_bytes(),
            false,
        )]);
        let ours = disk(&[("src/churn/model.py", TEN.replace("one", "ONE").as_bytes())]);
        let r = merge(&base, &theirs, &ours);
        assert_eq!(r.len(), 2);
        let old = at(&r, "src/churn/model.py");
        assert_eq!(old.outcome, Outcome::Removed);
        assert!(old.delete && !old.conflict);
        let new = at(&r, "src/churn_model/model.py");
        assert_eq!(
            new.outcome,
            Outcome::Moved {
                from: "src/churn/model.py".into()
            }
        );
        assert!(!new.conflict);
        assert_eq!(
            written(new),
            TEN.replace("one", "ONE").replace("ten", "TEN")
        );
    }

    #[test]
    fn rename_by_similarity_carries_the_user_edit_to_the_new_path() {
        let base = tree(&[("docs/old.md", TEN), ("other.md", "unrelated\n")]);
        let theirs = tree(&[
            ("docs/new.md", &TEN.replace("six", "SIX")),
            ("other.md", "unrelated\n"),
        ]);
        let ours = disk(&[
            ("docs/old.md", TEN.replace("two", "my two").as_bytes()),
            ("other.md", b"unrelated\n"),
        ]);
        let r = merge(&base, &theirs, &ours);
        assert!(at(&r, "docs/old.md").delete);
        let new = at(&r, "docs/new.md");
        assert_eq!(
            new.outcome,
            Outcome::Moved {
                from: "docs/old.md".into()
            }
        );
        assert_eq!(
            written(new),
            TEN.replace("two", "my two").replace("six", "SIX")
        );
    }

    #[test]
    fn dissimilar_files_are_not_paired_as_a_rename() {
        let base = tree(&[("old.md", TEN)]);
        let theirs = tree(&[("new.md", "completely\ndifferent\n")]);
        let ours = disk(&[("old.md", b"my edit\n")]);
        let r = merge(&base, &theirs, &ours);
        assert_eq!(at(&r, "old.md").outcome, Outcome::Kept);
        assert_eq!(at(&r, "new.md").outcome, Outcome::Added);
    }

    #[test]
    fn rename_of_a_file_the_user_deleted_is_not_created() {
        let base = tree_of(&[("old.md", "doc.md", TEN.as_bytes(), false)]);
        let theirs = tree_of(&[("new.md", "doc.md", TEN.as_bytes(), false)]);
        let r = merge(&base, &theirs, &BTreeMap::new());
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].path, "old.md");
        assert_eq!(r[0].outcome, Outcome::LeftDeleted);
        assert!(!r[0].conflict && r[0].write.is_none() && !r[0].delete);
    }

    #[test]
    fn rename_onto_a_path_the_user_already_has_falls_back_to_delete_and_add() {
        let base = tree_of(&[("old.md", "doc.md", TEN.as_bytes(), false)]);
        let theirs = tree_of(&[("new.md", "doc.md", TEN.as_bytes(), false)]);
        let ours = disk(&[("old.md", b"edited\n"), ("new.md", b"the user's own\n")]);
        let r = merge(&base, &theirs, &ours);
        let old = at(&r, "old.md");
        assert_eq!(old.outcome, Outcome::Kept);
        assert!(old.conflict && !old.delete);
        assert_eq!(at(&r, "new.md").outcome, Outcome::Conflict);
    }

    #[test]
    fn crlf_user_file_merges_a_lf_template_change_and_stays_crlf() {
        let base = tree(&[("a.txt", TEN)]);
        let theirs = tree(&[("a.txt", &TEN.replace("ten", "TEN"))]);
        let mine = TEN.replace("one", "ONE").replace('\n', "\r\n");
        let ours = disk(&[("a.txt", mine.as_bytes())]);
        let r = merge(&base, &theirs, &ours);
        assert_eq!(r[0].outcome, Outcome::Merged);
        assert!(!r[0].conflict);
        assert_eq!(
            written(&r[0]),
            TEN.replace("one", "ONE")
                .replace("ten", "TEN")
                .replace('\n', "\r\n")
        );

        // A conversion alone is not an edit: the template's change is simply taken, in CRLF.
        let converted = disk(&[("a.txt", TEN.replace('\n', "\r\n").as_bytes())]);
        let r = merge(&base, &theirs, &converted);
        assert_eq!(r[0].outcome, Outcome::Updated);
        assert_eq!(
            written(&r[0]),
            TEN.replace("ten", "TEN").replace('\n', "\r\n")
        );
    }

    #[test]
    fn crlf_on_every_side_just_merges() {
        let crlf = TEN.replace('\n', "\r\n");
        let base = tree(&[("a.txt", &crlf)]);
        let theirs = tree(&[("a.txt", &crlf.replace("ten", "TEN"))]);
        let ours = disk(&[("a.txt", crlf.replace("one", "ONE").as_bytes())]);
        let r = merge(&base, &theirs, &ours);
        assert_eq!(r[0].outcome, Outcome::Merged);
        assert_eq!(
            written(&r[0]),
            crlf.replace("one", "ONE").replace("ten", "TEN")
        );
    }

    #[test]
    fn hostile_labels_and_odd_contents_do_not_panic() {
        let base = tree_of(&[
            ("a", "a", b"", false),
            ("b", "b", b"\xff\xfe", false),
            ("c", "c", b"x", false),
        ]);
        let theirs = tree_of(&[
            ("a", "a", b"\r\n\n", true),
            ("b", "b", b"\0", false),
            ("c", "c", b"y", false),
        ]);
        let ours = disk(&[("a", b"\n\r"), ("b", b"\xc3"), ("c", b"z")]);
        let labels = Labels {
            base: "a\0b".into(),
            ours: "line\nbreak".into(),
            theirs: String::new(),
        };
        let r = merge_trees(&base, &theirs, &ours, &labels);
        assert_no_user_line_lost(&base, &ours, &r);
        assert!(at(&r, "c").conflict);
    }

    #[test]
    fn template_switching_its_own_line_endings_reaches_untouched_files() {
        let base = tree(&[("a.txt", TEN)]);
        let crlf = TEN.replace('\n', "\r\n");
        let theirs = tree(&[("a.txt", &crlf)]);
        let ours = disk(&[("a.txt", TEN.as_bytes())]);
        let r = merge(&base, &theirs, &ours);
        assert_eq!(r[0].outcome, Outcome::Updated);
        assert_eq!(written(&r[0]), crlf);
    }

    /// A small deterministic generator (an LCG), so the test needs no dependency and never flakes.
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % n
        }

        /// `lines` with random deletions, replacements and insertions; new lines are unique
        /// (tagged with `who` and a counter), so a lost line cannot hide behind a duplicate.
        fn edit(&mut self, lines: &[String], who: &str, counter: &mut usize) -> Vec<String> {
            let mut out = Vec::new();
            let fresh = |counter: &mut usize| {
                *counter += 1;
                format!("{who} line {counter}")
            };
            for line in lines {
                match self.below(10) {
                    0 => {}
                    1 => out.push(fresh(counter)),
                    2 => {
                        out.push(fresh(counter));
                        out.push(line.clone());
                    }
                    _ => out.push(line.clone()),
                }
            }
            if self.below(4) == 0 {
                out.push(fresh(counter));
            }
            out
        }
    }

    fn join(lines: &[String], eol: &str) -> Vec<u8> {
        let mut out = Vec::new();
        for line in lines {
            out.extend_from_slice(line.as_bytes());
            out.extend_from_slice(eol.as_bytes());
        }
        out
    }

    #[test]
    fn random_edits_on_both_sides_never_lose_a_user_line() {
        let mut rng = Lcg(7);
        let mut counter = 0;
        for round in 0..400 {
            let lines: Vec<String> = (0..rng.below(12)).map(|i| format!("base {i}")).collect();
            let mine = rng.edit(&lines, "user", &mut counter);
            let template = rng.edit(&lines, "template", &mut counter);
            let eol = if rng.below(3) == 0 { "\r\n" } else { "\n" };
            // Sometimes the template moves the file (same source, new path).
            let new_path = if rng.below(3) == 0 {
                "moved.txt"
            } else {
                "f.txt"
            };
            let base = tree_of(&[("f.txt", "f", &join(&lines, "\n"), rng.below(2) == 0)]);
            let theirs = tree_of(&[(new_path, "f", &join(&template, "\n"), rng.below(2) == 0)]);
            let mut ours = BTreeMap::new();
            if rng.below(8) != 0 {
                ours.insert(
                    "f.txt".to_owned(),
                    FileState {
                        mode: None,
                        contents: join(&mine, eol),
                        executable: rng.below(2) == 0,
                    },
                );
            }
            let r = merge_trees(&base, &theirs, &ours, &labels());
            assert_no_user_line_lost(&base, &ours, &r);
            for resolution in &r {
                if let Some(state) = &resolution.write {
                    let text = String::from_utf8_lossy(&state.contents);
                    let crlf_on_disk = ours
                        .get("f.txt")
                        .is_some_and(|s| eol_style(&s.contents) == Some(Eol::Crlf));
                    if crlf_on_disk {
                        assert!(
                            !text.replace("\r\n", "").contains('\n'),
                            "round {round}: mixed endings written: {text:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn line_stats_counts_added_and_removed_lines() {
        assert_eq!(line_stats(b"", b""), (0, 0));
        assert_eq!(line_stats(b"a\nb\nc\n", b"a\nB\nc\nd\n"), (2, 1));
        assert_eq!(line_stats(b"a\nb\n", b""), (0, 2));
        // A changed last newline is a changed line, as in git.
        assert_eq!(line_stats(b"a\nb", b"a\nb\n"), (1, 1));
    }
}
