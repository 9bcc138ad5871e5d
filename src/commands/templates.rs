//! `groundwork templates [NAME]`: the built-in templates with every release this binary carries,
//! newest first, and for one template its changelog (the `CHANGELOG.md` beside its
//! `template.toml`, which is never written into a project). A release's date is its changelog
//! heading's: the release records do not hold dates.

use std::io::Write;

use semver::Version;

use crate::core::error::Result;
use crate::source;
use crate::template::changelog::{self, Entry};

/// One built-in template as `templates` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listed {
    pub name: String,
    pub description: String,
    /// Every version this binary can create or update to, newest first.
    pub versions: Vec<Version>,
    /// The changelog's `## <version>` sections, newest first as the file has them; `None` when the
    /// template has no changelog.
    pub changelog: Option<Vec<Entry>>,
}

/// Every built-in template (`name` = `None`) or the one named, with its versions and changelog.
pub(crate) fn compute(name: Option<&str>) -> Result<Vec<Listed>> {
    if let Some(name) = name {
        // The error that names the built-in templates, for a name that is not one.
        source::release::builtin_dir(name)?;
    }
    source::builtin_templates()?
        .into_iter()
        .filter(|template| name.is_none_or(|name| template.manifest.name == name))
        .map(|template| {
            let name = template.manifest.name.clone();
            let mut versions: Vec<Version> = source::builtin_versions(&name)?
                .into_iter()
                .map(|a| a.version)
                .collect();
            versions.reverse();
            let dir = source::release::builtin_dir(&name)?;
            let changelog = changelog::FILES
                .iter()
                .find_map(|file| dir.get_file(format!("{name}/{file}")))
                .and_then(|f| f.contents_utf8())
                .map(changelog::entries);
            Ok(Listed {
                name,
                description: template.manifest.description.clone(),
                versions,
                changelog,
            })
        })
        .collect()
}

/// `1.7.0 (latest, 2026-12-07), 1.6.0 (2026-12-01), ...`: the dates are the changelog's.
fn version_line(versions: &[Version], changelog: Option<&[Entry]>) -> String {
    versions
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let version = v.to_string();
            let date = changelog
                .and_then(|entries| entries.iter().find(|e| e.version == version))
                .and_then(|e| e.date.as_deref());
            match (i, date) {
                (0, Some(date)) => format!("{v} (latest, {date})"),
                (0, None) => format!("{v} (latest)"),
                (_, Some(date)) => format!("{v} ({date})"),
                (_, None) => version,
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The list (`detail` = false): a line of versions per template and its description under it.
/// One template in detail: its description, versions and changelog entries.
pub(crate) fn print(listed: &[Listed], detail: bool, out: &mut dyn Write) -> Result<()> {
    write_text(listed, detail, out).map_err(crate::commands::stdout_error)
}

fn write_text(listed: &[Listed], detail: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let width = listed.iter().map(|t| t.name.len()).max().unwrap_or(0);
    for template in listed {
        let versions = version_line(&template.versions, template.changelog.as_deref());
        if !detail {
            writeln!(out, "{:<width$}  {versions}", template.name)?;
            writeln!(out, "{:<width$}  {}", "", template.description)?;
            continue;
        }
        writeln!(out, "{}: {}", template.name, template.description)?;
        writeln!(out, "Versions, newest first: {versions}")?;
        let Some(entries) = &template.changelog else {
            writeln!(
                out,
                "No changelog: the template has no {}.",
                changelog::FILES[0]
            )?;
            continue;
        };
        let without: Vec<String> = template
            .versions
            .iter()
            .map(Version::to_string)
            .filter(|v| !entries.iter().any(|e| e.version == *v))
            .collect();
        if !without.is_empty() {
            writeln!(out, "No changelog entry for {}.", without.join(", "))?;
        }
        for entry in entries {
            write!(out, "\n## {}\n\n{}\n", entry.title(), entry.text)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in template has an entry for every release, so this line is tested here: a release
    /// without an entry is named before the entries, and no line is written when none is missing.
    /// A heading's date is shown beside its version.
    #[test]
    fn releases_without_a_changelog_entry_are_named() {
        let listed = |changelog: &str| Listed {
            name: "t".into(),
            description: "d".into(),
            versions: vec![Version::new(1, 1, 0), Version::new(1, 0, 0)],
            changelog: Some(changelog::entries(changelog)),
        };
        let shown = |changelog: &str| {
            let mut out = Vec::new();
            write_text(&[listed(changelog)], true, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            shown("## 1.1.0\n\n- b\n"),
            "t: d\nVersions, newest first: 1.1.0 (latest), 1.0.0\nNo changelog entry for 1.0.0.\n\n## 1.1.0\n\n- b\n"
        );
        assert_eq!(
            shown("## 1.1.0 - 2026-12-01\n\n- b\n\n## 1.0.0\n\n- a\n"),
            "t: d\nVersions, newest first: 1.1.0 (latest, 2026-12-01), 1.0.0\n\n## 1.1.0 (2026-12-01)\n\n- b\n\n## 1.0.0\n\n- a\n"
        );
    }
}
