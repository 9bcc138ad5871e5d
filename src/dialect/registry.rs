//! The dialects a template folder without a `template.toml` may be written in, each known by its
//! marker file. A native template names itself and its version in `template.toml`; these take a
//! name and a version from where they were found (a folder's name, a git tag). Sources ask this
//! list instead of naming a dialect: adding a dialect is adding its folder and a line to
//! [`FOREIGN`].

use std::path::PathBuf;

use crate::core::error::Result;
use crate::dialect::Template;
use crate::dialect::cookiecutter::{CONTEXT_FILE, CookiecutterTemplate};
use crate::template::TemplateFile;

/// A dialect recognised by its marker file.
pub(crate) struct Foreign {
    /// The file at the template's root that says the folder is written in this dialect.
    pub(crate) marker: &'static str,
    /// Loads a template from its files: its `name`, its `version`, where its marker file is (for
    /// messages) and every file, template-relative.
    pub(crate) load: fn(&str, semver::Version, PathBuf, Vec<TemplateFile>) -> Result<Template>,
}

/// Every dialect besides the native one, in the order a folder is tried.
pub(crate) const FOREIGN: &[Foreign] = &[Foreign {
    marker: CONTEXT_FILE,
    load: CookiecutterTemplate::load,
}];

/// The dialect whose marker file `has` reports present, if any.
pub(crate) fn recognise(has: impl Fn(&str) -> bool) -> Option<&'static Foreign> {
    FOREIGN.iter().find(|dialect| has(dialect.marker))
}
