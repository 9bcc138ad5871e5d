//! `groundwork template test [DIR]`: runs the template's own `[[checks]]` (shell commands such as
//! `make test`) inside a generated project for every combination of `template check`'s covering
//! set, each in a temporary directory, several at a time, and reports pass or fail per check and
//! combination (as text or JSON). Writes nothing outside its temporary directory.
//!
//! Each check runs like a hook (see [`crate::dialect::cookiecutter::hooks`]): in a process group of its own, with a time
//! limit ([`CHECK_TIMEOUT_ENV`], default 1800 s); on timeout, on Ctrl-C and once the check's shell
//! exits, whatever is left of its group is stopped (SIGTERM, then SIGKILL), so a check that never
//! ends fails instead of hanging the run, and a background server it started does not outlive it.
//! The projects are generated in `groundwork-test-<pid>-*` in the temporary folder, removed on
//! every exit path that runs code; `groundwork recover` removes one a killed run left.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde::Serialize;

use crate::commands::stdout_error;
use crate::commands::template_check::{self, Pin};
use crate::core::error::{Error, Result};
use crate::dialect::cookiecutter::hooks::{Ended, Group};
use crate::dialect::native::Expressions;
use crate::project::create::{self, NewOptions};
use crate::source::Source;
use crate::template::answers::Answers;
use crate::template::manifest::Check;

/// The folder each combination's project is generated in (its name feeds `destination_name`).
const PROJECT_DIR: &str = "project";

/// Environment variable with the time limit of one check, in seconds.
pub(crate) const CHECK_TIMEOUT_ENV: &str = crate::core::env::CHECK_TIMEOUT_SECONDS.name;
/// The default time limit of one check: generous, as a check may build and test a whole project.
pub(crate) const DEFAULT_CHECK_TIMEOUT: u64 = 1800;
/// The most of a check's output kept (its end): a report, not a log.
const OUTPUT_KEPT: usize = 1 << 20;

/// Options of `groundwork template test`.
#[derive(Debug, Clone)]
pub(crate) struct TestOptions {
    pub dir: PathBuf,
    /// How many combinations run at once.
    pub jobs: usize,
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Pass,
    Fail,
    /// The check's `when` is false for this combination.
    Skip,
}

#[derive(Debug, Serialize)]
struct CheckResult {
    check: String,
    /// `ci=gitlab, platform=openshift` or `the defaults`.
    answers: String,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    exit_code: Option<i32>,
    /// Why groundwork stopped the check (its time limit), when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    stopped: Option<String>,
    /// Combined stdout and stderr of a failed check (or the render error).
    #[serde(skip_serializing_if = "String::is_empty")]
    output: String,
}

/// The report of `template test`, also its `--json` document.
#[derive(Debug, Serialize)]
pub(crate) struct Summary {
    /// The template's directory (not in the JSON document).
    #[serde(skip)]
    dir: PathBuf,
    template: String,
    version: String,
    combinations: usize,
    passed: usize,
    failed: usize,
    skipped: usize,
    results: Vec<CheckResult>,
}

/// Runs every check of the template in `options.dir` on every combination; the results are the
/// report ([`print`] shows it, [`Summary::status`] is the run's end).
///
/// # Panics
///
/// Only if a worker thread panicked while holding the results lock (a bug).
pub(crate) fn compute(options: &TestOptions) -> Result<Summary> {
    let template = Source::Local(options.dir.clone()).load(None)?.template;
    let manifest = &template.manifest;
    if manifest.checks.is_empty() {
        return Err(Error::NoChecks {
            path: manifest.path.clone(),
        });
    }
    let timeout = crate::dialect::cookiecutter::hooks::timeout_from_env(
        crate::core::env::CHECK_TIMEOUT_SECONDS,
        DEFAULT_CHECK_TIMEOUT,
    )?;
    let combinations = template_check::covering_set(&template);
    crate::dialect::cookiecutter::hooks::sweep_stale_temp();
    let work = crate::dialect::cookiecutter::hooks::TempFolder::new(
        crate::dialect::cookiecutter::hooks::TEST_DIR_PREFIX,
    )?;
    let progress = progress_bar(combinations.len());

    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Vec<CheckResult>)>> = Mutex::new(Vec::new());
    let workers = options.jobs.clamp(1, combinations.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    // After Ctrl-C no further combination starts; the running checks are stopped.
                    if crate::core::interrupt::interrupted() {
                        break;
                    }
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(combination) = combinations.get(index) else {
                        break;
                    };
                    let root = work.path().join(index.to_string()).join(PROJECT_DIR);
                    let checked =
                        test_combination(&options.dir, manifest, combination, &root, timeout);
                    if let Some(bar) = &progress {
                        bar.inc(1);
                    }
                    results
                        .lock()
                        .expect("no worker panics while holding the lock")
                        .push((index, checked));
                }
            });
        }
    });
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if crate::core::interrupt::interrupted() {
        return Err(Error::Interrupted);
    }
    let mut results = results
        .into_inner()
        .expect("no worker panics while holding the lock");
    results.sort_by_key(|(index, _)| *index);
    let results: Vec<CheckResult> = results.into_iter().flat_map(|(_, r)| r).collect();
    let count = |status| results.iter().filter(|r| r.status == status).count();
    Ok(Summary {
        dir: options.dir.clone(),
        template: manifest.name.clone(),
        version: manifest.version.to_string(),
        combinations: combinations.len(),
        passed: count(Status::Pass),
        failed: count(Status::Fail),
        skipped: count(Status::Skip),
        results,
    })
}

impl Summary {
    /// The error a run with failed checks ends with (exit 1), after the report is printed.
    pub(crate) fn status(&self) -> Result<()> {
        if self.failed == 0 {
            Ok(())
        } else {
            Err(Error::TemplateTest {
                path: self.dir.clone(),
                failed: self.failed,
                total: self.passed + self.failed,
            })
        }
    }
}

/// Prints the results on `out`: the JSON document with `json`, else one line per check and
/// combination (with the end of a failed check's output) and the counts.
pub(crate) fn print(summary: &Summary, json: bool, out: &mut dyn Write) -> Result<()> {
    print_summary(summary, json, out).map_err(stdout_error)
}

fn progress_bar(length: usize) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(length as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} combinations {elapsed}")
    {
        bar.set_style(style);
    }
    Some(bar)
}

/// Generates the project of one combination at `root` and runs every check in it.
fn test_combination(
    dir: &Path,
    manifest: &crate::template::Manifest,
    combination: &[Pin],
    root: &Path,
    timeout: u64,
) -> Vec<CheckResult> {
    let answers = template_check::describe(manifest, combination);
    let result = |check: &Check, status, exit_code, output| CheckResult {
        check: check.name.clone(),
        answers: answers.clone(),
        status,
        exit_code,
        stopped: None,
        output,
    };
    let project_answers = match generate(dir, manifest, combination, root) {
        Ok(answers) => answers,
        Err(error) => {
            let message = format!("the project could not be generated: {error}");
            return manifest
                .checks
                .iter()
                .map(|c| result(c, Status::Fail, None, message.clone()))
                .collect();
        }
    };
    manifest
        .checks
        .iter()
        .map(|check| match applies(check, &project_answers) {
            Ok(false) => result(check, Status::Skip, None, String::new()),
            Err(message) => result(check, Status::Fail, None, message),
            Ok(true) => match run_check(check, root, timeout) {
                Ok((Ended::Exited(status), _)) if status.success() => {
                    result(check, Status::Pass, Some(0), String::new())
                }
                Ok((Ended::Exited(status), output)) => {
                    result(check, Status::Fail, Some(status.code().unwrap_or(-1)), output)
                }
                Ok((Ended::OverLimit, output)) => CheckResult {
                    stopped: Some(format!(
                        "ran longer than its {timeout} s limit ({CHECK_TIMEOUT_ENV}); it and its child processes were stopped"
                    )),
                    ..result(check, Status::Fail, None, output)
                },
                // Not reported: the whole run ends as interrupted.
                Ok((Ended::Interrupted, output)) => result(check, Status::Fail, None, output),
                Err(message) => result(check, Status::Fail, None, message),
            },
        })
        .collect()
}

/// Generates the project at `root` exactly as `groundwork new ROOT --defaults` would (a git
/// repository with its first commit), and returns its answers.
fn generate(
    dir: &Path,
    manifest: &crate::template::Manifest,
    combination: &[Pin],
    root: &Path,
) -> Result<Answers> {
    let options = NewOptions {
        hooks: crate::dialect::cookiecutter::hooks::HookOptions::default(),
        target: create::Target::Dir(root.to_owned()),
        source: Source::Local(dir.to_owned()),
        // A template's checks see its own defaults, whoever runs them.
        user: crate::template::answers::UserDefaults::default(),
        reference: None,
        template_name: None,
        data: template_check::arguments(manifest, combination),
        data_file: None,
        existing: create::Existing::Refuse,
        dry_run: false,
        git: true,
    };
    if let Some(parent) = root.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let rendered = create::render(&options, None)?;
    let answers = rendered.answers.clone();
    create::write(&options, None, rendered)?;
    Ok(answers)
}

fn applies(check: &Check, answers: &Answers) -> Result<bool, String> {
    match &check.when {
        None => Ok(true),
        Some(when) => Expressions::new(PROJECT_DIR)
            .file_scope(answers)
            .truthy(when)
            .map_err(|message| format!("`when`: {message}")),
    }
}

/// Runs `check.run` with `sh -c` in `root`, in a process group of its own, for at most `timeout`
/// seconds; how it ended and its output (stdout and stderr as they were written, the last
/// [`OUTPUT_KEPT`] bytes).
fn run_check(check: &Check, root: &Path, timeout: u64) -> Result<(Ended, String), String> {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(&check.run)
        .current_dir(root)
        .env(crate::core::env::TEMPLATE_TEST, "1");
    let cannot = |e: std::io::Error| format!("cannot run `sh -c {:?}`: {e}", check.run);
    let (ended, output) = Group::spawn(command, Some(OUTPUT_KEPT))
        .and_then(|group| group.wait(Duration::from_secs(timeout)))
        .map_err(cannot)?;
    Ok((ended, String::from_utf8_lossy(&output).into_owned()))
}

/// The last lines of a failed check's output, indented under its result line.
fn tail(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    let start = lines.len().saturating_sub(20);
    let mut text = String::new();
    for line in &lines[start..] {
        text.push_str("    | ");
        text.push_str(line);
        text.push('\n');
    }
    text
}

fn print_summary(summary: &Summary, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        let text = serde_json::to_string_pretty(summary).map_err(std::io::Error::other)?;
        return writeln!(out, "{text}");
    }
    let width = summary
        .results
        .iter()
        .map(|r| r.check.len())
        .max()
        .unwrap_or(0);
    for result in &summary.results {
        let label = match result.status {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Skip => "SKIP",
        };
        writeln!(out, "{label}  {:<width$}  {}", result.check, result.answers)?;
        if result.status == Status::Fail {
            if let Some(code) = result.exit_code {
                writeln!(out, "    exit status {code}")?;
            }
            if let Some(stopped) = &result.stopped {
                writeln!(out, "    {stopped}")?;
            }
            write!(out, "{}", tail(&result.output))?;
        }
    }
    writeln!(
        out,
        "{} {}: {} combinations, {} passed, {} failed, {} skipped.",
        summary.template,
        summary.version,
        summary.combinations,
        summary.passed,
        summary.failed,
        summary.skipped
    )
}
