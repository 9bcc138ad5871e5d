pub mod apply;
pub mod destination;
pub mod git;
pub(crate) mod journal;
pub mod plan;
