//! `groundwork recover DEST`: does on request what every run that claims a destination does first.
//! It takes the destination's lock, rolls back a forced write or update that was killed midway
//! (from the journal in its staging folder, including a `.git` its git step was making), removes
//! staging folders whose owner is gone (beside the destination and inside it), and reports each
//! thing it did, or that there was nothing to recover.

use std::io::Write;
use std::path::PathBuf;

use cap_std::fs::Dir;

use crate::commands::new::stdout_error;
use crate::core::error::{Error, Result};
use crate::write::destination::{self, Claim};

#[derive(Debug, Clone)]
pub struct RecoverOptions {
    /// The destination of the interrupted run (absolute).
    pub destination: PathBuf,
}

/// Recovers `options.destination` and prints what was done. Fails (exit 1) when another run holds
/// the destination, or when a rollback or removal failed (the staging folder is kept for a retry).
pub fn run(options: &RecoverOptions, out: &mut dyn Write) -> Result<i32> {
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
    if swept.is_empty() && stale.is_empty() {
        writeln!(
            out,
            "Nothing to recover in {}: no interrupted groundwork run left a journal or a staging folder there.",
            destination.display()
        )
        .map_err(stdout_error)?;
        return Ok(0);
    }
    // The work is done; a closed stdout must not hide that part of it failed.
    let failures = swept.iter().filter(|s| s.is_failure()).count();
    let mut printed = Ok(());
    for swept in &swept {
        match swept {
            // The error below says it.
            crate::write::apply::Swept::Stopped { .. } => continue,
            crate::write::apply::Swept::Failed { .. }
            | crate::write::apply::Swept::Untrusted { .. } => {
                swept.print();
                continue;
            }
            _ => {}
        }
        if printed.is_ok() {
            printed = writeln!(out, "{}", capitalized(&swept.sentence()));
        }
    }
    for stale in &stale {
        let (path, pid, maker) = (stale.path.display(), stale.pid, stale.kind.maker());
        printed = printed.and_then(|()| {
            writeln!(
                out,
                "Removed {path}, left by {maker} of a killed groundwork run (process {pid})"
            )
        });
    }
    if let Some(crate::write::apply::Swept::Stopped { undone, .. }) = swept
        .iter()
        .find(|s| matches!(s, crate::write::apply::Swept::Stopped { .. }))
    {
        return Err(Error::RecoveryStopped {
            path: destination.clone(),
            undone: *undone,
        });
    }
    if failures > 0 {
        return Err(Error::RecoveryIncomplete {
            path: destination.clone(),
            failures,
        });
    }
    printed.map_err(stdout_error)?;
    Ok(0)
}

fn capitalized(sentence: &str) -> String {
    let mut chars = sentence.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
