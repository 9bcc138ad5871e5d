//! `groundwork adopt`: attach an existing repository to a template by writing its answers file, so
//! the next `update` merges from a true base. Reads a cruft `.cruft.json` (template, commit,
//! cookiecutter context) when there is one. Writes only `.groundwork.toml`.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::commands::new::{report_after_writing, stdout_error};
use crate::core::error::{Error, Result};
use crate::core::file::{Action, FileState};
use crate::core::tree::Entry;
use crate::project::destination_name;
use crate::source::Source;
use crate::template::answers::{self, ANSWERS_FILE, Mode, Presets, Prompter};
use crate::write::apply;
use crate::write::destination::Claim;
use crate::write::plan::{self, Change, Expected, Op, Plan};

/// The file cruft keeps in projects it made.
pub const CRUFT_FILE: &str = ".cruft.json";

#[derive(Debug, Clone)]
pub struct AdoptOptions {
    pub project: PathBuf,
    /// `None`: the template named in `.cruft.json`.
    pub source: Option<Source>,
    pub reference: Option<String>,
    pub data: Vec<String>,
    pub data_file: Option<PathBuf>,
    pub dry_run: bool,
}

/// What cruft records: the template's location and commit, and the answers it was rendered with.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Cruft {
    pub template: String,
    #[serde(default)]
    pub commit: Option<String>,
    #[serde(default)]
    pub checkout: Option<String>,
    #[serde(default)]
    pub directory: Option<String>,
    /// `context.cookiecutter`: the answers, plus cookiecutter's private `_` keys.
    #[serde(default)]
    pub context: CruftContext,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct CruftContext {
    #[serde(default)]
    pub cookiecutter: serde_json::Map<String, serde_json::Value>,
}

impl Cruft {
    /// Answers only: cookiecutter's `_`-prefixed keys are its own bookkeeping.
    pub fn answers(&self) -> serde_json::Map<String, serde_json::Value> {
        self.context
            .cookiecutter
            .iter()
            .filter(|(key, _)| !key.starts_with('_'))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// The template and reference to adopt: the command line's, else `.cruft.json`'s.
fn template_of(
    options: &AdoptOptions,
    cruft: Option<&Cruft>,
    root: &Path,
) -> Result<(Source, Option<String>)> {
    let source = match (&options.source, cruft) {
        (Some(source), _) => source.clone(),
        (None, Some(cruft)) => Source::classify(&cruft.template, cruft.directory.as_deref())?,
        (None, None) => {
            return Err(Error::Cruft {
                path: root.join(CRUFT_FILE),
                message: "not found, and no --template was given: name the template the repository was made from".into(),
            });
        }
    };
    let reference = options
        .reference
        .clone()
        .or_else(|| cruft.and_then(|c| c.commit.clone().or_else(|| c.checkout.clone())));
    Ok((source, reference))
}

/// Reads `.cruft.json` at `root`, if present.
pub fn read_cruft(root: &Path) -> Result<Option<Cruft>> {
    let path = root.join(CRUFT_FILE);
    // Read without following a symlink or blocking on a FIFO, and bounded in size.
    let Some(text) = crate::core::input::read_text(
        &path,
        crate::core::input::Symlinks::Refuse,
        "a `.cruft.json` file",
    )?
    else {
        return Ok(None);
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| Error::Cruft {
            path,
            message: format!(
                "line {}, column {}: {e}; expected cruft's JSON with a `template` URL",
                e.line(),
                e.column()
            ),
        })
}

pub fn run(
    options: &AdoptOptions,
    prompter: Option<&mut dyn Prompter>,
    out: &mut dyn Write,
) -> Result<i32> {
    let root = &options.project;
    if plan::inspect(root)? == plan::Destination::Absent {
        return Err(Error::io(
            root,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such directory"),
        ));
    }
    let claim = if options.dry_run {
        None
    } else {
        Some(Claim::acquire(root)?)
    };
    if let Ok(recorded) = answers::read_answers_file(root) {
        return Err(Error::AlreadyAdopted {
            path: root.clone(),
            template: recorded.provenance.source,
        });
    }
    let cruft = read_cruft(root)?;
    let (source, reference) = template_of(options, cruft.as_ref(), root)?;
    let loaded = source.load(reference.as_deref())?;
    for warning in &loaded.warnings {
        crate::core::report::warning(format_args!("{warning}"));
    }
    let manifest = &loaded.template.manifest;

    let mut presets = Presets::given(options.data_file.as_deref(), &options.data)?;
    presets.check_known(manifest)?;
    if let Some(cruft) = &cruft {
        presets.add_recorded(&answers::Recorded {
            provenance: loaded.provenance.clone(),
            answers: cruft.answers(),
            path: root.join(CRUFT_FILE),
        });
        for dropped in presets.retain_known(manifest) {
            crate::core::report::note(format_args!(
                "{CRUFT_FILE} answers `{dropped}`, which {} does not ask; it is not recorded",
                manifest.name
            ));
        }
    }
    let mode = match prompter {
        Some(prompter) => Mode::Interactive(prompter),
        None => Mode::Unattended,
    };
    let answers = loaded
        .template
        .collect(&presets, mode, &destination_name(root))?;
    for warning in &answers.warnings {
        crate::core::report::warning(format_args!("{warning}"));
    }
    let mut tree = crate::project::generate::render_project(
        &loaded.template,
        &loaded.provenance,
        &answers,
        root,
    )?;
    let answers_file = tree.remove(ANSWERS_FILE).unwrap_or_else(|| Entry {
        mode: None,
        contents: Vec::new(),
        executable: false,
        source: ANSWERS_FILE.into(),
    });

    // How far the repository is from a pristine render, so the user knows what update will treat
    // as their own work.
    let (differing, missing) = distance(root, &tree)?;
    let plan = Plan {
        destination: root.clone(),
        fresh: false,
        ops: vec![Op {
            path: ANSWERS_FILE.into(),
            action: Action::Create,
            change: Change::Write(FileState {
                mode: None,
                contents: answers_file.contents,
                executable: false,
            }),
            // adopt refuses a repository that has an answers file unless told to replace it.
            expected: Expected::Anything,
        }],
    };
    let name = format!("{} {}", manifest.name, manifest.version);
    let distance = format!(
        "Of the template's {} files, {differing} differ from a pristine render and {missing} are absent; `groundwork update` keeps those as your changes (see `groundwork diff`).",
        tree.len()
    );
    match &claim {
        Some(claim) => {
            apply::apply(&plan, claim, |_, _, _| Ok(()))?;
            let source = &loaded.provenance.source;
            let report = format!(
                "Adopted {} as {name} ({source}): wrote {ANSWERS_FILE}.\n{distance}\n",
                root.display()
            );
            // The answers file is written: failing to say so is a warning, not a failure.
            report_after_writing(out, &report, &root.join(ANSWERS_FILE));
        }
        None => writeln!(
            out,
            "Dry run: would write {ANSWERS_FILE} for {name}; nothing was written.\n{distance}"
        )
        .map_err(stdout_error)?,
    }
    Ok(0)
}

/// How many of the tree's files differ on disk, and how many are absent.
fn distance(root: &std::path::Path, tree: &crate::core::tree::Tree) -> Result<(usize, usize)> {
    let reader = plan::Reader::open(root)?;
    let mut differing = 0;
    let mut missing = 0;
    for (path, entry) in tree.iter() {
        match reader.read(path)? {
            None => missing += 1,
            Some(state) if state.contents != entry.contents => differing += 1,
            Some(_) => {}
        }
    }
    Ok((differing, missing))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cruft_json_gives_template_commit_and_public_answers() {
        let text = r#"{
          "template": "https://github.com/org/template.git",
          "commit": "0123456789abcdef0123456789abcdef01234567",
          "checkout": null,
          "context": {"cookiecutter": {
              "project_name": "Churn Model", "use_docker": "y",
              "_template": "https://github.com/org/template.git", "_output_dir": "/tmp"}},
          "directory": null
        }"#;
        let cruft: Cruft = serde_json::from_str(text).unwrap();
        assert_eq!(cruft.template, "https://github.com/org/template.git");
        assert_eq!(
            cruft.commit.as_deref(),
            Some("0123456789abcdef0123456789abcdef01234567")
        );
        let answers = cruft.answers();
        assert_eq!(
            answers.keys().collect::<Vec<_>>(),
            ["project_name", "use_docker"]
        );
    }

    #[test]
    fn a_broken_cruft_file_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CRUFT_FILE), "{\n  \"template\": 3\n}").unwrap();
        let error = read_cruft(dir.path()).unwrap_err().to_string();
        assert!(error.contains(".cruft.json: line 2"), "{error}");
    }
}
