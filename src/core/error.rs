//! The library's error type. Every variant names what the user must look at (file, line, question,
//! path) and, where there is one, what to do; the binary prints it and maps it to an exit code.
//! Nothing here decides policy or prints.

use std::path::PathBuf;

/// Exit status for an error that is not the user's usage mistake (bad template, bad answer, I/O).
pub(crate) const EXIT_FAILURE: i32 = 1;
/// Exit status for command-line usage errors (clap's convention).
pub(crate) const EXIT_USAGE: i32 = 2;
/// Exit status of `update` when it applied the new version but conflicts remain for the user.
pub(crate) const EXIT_CONFLICTS: i32 = 3;
/// Exit status of `check` when a newer version of the template exists.
pub(crate) const EXIT_OUTDATED: i32 = 4;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}:{line}:{column}: {message}")]
    Manifest {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("{path}:{line}: question `{question}`: {message}")]
    Question {
        path: PathBuf,
        line: usize,
        question: String,
        message: String,
    },

    #[error("{path}:{line}: computed `{name}`: {message}")]
    Computed {
        path: PathBuf,
        line: usize,
        name: String,
        message: String,
    },

    #[error("{path}:{line}: [[files]] rule: {message}")]
    FileRule {
        path: PathBuf,
        line: usize,
        message: String,
    },

    #[error(
        "`{key}` ({origin}) is computed by the template from the other answers (`[computed]` in template.toml), so it cannot be given: remove it"
    )]
    ComputedAnswer { key: String, origin: String },

    #[error("template file `{path}`: {message}")]
    Render { path: String, message: String },

    #[error("template file `{path}` {message}")]
    RenderLimit { path: String, message: String },

    #[error(
        "template file `{source_path}` renders to `.groundwork.toml`, the answers file groundwork writes itself: rename or remove that template file"
    )]
    AnswersFileTaken { source_path: String },

    #[error(
        "answer for `{question}` ({origin}) is {value:?}, which does not match the pattern `{pattern}`{hint}"
    )]
    Validation {
        question: String,
        origin: String,
        value: String,
        pattern: String,
        hint: String,
    },

    #[error("answer for `{question}` ({origin}) is {value:?}: {reason}")]
    InvalidValue {
        question: String,
        origin: String,
        value: String,
        reason: String,
    },

    #[error("unknown answer `{key}` ({origin}); this template asks: {known}")]
    UnknownAnswer {
        key: String,
        origin: String,
        known: String,
    },

    #[error(
        "no answer for `{question}` and it has no default: pass `-d {question}=VALUE` or run in a terminal to be asked"
    )]
    MissingAnswer { question: String },

    #[error("malformed `-d {arg}`: expected KEY=VALUE")]
    MalformedData { arg: String },

    #[error(
        "{url}: tag {tag} says version {tagged}, but template.toml at that commit says version = \"{version}\"; a release's tag and version must agree: set version = \"{tagged}\" in template.toml, commit, and move the tag there (git tag -f {tag}), or delete the tag"
    )]
    TagVersionMismatch {
        url: String,
        tag: String,
        tagged: String,
        version: String,
    },

    #[error("data file {path}: {message}")]
    DataFile { path: PathBuf, message: String },

    #[error(
        "{path}:{line}: {message} (a configuration file: fix it, or set GROUNDWORK_CONFIG / COOKIECUTTER_CONFIG to another file)"
    )]
    Config {
        path: PathBuf,
        line: usize,
        message: String,
    },

    #[error("rendered path {rendered:?} (from template file `{source_path}`) {reason}")]
    UnsafePath {
        source_path: String,
        rendered: String,
        reason: String,
    },

    #[error("template files `{first}` and `{second}` both render to `{path}`")]
    PathCollision {
        first: String,
        second: String,
        path: String,
    },

    #[error(
        "template files `{first}` and `{second}` render to {first_path:?} and {second_path:?}, which differ only by case or Unicode normalization: they are one file on macOS and Windows, where projects are cloned too"
    )]
    PortableCollision {
        first: String,
        second: String,
        first_path: String,
        second_path: String,
    },

    #[error("symlink {path} in the template {reason}")]
    TemplateSymlink { path: PathBuf, reason: String },

    #[error(
        "destination {path} is not empty: choose a new directory, or pass --force to overwrite the files the template writes (nothing else is touched)"
    )]
    DestinationNotEmpty { path: PathBuf },

    #[error("destination {path} exists and is not a directory")]
    DestinationNotDirectory { path: PathBuf },

    #[error(
        "destination {path} is in use by another groundwork run (it holds the lock); nothing was written: wait for that run to finish, then run again"
    )]
    DestinationBusy { path: PathBuf },

    #[error(
        "destination {path} was created by another process while this run was preparing it; nothing was written: choose another directory, or run again with --force"
    )]
    DestinationTaken { path: PathBuf },

    #[error(
        "{path} is not a plain `.git` directory; groundwork never lets git follow it out of the destination: remove it or make it a real repository, then run again"
    )]
    ForeignGitDir { path: PathBuf },

    #[error("cannot write {path}: {reason}")]
    Blocked { path: PathBuf, reason: String },

    #[error("unknown built-in template `{name}`; built-in templates: {available}")]
    UnknownTemplate { name: String, available: String },

    #[error(
        "unknown template `{name}`: it is not a built-in template (built-in templates: {available}) and there is no directory `{name}` here; to use a directory, pass its path, such as ./{name}"
    )]
    NoSuchTemplate { name: String, available: String },

    #[error("template path {path} does not exist")]
    TemplatePathMissing { path: PathBuf },

    #[error("template path {path} is not a directory")]
    TemplatePathNotDirectory { path: PathBuf },

    #[error("--subdir {subdir:?} for template {template}: {reason}")]
    InvalidSubdir {
        template: String,
        subdir: String,
        reason: String,
    },

    #[error("{url} has no directory `{subdir}` at commit {commit}")]
    SubdirMissing {
        url: String,
        subdir: String,
        commit: String,
    },

    #[error("cannot fetch {url}: {message}")]
    GitFetch { url: String, message: String },

    #[error("git template {url}: {message}")]
    GitTemplate { url: String, message: String },

    #[error("{url} has no tag, branch or commit `{reference}`; its version tags: {available}")]
    UnknownRef {
        url: String,
        reference: String,
        available: String,
    },

    #[error(
        "cannot update from {template}: the project was made from its version {version}, and {reason}, so the base to merge from is gone (merging from its current files would drop the template's changes for good); record releases with `groundwork template release` or keep the template in git with version tags, then make the project again, or `groundwork adopt` it"
    )]
    BaseGone {
        template: String,
        version: String,
        reason: String,
    },

    #[error("{template} has no version `{reference}`: {reason}")]
    VersionUnavailable {
        template: String,
        reference: String,
        reason: String,
    },

    #[error("{path} in the template {reason}")]
    TemplateEntry { path: String, reason: String },

    #[error(
        "no cache directory for git templates on this system: set GROUNDWORK_CACHE_DIR to a writable directory"
    )]
    NoCacheDir,

    #[error("recorded template source {recorded:?}: {reason}")]
    RecordedSource { recorded: String, reason: String },

    #[error(
        "{path}:{line}:{column}: cookiecutter.json is not valid JSON: {message}; cookiecutter would refuse it too"
    )]
    CookiecutterJson {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("cookiecutter template: {message}")]
    CookiecutterLayout { message: String },

    #[error(
        "this cookiecutter template is a menu of nested templates ({}): `groundwork new` chooses one with --template-name KEY; elsewhere point at one with --subdir PATH",
        .menu.iter().map(|n| n.key.as_str()).collect::<Vec<_>>().join(", ")
    )]
    NestedTemplates {
        menu: Vec<crate::core::error::MenuEntry>,
    },

    #[error(
        "cookiecutter.json: cannot compute `{variable}`: {message}; fix its default in cookiecutter.json or pass `{variable}=VALUE`"
    )]
    CookiecutterVariable { variable: String, message: String },

    #[error("cookiecutter.json: `{setting}`: {message}")]
    CookiecutterSetting { setting: String, message: String },

    #[error("template file {path}{line}: {message}")]
    CookiecutterRender {
        path: String,
        /// `:LINE` when the engine knows it, empty otherwise.
        line: String,
        message: String,
    },

    #[error("{path} holds no template.toml: a native template has one at its root")]
    NotATemplate { path: PathBuf },

    #[error("template `{name}` requires groundwork {requires}, but this is groundwork {version}")]
    Requires {
        name: String,
        requires: String,
        version: String,
    },

    #[error("version {version} of `{name}` is not in {place}; known: {known}")]
    UnknownRelease {
        name: String,
        version: String,
        /// "this binary" for a built-in template, the store's path otherwise.
        place: String,
        known: String,
    },

    #[error(
        "release store {path}: {message}; restore `.groundwork-releases` from version control (releases are never edited)"
    )]
    ReleaseStore { path: PathBuf, message: String },

    #[error(
        "cannot release {dir}: git would leave these template files out of its commit, so a release published by tag would lose them: {files}; add them to git (`git add -f` for an ignored one) or remove them, or pass --allow-ignored to release anyway"
    )]
    ReleaseLeftOut { dir: PathBuf, files: String },

    #[error("cannot release `{name}` {version}: {reason}")]
    ReleaseVersion {
        name: String,
        version: String,
        reason: String,
    },

    #[error(
        "cannot release `{name}` {version}: nothing changed since release {latest}; edit the template first"
    )]
    NothingToRelease {
        name: String,
        version: String,
        latest: String,
    },

    #[error(
        "template check of {path} found {errors} in {combinations} combinations of answers; fix them and run `groundwork template check` again"
    )]
    TemplateCheck {
        path: PathBuf,
        /// "1 error" or "N errors".
        errors: String,
        combinations: usize,
    },

    #[error(
        "template test of {path}: {failed} of {total} checks failed; each failure is listed above with its answers"
    )]
    TemplateTest {
        path: PathBuf,
        failed: usize,
        total: usize,
    },

    #[error(
        "{path} declares no [[checks]]: add one, such as [[checks]] name = \"tests\" run = \"make test\", for `groundwork template test` to run in each generated project"
    )]
    NoChecks { path: PathBuf },

    #[error("cannot ask `{question}`: {message}")]
    Prompt { question: String, message: String },

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("git repository in {path}: {source}")]
    Git {
        path: PathBuf,
        #[source]
        source: git2::Error,
    },

    #[error(
        "{path} has no .groundwork.toml, so groundwork does not know its template: run `groundwork adopt --template SRC` there first"
    )]
    NotAProject { path: PathBuf },

    #[error(
        "{path} is not in a groundwork project: {searched}; run `groundwork new DESTINATION` to create a project, or `groundwork adopt --template SRC` in the root of an existing repository to record the template it was made from"
    )]
    NoProject {
        path: PathBuf,
        /// Where the answers file was looked for, as a clause.
        searched: String,
    },

    #[error(
        "{path} already has a .groundwork.toml (template {template}); use `groundwork update` to change its template version or answers"
    )]
    AlreadyAdopted { path: PathBuf, template: String },

    #[error(
        "the git work tree at {path} has uncommitted changes ({changes}): commit or stash them so the update can be reviewed and undone, or pass --allow-dirty"
    )]
    DirtyWorktree { path: PathBuf, changes: String },

    #[error(
        "the git work tree at {path} has untracked files where the update writes ({files}): commit them or move them away so the update can be reviewed and undone, or pass --allow-dirty"
    )]
    UntrackedInTheWay { path: PathBuf, files: String },

    #[error("{path}: {message}")]
    Cruft { path: PathBuf, message: String },

    #[error(
        "template {template} has hooks ({hooks}), which run programs on your machine; pass --trust to run them, or --no-hooks to create the project without running them (files the hooks would change then differ from cookiecutter's output)"
    )]
    HooksNotRun { template: String, hooks: String },

    #[error(
        "hook {hook} failed ({status}); nothing was written{kept}. Fix the hook (or ask the template's authors), or pass --no-hooks to render without running hooks{output}"
    )]
    HookFailed {
        hook: String,
        status: String,
        /// The hook's captured output (`\nits output:\n...`), empty when it was shown live.
        output: String,
        /// Where `--keep-on-failure` kept the project, as a clause; empty otherwise.
        kept: String,
    },

    #[error("hook {hook} could not be started: {message}")]
    HookStart { hook: String, message: String },

    #[error("{path}: {message}")]
    HookOutput { path: String, message: String },

    #[error("interrupted: nothing was written")]
    Interrupted,

    /// A command line clap accepted but that does not make sense (exit 2, as clap's own errors).
    #[error("{0}")]
    Usage(String),

    #[error(
        "{template} renders the project folder name `{name}`, which is not a single folder name; give a DESTINATION instead of relying on --output-dir"
    )]
    ProjectFolderName { template: String, name: String },

    #[error(
        "template {template} does not name its project folder: give a DESTINATION (`groundwork new DIR`); only cookiecutter templates are created inside --output-dir under a name they render"
    )]
    NoDestination { template: String },

    #[error(
        "{template} offers nested templates ({available}); `{name}` is none of them: pass --template-name with one of those keys or titles"
    )]
    NoSuchNestedTemplate {
        template: String,
        name: String,
        available: String,
    },

    #[error("injected fault after {after} writes (GROUNDWORK_FAULT_INJECT)")]
    InjectedFault { after: usize },

    #[error("injected fault in the git step (GROUNDWORK_FAULT_INJECT=git)")]
    InjectedGitFault,

    #[error(
        "could not recover everything in {path} ({failures} {} failed, see the warnings above); the staging folders involved are kept: fix the cause and run `groundwork recover` again",
        if *failures == 1 { "step" } else { "steps" }
    )]
    RecoveryIncomplete { path: PathBuf, failures: usize },

    // journal and compare-and-swap
    #[error(
        "{} changed while groundwork was writing the project (after it had been read); nothing was changed and your edit is kept: run the command again",
        path.display()
    )]
    ChangedDuringRun { path: PathBuf },

    #[error(
        "stopped rolling back the interrupted run on {} at a safe point ({undone} {} undone); the journal is kept: run `groundwork recover {}` to finish",
        path.display(),
        if *undone == 1 { "step" } else { "steps" },
        path.display()
    )]
    RecoveryStopped { path: PathBuf, undone: usize },

    #[error(
        "destination {} is a symlink (to {}); groundwork never writes through a symlink, since it could be swapped to point elsewhere mid-run: pass the folder it points to instead",
        path.display(),
        to.display()
    )]
    DestinationSymlink { path: PathBuf, to: PathBuf },

    // hooks and checks limits
    #[error(
        "hook {hook} ran longer than its {seconds} s limit ({variable}); it and its child processes were stopped, nothing was written{kept}{output}"
    )]
    HookTimeout {
        hook: String,
        seconds: u64,
        variable: &'static str,
        /// The hook's captured output (`\nits output:\n...`), empty when it was shown live.
        output: String,
        /// Where `--keep-on-failure` kept the project, as a clause; empty otherwise.
        kept: String,
    },

    // watchdog, input, hook and check limits
    #[error(
        "environment variable {variable} is {value:?}; expected {expected} (unset it for the default)"
    )]
    LimitVariable {
        variable: String,
        value: String,
        expected: String,
    },

    #[error("cannot read {path}: it is {kind}, not a regular file")]
    NotARegularFile { path: PathBuf, kind: String },

    #[error(
        "cannot read {path}: it holds more than {limit} bytes, the most groundwork reads from {what}"
    )]
    InputTooLarge {
        path: PathBuf,
        limit: u64,
        what: String,
    },

    // edges
    #[error(
        "template files `{first}` and `{second}` render into the folders {first_path:?} and {second_path:?}, which differ only by case or Unicode normalization: they are one folder on macOS and Windows, where projects are cloned too"
    )]
    PortableFolderCollision {
        first: String,
        second: String,
        first_path: String,
        second_path: String,
    },

    #[error(
        "{url} no longer has commit {commit}, which this project recorded for version {version}{moved}; without it there is no base to merge from: restore that commit in the template repository (a branch or tag pointing to it is enough), then run again"
    )]
    RecordedCommitGone {
        url: String,
        commit: String,
        version: String,
        /// ` (tag v1.0.0 was moved to commit abc...)` when that is why, empty otherwise.
        moved: String,
    },
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// A write to standard output failed because its reader closed the pipe.
    pub fn is_broken_stdout(&self) -> bool {
        matches!(self, Error::Io { path, source }
            if path.as_os_str() == "<stdout>" && source.kind() == std::io::ErrorKind::BrokenPipe)
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Interrupted | Error::RecoveryStopped { .. } => {
                crate::core::interrupt::exit_status()
            }
            // Found only once the template is loaded (only then is its kind known), but a
            // mistake on the command line all the same.
            Error::Usage(_) | Error::NoDestination { .. } => EXIT_USAGE,
            _ => EXIT_FAILURE,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One entry of a template menu (cookiecutter's `templates` key, or its older `template` list): a
/// template that offers nested templates to choose from, which a loader reports as an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuEntry {
    pub key: String,
    pub title: String,
    pub description: String,
    /// Where the nested template lies, relative to the menu's folder, as written.
    pub path: String,
}

impl MenuEntry {
    /// What a menu shows: cookiecutter's `title (description)`.
    pub fn label(&self) -> String {
        if self.description.is_empty() {
            self.title.clone()
        } else {
            format!("{} ({})", self.title, self.description)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue15_a_missing_destination_exits_as_a_usage_error() {
        let error = Error::NoDestination {
            template: "builtin:datascience".into(),
        };
        assert_eq!(error.exit_code(), EXIT_USAGE);
        assert_eq!(error.exit_code(), 2);
        assert_eq!(Error::Usage("x".into()).exit_code(), EXIT_USAGE);
        assert_eq!(
            Error::NotATemplate { path: "t".into() }.exit_code(),
            EXIT_FAILURE
        );
    }
}
