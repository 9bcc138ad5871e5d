//! The command line: parses the arguments, runs one command and turns its outcome into an exit
//! status and stderr lines. The only module that knows about clap's types and the terminal.

pub(crate) mod args;
pub(crate) mod terminal;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};

use clap::Parser;

use crate::commands::{
    adopt, check, diff, new, print_notices, recover, template_check, template_test, templates,
    update,
};
use crate::core::error::{self, EXIT_USAGE, Error, Result};
use crate::core::report;
use crate::project::user::UserConfig;
use crate::template::answers::Prompter;

/// Start-up, before any command: registers the binary's allocator with the watchdog
/// (`allocated` reads the heap in use, `set_cap` sets the hard cap) and checks every environment
/// variable groundwork reads. A malformed one is printed as an error, and its exit status returned.
pub fn start(allocated: fn() -> usize, set_cap: impl FnOnce(usize)) -> Result<(), i32> {
    crate::core::watchdog::watch_memory(allocated, set_cap)
        .and_then(|()| crate::core::env::check_all())
        .map_err(|error| {
            report::line(format_args!("error: {error}"));
            error.exit_code()
        })
}

/// Runs the command line `args` (program name first) and returns the process exit code.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match args::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            if e.use_stderr() {
                // A usage error: clap's message, to a stderr that may fail without a panic.
                let _ = e.print();
                return EXIT_USAGE;
            }
            // Help and version are "errors" to clap but successes to the user, unless they could
            // not be written.
            let printed = e.print().and_then(|()| std::io::stdout().flush());
            return match printed {
                Ok(()) => 0,
                Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => 0,
                Err(error) => {
                    report::line(format_args!("error: cannot write to stdout: {error}"));
                    error::EXIT_FAILURE
                }
            };
        }
    };
    crate::core::signals::install_interrupt_handler();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match dispatch(cli.command, &mut out) {
        Ok(code) => code,
        // The reader went away (`groundwork diff | head`): what it wanted was printed, so stop
        // quietly as ripgrep does rather than report an error nobody asked about.
        Err(error) if error.is_broken_stdout() => 0,
        Err(error) => {
            // What was printed goes out before the error; a stdout that cannot take it is not
            // the error to report.
            let _ = out.flush();
            report_error(&error)
        }
    }
}

/// Prints `error` on stderr and returns the exit status it calls for.
fn report_error(error: &Error) -> i32 {
    match error {
        Error::Io { path, source } if path.as_os_str() == "<stdout>" => {
            report::line(format_args!("error: cannot write to stdout: {source}"));
            error.exit_code()
        }
        // A usage error found late (see `Error::exit_code`): said the way clap says one.
        Error::NoDestination { .. } => {
            use clap::CommandFactory as _;
            let mut command = args::Cli::command();
            command.build();
            match command.find_subcommand_mut("new") {
                Some(new) => {
                    let usage =
                        clap::Error::raw(clap::error::ErrorKind::MissingRequiredArgument, error)
                            .format(new);
                    // Fallible, and coloured as clap colours its own errors.
                    let _ = usage.print();
                }
                None => report::line(format_args!("error: {error}")),
            }
            error.exit_code()
        }
        _ => {
            report::line(format_args!("error: {error}"));
            error.exit_code()
        }
    }
}

/// Runs one command: each computes its report, prints it, and the status comes from that report;
/// the `Ok` value is the exit status of an outcome that is not an error (an update that left
/// conflicts, a check that found a newer version). Commands that write print their warnings
/// before writing and their report after (their `run`).
fn dispatch(command: args::Command, out: &mut dyn Write) -> Result<i32> {
    let mut terminal = terminal::TerminalPrompter::new();
    match command {
        args::Command::New(args) => {
            let unattended = args.unattended();
            let options = args.into_options(&UserConfig::load()?)?;
            new::run(&options, prompter(&mut terminal, unattended), out).map(|o| o.exit_code())
        }
        args::Command::Update(args) => {
            let unattended = args.answers.defaults;
            update::run(
                &args.into_options(&UserConfig::load()?),
                prompter(&mut terminal, unattended),
                out,
            )
            .map(|o| o.exit_code)
        }
        args::Command::Check(args) => {
            let options = args.into_options();
            let report = check::compute(&options)?;
            check::print(&report, options.json, out)?;
            Ok(report.exit_code())
        }
        args::Command::Diff(args) => {
            let mut notices = Vec::new();
            let report = diff::compute(&args.into_options(), &mut notices);
            print_notices(&notices);
            diff::print(&report?, diff::colour(), out)?;
            Ok(0)
        }
        args::Command::Adopt(args) => {
            let unattended = args.answers.defaults;
            adopt::run(
                &args.into_options(&UserConfig::load()?)?,
                prompter(&mut terminal, unattended),
                out,
            )
            .map(|_| 0)
        }
        args::Command::Recover(args) => recover::run(&args.into_options(), out).map(|_| 0),
        args::Command::Templates(args) => {
            let listed = templates::compute(args.name.as_deref())?;
            templates::print(&listed, args.name.is_some(), out)?;
            Ok(0)
        }
        args::Command::Completions(args) => completions(args.shell, out).map(|()| 0),
        args::Command::Man(args) => man_page(&args.command, out).map(|()| 0),
        args::Command::Config => {
            let user = UserConfig::load()?;
            let mut text = String::new();
            for line in crate::project::user::describe(&user) {
                text.push_str(&line);
                text.push('\n');
            }
            out.write_all(text.as_bytes())
                .map(|()| 0)
                .map_err(crate::commands::stdout_error)
        }
        args::Command::Template(args::TemplateCommand::Check(args)) => {
            let report = template_check::compute(&args.dir)?;
            template_check::print(&report, out)?;
            report.status().map(|()| 0)
        }
        args::Command::Template(args::TemplateCommand::Test(args)) => {
            let options = args.into_options();
            let summary = template_test::compute(&options)?;
            template_test::print(&summary, options.json, out)?;
            summary.status().map(|()| 0)
        }
        args::Command::Template(args::TemplateCommand::Release(args)) => {
            let cut = crate::commands::template_release::cut(
                &args.dir,
                &args.version,
                args.allow_ignored,
            )?;
            write!(out, "{cut}")
                .map(|()| 0)
                .map_err(|e| Error::io("<stdout>", e))
        }
    }
}

/// The completion script of `shell` for the whole command line.
fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<()> {
    use clap::CommandFactory as _;
    // Generated into memory first: clap_complete panics when its writer fails (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut args::Cli::command(), "groundwork", &mut script);
    out.write_all(&script)
        .and_then(|()| out.flush())
        .map_err(crate::commands::stdout_error)
}

/// The manual page groundwork(1), or that of the command `path` names (`["template", "release"]`
/// is groundwork-template-release(1)), in roff.
fn man_page(path: &[String], out: &mut dyn Write) -> Result<()> {
    use clap::CommandFactory as _;
    let mut page_of = args::Cli::command();
    page_of.build();
    for name in path {
        let known: Vec<&str> = page_of
            .get_subcommands()
            .map(clap::Command::get_name)
            .filter(|name| *name != "help")
            .collect();
        let Some(sub) = page_of.find_subcommand(name) else {
            return Err(Error::Usage(if known.is_empty() {
                format!(
                    "`{}` has no commands",
                    page_of.get_bin_name().unwrap_or("groundwork")
                )
            } else {
                format!("no command `{name}`: the commands are {}", known.join(", "))
            }));
        };
        page_of = sub.clone();
    }
    let mut page = Vec::new();
    clap_mangen::Man::new(page_of)
        .render(&mut page)
        .map_err(crate::commands::stdout_error)?;
    out.write_all(&page)
        .and_then(|()| out.flush())
        .map_err(crate::commands::stdout_error)
}

/// Prompts only when someone can answer: a terminal on stdin and no --defaults.
fn prompter(
    terminal: &mut terminal::TerminalPrompter,
    unattended: bool,
) -> Option<&mut dyn Prompter> {
    if !unattended && std::io::stdin().is_terminal() {
        Some(terminal)
    } else {
        None
    }
}
