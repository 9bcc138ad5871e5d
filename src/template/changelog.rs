//! A template's changelog: the `CHANGELOG.md` (or `CHANGELOG`) its maintainers keep beside
//! `template.toml`, split into one section per version. `templates NAME` shows every section,
//! `check` the ones newer than a project's version, `update` the ones it applied. Reading only:
//! which file is the changelog and what a heading looks like are decided here, and nothing else.

use semver::Version;
use serde::Serialize;

use crate::template::TemplateFile;

/// The names a changelog goes by, in the order they are looked for.
pub(crate) const FILES: [&str; 2] = ["CHANGELOG.md", "CHANGELOG"];

/// One version's section: the heading's version, its date when the heading gives one
/// (`## 1.2.0 - 2026-11-30`, `## [1.2.0] (2026-11-30)`), and the text under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Entry {
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    pub text: String,
}

impl Entry {
    /// The section's title as reports show it: `1.2.0`, or `1.2.0 (2026-11-30)` with a date.
    pub(crate) fn title(&self) -> String {
        match &self.date {
            Some(date) => format!("{} ({date})", self.version),
            None => self.version.clone(),
        }
    }
}

/// The changelog among a template's files, when it has one.
pub(crate) fn find(files: &[TemplateFile]) -> Option<&TemplateFile> {
    FILES
        .iter()
        .find_map(|name| files.iter().find(|f| f.path == *name))
}

/// Every version's section, in the file's order (newest first, by convention). Headings of any
/// level that start with a version (`## 1.1.0`, `## [1.2.0] - 2026-11-30`, `# v2.0.0`) open a
/// section; the title and introduction before the first are the maintainers' and left out, as
/// are sections such as `## Unreleased`.
pub(crate) fn entries(text: &str) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if let Some((version, date)) = parse_heading(line) {
            entries.push(Entry {
                version: version.to_string(),
                date,
                text: String::new(),
            });
            inside = true;
        } else if line.starts_with("## ") || line.starts_with("# ") {
            // A heading of the same level without a version ends the section before it.
            inside = false;
        } else if inside && let Some(entry) = entries.last_mut() {
            entry.text.push_str(line);
            entry.text.push('\n');
        }
    }
    for entry in &mut entries {
        entry.text = entry.text.trim_matches('\n').to_owned();
    }
    entries
}

/// The sections for the versions in (`after`, `up_to`] of the changelog among a template's
/// `files`; none when it has no changelog.
pub(crate) fn of_files(files: &[TemplateFile], after: &Version, up_to: &Version) -> Vec<Entry> {
    find(files).map_or_else(Vec::new, |file| {
        between(&String::from_utf8_lossy(&file.contents), after, up_to)
    })
}

/// The sections of versions in (`after`, `up_to`], in the file's order.
pub(crate) fn between(text: &str, after: &Version, up_to: &Version) -> Vec<Entry> {
    entries(text)
        .into_iter()
        .filter(|e| Version::parse(&e.version).is_ok_and(|v| &v > after && &v <= up_to))
        .collect()
}

/// The version (and date) a heading line names, or `None` for any other line.
fn parse_heading(line: &str) -> Option<(Version, Option<String>)> {
    let rest = line.strip_prefix('#')?.trim_start_matches('#');
    // `#1.0` is not a heading in Markdown, and `### More` is not a version.
    if !rest.starts_with(' ') {
        return None;
    }
    let mut words = rest.split_whitespace();
    let word = words.next()?.trim_matches(|c| c == '[' || c == ']');
    let version = Version::parse(word.strip_prefix('v').unwrap_or(word)).ok()?;
    let date = words
        .map(|w| w.trim_matches(|c: char| !c.is_ascii_alphanumeric()))
        .find(|w| is_date(w))
        .map(str::to_owned);
    Some((version, date))
}

/// `YYYY-MM-DD`.
fn is_date(word: &str) -> bool {
    let parts: Vec<&str> = word.split('-').collect();
    matches!(parts.as_slice(), [y, m, d]
        if y.len() == 4 && m.len() == 2 && d.len() == 2
            && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn headings_in_common_styles_name_versions_and_dates() {
        assert_eq!(parse_heading("## 1.1.0"), Some((version("1.1.0"), None)));
        assert_eq!(
            parse_heading("## [1.2.0] - 2026-11-30"),
            Some((version("1.2.0"), Some("2026-11-30".into())))
        );
        assert_eq!(
            parse_heading("## 1.3.0 (2026-12-01)"),
            Some((version("1.3.0"), Some("2026-12-01".into())))
        );
        assert_eq!(parse_heading("# v2.0.0"), Some((version("2.0.0"), None)));
        assert_eq!(parse_heading("## Unreleased"), None);
        assert_eq!(parse_heading("### More"), None);
        assert_eq!(parse_heading("1.0.0"), None);
        assert_eq!(parse_heading("#1.0.0"), None);
    }

    #[test]
    fn sections_hold_their_subheadings_and_drop_the_introduction() {
        let text = "# Changelog\n\nIntro.\n\n## Unreleased\n\n- next\n\n## 1.1.0 - 2026-12-01\n\n- b\n\n### More\n\n- c\n\n## 1.0.0\n\n- a\n";
        assert_eq!(
            entries(text),
            vec![
                Entry {
                    version: "1.1.0".into(),
                    date: Some("2026-12-01".into()),
                    text: "- b\n\n### More\n\n- c".into()
                },
                Entry {
                    version: "1.0.0".into(),
                    date: None,
                    text: "- a".into()
                },
            ]
        );
    }

    #[test]
    fn between_keeps_the_versions_after_the_first_up_to_the_second() {
        let text = "## 1.3.0\nc\n## 1.2.0\nb\n## 1.1.0\na\n## 1.0.0\nz\n";
        let picked: Vec<String> = between(text, &version("1.0.0"), &version("1.2.0"))
            .into_iter()
            .map(|e| e.version)
            .collect();
        assert_eq!(picked, ["1.2.0", "1.1.0"]);
        assert!(between(text, &version("1.3.0"), &version("1.3.0")).is_empty());
    }
}
