//! The ground floor: errors, stderr, the in-memory tree of files, bounded input, the watchdog, the
//! stop request and the test suite's fault points. Imports nothing else of the crate.

pub mod env;
pub mod error;
pub mod fault;
pub mod file;
pub mod input;
pub mod interrupt;
pub mod report;
pub mod signals;
pub mod tree;
pub mod watchdog;
