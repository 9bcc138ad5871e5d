//! Cookiecutter hooks (`hooks/pre_prompt.*`, `hooks/pre_gen_project.*`,
//! `hooks/post_gen_project.*`), run the way cookiecutter 2.7.1 runs them, but never in the
//! destination. This module owns consent (whether hooks may run at all), running a hook script
//! (rendered with the context first, except `pre_prompt`; `.py` through `python3`, anything else
//! executed directly; cwd the project folder), and the private temporary directories hooks run
//! in: the template copy for `pre_prompt`, and the project folder for `pre_gen_project` /
//! `post_gen_project`, which is read back into a [`Tree`] afterwards, so plan and apply see what
//! the hooks made like any rendered file. It must not write to the destination, prompt for
//! answers, or decide how a file is rendered (the cookiecutter dialect does that).
//!
//! Output: for `new`, a hook's stdout and stderr both go to groundwork's stderr as it runs (so
//! groundwork's stdout stays its report); its output is thus on screen above the error when it
//! fails. For the renders of `update`, which run hooks twice in the background, the output is
//! captured and printed only when a hook fails, in the error.
//!
//! Limits: a hook can neither hang groundwork nor outlive it. Each hook (and each `[[checks]]`
//! command of `template test`, through `Group`) runs as the leader of a process group of its own
//! with a time limit ([`HOOK_TIMEOUT_ENV`], default 600 s). On timeout, on Ctrl-C and on any error
//! the whole group is stopped: SIGTERM (and SIGCONT, for a stopped process), a short grace, then
//! SIGKILL. groundwork waits for the hook's main process only: once it exits, whatever it left
//! running in its group (`(server &)`, a daemon that did not `setsid`) is stopped the same way,
//! and captured output is not read past that point. Python cookiecutter leaves such background
//! children running; groundwork stops them on purpose, so that no program a template started keeps
//! running after the run that trusted it (and a pipe held open by one cannot stall the run). A
//! process that leaves the group with `setsid` is out of reach, but not waited for either. Since a
//! terminal stops (SIGTTIN) a process of another group that reads from it, a hook whose stdin
//! would be the terminal gets an empty stdin instead: hooks cannot ask questions. Hooks must not
//! run inside a render phase of [`crate::core::watchdog`]: Ctrl-C there ends the process at once, before
//! the group could be stopped. SIGTERM and SIGHUP stop a hook only when they set the interrupt
//! flag ([`crate::core::interrupt::interrupted`]) as Ctrl-C does.
//!
//! Temporary folders and files are named after the process (`groundwork-hooks-<pid>-*`,
//! `groundwork-hook-<pid>-*.ext`, `template test`'s `groundwork-test-<pid>-*`, and the temporary
//! git clones of a run whose git cache cannot be written, `groundwork-clone-<pid>-*`) and locked
//! (`flock`) while it runs. They are removed on every exit path that runs code (success, error,
//! Ctrl-C, timeout); what a SIGKILL leaves, [`sweep_stale_temp`] removes (`groundwork recover`,
//! and every run that starts hooks or checks).

use std::ffi::OsStr;
use std::fs::File;
use std::io::{IsTerminal as _, Read as _};
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::os::unix::process::{CommandExt as _, ExitStatusExt as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::{Duration, Instant};

use rustix::io::Errno;
use rustix::process::{Pid, Signal, WaitId, WaitIdOptions};

use serde_json::{Map, Value};

use crate::core::error::{Error, Result};
use crate::core::tree::{Entry, Tree};
use crate::dialect::cookiecutter::CookiecutterTemplate;
use crate::dialect::native::Limits;
use crate::dialect::{Output, Runner, Template};
use crate::template::TemplateFile;
use crate::template::answers::Prompter;

/// The most of a hook's captured output an error repeats (its end).
const OUTPUT_TAIL: usize = 16 << 10;

/// Environment variable with the time limit of one hook, in seconds.
pub(crate) const HOOK_TIMEOUT_ENV: &str = crate::core::env::HOOK_TIMEOUT_SECONDS.name;
/// The default time limit of one hook: long enough for a hook that installs packages.
pub(crate) const DEFAULT_HOOK_TIMEOUT: u64 = 600;

/// How often a running hook or check is looked at: often enough that Ctrl-C and the time limit
/// act at once, rarely enough to cost nothing.
const POLL: Duration = Duration::from_millis(20);
/// How long a stopped group has between SIGTERM and SIGKILL to clean up.
const GRACE: Duration = Duration::from_secs(1);

/// Name prefixes of the temporary entries, each followed by `<pid>-`: the folders hooks run in,
/// the rendered hook scripts, and `template test`'s projects.
const HOOKS_DIR_PREFIX: &str = "groundwork-hooks-";
const SCRIPT_PREFIX: &str = "groundwork-hook-";
pub(crate) const TEST_DIR_PREFIX: &str = "groundwork-test-";
/// The prefix of a temporary git clone, made when the git cache cannot be written (`source`):
/// swept here with the others, since a killed run leaves it the same way.
pub(crate) const CLONE_DIR_PREFIX: &str = "groundwork-clone-";

/// What the command line says about running hooks (`--trust`, `--no-hooks`, or cookiecutter's
/// `--accept-hooks yes|no|ask`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Accept {
    /// Ask at a terminal; without one, hooks have no consent.
    #[default]
    Ask,
    /// `--trust` / `--accept-hooks yes`.
    Yes,
    /// `--no-hooks` / `--accept-hooks no`: render without running them.
    No,
}

/// The hook settings of `groundwork new`.
#[derive(Debug, Clone, Copy, Default)]
pub struct HookOptions {
    pub accept: Accept,
    /// `--keep-on-failure`: when a hook fails, keep the temporary project folder it ran in.
    pub keep_on_failure: bool,
}

impl Runner {
    /// A runner, once hooks have consent: reads the time limit (a malformed one is an error before
    /// any hook runs) and removes what killed runs left in the temporary folder.
    fn new(output: Output, keep_on_failure: bool) -> Result<Runner> {
        let timeout =
            timeout_from_env(crate::core::env::HOOK_TIMEOUT_SECONDS, DEFAULT_HOOK_TIMEOUT)?;
        sweep_stale_temp();
        Ok(Runner {
            output,
            keep_on_failure,
            timeout,
        })
    }
}

/// The time limit in seconds that `variable` sets for a hook or check, `default` when unset; a
/// malformed value is an error naming the variable (`core::env`).
pub(crate) fn timeout_from_env(variable: crate::core::env::Variable, default: u64) -> Result<u64> {
    variable.number_or(default)
}

/// What consent gave for one template.
#[derive(Debug)]
pub(crate) enum Decision {
    /// Run them.
    Run,
    /// The template has no hooks.
    Nothing,
    /// `--no-hooks`: not run, as asked.
    Declined,
    /// Not run, for this reason (a warning for the user).
    Skip(String),
    /// No consent was asked for or given: `new` stops, `update` renders without them.
    Refused,
}

/// Whether the hooks of `template` (from `source`) may run. A built-in template is trusted;
/// otherwise `--trust`, or a yes at the terminal (`prompter`). Hooks never run for a dry run.
pub(crate) fn decide(
    template: &Template,
    source: &str,
    accept: Accept,
    dry_run: bool,
    prompter: Option<&mut dyn Prompter>,
) -> Result<Decision> {
    let hooks = template.hooks();
    if hooks.is_empty() {
        return Ok(Decision::Nothing);
    }
    let list = hooks.join(", ");
    if accept == Accept::No {
        return Ok(Decision::Declined);
    }
    if dry_run {
        return Ok(Decision::Skip(format!(
            "the template's hooks ({list}) are never run for a dry run: the files they would create, change or delete are not shown"
        )));
    }
    if accept == Accept::Yes || source.starts_with(crate::template::provenance::BUILTIN_PREFIX) {
        return Ok(Decision::Run);
    }
    match prompter {
        Some(prompter) => {
            if prompter.confirm_hooks(source, &hooks)? {
                Ok(Decision::Run)
            } else {
                Ok(Decision::Skip(format!(
                    "the template's hooks ({list}) were declined and not run: what they would change is not in the result"
                )))
            }
        }
        None => Ok(Decision::Refused),
    }
}

/// Consent for `new`: a runner when hooks run (then `pre_prompt` has already run and the
/// template is read from its copy), none when they do not (a warning says why), and
/// [`Error::HooksNotRun`] when a template with hooks has no consent and no `--no-hooks`.
pub(crate) fn consent_for_new(
    template: Template,
    provenance: &crate::template::provenance::Provenance,
    options: HookOptions,
    dry_run: bool,
    prompter: Option<&mut dyn Prompter>,
    warnings: &mut Vec<String>,
) -> Result<(Template, Option<Runner>)> {
    match decide(
        &template,
        &provenance.source,
        options.accept,
        dry_run,
        prompter,
    )? {
        Decision::Nothing | Decision::Declined => Ok((template, None)),
        Decision::Skip(warning) => {
            warnings.push(warning);
            Ok((template, None))
        }
        Decision::Refused => Err(Error::HooksNotRun {
            template: provenance.source.clone(),
            hooks: template.hooks().join(", "),
        }),
        Decision::Run => {
            let runner = Runner::new(Output::Live, options.keep_on_failure)?;
            let mut template = template;
            run_pre_prompt(&mut template, runner)?;
            Ok((template, Some(runner)))
        }
    }
}

/// Consent for the renders of `update` (the recorded version `base` and the new one, `theirs`):
/// a runner (output captured) when hooks may run, after running both versions' `pre_prompt`;
/// otherwise none, and a warning that what the hooks change is not in the base and shows as the
/// team's work.
pub(crate) fn consent_for_update(
    base: &mut Template,
    theirs: &mut Template,
    source: &str,
    accept: Accept,
    dry_run: bool,
    prompter: Option<&mut dyn Prompter>,
    warnings: &mut Vec<String>,
) -> Result<Option<Runner>> {
    let mut hooks: Vec<String> = base.hooks();
    hooks.extend(theirs.hooks());
    hooks.sort();
    hooks.dedup();
    let with_hooks = if base.hooks().is_empty() {
        &*theirs
    } else {
        &*base
    };
    let list = hooks.join(", ");
    match decide(with_hooks, source, accept, dry_run, prompter)? {
        Decision::Nothing => Ok(None),
        Decision::Run => {
            let runner = Runner::new(Output::Captured, false)?;
            run_pre_prompt(base, runner)?;
            run_pre_prompt(theirs, runner)?;
            Ok(Some(runner))
        }
        Decision::Declined | Decision::Skip(_) | Decision::Refused => {
            let why = match (accept, dry_run) {
                (Accept::No, _) => "--no-hooks",
                (_, true) => "hooks never run for a dry run",
                _ => "pass --trust to run them in temporary directories",
            };
            warnings.push(format!(
                "{source} has hooks ({list}), which were not run for the template's renders ({why}): the base may be inexact, and what the hooks change shows as your changes"
            ));
            Ok(None)
        }
    }
}

/// Reborrows an optional prompter for a shorter use, so it can be passed on again later.
pub(crate) fn reborrow<'s>(
    prompter: &'s mut Option<&mut dyn Prompter>,
) -> Option<&'s mut dyn Prompter> {
    match prompter {
        Some(prompter) => Some(&mut **prompter),
        None => None,
    }
}

/// Runs the template's `pre_prompt` hook, as cookiecutter does before asking anything: in a
/// temporary copy of the template's files, unrendered, with the copy as cwd; the template is then
/// read again from that copy (the hook may rewrite `cookiecutter.json` or any file). A template
/// without one is left as it is.
pub(crate) fn pre_prompt(
    cookiecutter: &CookiecutterTemplate,
    template: &Template,
    runner: Runner,
) -> Result<Option<Template>> {
    let scripts: Vec<String> = cookiecutter
        .hook_scripts("pre_prompt")
        .iter()
        .map(|f| f.path.clone())
        .collect();
    if scripts.is_empty() {
        return Ok(None);
    }
    let temp = TempFolder::new(HOOKS_DIR_PREFIX)?;
    let root = temp.path().join(folder_name(&template.manifest.name));
    for file in cookiecutter.files() {
        write_file(
            &root,
            &file.path,
            &file.contents,
            file.executable,
            file.mode,
        )?;
    }
    for script in &scripts {
        let path = root.join(script);
        make_executable(&path)?;
        run_script(script, &path, &root, runner)?;
    }
    let mut files = Vec::new();
    let mut notes = Vec::new();
    for (path, contents, bits) in read_dir_files(&root, &mut notes)? {
        let (executable, mode) = crate::core::tree::mode_of(bits);
        files.push(TemplateFile {
            path,
            contents,
            executable,
            mode,
        });
    }
    let commit = cookiecutter.commit().map(str::to_owned);
    let mut reloaded = CookiecutterTemplate::load(
        &template.manifest.name,
        template.manifest.version.clone(),
        template.manifest.path.clone(),
        files,
    )?;
    if let Some(dialect) = commit.and_then(|commit| reloaded.dialect.at_commit(&commit)) {
        reloaded.dialect = dialect;
    }
    Ok(Some(reloaded))
}

/// Runs `template`'s hooks that come before the questions, if its dialect has any, and reads the
/// template again from what they leave.
fn run_pre_prompt(template: &mut Template, runner: Runner) -> Result<()> {
    let dialect = std::sync::Arc::clone(&template.dialect);
    if let Some(reloaded) = dialect.pre_prompt(template, runner)? {
        *template = reloaded;
    }
    Ok(())
}

/// The project as cookiecutter makes it with hooks: in a private temporary directory, an empty
/// project folder named `folder` (as cookiecutter creates it before `pre_gen_project`), the
/// `pre_gen_project` scripts run there, the rendered `tree` written into it, `post_gen_project`
/// run there, and the folder read back (files the hooks made, changed or deleted included,
/// executable bits kept). Hooks are rendered with `context`, whose `_output_dir` is set to the
/// temporary directory holding the project folder, as cookiecutter gives its absolute output
/// directory. On a failure the directory is removed, unless the runner keeps it.
pub(crate) fn generate(
    template: &CookiecutterTemplate,
    folder: &str,
    context: &Map<String, Value>,
    tree: Tree,
    runner: Runner,
) -> Result<Tree> {
    let pre = template.hook_scripts("pre_gen_project");
    let post = template.hook_scripts("post_gen_project");
    if pre.is_empty() && post.is_empty() {
        return Ok(tree);
    }
    let temp = TempFolder::new(HOOKS_DIR_PREFIX)?;
    let project_name = folder_name(folder);
    let project = temp.path().join(&project_name);
    std::fs::create_dir(&project).map_err(|e| Error::io(&project, e))?;
    let mut context = context.clone();
    if let Some(Value::Object(cc)) = context.get_mut("cookiecutter") {
        cc.insert(
            "_output_dir".into(),
            temp.path().to_string_lossy().into_owned().into(),
        );
    }
    let kept = |temp: TempFolder, error: Error| {
        if runner.keep_on_failure {
            kept_on_failure(temp, &project_name, error)
        } else {
            error
        }
    };
    if let Err(error) = run_stage(template, &pre, &context, &project, runner) {
        return Err(kept(temp, error));
    }
    for (path, entry) in tree.iter() {
        write_file(
            &project,
            path,
            &entry.contents,
            entry.executable,
            entry.mode,
        )?;
    }
    if let Err(error) = run_stage(template, &post, &context, &project, runner) {
        return Err(kept(temp, error));
    }
    let mut notes = Vec::new();
    let files = read_dir_files(&project, &mut notes)?;
    for note in notes {
        crate::core::report::warning(format_args!("{note}"));
    }
    let limits = Limits::from_env();
    let mut total = 0u64;
    let mut out = Tree::with_unportable_names();
    for (path, contents, bits) in files {
        // As cookiecutter leaves them: the template's modes, or what the hooks made of them.
        let (executable, mode) = crate::core::tree::mode_of(bits);
        let source = tree.get(&path).map_or_else(
            || format!("{path} (made by the template's hooks)"),
            |entry| entry.source.clone(),
        );
        let size = contents.len() as u64;
        total += size;
        if size > limits.file || total > limits.project {
            return Err(Error::RenderLimit {
                path: source,
                message: format!(
                    "is over the size limits after the hooks ran ({size} bytes; {total} bytes in all); raise them with {} or {}",
                    crate::dialect::native::MAX_FILE_ENV,
                    crate::dialect::native::MAX_PROJECT_ENV
                ),
            });
        }
        out.insert(
            path,
            Entry {
                contents,
                executable,
                mode,
                source,
            },
        )?;
    }
    Ok(out)
}

/// `--keep-on-failure`: when a hook failed or ran past its limit, keeps the temporary folder and
/// says in the error where the project `project_name` is; other errors are returned as they are
/// (and the folder removed).
fn kept_on_failure(temp: TempFolder, project_name: &str, error: Error) -> Error {
    let clause = |temp: TempFolder| {
        format!(
            "; --keep-on-failure: the project as the hooks left it is in {}",
            temp.keep().join(project_name).display()
        )
    };
    match error {
        Error::HookFailed {
            hook,
            status,
            output,
            ..
        } => Error::HookFailed {
            hook,
            status,
            output,
            kept: clause(temp),
        },
        Error::HookTimeout {
            hook,
            seconds,
            variable,
            output,
            ..
        } => Error::HookTimeout {
            hook,
            seconds,
            variable,
            output,
            kept: clause(temp),
        },
        other => other,
    }
}

/// Renders and runs each script of a stage in `project`.
fn run_stage(
    template: &CookiecutterTemplate,
    scripts: &[&TemplateFile],
    context: &Map<String, Value>,
    project: &Path,
    runner: Runner,
) -> Result<()> {
    for script in scripts {
        let text = template.render_hook(script, context)?;
        let file = script_file(&script.path, &text)?;
        run_script(&script.path, &file.path, project, runner)?;
    }
    Ok(())
}

/// A private temporary folder of this run, named `<prefix><pid>-<random>` and locked while it
/// exists, so that [`sweep_stale_temp`] can tell it from one a killed run left; removed when
/// dropped.
pub(crate) struct TempFolder {
    dir: tempfile::TempDir,
    /// Declared after `dir`: the folder is removed before the lock is let go.
    _lock: Option<File>,
}

impl TempFolder {
    pub(crate) fn new(prefix: &str) -> Result<TempFolder> {
        let dir = tempfile::Builder::new()
            .prefix(&format!("{prefix}{}-", std::process::id()))
            .tempdir()
            .map_err(|e| Error::io(std::env::temp_dir(), e))?;
        let lock = lock(dir.path());
        Ok(TempFolder { dir, _lock: lock })
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Keeps the folder for the user (`--keep-on-failure`) and returns where it is: renamed
    /// `groundwork-hooks-kept-*`, a name no sweep takes for a killed run's leftover.
    fn keep(self) -> PathBuf {
        let path = self.dir.keep();
        let Some(random) = path
            .file_name()
            .and_then(OsStr::to_str)
            .and_then(|name| name.rsplit('-').next())
        else {
            return path;
        };
        let kept = path.with_file_name(format!("{HOOKS_DIR_PREFIX}kept-{random}"));
        match std::fs::rename(&path, &kept) {
            Ok(()) => kept,
            Err(_) => path,
        }
    }
}

/// A rendered hook script in the temporary folder, locked like a [`TempFolder`]; removed when
/// dropped.
struct TempScript {
    path: tempfile::TempPath,
    _lock: Option<File>,
}

/// An exclusive `flock` on `path`, held until the file is closed (also when the process is
/// killed). None when it cannot be taken: another run holds it, or the file system has no locks.
/// The descriptor is close-on-exec, so a hook's children never hold the lock past this process.
fn lock(path: &Path) -> Option<File> {
    let file = File::open(path).ok()?;
    rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive).ok()?;
    Some(file)
}

/// A temporary folder or file that a groundwork run which no longer exists left behind, removed
/// by [`sweep_stale_temp`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StaleTemp {
    pub path: PathBuf,
    /// The process that made it.
    pub pid: u32,
    pub kind: TempKind,
}

/// What a temporary entry was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TempKind {
    /// A hook's folder or script, or a `template test` project.
    HooksOrChecks,
    /// A git clone made outside a cache that could not be written.
    GitClone,
}

impl TempKind {
    /// What made the entry, as `recover` reports it: "left by {this} of a killed groundwork run".
    pub(crate) fn maker(self) -> &'static str {
        match self {
            TempKind::HooksOrChecks => "the hooks or checks",
            TempKind::GitClone => "the temporary git clone",
        }
    }
}

/// Removes from the temporary folder what killed groundwork runs left of their hooks and checks
/// (SIGKILL cannot be caught, so they could not): entries named with a process id, whose process
/// is gone, owned by the current user (never another user's, in a shared `/tmp`; never a
/// symlink), and whose lock can be taken (a run in another pid namespace holds it, so its folder
/// is not taken for abandoned). Best effort: what cannot be removed is left for a later sweep.
/// Returns what was removed, sorted.
pub(crate) fn sweep_stale_temp() -> Vec<StaleTemp> {
    let temp = std::env::temp_dir();
    let Ok(entries) = std::fs::read_dir(&temp) else {
        return Vec::new();
    };
    let uid = rustix::process::getuid().as_raw();
    let own = std::process::id();
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let Some((pid, kind)) = entry.file_name().to_str().and_then(temp_owner) else {
            continue;
        };
        if pid == own || alive(pid) {
            continue;
        }
        let path = entry.path();
        let Ok(metadata) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if metadata.uid() != uid || !(metadata.is_dir() || metadata.is_file()) {
            continue;
        }
        let Some(_lock) = lock(&path) else {
            continue;
        };
        let gone = if metadata.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        if gone.is_ok() {
            removed.push(StaleTemp { path, pid, kind });
        }
    }
    removed.sort_by(|a, b| a.path.cmp(&b.path));
    removed
}

/// The process id in a temporary entry's name (`groundwork-hooks-<pid>-...`) and what the entry
/// was for, if it is one of ours.
fn temp_owner(name: &str) -> Option<(u32, TempKind)> {
    [
        (HOOKS_DIR_PREFIX, TempKind::HooksOrChecks),
        (SCRIPT_PREFIX, TempKind::HooksOrChecks),
        (TEST_DIR_PREFIX, TempKind::HooksOrChecks),
        (CLONE_DIR_PREFIX, TempKind::GitClone),
    ]
    .iter()
    .find_map(|(prefix, kind)| {
        let (pid, _) = name.strip_prefix(prefix)?.split_once('-')?;
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        pid.parse()
            .ok()
            .filter(|pid| *pid > 0)
            .map(|pid| (pid, *kind))
    })
}

/// Whether process `pid` exists (a zombie does; one of another user does). An id that cannot be
/// a process counts as alive: what cannot be told apart is left alone.
fn alive(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) else {
        return true;
    };
    !matches!(rustix::process::test_kill_process(pid), Err(Errno::SRCH))
}

/// A name usable as one directory: the project folder or the template's name.
fn folder_name(name: &str) -> String {
    let name = name.replace(['/', '\\'], "_");
    if name.is_empty() || name == "." || name == ".." {
        "project".into()
    } else {
        name
    }
}

fn write_file(
    root: &Path,
    relative: &str,
    contents: &[u8],
    executable: bool,
    mode: Option<u32>,
) -> Result<()> {
    let path = root.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    std::fs::write(&path, contents).map_err(|e| Error::io(&path, e))?;
    let mode = crate::core::tree::file_mode(executable, mode);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| Error::io(&path, e))
}

fn make_executable(path: &Path) -> Result<()> {
    let mode = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .permissions()
        .mode();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode | 0o100))
        .map_err(|e| Error::io(path, e))
}

/// The rendered script in a temporary file with the hook's extension (cookiecutter's
/// `NamedTemporaryFile(suffix=extension)`), executable by its owner, closed for writing (so it can
/// be run; the lock is a read-only descriptor), removed when dropped.
fn script_file(hook: &str, text: &str) -> Result<TempScript> {
    use std::io::Write as _;
    let mut file = tempfile::Builder::new()
        .prefix(&format!("{SCRIPT_PREFIX}{}-", std::process::id()))
        .suffix(extension(hook))
        .tempfile()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| Error::io(file.path(), e))?;
    let path = file.into_temp_path();
    let lock = lock(&path);
    make_executable(&path)?;
    Ok(TempScript { path, _lock: lock })
}

/// `os.path.splitext(name)[1]`: the last extension with its dot; none for a leading dot only.
fn extension(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    let dots = name.len() - name.trim_start_matches('.').len();
    match name[dots..].rfind('.') {
        Some(i) => &name[dots + i..],
        None => "",
    }
}

/// Runs one hook script at `path` (named `hook` in the template) with `cwd`, in a process group of
/// its own and within the runner's time limit; a non-zero exit is [`Error::HookFailed`], running
/// past the limit [`Error::HookTimeout`], Ctrl-C [`Error::Interrupted`]. Whatever the hook left
/// running is stopped before this returns (see the module's documentation).
fn run_script(hook: &str, path: &Path, cwd: &Path, runner: Runner) -> Result<()> {
    let python = extension(hook) == ".py";
    let mut command = if python {
        let mut command = Command::new("python3");
        command.arg(path);
        command
    } else {
        Command::new(path)
    };
    command.current_dir(cwd);
    let capture = match runner.output {
        Output::Live => {
            command.stdout(std::io::stderr());
            // The terminal would stop the hook (SIGTTIN) as soon as it read from it, the hook's
            // group not being the terminal's: an empty stdin ends such a read instead.
            if std::io::stdin().is_terminal() {
                command.stdin(Stdio::null());
            }
            None
        }
        Output::Captured => Some(OUTPUT_TAIL),
    };
    let group = Group::spawn(command, capture).map_err(|e| Error::HookStart {
        hook: hook.to_owned(),
        message: match (e.kind(), e.raw_os_error()) {
            (std::io::ErrorKind::NotFound, _) if python => {
                "python3 is not on PATH, and .py hooks run with it; install Python 3 or pass --no-hooks".into()
            }
            (_, Some(8)) => "it might be an empty file or miss a shebang line (#!)".into(),
            _ => e.to_string(),
        },
    })?;
    let (ended, output) = group
        .wait(Duration::from_secs(runner.timeout))
        .map_err(|e| Error::io(path, e))?;
    let start = output.len().saturating_sub(OUTPUT_TAIL);
    let text = String::from_utf8_lossy(&output[start..]);
    let output = if text.trim().is_empty() {
        String::new()
    } else {
        format!("\nits output:\n{}", text.trim_end())
    };
    let status = match ended {
        _ if crate::core::interrupt::interrupted() => return Err(Error::Interrupted),
        Ended::Interrupted => return Err(Error::Interrupted),
        Ended::OverLimit => {
            return Err(Error::HookTimeout {
                hook: hook.to_owned(),
                seconds: runner.timeout,
                variable: HOOK_TIMEOUT_ENV,
                output,
                kept: String::new(),
            });
        }
        Ended::Exited(status) if status.success() => return Ok(()),
        Ended::Exited(status) => status,
    };
    Err(Error::HookFailed {
        hook: hook.to_owned(),
        status: describe_status(status),
        output,
        kept: String::new(),
    })
}

/// `exit status 3`, or `killed by signal 9`.
fn describe_status(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        _ => status.to_string(),
    }
}

/// How a program run by [`Group`] ended.
#[derive(Debug)]
pub(crate) enum Ended {
    /// Its main process exited with this status.
    Exited(ExitStatus),
    /// It was still running when its time limit passed.
    OverLimit,
    /// Ctrl-C came while it ran.
    Interrupted,
}

/// A program started as the leader of a process group of its own (a hook, a check), so that it can
/// be stopped together with every process it started. Dropped before [`Group::wait`] finished (an
/// error, a panic), it stops the group, so no path out of groundwork leaves one running.
pub(crate) struct Group {
    child: Child,
    /// The main process, whose id is also the group's.
    pid: Pid,
    output: Option<Capture>,
    stopped: bool,
}

/// The output of a group, read from one pipe by a thread of its own, so that waiting never
/// depends on the pipe's end (a background child may hold it open for ever).
struct Capture {
    text: Arc<Mutex<Vec<u8>>>,
    /// Told when the reader saw the end of the pipe.
    done: mpsc::Receiver<()>,
    /// How many of the last bytes are kept.
    keep: usize,
}

impl Capture {
    fn start(mut reader: std::io::PipeReader, keep: usize) -> std::io::Result<Capture> {
        let text = Arc::new(Mutex::new(Vec::new()));
        let (tell, done) = mpsc::channel();
        let shared = Arc::clone(&text);
        std::thread::Builder::new()
            .name("groundwork-output".into())
            .spawn(move || {
                let mut chunk = [0u8; 8192];
                loop {
                    match reader.read(&mut chunk) {
                        Ok(0) => break,
                        Ok(n) => {
                            let mut text = shared.lock().unwrap_or_else(PoisonError::into_inner);
                            text.extend_from_slice(&chunk[..n]);
                            // Trimmed in halves, not per read: the copy stays linear.
                            if text.len() > 2 * keep {
                                let cut = text.len() - keep;
                                text.drain(..cut);
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(_) => break,
                    }
                }
                let _ = tell.send(());
            })?;
        Ok(Capture { text, done, keep })
    }

    /// The last `keep` bytes read. Called once the group is stopped, when the pipe's writers are
    /// closed: the reader gets a moment to drain it, but is not waited for past that (a process
    /// that left the group may still hold the pipe).
    fn finish(self) -> Vec<u8> {
        let _ = self.done.recv_timeout(Duration::from_millis(200));
        let text = self.text.lock().unwrap_or_else(PoisonError::into_inner);
        let start = text.len().saturating_sub(self.keep);
        text[start..].to_vec()
    }
}

impl Group {
    /// Starts `command` as the leader of a new process group. With `capture` (how many of the last
    /// bytes to keep), its stdout and stderr go to one pipe and its stdin is empty; without, its
    /// stdio is what `command` says.
    pub(crate) fn spawn(mut command: Command, capture: Option<usize>) -> std::io::Result<Group> {
        adopt_orphans();
        command.process_group(0);
        let output = match capture {
            Some(keep) => {
                let (reader, writer) = std::io::pipe()?;
                let second = writer.try_clone()?;
                command.stdin(Stdio::null()).stdout(writer).stderr(second);
                Some(Capture::start(reader, keep)?)
            }
            None => None,
        };
        let spawned = command.spawn();
        // The command holds the pipe's writing ends: drop them, or the reader never sees the end.
        drop(command);
        let child = spawned?;
        let pid = Pid::from_child(&child);
        Ok(Group {
            child,
            pid,
            output,
            stopped: false,
        })
    }

    /// Waits until the main process exits, `limit` passes or Ctrl-C comes, looking every [`POLL`]
    /// so the last two act at once; then stops what is left of the group (background children
    /// are never waited for). Returns how it ended and the output captured.
    pub(crate) fn wait(mut self, limit: Duration) -> std::io::Result<(Ended, Vec<u8>)> {
        let deadline = Instant::now().checked_add(limit);
        let ended = loop {
            // WNOWAIT: the exited main process stays a zombie until its group has been signalled,
            // so that the group's id cannot have been reused for another group meanwhile.
            match rustix::process::waitid(
                WaitId::Pid(self.pid),
                WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT,
            ) {
                Ok(Some(_)) => {
                    self.stop();
                    break Ended::Exited(self.child.wait()?);
                }
                Ok(None) | Err(Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
            if crate::core::interrupt::interrupted() {
                self.stop();
                break Ended::Interrupted;
            }
            if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                self.stop();
                break Ended::OverLimit;
            }
            std::thread::sleep(POLL);
        };
        let output = self.output.take().map(Capture::finish).unwrap_or_default();
        Ok((ended, output))
    }

    /// Stops every process of the group: SIGTERM (with SIGCONT, which a stopped process needs to
    /// act on it), then SIGKILL for what is still there after [`GRACE`]. Reaps the main process.
    /// Done once.
    fn stop(&mut self) {
        if std::mem::replace(&mut self.stopped, true) {
            return;
        }
        // The main process is not reaped yet (running, or a zombie), so the id names this group.
        let _ = rustix::process::kill_process_group(self.pid, Signal::TERM);
        let _ = rustix::process::kill_process_group(self.pid, Signal::CONT);
        if self.gone_within(GRACE) {
            return;
        }
        let _ = rustix::process::kill_process_group(self.pid, Signal::KILL);
        let _ = self.gone_within(GRACE);
    }

    /// Whether, within `time`, the main process has been reaped and the group has no process left.
    /// (A child killed after its parent exited may stay a zombie until init reaps it, which keeps
    /// the group in existence; the wait is bounded for that reason.)
    fn gone_within(&mut self, time: Duration) -> bool {
        let until = Instant::now() + time;
        loop {
            let reaped = !matches!(self.child.try_wait(), Ok(None));
            if reaped {
                // Only once the main process is reaped (by `Child`, which must see its status):
                // the group's other processes that are groundwork's children, adopted orphans.
                while let Ok(Some(_)) = rustix::process::waitid(
                    WaitId::Pgid(Some(self.pid)),
                    WaitIdOptions::EXITED | WaitIdOptions::NOHANG,
                ) {}
            }
            if reaped
                && matches!(
                    rustix::process::test_kill_process_group(self.pid),
                    Err(Errno::SRCH)
                )
            {
                return true;
            }
            if Instant::now() >= until {
                return false;
            }
            std::thread::sleep(POLL);
        }
    }
}

/// Makes groundwork the "child subreaper" of what it runs (Linux): a hook's background child whose
/// parent exited is then re-parented to groundwork rather than to init, so that once stopped it is
/// reaped at once ([`Group::gone_within`]), where init may take seconds (or, as PID 1 of a
/// container, never), and the group exists until then. Elsewhere the wait is bounded by [`GRACE`].
fn adopt_orphans() {
    #[cfg(target_os = "linux")]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            let _ = rustix::process::set_child_subreaper(Some(rustix::process::getpid()));
        });
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Every regular file below `root` as (relative path, bytes, permission bits), sorted. A `.git`
/// directory (a hook's `git init`) is left out with a note, as are empty directories (a project
/// holds files only); symlinks and special files are errors.
fn read_dir_files(root: &Path, notes: &mut Vec<String>) -> Result<Vec<(String, Vec<u8>, u32)>> {
    let limits = crate::dialect::native::Limits::try_from_env()?;
    let mut files = Vec::new();
    let mut empty = Vec::new();
    let mut walk = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walk.next() {
        let entry = entry.map_err(|e| {
            let path = e.path().map_or_else(|| root.to_owned(), Path::to_path_buf);
            Error::io(path, std::io::Error::other(e))
        })?;
        if entry.depth() == 0 {
            continue;
        }
        let relative = relative(root, entry.path());
        let file_type = entry.file_type();
        if file_type.is_dir() {
            if entry.file_name().eq_ignore_ascii_case(".git") {
                notes.push(format!(
                    "a hook made {relative}/, which is left out: groundwork makes the project's repository itself (or not, with --no-git)"
                ));
                walk.skip_current_dir();
            } else if std::fs::read_dir(entry.path())
                .map_err(|e| Error::io(entry.path(), e))?
                .next()
                .is_none()
            {
                empty.push(relative);
            }
            continue;
        }
        if !file_type.is_file() {
            return Err(Error::HookOutput {
                path: relative,
                message: if file_type.is_symlink() {
                    "is a symlink made by a hook; a project written by groundwork holds regular files only"
                } else {
                    "is not a regular file (a FIFO, socket or device)"
                }
                .into(),
            });
        }
        // What a hook wrote is the template's doing, held to the per-file limit as the template's
        // own files are: checked on the open handle before it is read (a hook that leaves a huge
        // or sparse file must not fill the memory), never through a symlink swapped in since the
        // walk, never blocking on a FIFO.
        let too_large = |size| Error::HookOutput {
            path: relative.clone(),
            message: limits.file_over(size).unwrap_or_default(),
        };
        let (contents, mode) = crate::core::input::read_limited(
            entry.path(),
            crate::core::input::Symlinks::Refuse,
            limits.file,
            too_large,
        )?
        .ok_or_else(|| Error::io(entry.path(), std::io::ErrorKind::NotFound.into()))?;
        files.push((relative, contents, mode));
    }
    if !empty.is_empty() {
        notes.push(format!(
            "the hooks left empty directories ({}), which are left out: a project holds files only, as git does",
            empty.join(", ")
        ));
    }
    Ok(files)
}

fn relative(root: &Path, path: &Path) -> String {
    crate::core::file::slash_path(path.strip_prefix(root).unwrap_or(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_is_splitext() {
        assert_eq!(extension("hooks/post_gen_project.py"), ".py");
        assert_eq!(extension("hooks/post_gen_project"), "");
        assert_eq!(extension("hooks/a.tar.sh"), ".sh");
        assert_eq!(extension("hooks/.hidden"), "");
    }

    #[test]
    fn a_timeout_is_a_positive_whole_number_of_seconds_or_an_error_naming_the_variable() {
        let parse = |value: Option<&str>| {
            crate::core::env::HOOK_TIMEOUT_SECONDS
                .parse(value.map(OsStr::new))
                .map(|n| n.unwrap_or(600))
        };
        assert_eq!(parse(None).unwrap(), 600);
        assert_eq!(parse(Some("2")).unwrap(), 2);
        assert_eq!(parse(Some(" 30\n")).unwrap(), 30);
        // Empty is unset, as for every limit variable.
        assert_eq!(parse(Some(" ")).unwrap(), 600);
        for bad in ["0", "-1", "+5", "1.5", "10s", "ten", "99999999999999999999"] {
            let error = parse(Some(bad)).unwrap_err();
            assert_eq!(
                error.to_string(),
                format!(
                    "environment variable GROUNDWORK_HOOK_TIMEOUT_SECONDS is {bad:?}; expected a whole number of seconds greater than 0, such as 600 (unset it for the default)"
                )
            );
            assert_eq!(error.exit_code(), 1);
        }
    }

    #[test]
    fn only_names_with_a_process_id_are_temporary_entries_of_a_run() {
        let hooks = TempKind::HooksOrChecks;
        assert_eq!(temp_owner("groundwork-hooks-123-aBc9"), Some((123, hooks)));
        assert_eq!(temp_owner("groundwork-hook-77-xYz.py"), Some((77, hooks)));
        assert_eq!(temp_owner("groundwork-test-5-q"), Some((5, hooks)));
        assert_eq!(
            temp_owner("groundwork-clone-42-Zz1"),
            Some((42, TempKind::GitClone))
        );
        // The random-only names temporary clones had before they carried a pid.
        assert_eq!(temp_owner("groundwork-clone-aBc9"), None);
        // Kept by --keep-on-failure, or made by a groundwork before pids were in the names.
        assert_eq!(temp_owner("groundwork-hooks-kept-aBc9"), None);
        assert_eq!(temp_owner("groundwork-hooks-aBc9"), None);
        assert_eq!(temp_owner("groundwork-hooks-0-x"), None);
        assert_eq!(temp_owner("groundwork-hooks--x"), None);
        assert_eq!(temp_owner("groundwork-hooks-+1-x"), None);
        assert_eq!(temp_owner("groundwork-staging-12-x"), None);
        assert!(alive(std::process::id()));
    }

    /// Whether process `pid` is gone: absent, or a zombie waiting for init.
    fn gone(pid: &str) -> bool {
        match std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())) {
            Err(_) => true,
            Ok(stat) => stat
                .rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z'),
        }
    }

    fn shell(script: &str) -> Command {
        let mut command = Command::new("sh");
        command.arg("-c").arg(script);
        command
    }

    #[test]
    fn a_background_child_is_not_waited_for_and_does_not_outlive_its_group() {
        let started = Instant::now();
        let group = Group::spawn(shell("sleep 30 & echo $!"), Some(1024)).unwrap();
        let (ended, output) = group.wait(Duration::from_secs(60)).unwrap();
        assert!(
            matches!(ended, Ended::Exited(status) if status.success()),
            "{ended:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(10));
        let pid = String::from_utf8(output).unwrap();
        assert!(gone(&pid), "{pid}");
    }

    #[test]
    fn a_program_past_its_limit_is_stopped_with_its_group_even_if_it_ignores_sigterm() {
        let started = Instant::now();
        let group = Group::spawn(
            shell("trap '' TERM; sleep 30 & echo $!; sleep 30"),
            Some(1024),
        )
        .unwrap();
        let (ended, output) = group.wait(Duration::from_secs(1)).unwrap();
        assert!(matches!(ended, Ended::OverLimit), "{ended:?}");
        // One second of limit, one of grace before SIGKILL, and some slack for a busy machine.
        assert!(started.elapsed() < Duration::from_secs(10));
        let pid = String::from_utf8(output).unwrap();
        assert!(gone(&pid), "{pid}");
    }

    #[test]
    fn output_is_kept_to_its_end() {
        let group = Group::spawn(shell("seq 1 100000"), Some(16)).unwrap();
        let (_, output) = group.wait(Duration::from_secs(60)).unwrap();
        assert_eq!(String::from_utf8(output).unwrap(), "98\n99999\n100000\n");
    }
}
