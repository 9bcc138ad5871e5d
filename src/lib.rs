//! groundwork: render a template into a ready-to-operate repository.
//!
//! The library holds everything; the binary only calls [`start`] and [`run`]. Rendering is a pure
//! function from (template, answers) to an in-memory tree; writing is one planned, atomic apply.
//! The layers below are private to the crate (`docs/architecture.md`); [`api`] is the one surface
//! the binary, the integration tests and the fuzz targets use.

pub(crate) mod cli;
pub(crate) mod commands;
pub(crate) mod core;
pub(crate) mod dialect;
pub(crate) mod merge;
pub(crate) mod project;
pub(crate) mod source;
pub(crate) mod template;
pub(crate) mod write;

pub use cli::{run, start};

/// What code outside the crate may use, and nothing else: the commands the integration tests
/// drive in process (with a scripted prompter), the path rules and the write steps the property
/// tests exercise, and the parsers and renderers the fuzz targets feed. Everything here is also
/// reachable through the binary; this only saves a process where a test needs to look inside.
pub mod api {
    /// `new` and `update`, run in process.
    pub use crate::commands::new::run as new;
    pub use crate::commands::update::{UpdateOptions, run as update};
    /// The rendered tree and its path rules.
    pub use crate::core::error::{Error, Result};
    pub use crate::core::tree::{Entry, Tree, check_relative};
    /// Memory limits as the watchdog derives them.
    pub use crate::core::watchdog::{memory_limits, real_memory_limit};
    /// Templates and where they come from.
    pub use crate::dialect::Template;
    pub use crate::dialect::cookiecutter::CookiecutterTemplate;
    pub use crate::dialect::cookiecutter::hooks::{Accept, HookOptions};
    pub use crate::dialect::native::answers::collect;
    pub use crate::dialect::native::render as render_native;
    pub use crate::dialect::native::tera::Expressions;
    pub use crate::project::create::{NewOptions, Rendered, Target, render};
    pub use crate::source::Source;
    pub use crate::source::release::builtin_versions;
    pub use crate::template::TemplateFile;
    /// Asking questions: the prompter a test scripts, and the questions it is shown.
    pub use crate::template::answers::{Mode, Presets, Prompter, UserDefaults};
    pub use crate::template::manifest::{self, Manifest, Question};
    /// Claiming, planning and applying a write.
    pub use crate::write::apply::apply;
    pub use crate::write::destination::{Claim, is_locked, lock, open_dir_nofollow};
    pub use crate::write::plan::Existing;
    pub use crate::write::plan::plan_new;
}
