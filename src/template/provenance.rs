//! Where a project's template came from, as `.groundwork.toml` records it. Data only: loading a
//! template from it is the source layer's.

use serde::{Deserialize, Serialize};

/// How a built-in template is named on the command line and in `.groundwork.toml`.
pub(crate) const BUILTIN_PREFIX: &str = "builtin:";

/// Where a project's template came from: the `[template]` table of `.groundwork.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// `builtin:NAME`, the absolute path of a directory, or a git URL / absolute repository path.
    pub source: String,
    /// The `version` of the template.toml that was loaded.
    #[serde(with = "version_text")]
    pub version: semver::Version,
    /// The full commit id, for git.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// `sha256:<hex>` over the files of a plain directory, which has no commit to name its state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// The template's directory inside a git repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subdir: Option<String>,
}

/// `semver::Version` as its text; the semver crate's own serde support is an optional feature
/// this crate does not need for anything else.
mod version_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        version: &semver::Version,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_str(version)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<semver::Version, D::Error> {
        let text = String::deserialize(d)?;
        semver::Version::parse(&text).map_err(serde::de::Error::custom)
    }
}
