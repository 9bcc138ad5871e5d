//! `groundwork recover DEST`: does on request what every run that claims a destination does first.
//! It takes the destination's lock, rolls back a forced write or update that was killed midway
//! (from the journal in its staging folder, including a `.git` its git step was making), removes
//! staging folders whose owner is gone (beside the destination and inside it), and reports each
//! thing it did, or that there was nothing to recover.

use std::io::Write;
use std::path::PathBuf;

use cap_std::fs::Dir;

use crate::commands::stdout_error;
use crate::core::error::{Error, Result};
use crate::dialect::cookiecutter::hooks::StaleTemp;
use crate::write::apply::Swept;
use crate::write::destination::{self, Claim};

#[derive(Debug, Clone)]
pub(crate) struct RecoverOptions {
    /// The destination of the interrupted run (absolute).
    pub destination: PathBuf,
}

/// What `recover` did: what it found of interrupted runs at the destination, and what killed runs
/// left in the temporary folder.
#[derive(Debug)]
pub(crate) struct Recovery {
    pub destination: PathBuf,
    pub swept: Vec<Swept>,
    pub stale: Vec<StaleTemp>,
}

/// Recovers `options.destination`: takes its lock, rolls back and sweeps. Fails only when it cannot
/// start (another run holds the destination, it cannot be read); what failed on the way is in
/// the [`Recovery`] (see [`Recovery::status`]).
pub(crate) fn compute(options: &RecoverOptions) -> Result<Recovery> {
    let destination = &options.destination;
    let swept = match std::fs::symlink_metadata(destination) {
        // A killed fresh `new` leaves no destination, only its staging folder beside it (or,
        // when folders above the destination were missing too, in the nearest one that exists).
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let (parent, _) = destination::split(destination);
            let (home, _) =
                destination::nearest_existing(&parent).map_err(|e| Error::io(&parent, e))?;
            match Dir::open_ambient_dir(&home, cap_std::ambient_authority()) {
                Ok(dir) => crate::write::apply::sweep_quietly(&dir, &home),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                Err(e) => return Err(Error::io(&home, e)),
            }
        }
        Err(e) => return Err(Error::io(destination, e)),
        Ok(_) => Claim::acquire_recovering(destination)?.1,
    };
    // What killed runs left of their hooks, checks and temporary git clones in the temporary
    // folder (any destination).
    let stale = crate::dialect::cookiecutter::hooks::sweep_stale_temp();
    Ok(Recovery {
        destination: destination.clone(),
        swept,
        stale,
    })
}

impl Recovery {
    /// The error the run ends with: a rollback a signal stopped, or removals that failed (their
    /// staging folders are kept for a retry).
    pub(crate) fn status(&self) -> Result<()> {
        if let Some(Swept::Stopped { undone, .. }) = self
            .swept
            .iter()
            .find(|s| matches!(s, Swept::Stopped { .. }))
        {
            return Err(Error::RecoveryStopped {
                path: self.destination.clone(),
                undone: *undone,
            });
        }
        let failures = self.swept.iter().filter(|s| s.is_failure()).count();
        if failures > 0 {
            return Err(Error::RecoveryIncomplete {
                path: self.destination.clone(),
                failures,
            });
        }
        Ok(())
    }
}

/// Prints each thing recovery did on `out` (failures as warnings on stderr), or that there was
/// nothing to recover.
pub(crate) fn print(recovery: &Recovery, out: &mut dyn Write) -> Result<()> {
    if recovery.swept.is_empty() && recovery.stale.is_empty() {
        return writeln!(
            out,
            "Nothing to recover in {}: no interrupted groundwork run left a journal or a staging folder there.",
            recovery.destination.display()
        )
        .map_err(stdout_error);
    }
    // The work is done; a closed stdout must not hide that part of it failed: every failure is
    // still printed on stderr.
    let mut printed = Ok(());
    for swept in &recovery.swept {
        match swept {
            // The error (`Recovery::status`) says it.
            Swept::Stopped { .. } => continue,
            Swept::Failed { .. } | Swept::Untrusted { .. } => {
                swept.print();
                continue;
            }
            _ => {}
        }
        if printed.is_ok() {
            printed = writeln!(out, "{}", capitalized(&swept.sentence()));
        }
    }
    for stale in &recovery.stale {
        let (path, pid, maker) = (stale.path.display(), stale.pid, stale.kind.maker());
        printed = printed.and_then(|()| {
            writeln!(
                out,
                "Removed {path}, left by {maker} of a killed groundwork run (process {pid})"
            )
        });
    }
    printed.map_err(stdout_error)
}

/// `groundwork recover`: [`compute`], [`print`], then the recovery's own failure, which comes
/// before a failure to print.
pub(crate) fn run(options: &RecoverOptions, out: &mut dyn Write) -> Result<Recovery> {
    let recovery = compute(options)?;
    let printed = print(&recovery, out);
    recovery.status()?;
    printed?;
    Ok(recovery)
}

fn capitalized(sentence: &str) -> String {
    let mut chars = sentence.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
