pub(crate) mod apply;
pub(crate) mod destination;
pub(crate) mod git;
pub(crate) mod journal;
pub(crate) mod plan;
