//! Every environment variable groundwork reads, in one registry: its name, what it sets, and how
//! its value is read. Nothing else in the crate calls `std::env::var` for a `GROUNDWORK_` variable;
//! it names a [`Variable`] here. A limit that is set must be the one applied, so a malformed value
//! (`abc`, `-1`, `1e9`) is an error naming the variable, never a silent default, and the binary
//! checks them all before it does anything ([`check_all`]). `docs/limits.md` lists the same
//! variables; a test holds the two together.

use std::ffi::OsString;

use crate::core::error::{Error, Result};

/// How a variable's value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A whole number greater than 0, in the unit named (`bytes`, `seconds`); `example` is shown
    /// when the value is refused.
    Number { unit: &'static str, example: u64 },
    /// A folder.
    Path,
    /// A file.
    File,
    /// Set or not (its value does not matter).
    Flag,
    /// Read only by a build with the `test-hooks` feature (the test suite's).
    TestOnly,
}

/// One environment variable groundwork reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Variable {
    pub name: &'static str,
    pub kind: Kind,
}

/// The time limit of one render, in seconds.
pub(crate) const MAX_RENDER_SECONDS: Variable =
    number("GROUNDWORK_MAX_RENDER_SECONDS", "seconds", 120);
/// The heap one render may use, in bytes.
pub(crate) const MAX_MEMORY_BYTES: Variable =
    number("GROUNDWORK_MAX_MEMORY_BYTES", "bytes", 1 << 30);
/// The largest rendered file (and template file), in bytes.
pub(crate) const MAX_FILE_BYTES: Variable = number("GROUNDWORK_MAX_FILE_BYTES", "bytes", 64 << 20);
/// The largest rendered project, in bytes.
pub(crate) const MAX_PROJECT_BYTES: Variable =
    number("GROUNDWORK_MAX_PROJECT_BYTES", "bytes", 1 << 30);
/// The time limit of one cookiecutter hook, in seconds.
pub(crate) const HOOK_TIMEOUT_SECONDS: Variable =
    number("GROUNDWORK_HOOK_TIMEOUT_SECONDS", "seconds", 600);
/// The time limit of one `[[checks]]` command of `template test`, in seconds.
pub(crate) const CHECK_TIMEOUT_SECONDS: Variable =
    number("GROUNDWORK_CHECK_TIMEOUT_SECONDS", "seconds", 1800);
/// Where clones of git templates are cached.
pub(crate) const CACHE_DIR: Variable = Variable {
    name: "GROUNDWORK_CACHE_DIR",
    kind: Kind::Path,
};
/// groundwork's configuration file, instead of `$XDG_CONFIG_HOME/groundwork/config.toml`.
pub(crate) const CONFIG: Variable = Variable {
    name: "GROUNDWORK_CONFIG",
    kind: Kind::File,
};
/// Cookiecutter's configuration file, instead of `~/.cookiecutterrc`, read as cookiecutter does.
pub(crate) const COOKIECUTTER_CONFIG: Variable = Variable {
    name: "COOKIECUTTER_CONFIG",
    kind: Kind::File,
};
/// No colour in `diff`, by the no-color.org convention.
pub(crate) const NO_COLOR: Variable = Variable {
    name: "NO_COLOR",
    kind: Kind::Flag,
};
/// The fault the test suite injects (`core::fault`).
pub(crate) const FAULT_INJECT: Variable = Variable {
    name: "GROUNDWORK_FAULT_INJECT",
    kind: Kind::TestOnly,
};
/// A fixed clock for cookiecutter's `{% now %}`, for the test suite.
pub(crate) const COOKIECUTTER_NOW: Variable = Variable {
    name: "GROUNDWORK_COOKIECUTTER_NOW",
    kind: Kind::TestOnly,
};

/// Every variable groundwork reads.
pub(crate) const ALL: &[Variable] = &[
    MAX_RENDER_SECONDS,
    MAX_MEMORY_BYTES,
    MAX_FILE_BYTES,
    MAX_PROJECT_BYTES,
    HOOK_TIMEOUT_SECONDS,
    CHECK_TIMEOUT_SECONDS,
    CACHE_DIR,
    CONFIG,
    COOKIECUTTER_CONFIG,
    NO_COLOR,
    FAULT_INJECT,
    COOKIECUTTER_NOW,
];

/// What groundwork sets (never reads) in the environment of the `[[checks]]` commands it runs.
pub(crate) const TEMPLATE_TEST: &str = "GROUNDWORK_TEMPLATE_TEST";

const fn number(name: &'static str, unit: &'static str, example: u64) -> Variable {
    Variable {
        name,
        kind: Kind::Number { unit, example },
    }
}

impl Variable {
    /// The raw value; `None` when unset or empty (an empty value counts as unset for every kind).
    pub(crate) fn value(&self) -> Option<OsString> {
        if self.kind == Kind::TestOnly && !cfg!(feature = "test-hooks") {
            return None;
        }
        std::env::var_os(self.name).filter(|v| !v.is_empty())
    }

    /// Whether the variable is set (to anything but the empty string).
    pub(crate) fn is_set(&self) -> bool {
        self.value().is_some()
    }

    /// The variable's number (`None` when unset); a value that is not a whole number greater
    /// than 0 is an error naming the variable.
    pub(crate) fn number(&self) -> Result<Option<u64>> {
        self.parse(self.value().as_deref())
    }

    /// [`Variable::number`], or `default` when unset.
    pub(crate) fn number_or(&self, default: u64) -> Result<u64> {
        self.number().map(|n| n.unwrap_or(default))
    }

    /// The number in `raw` by this variable's rule, given rather than read (for tests).
    pub(crate) fn parse(&self, raw: Option<&std::ffi::OsStr>) -> Result<Option<u64>> {
        let Kind::Number { unit, example } = self.kind else {
            return Ok(None);
        };
        let Some(raw) = raw else {
            return Ok(None);
        };
        let text = raw.to_string_lossy();
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        match trimmed.parse::<u64>() {
            Ok(n) if n > 0 && trimmed.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(n)),
            _ => Err(Error::LimitVariable {
                variable: self.name.to_owned(),
                value: text.into_owned(),
                expected: format!("a whole number of {unit} greater than 0, such as {example}"),
            }),
        }
    }
}

/// Reads every numeric variable, so a malformed one stops the run before it does anything (the
/// binary calls this at start-up), rather than when a hook or a check is about to run.
pub(crate) fn check_all() -> Result<()> {
    for variable in ALL {
        variable.number()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue16_a_malformed_number_names_the_variable_and_an_empty_one_is_unset() {
        for bad in ["abc", "-1", "1e9", "0", "1.5", "+3"] {
            let error = MAX_FILE_BYTES
                .parse(Some(std::ffi::OsStr::new(bad)))
                .unwrap_err();
            assert_eq!(
                error.to_string(),
                format!(
                    "environment variable GROUNDWORK_MAX_FILE_BYTES is {bad:?}; expected a whole number of bytes greater than 0, such as 67108864 (unset it for the default)"
                )
            );
        }
        assert_eq!(
            HOOK_TIMEOUT_SECONDS
                .parse(Some(std::ffi::OsStr::new(" 30 ")))
                .unwrap(),
            Some(30)
        );
        assert_eq!(
            HOOK_TIMEOUT_SECONDS
                .parse(Some(std::ffi::OsStr::new("")))
                .unwrap(),
            None
        );
        assert_eq!(HOOK_TIMEOUT_SECONDS.parse(None).unwrap(), None);
    }

    #[test]
    fn issue16_every_variable_is_documented_in_docs_limits() {
        let docs = include_str!("../../docs/limits.md");
        for variable in ALL {
            assert!(
                docs.contains(&format!("`{}`", variable.name)),
                "{} is not in docs/limits.md",
                variable.name
            );
        }
        // And the docs name no variable the registry does not know.
        for word in docs.split('`') {
            if word.starts_with("GROUNDWORK_") && !word.contains(['=', ' ']) {
                assert!(
                    ALL.iter().any(|v| v.name == word) || word == TEMPLATE_TEST,
                    "docs/limits.md names {word}, which groundwork does not read"
                );
            }
        }
    }
}
