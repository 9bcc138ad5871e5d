//! `groundwork templates [NAME]`: the built-in templates with every release this binary carries,
//! newest first, and for one template its changelog (the `CHANGELOG.md` beside its
//! `template.toml`, which is never written into a project). Release dates are not shown: the
//! release records do not hold them.

use std::io::Write;

use semver::Version;

use crate::core::error::Result;
use crate::source;

/// The file, beside a template's `template.toml`, that says what each release changed.
pub(crate) const CHANGELOG_FILE: &str = "CHANGELOG.md";

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

/// One section of a changelog: its heading's version text and the lines under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub heading: String,
    pub body: String,
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
            let changelog = source::release::builtin_dir(&name)?
                .get_file(format!("{name}/{CHANGELOG_FILE}"))
                .and_then(|f| f.contents_utf8())
                .map(entries);
            Ok(Listed {
                name,
                description: template.manifest.description.clone(),
                versions,
                changelog,
            })
        })
        .collect()
}

/// The `## ` sections of a Markdown changelog (the title and introduction before the first are
/// the maintainers' notes, left out).
fn entries(text: &str) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    for line in text.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            entries.push(Entry {
                heading: heading.trim().to_owned(),
                body: String::new(),
            });
        } else if let Some(entry) = entries.last_mut() {
            entry.body.push_str(line);
            entry.body.push('\n');
        }
    }
    for entry in &mut entries {
        entry.body = entry.body.trim_matches('\n').to_owned();
    }
    entries
}

/// `1.7.0 (latest), 1.6.0, ...`
fn version_line(versions: &[Version]) -> String {
    versions
        .iter()
        .enumerate()
        .map(|(i, v)| {
            if i == 0 {
                format!("{v} (latest)")
            } else {
                v.to_string()
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
        let versions = version_line(&template.versions);
        if !detail {
            writeln!(out, "{:<width$}  {versions}", template.name)?;
            writeln!(out, "{:<width$}  {}", "", template.description)?;
            continue;
        }
        writeln!(out, "{}: {}", template.name, template.description)?;
        writeln!(out, "Versions, newest first: {versions}")?;
        let Some(entries) = &template.changelog else {
            writeln!(out, "No changelog: the template has no {CHANGELOG_FILE}.")?;
            continue;
        };
        let without: Vec<String> = template
            .versions
            .iter()
            .map(Version::to_string)
            .filter(|v| !entries.iter().any(|e| e.heading == *v))
            .collect();
        if !without.is_empty() {
            writeln!(out, "No changelog entry for {}.", without.join(", "))?;
        }
        for entry in entries {
            write!(out, "\n## {}\n\n{}\n", entry.heading, entry.body)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in template has an entry for every release, so this line is tested here: a release
    /// without an entry is named before the entries, and no line is written when none is missing.
    #[test]
    fn releases_without_a_changelog_entry_are_named() {
        let listed = |changelog: &str| Listed {
            name: "t".into(),
            description: "d".into(),
            versions: vec![Version::new(1, 1, 0), Version::new(1, 0, 0)],
            changelog: Some(entries(changelog)),
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
            shown("## 1.1.0\n\n- b\n\n## 1.0.0\n\n- a\n"),
            "t: d\nVersions, newest first: 1.1.0 (latest), 1.0.0\n\n## 1.1.0\n\n- b\n\n## 1.0.0\n\n- a\n"
        );
    }

    #[test]
    fn changelog_sections_are_split_at_second_level_headings() {
        let text =
            "# Changelog\n\nIntro.\n\n## 1.1.0\n\n- b\n\n### More\n\n- c\n\n## 1.0.0\n\n- a\n";
        assert_eq!(
            entries(text),
            vec![
                Entry {
                    heading: "1.1.0".into(),
                    body: "- b\n\n### More\n\n- c".into()
                },
                Entry {
                    heading: "1.0.0".into(),
                    body: "- a".into()
                },
            ]
        );
    }
}
