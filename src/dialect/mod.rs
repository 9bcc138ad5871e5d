pub mod cookiecutter;
pub mod native;
