//! A project as groundwork keeps it: its pristine render (what the recorded template and answers
//! give), how far the disk has drifted from that render, which project a folder inside one belongs
//! to, and the names a project is known by.
//! Above the template, dialect, source, write and merge layers; below the commands.

pub(crate) mod create;
pub(crate) mod discover;
pub(crate) mod drift;
pub(crate) mod generate;
pub(crate) mod pristine;
pub(crate) mod user;

use std::path::Path;

/// The last component of the destination, offered to question defaults.
pub(crate) fn destination_name(destination: &Path) -> String {
    // `absolute` fails only when the working directory cannot be read; the name as given is then
    // the best default there is, and a default is no reason to stop.
    let absolute = std::path::absolute(destination).unwrap_or_else(|_| destination.to_owned());
    absolute
        .components()
        .next_back()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default()
}
