//! groundwork: render a template into a ready-to-operate repository.
//!
//! The library holds everything; the binary only calls [`run`]. Rendering is a pure function from
//! (template, answers) to an in-memory tree; writing is one planned, atomic apply.

pub mod answers;
pub mod apply;
pub mod cli;
pub mod error;
pub mod git;
pub mod new;
pub mod plan;
pub mod release;
pub mod render;
pub mod source;
pub mod template;
pub mod terminal;
pub mod tree;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};

use clap::Parser;

use crate::answers::Prompter;
use crate::error::{EXIT_USAGE, Error, Result};

/// Runs the command line `args` (program name first) and returns the process exit code.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version are "errors" to clap but successes to the user.
            let _ = e.print();
            return if e.use_stderr() { EXIT_USAGE } else { 0 };
        }
    };
    apply::install_interrupt_handler();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match dispatch(cli.command, &mut out) {
        Ok(()) => 0,
        Err(error) => {
            let _ = out.flush();
            eprintln!("error: {error}");
            error.exit_code()
        }
    }
}

fn dispatch(command: cli::Command, out: &mut dyn Write) -> Result<()> {
    match command {
        cli::Command::New(args) => {
            let interactive = !args.unattended() && std::io::stdin().is_terminal();
            let options = args.into_options();
            let mut terminal = terminal::TerminalPrompter::new();
            let prompter: Option<&mut dyn Prompter> = if interactive {
                Some(&mut terminal)
            } else {
                None
            };
            new::run(&options, prompter, out).map(|_| ())
        }
        cli::Command::Templates => list_templates(out),
        cli::Command::Template(cli::TemplateCommand::Release(args)) => {
            let cut = release::cut(&args.dir, &args.version)?;
            write!(out, "{cut}").map_err(|e| Error::io("<stdout>", e))
        }
    }
}

fn list_templates(out: &mut dyn Write) -> Result<()> {
    let templates = source::builtin_templates()?;
    let width = templates
        .iter()
        .map(|t| t.manifest.name.len())
        .max()
        .unwrap_or(0);
    for template in templates {
        let m = &template.manifest;
        writeln!(
            out,
            "{:<width$}  {:<8}  {}",
            m.name, m.version, m.description
        )
        .map_err(|e| Error::io("<stdout>", e))?;
    }
    Ok(())
}
