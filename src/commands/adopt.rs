//! `groundwork adopt`: attach an existing repository to a template by writing its answers file, so
//! the next `update` merges from a true base. Reads a cruft `.cruft.json` (template, commit,
//! cookiecutter context) when there is one. Writes only `.groundwork.toml`.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::commands::{Notice, print_notices, report_after_writing, stdout_error};
use crate::core::error::{Error, Result};
use crate::core::file::{Action, FileState};
use crate::project::destination_name;
use crate::project::drift::drift;
use crate::source::Source;
use crate::template::answers::{self, ANSWERS_FILE, Mode, Presets, Prompter, UserDefaults};
use crate::write::apply;
use crate::write::destination::Claim;
use crate::write::plan::{self, Change, Expected, Op, Plan};

/// The file cruft keeps in projects it made.
pub(crate) const CRUFT_FILE: &str = ".cruft.json";

#[derive(Debug, Clone)]
pub(crate) struct AdoptOptions {
    pub project: PathBuf,
    /// `None`: the template named in `.cruft.json`.
    pub source: Option<Source>,
    pub reference: Option<String>,
    pub data: Vec<String>,
    pub data_file: Option<PathBuf>,
    pub dry_run: bool,
    /// Defaults from the user's configuration (none for `template test`'s projects).
    pub user: UserDefaults,
}

/// What cruft records: the template's location and commit, and the answers it was rendered with.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct Cruft {
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
pub(crate) struct CruftContext {
    #[serde(default)]
    pub cookiecutter: serde_json::Map<String, serde_json::Value>,
}

impl Cruft {
    /// Answers only: cookiecutter's `_`-prefixed keys are its own bookkeeping.
    pub(crate) fn answers(&self) -> serde_json::Map<String, serde_json::Value> {
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
pub(crate) fn read_cruft(root: &Path) -> Result<Option<Cruft>> {
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

/// What `adopt` decided, before anything is written: the answers file to write, and how far the
/// repository is from a pristine render.
#[derive(Debug)]
pub(crate) struct Adoption {
    pub root: PathBuf,
    /// `name version` of the template.
    pub name: String,
    /// The template source as recorded.
    pub source: String,
    /// Writes the answers file, and nothing else.
    pub plan: Plan,
    /// How many files the pristine render has (the answers file left out).
    pub files: usize,
    /// Of those, how many differ on disk, and how many are absent.
    pub differing: usize,
    pub missing: usize,
    pub dry_run: bool,
    /// The destination's lock, held from before the repository is read until the answers file is
    /// written; `None` for a dry run.
    claim: Option<Claim>,
}

/// Decides what `adopt` writes: reads the repository (and `.cruft.json`), loads the template,
/// answers its questions and renders it. Refuses a repository that already has an answers file,
/// readable or not. Writes nothing. What the user should know goes to `notices` as it comes up,
/// so it can be printed even when a later step fails.
pub(crate) fn compute(
    options: &AdoptOptions,
    prompter: Option<&mut dyn Prompter>,
    notices: &mut Vec<Notice>,
) -> Result<Adoption> {
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
    refuse_answers_file(root)?;
    let cruft = read_cruft(root)?;
    let (source, reference) = template_of(options, cruft.as_ref(), root)?;
    let loaded = source.load(reference.as_deref())?;
    notices.extend(Notice::warnings(loaded.warnings.iter().cloned()));
    let manifest = &loaded.template.manifest;

    let mut presets = Presets::given(options.data_file.as_deref(), &options.data)?
        .with_user(options.user.clone());
    presets.check_known(manifest)?;
    if let Some(cruft) = &cruft {
        presets.add_recorded(&answers::Recorded {
            provenance: loaded.provenance.clone(),
            answers: cruft.answers(),
            path: root.join(CRUFT_FILE),
        });
        for dropped in presets.retain_known(manifest) {
            notices.push(Notice::Note(format!(
                "{CRUFT_FILE} answers `{dropped}`, which {} does not ask; it is not recorded",
                manifest.name
            )));
        }
    }
    let mode = match prompter {
        Some(prompter) => Mode::Interactive(prompter),
        None => Mode::Unattended,
    };
    let answers = loaded
        .template
        .collect(&presets, mode, &destination_name(root))?;
    notices.extend(Notice::warnings(answers.warnings.iter().cloned()));
    let mut tree = crate::project::generate::render_project(
        &loaded.template,
        &loaded.provenance,
        &answers,
        root,
    )?;
    // Always there: `render_project` adds it to every tree (the default is never taken).
    let answers_file = tree
        .remove(ANSWERS_FILE)
        .map(|entry| entry.contents)
        .unwrap_or_default();

    // How far the repository is from a pristine render, so the user knows what update will treat
    // as their own work.
    let drifted = drift(root, &tree)?;
    let missing = drifted.iter().filter(|d| d.ours.is_none()).count();
    let plan = Plan {
        destination: root.clone(),
        fresh: false,
        ops: vec![Op {
            path: ANSWERS_FILE.into(),
            action: Action::Create,
            change: Change::Write(FileState {
                mode: None,
                contents: answers_file,
                executable: false,
            }),
            // There was none (see `refuse_answers_file`): one that appears before the write is
            // someone else's, and the run stops rather than replace it.
            expected: Expected::Absent,
        }],
    };
    Ok(Adoption {
        root: root.clone(),
        name: format!("{} {}", manifest.name, manifest.version),
        source: loaded.provenance.source.clone(),
        plan,
        files: tree.len(),
        differing: drifted.len() - missing,
        missing,
        dry_run: options.dry_run,
        claim,
    })
}

/// An answers file, even one that cannot be read, is never replaced by `adopt`: it may be the only
/// record of how the repository was made.
fn refuse_answers_file(root: &Path) -> Result<()> {
    match answers::read_answers_file(root) {
        Ok(recorded) => Err(Error::AlreadyAdopted {
            path: root.to_owned(),
            template: recorded.provenance.source,
        }),
        Err(Error::NotAProject { .. }) => Ok(()),
        Err(Error::DataFile { path, message }) => Err(Error::DataFile {
            path,
            message: format!(
                "{message}; adopt does not replace an answers file it cannot read: repair it and run `groundwork update`, or delete it and run `groundwork adopt` again"
            ),
        }),
        Err(other) => Err(other),
    }
}

/// Writes the answers file (unless this is a dry run).
pub(crate) fn apply(adoption: &Adoption) -> Result<()> {
    match &adoption.claim {
        Some(claim) => apply::apply(&adoption.plan, claim, |_, _, _| Ok(())),
        None => Ok(()),
    }
}

/// Prints what `adopt` did (or, for a dry run, would do). After a real run the answers file is
/// written: failing to say so is a warning, not a failure.
pub(crate) fn print(adoption: &Adoption, out: &mut dyn Write) -> Result<()> {
    let Adoption { root, name, .. } = adoption;
    let distance = format!(
        "Of the template's {} files, {} differ from a pristine render and {} are absent; `groundwork update` keeps those as your changes (see `groundwork diff`).",
        adoption.files, adoption.differing, adoption.missing
    );
    if adoption.dry_run {
        writeln!(
            out,
            "Dry run: would write {ANSWERS_FILE} for {name}; nothing was written.\n{distance}"
        )
        .map_err(stdout_error)
    } else {
        let report = format!(
            "Adopted {} as {name} ({}): wrote {ANSWERS_FILE}.\n{distance}\n",
            root.display(),
            adoption.source
        );
        report_after_writing(out, &report, &root.join(ANSWERS_FILE));
        Ok(())
    }
}

/// `groundwork adopt`: [`compute`], its notices on stderr (whether it succeeded or not),
/// [`apply`], [`print`].
pub(crate) fn run(
    options: &AdoptOptions,
    prompter: Option<&mut dyn Prompter>,
    out: &mut dyn Write,
) -> Result<Adoption> {
    let mut notices = Vec::new();
    let adoption = compute(options, prompter, &mut notices);
    print_notices(&notices);
    let adoption = adoption?;
    apply(&adoption)?;
    print(&adoption, out)?;
    Ok(adoption)
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
