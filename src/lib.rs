//! groundwork: render a template into a ready-to-operate repository.
//!
//! The library holds everything; the binary only calls [`run`]. Rendering is a pure function from
//! (template, answers) to an in-memory tree; writing is one planned, atomic apply.

pub mod cli;
pub mod commands;
pub mod core;
pub mod dialect;
pub mod merge;
pub mod project;
pub mod source;
pub mod template;
pub mod write;

pub use cli::run;
