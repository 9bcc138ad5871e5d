//! A generated project as `update`, `check` and `diff` see it: its answers file, the template
//! source and version it records, and the pristine render of that record (the merge base of
//! `update`, what `diff` compares with). Reads the project; never writes it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::core::error::{Error, Result};
use crate::core::file::FileState;
use crate::core::tree::Tree;
use crate::dialect::Runner;
use crate::project::destination_name;
use crate::source::{Loaded, Source};
use crate::template::answers::{self, Answers, Mode, Presets, Recorded};
use crate::write::plan;

pub(crate) struct Project {
    pub root: PathBuf,
    pub recorded: Recorded,
    pub source: Source,
}

/// The project as the template would have made it, untouched by the team.
pub(crate) struct Pristine {
    pub loaded: Loaded,
    pub tree: Tree,
}

impl Project {
    /// The project `start` lies in: the nearest folder from `start` upward that holds the answers
    /// file, within its git repository ([`crate::project::discover`]).
    pub(crate) fn discover(start: &Path) -> Result<Project> {
        Project::open(&crate::project::discover::project_root(start)?)
    }

    /// The project whose root is `root`.
    pub(crate) fn open(root: &Path) -> Result<Project> {
        let recorded = answers::read_answers_file(root)?;
        let source = Source::from_provenance(&recorded.provenance)?;
        Ok(Project {
            root: root.to_owned(),
            recorded,
            source,
        })
    }

    /// The name offered to question defaults, as when the project was created.
    pub(crate) fn name(&self) -> String {
        destination_name(&self.root)
    }

    /// The template at the recorded version: the built-in release, the git commit, or a plain
    /// directory's current files (with a warning when they no longer match the recorded digest).
    pub(crate) fn load_recorded(&self) -> Result<Loaded> {
        self.load_recorded_as(false)
    }

    /// [`Project::load_recorded`] for a base that is written from: a plain directory whose current
    /// files are not what the project was made from is an error. Merging from them would drop
    /// every change the template made since, and record the new version as taken.
    pub(crate) fn load_recorded_exact(&self) -> Result<Loaded> {
        self.load_recorded_as(true)
    }

    fn load_recorded_as(&self, exact: bool) -> Result<Loaded> {
        let gone = |reason: String| Error::BaseGone {
            template: self.recorded.provenance.source.clone(),
            version: self.recorded.provenance.version.to_string(),
            reason,
        };
        let provenance = &self.recorded.provenance;
        let reference = match &provenance.commit {
            Some(commit) => commit.clone(),
            None => provenance.version.to_string(),
        };
        let mut loaded = match (&self.source, self.source.load_recorded(provenance)) {
            // A plain directory without a release of that version offers only its current files.
            (Source::Local(_), Err(Error::VersionUnavailable { .. })) => {
                let mut loaded = self.source.load(None)?;
                if exact {
                    return Err(gone(format!(
                        "it holds no release of it (it is at {})",
                        loaded.provenance.version
                    )));
                }
                loaded.warnings.push(format!(
                    "the template directory {} has no release {reference} (it is at {}); its current files stand in for the base, so template changes may show as yours",
                    provenance.source, loaded.provenance.version
                ));
                loaded
            }
            (_, loaded) => loaded?,
        };
        if let (Some(recorded), Some(current)) = (&provenance.digest, &loaded.provenance.digest)
            && recorded != current
            && loaded.provenance.version == provenance.version
        {
            if exact {
                return Err(gone(
                    "its files changed since the project was made from it, and it holds no release of that version".into(),
                ));
            }
            loaded.warnings.push(format!(
                "the template directory {} changed since this project recorded it (digest {recorded}, now {current}); its current files stand in for the base, so template changes may show as yours",
                provenance.source
            ));
        }
        Ok(loaded)
    }

    /// The recorded answers, typed by the questions of `loaded`'s version.
    pub(crate) fn recorded_answers(&self, loaded: &Loaded) -> Result<Answers> {
        let mut presets = Presets::default();
        presets.add_recorded(&self.recorded);
        presets.retain_known(&loaded.template.manifest);
        loaded
            .template
            .dialect
            .collect(&loaded.template, &presets, Mode::Unattended, &self.name())
    }

    /// The pristine render without running hooks (`diff`, `check`): a warning says so when the
    /// template has some.
    pub(crate) fn pristine(&self) -> Result<Pristine> {
        let mut loaded = self.load_recorded()?;
        warn_of_hooks(&mut loaded);
        self.pristine_from(loaded, None)
    }

    /// The folder the project lies in: cookiecutter's output directory (`_output_dir`).
    pub(crate) fn output_dir(&self) -> &Path {
        self.root.parent().unwrap_or(&self.root)
    }

    /// The pristine render of `loaded` (the recorded version), running its hooks with `hooks`.
    pub(crate) fn pristine_from(&self, loaded: Loaded, hooks: Option<&Runner>) -> Result<Pristine> {
        let answers = self.recorded_answers(&loaded)?;
        let (_, tree) = crate::project::generate::render_project_with(
            &loaded.template,
            &self.recorded.provenance,
            &answers,
            self.output_dir(),
            hooks,
        )?;
        Ok(Pristine { loaded, tree })
    }

    /// The files on disk at `paths` (absent ones are left out), never read through a symlink.
    pub(crate) fn read<'a>(
        &self,
        paths: impl IntoIterator<Item = &'a str>,
    ) -> Result<BTreeMap<String, FileState>> {
        let reader = plan::Reader::open(&self.root)?;
        let mut files = BTreeMap::new();
        for path in paths {
            if let Some(state) = reader.read(path)? {
                files.insert(path.to_owned(), state);
            }
        }
        Ok(files)
    }
}

/// Renders for `update`, `diff` and `check` never run template hooks: say so when a template has
/// some, since what they would have changed then looks like the team's work.
pub(crate) fn warn_of_hooks(loaded: &mut Loaded) {
    let hooks = loaded.template.hooks();
    if !hooks.is_empty() {
        loaded.warnings.push(format!(
            "{} has hooks ({}), which are not run for this comparison: what they change in a project shows as your changes",
            loaded.provenance.source,
            hooks.join(", ")
        ));
    }
}
