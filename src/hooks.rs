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
//! groundwork's stdout stays its report, and interactive hooks keep the terminal); its output is
//! thus on screen above the error when it fails. For the renders of `update`, which run hooks twice
//! in the background, the output is captured and printed only when a hook fails, in the error.

use std::io::Read as _;
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::process::ExitStatusExt as _;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Map, Value};

use crate::answers::Prompter;
use crate::cookiecutter::CookiecutterTemplate;
use crate::error::{Error, Result};
use crate::render::Limits;
use crate::template::{Dialect, Template, TemplateFile};
use crate::tree::{Entry, Tree};

/// The most of a hook's captured output an error repeats (its end).
const OUTPUT_TAIL: usize = 16 << 10;

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

/// Where a hook's output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// To groundwork's stderr as the hook runs (stdin stays the terminal).
    Live,
    /// Captured, and repeated in the error if the hook fails (stdin is empty).
    Captured,
}

/// Runs hooks for one command; only made once consent is given.
#[derive(Debug, Clone, Copy)]
pub struct Runner {
    pub output: Output,
    pub keep_on_failure: bool,
}

/// What consent gave for one template.
#[derive(Debug)]
pub enum Decision {
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
pub fn decide(
    template: &Template,
    source: &str,
    accept: Accept,
    dry_run: bool,
    prompter: Option<&mut dyn Prompter>,
) -> Result<Decision> {
    let hooks = hooks_of(template);
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
    if accept == Accept::Yes || source.starts_with(crate::source::BUILTIN_PREFIX) {
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
pub fn consent_for_new(
    template: Template,
    provenance: &crate::source::Provenance,
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
            hooks: hooks_of(&template).join(", "),
        }),
        Decision::Run => {
            let runner = Runner {
                output: Output::Live,
                keep_on_failure: options.keep_on_failure,
            };
            let mut template = template;
            pre_prompt(&mut template, runner)?;
            Ok((template, Some(runner)))
        }
    }
}

/// Consent for the renders of `update` (the recorded version `base` and the new one, `theirs`):
/// a runner (output captured) when hooks may run, after running both versions' `pre_prompt`;
/// otherwise none, and a warning that what the hooks change is not in the base and shows as the
/// team's work.
pub fn consent_for_update(
    base: &mut Template,
    theirs: &mut Template,
    source: &str,
    accept: Accept,
    dry_run: bool,
    prompter: Option<&mut dyn Prompter>,
    warnings: &mut Vec<String>,
) -> Result<Option<Runner>> {
    let mut hooks: Vec<String> = hooks_of(base);
    hooks.extend(hooks_of(theirs));
    hooks.sort();
    hooks.dedup();
    let with_hooks = if hooks_of(base).is_empty() {
        &*theirs
    } else {
        &*base
    };
    let list = hooks.join(", ");
    match decide(with_hooks, source, accept, dry_run, prompter)? {
        Decision::Nothing => Ok(None),
        Decision::Run => {
            let runner = Runner {
                output: Output::Captured,
                keep_on_failure: false,
            };
            pre_prompt(base, runner)?;
            pre_prompt(theirs, runner)?;
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

/// The hook files of a template, template-relative; empty for a native template.
pub fn hooks_of(template: &Template) -> Vec<String> {
    match &template.dialect {
        Dialect::Cookiecutter(cookiecutter) => cookiecutter.hooks().to_vec(),
        Dialect::Native => Vec::new(),
    }
}

/// Reborrows an optional prompter for a shorter use, so it can be passed on again later.
pub fn reborrow<'s>(prompter: &'s mut Option<&mut dyn Prompter>) -> Option<&'s mut dyn Prompter> {
    match prompter {
        Some(prompter) => Some(&mut **prompter),
        None => None,
    }
}

/// Runs the template's `pre_prompt` hook, as cookiecutter does before asking anything: in a
/// temporary copy of the template's files, unrendered, with the copy as cwd; the template is then
/// read again from that copy (the hook may rewrite `cookiecutter.json` or any file). A template
/// without one is left as it is.
pub fn pre_prompt(template: &mut Template, runner: Runner) -> Result<()> {
    let Dialect::Cookiecutter(cookiecutter) = &template.dialect else {
        return Ok(());
    };
    let scripts: Vec<String> = cookiecutter
        .hook_scripts("pre_prompt")
        .iter()
        .map(|f| f.path.clone())
        .collect();
    if scripts.is_empty() {
        return Ok(());
    }
    let temp = temp_dir()?;
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
        let (executable, mode) = crate::tree::mode_of(bits);
        files.push(TemplateFile {
            path,
            contents,
            executable,
            mode,
        });
    }
    let commit = cookiecutter.commit().map(str::to_owned);
    let mut reloaded = Template::cookiecutter(
        &template.manifest.name,
        template.manifest.version.clone(),
        template.manifest.path.clone(),
        files,
    )?;
    if let (Some(commit), Dialect::Cookiecutter(inner)) = (commit, &mut reloaded.dialect) {
        let with_commit = (**inner).clone().with_commit(commit);
        **inner = with_commit;
    }
    *template = reloaded;
    Ok(())
}

/// The project as cookiecutter makes it with hooks: in a private temporary directory, an empty
/// project folder named `folder` (as cookiecutter creates it before `pre_gen_project`), the
/// `pre_gen_project` scripts run there, the rendered `tree` written into it, `post_gen_project`
/// run there, and the folder read back (files the hooks made, changed or deleted included,
/// executable bits kept). Hooks are rendered with `context`, whose `_output_dir` is set to the
/// temporary directory holding the project folder, as cookiecutter gives its absolute output
/// directory. On a failure the directory is removed, unless the runner keeps it.
pub fn generate(
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
    let temp = temp_dir()?;
    let project = temp.path().join(folder_name(folder));
    std::fs::create_dir(&project).map_err(|e| Error::io(&project, e))?;
    let mut context = context.clone();
    if let Some(Value::Object(cc)) = context.get_mut("cookiecutter") {
        cc.insert(
            "_output_dir".into(),
            temp.path().to_string_lossy().into_owned().into(),
        );
    }
    let kept = |temp: tempfile::TempDir, error: Error| match error {
        Error::HookFailed {
            hook,
            status,
            output,
            ..
        } if runner.keep_on_failure => {
            let _ = temp.keep();
            Error::HookFailed {
                hook,
                status,
                output,
                kept: format!(
                    "; --keep-on-failure: the project as the hooks left it is in {}",
                    project.display()
                ),
            }
        }
        other => other,
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
        eprintln!("warning: {note}");
    }
    let limits = Limits::from_env();
    let mut total = 0u64;
    let mut out = Tree::with_unportable_names();
    for (path, contents, bits) in files {
        // As cookiecutter leaves them: the template's modes, or what the hooks made of them.
        let (executable, mode) = crate::tree::mode_of(bits);
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
                    crate::render::MAX_FILE_ENV,
                    crate::render::MAX_PROJECT_ENV
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
        run_script(&script.path, &file, project, runner)?;
    }
    Ok(())
}

fn temp_dir() -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("groundwork-hooks-")
        .tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), e))
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
    let mode = crate::tree::file_mode(executable, mode);
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
/// `NamedTemporaryFile(suffix=extension)`), executable by its owner, closed (so it can be run),
/// removed when dropped.
fn script_file(hook: &str, text: &str) -> Result<tempfile::TempPath> {
    use std::io::Write as _;
    let mut file = tempfile::Builder::new()
        .prefix("groundwork-hook-")
        .suffix(extension(hook))
        .tempfile()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| Error::io(file.path(), e))?;
    let path = file.into_temp_path();
    make_executable(&path)?;
    Ok(path)
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

/// Runs one hook script at `path` (named `hook` in the template) with `cwd`; a non-zero exit is
/// [`Error::HookFailed`].
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
    let reader = match runner.output {
        Output::Live => {
            command.stdout(std::io::stderr());
            None
        }
        Output::Captured => {
            let (reader, writer) = std::io::pipe().map_err(|e| Error::io("<pipe>", e))?;
            let second = writer.try_clone().map_err(|e| Error::io("<pipe>", e))?;
            command.stdin(Stdio::null()).stdout(writer).stderr(second);
            Some(reader)
        }
    };
    let spawned = command.spawn();
    // The command holds the pipe's writing ends: drop it, or reading never ends.
    drop(command);
    let mut child = spawned.map_err(|e| Error::HookStart {
        hook: hook.to_owned(),
        message: match (e.kind(), e.raw_os_error()) {
            (std::io::ErrorKind::NotFound, _) if python => {
                "python3 is not on PATH, and .py hooks run with it; install Python 3 or pass --no-hooks".into()
            }
            (_, Some(8)) => "it might be an empty file or miss a shebang line (#!)".into(),
            _ => e.to_string(),
        },
    })?;
    let mut output = Vec::new();
    if let Some(mut reader) = reader {
        let mut chunk = [0u8; 8192];
        loop {
            match reader.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    output.extend_from_slice(&chunk[..n]);
                    if output.len() > 2 * OUTPUT_TAIL {
                        output.drain(..output.len() - OUTPUT_TAIL);
                    }
                }
            }
        }
    }
    let status = child.wait().map_err(|e| Error::io(path, e))?;
    if crate::apply::interrupted() {
        return Err(Error::Interrupted);
    }
    if status.success() {
        return Ok(());
    }
    let status = match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        _ => status.to_string(),
    };
    let start = output.len().saturating_sub(OUTPUT_TAIL);
    let text = String::from_utf8_lossy(&output[start..]);
    Err(Error::HookFailed {
        hook: hook.to_owned(),
        status,
        output: if text.trim().is_empty() {
            String::new()
        } else {
            format!("\nits output:\n{}", text.trim_end())
        },
        kept: String::new(),
    })
}

/// Every regular file below `root` as (relative path, bytes, permission bits), sorted. A `.git`
/// directory (a hook's `git init`) is left out with a note, as are empty directories (a project
/// holds files only); symlinks and special files are errors.
fn read_dir_files(root: &Path, notes: &mut Vec<String>) -> Result<Vec<(String, Vec<u8>, u32)>> {
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
        let contents = std::fs::read(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
        let mode = entry
            .metadata()
            .map_err(|e| Error::io(entry.path(), std::io::Error::other(e)))?
            .permissions()
            .mode();
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
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
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
}
