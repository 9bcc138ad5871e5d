pub mod adopt;
pub mod check;
pub mod diff;
pub mod new;
pub mod recover;
pub mod template_check;
pub mod template_test;
pub mod update;
