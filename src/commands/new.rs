//! `groundwork new`: [`render`] the project (the questions included), print its warnings,
//! [`write`] it (plan, apply, first commit), [`print`] what was done. The work is
//! [`crate::project::create`]'s; this module decides the order and what is printed.

use std::fmt::Write as _;
use std::io::Write;

use crate::commands::{Notice, print_notices, report_after_writing, stdout_error};
use crate::core::error::Result;
use crate::core::file::Action;
use crate::template::answers::Prompter;

pub(crate) use crate::project::create::{
    Existing, NewOptions, Outcome, Target, early_claim, render, write,
};

impl Outcome {
    /// A project that was created (or planned) has nothing left for the user to resolve.
    // Every command's report answers `exit_code()`, so dispatch treats them alike; new's is 0.
    #[allow(clippy::unused_self)]
    pub fn exit_code(&self) -> i32 {
        0
    }
}

/// Prints the plan of a dry run, or what was created. After a real run the project exists:
/// failing to say so is a warning, not a failure.
pub(crate) fn print(outcome: &Outcome, out: &mut dyn Write) -> Result<()> {
    let Outcome { plan, name, .. } = outcome;
    if outcome.dry_run {
        writeln!(out, "Dry run: {name} would write:").map_err(stdout_error)?;
        writeln!(out, "{plan}").map_err(stdout_error)?;
        writeln!(out, "Nothing was written.").map_err(stdout_error)?;
        return Ok(());
    }
    let mut report = String::new();
    let _ = writeln!(
        report,
        "Created {} from {name}: {} files ({} new, {} overwritten{}).",
        outcome.destination.display(),
        plan.ops.len(),
        plan.count(&Action::Create),
        plan.count(&Action::Overwrite),
        match plan.count(&Action::Skipped) {
            0 => String::new(),
            skipped => format!(", {skipped} skipped as they exist"),
        },
    );
    match &outcome.commit {
        Some(c) => {
            let _ = writeln!(
                report,
                "git: initialised on branch {} with commit {}.",
                c.branch,
                &c.id[..12]
            );
            if !c.author_from_config {
                let _ = writeln!(
                    report,
                    "note: git config has no user.name/user.email; the commit author is groundwork <groundwork@localhost>. Set them with `git config --global user.name ...` and amend if you like."
                );
            }
        }
        None if outcome.left_uncommitted => {
            let _ = writeln!(
                report,
                "git: {} is already a repository; the changes are left uncommitted for you to review.",
                outcome.destination.display()
            );
        }
        None => {}
    }
    if let Some(message) = &outcome.message_after {
        let _ = writeln!(report, "{}", message.trim_end());
    }
    report_after_writing(out, &report, &outcome.destination);
    Ok(())
}

/// `groundwork new`: [`render`] (the questions included), its warnings on stderr, [`write`] (plan,
/// then apply unless a dry run), [`print`].
pub fn run(
    options: &NewOptions,
    prompter: Option<&mut dyn Prompter>,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let early = early_claim(options)?;
    let rendered = render(options, prompter)?;
    print_notices(&Notice::warnings(rendered.warnings.iter().cloned()).collect::<Vec<_>>());
    let outcome = write(options, early, rendered)?;
    print(&outcome, out)?;
    Ok(outcome)
}
