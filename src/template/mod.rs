//! A template: its manifest and its files, as loaded from a source. Owns the in-memory shape every
//! source produces; it knows nothing of where the template came from or how it is rendered.

pub mod manifest;

pub use manifest::{Kind, Manifest, Question};

use crate::error::{Error, Result};

/// One file of a template, by its template-relative path (always `/`-separated).
#[derive(Debug, Clone)]
pub struct TemplateFile {
    pub path: String,
    pub contents: Vec<u8>,
    pub executable: bool,
}

#[derive(Debug, Clone)]
pub struct Template {
    pub manifest: Manifest,
    /// Sorted by path, so that rendering walks them in a fixed order.
    pub files: Vec<TemplateFile>,
}

impl Template {
    pub fn new(manifest: Manifest, mut files: Vec<TemplateFile>) -> Result<Self> {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let template = Template { manifest, files };
        template.check_requires()?;
        Ok(template)
    }

    fn check_requires(&self) -> Result<()> {
        let ours =
            semver::Version::parse(env!("CARGO_PKG_VERSION")).expect("the crate version is semver");
        match &self.manifest.requires {
            Some(requires) if !requires.matches(&ours) => Err(Error::Requires {
                name: self.manifest.name.clone(),
                requires: requires.to_string(),
                version: ours.to_string(),
            }),
            _ => Ok(()),
        }
    }
}
