//! The Tera engine for native templates: one `Tera` instance holding every `*.tera` file of a
//! template (so they can include each other), groundwork's extra filters, and the answers as the
//! context. Also evaluates question defaults and `when` conditions. It never touches a disk.

use heck::{ToKebabCase, ToPascalCase, ToSnakeCase};
use tera::{Context, Kwargs, State, Tera};

use super::{Engine, RENDER_SUFFIX, is_text};
use crate::answers::Answers;
use crate::error::{Error, Result};
use crate::template::Template;

/// A Tera instance with groundwork's filters registered.
fn new_tera() -> Tera {
    let mut tera = Tera::default();
    tera.autoescape_on(Vec::<&str>::new());
    tera.register_filter("slugify", |s: &str, _: Kwargs, _: &State| slug::slugify(s));
    tera.register_filter("snake_case", |s: &str, _: Kwargs, _: &State| s.to_snake_case());
    tera.register_filter("kebab_case", |s: &str, _: Kwargs, _: &State| s.to_kebab_case());
    tera.register_filter("pascal_case", |s: &str, _: Kwargs, _: &State| s.to_pascal_case());
    tera
}

fn context(answers: &Answers) -> Context {
    let mut context = Context::new();
    for (name, value) in answers.iter() {
        context.insert(name.to_owned(), value);
    }
    context
}

/// Tera's message with its causes, which carry the line and the offending variable.
fn describe(error: &tera::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    message
}

pub struct TeraEngine {
    tera: Tera,
    context: Context,
}

impl TeraEngine {
    /// Parses every text `*.tera` file of the template; a syntax error names the file and line.
    pub fn new(template: &Template, answers: &Answers) -> Result<Self> {
        let mut tera = new_tera();
        for file in &template.files {
            if !file.path.ends_with(RENDER_SUFFIX) || !is_text(&file.contents) {
                continue;
            }
            let text = std::str::from_utf8(&file.contents).expect("checked by is_text");
            tera.add_raw_template(&file.path, text)
                .map_err(|e| Error::Render {
                    path: file.path.clone(),
                    message: describe(&e),
                })?;
        }
        Ok(TeraEngine {
            tera,
            context: context(answers),
        })
    }
}

impl Engine for TeraEngine {
    fn render_str(&self, text: &str) -> Result<String, String> {
        self.tera
            .render_str(text, &self.context, false)
            .map_err(|e| describe(&e))
    }

    fn render_file(&self, path: &str) -> Result<String, String> {
        self.tera
            .render(path, &self.context)
            .map_err(|e| describe(&e))
    }
}

/// Evaluates question defaults and conditions against the answers given so far.
pub struct Expressions {
    tera: Tera,
    destination_name: String,
}

impl Expressions {
    /// `destination_name` (the last component of the destination) is offered to defaults only; it
    /// is not an answer, so files cannot depend on where the project was created.
    pub fn new(destination_name: &str) -> Self {
        Expressions {
            tera: new_tera(),
            destination_name: destination_name.to_owned(),
        }
    }

    pub fn scope(&self, answers: &Answers) -> Scope<'_> {
        let mut context = context(answers);
        context.insert("destination_name", &self.destination_name);
        Scope {
            tera: &self.tera,
            context,
        }
    }
}

pub struct Scope<'a> {
    tera: &'a Tera,
    context: Context,
}

impl Scope<'_> {
    pub fn render(&self, text: &str) -> Result<String, String> {
        self.tera
            .render_str(text, &self.context, false)
            .map_err(|e| describe(&e))
    }

    /// Whether a Tera expression such as `serving != 'none'` is truthy.
    pub fn truthy(&self, expression: &str) -> Result<bool, String> {
        let probe = format!("{{% if {expression} %}}1{{% endif %}}");
        self.render(&probe).map(|out| out == "1")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_filters_convert_case() {
        let scope = Expressions::new("churn-model").scope(&Answers::default());
        let out = scope
            .render("{{ destination_name | snake_case }} {{ 'Churn Model' | kebab_case }} {{ 'churn model' | pascal_case }} {{ 'Churn Model!' | slugify }}")
            .unwrap();
        assert_eq!(out, "churn_model churn-model ChurnModel churn-model");
    }

    #[test]
    fn conditions_are_truthy_or_not() {
        let scope = Expressions::new("x").scope(&Answers::default());
        assert!(scope.truthy("destination_name == 'x'").unwrap());
        assert!(!scope.truthy("destination_name != 'x'").unwrap());
        let err = scope.truthy("undefined_thing == 'x'").unwrap_err();
        assert!(err.contains("undefined_thing"), "{err}");
    }
}
