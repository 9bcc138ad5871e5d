pub mod pristine;
