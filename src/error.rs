//! The library's error type. Every variant names what the user must look at (file, line, question,
//! path) and, where there is one, what to do; the binary prints it and maps it to an exit code.
//! Nothing here decides policy or prints.

use std::path::PathBuf;

/// Exit status for an error that is not the user's usage mistake (bad template, bad answer, I/O).
pub const EXIT_FAILURE: i32 = 1;
/// Exit status for command-line usage errors (clap's convention).
pub const EXIT_USAGE: i32 = 2;
/// Exit status after Ctrl-C, following the shell convention of 128 + SIGINT.
pub const EXIT_INTERRUPTED: i32 = 130;

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

    #[error("template file `{path}`: {message}")]
    Render { path: String, message: String },

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

    #[error("data file {path}: {message}")]
    DataFile { path: PathBuf, message: String },

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

    #[error("symlink {path} in the template {reason}")]
    TemplateSymlink { path: PathBuf, reason: String },

    #[error(
        "destination {path} is not empty: choose a new directory, or pass --force to overwrite the files the template writes (nothing else is touched)"
    )]
    DestinationNotEmpty { path: PathBuf },

    #[error("destination {path} exists and is not a directory")]
    DestinationNotDirectory { path: PathBuf },

    #[error("cannot write {path}: {reason}")]
    Blocked { path: PathBuf, reason: String },

    #[error("unknown built-in template `{name}`; built-in templates: {available}")]
    UnknownTemplate { name: String, available: String },

    #[error(
        "{path} is a cookiecutter template; cookiecutter templates are not supported yet (use a native template.toml template)"
    )]
    CookiecutterUnsupported { path: PathBuf },

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

    #[error("interrupted: nothing was written")]
    Interrupted,

    #[error("injected fault after {after} writes (GROUNDWORK_FAULT_INJECT)")]
    InjectedFault { after: usize },
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Interrupted => EXIT_INTERRUPTED,
            _ => EXIT_FAILURE,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
