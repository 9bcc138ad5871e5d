//! A template's data: its manifest (`template.toml`), the answers to its questions, where it came
//! from (provenance) and its files as loaded. Data only: asking, rendering and the checks that
//! need an expression engine are the dialects' (`crate::dialect`), loading is the sources'.

pub(crate) mod answers;
pub(crate) mod changelog;
pub mod manifest;
pub(crate) mod provenance;

pub(crate) use manifest::{Kind, Manifest, Question};

/// One file of a template, by its template-relative path (always `/`-separated).
#[derive(Debug, Clone)]
pub struct TemplateFile {
    pub path: String,
    pub contents: Vec<u8>,
    pub executable: bool,
    /// The file's permission bits (owner/group/other rwx) when they are not the usual 0644 or
    /// 0755 that `executable` gives: read from a local template directory, and written only for
    /// cookiecutter templates, which copy their files' modes as Python cookiecutter does.
    pub mode: Option<u32>,
}
