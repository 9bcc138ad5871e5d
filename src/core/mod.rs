pub mod error;
pub mod input;
pub mod report;
pub mod tree;
pub mod watchdog;
