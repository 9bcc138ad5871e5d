//! The ground floor: errors, stderr, the in-memory tree of files, bounded input, the watchdog, the
//! stop request and the test suite's fault points. Imports nothing else of the crate.

pub(crate) mod env;
pub(crate) mod error;
pub(crate) mod fault;
pub(crate) mod file;
pub(crate) mod input;
pub(crate) mod interrupt;
pub(crate) mod report;
pub(crate) mod signals;
pub(crate) mod tree;
pub(crate) mod watchdog;
