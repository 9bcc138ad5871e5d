//! The Tera engine for native templates: one `Tera` instance holding every `*.tera` file of a
//! template (so they can include each other), groundwork's extra filters, and the answers as the
//! context. Also evaluates question defaults and `when` conditions. It never touches a disk.

use std::fmt::Write as _;

use heck::{ToKebabCase, ToPascalCase, ToSnakeCase};
use tera::{Context, Kwargs, State, Tera};

use crate::core::error::{Error, Result};
use crate::core::file::is_text;
use crate::dialect::Template;
use crate::template::answers::{Answers, Value};
use crate::template::manifest::RENDER_SUFFIX;

/// The name of the internal filter that turns an expression's value into JSON.
const VALUE_FILTER: &str = "__groundwork_value";

/// A Tera instance with groundwork's filters registered.
fn new_tera() -> Tera {
    let mut tera = Tera::default();
    tera.autoescape_on(Vec::<&str>::new());
    tera.register_filter("json_encode", tera_contrib::json::json_encode);
    tera.register_filter("date", tera_contrib::dates::date);
    tera.register_function("now", tera_contrib::dates::now);
    tera.register_test("before", tera_contrib::dates::is_before);
    tera.register_test("after", tera_contrib::dates::is_after);
    tera.register_filter(VALUE_FILTER, |v: &tera::Value, _: Kwargs, _: &State| {
        serde_json::to_string(v).unwrap_or_default()
    });
    tera.register_filter("slugify", |s: &str, _: Kwargs, _: &State| slug::slugify(s));
    tera.register_filter("snake_case", |s: &str, _: Kwargs, _: &State| {
        s.to_snake_case()
    });
    tera.register_filter("kebab_case", |s: &str, _: Kwargs, _: &State| {
        s.to_kebab_case()
    });
    tera.register_filter("pascal_case", |s: &str, _: Kwargs, _: &State| {
        s.to_pascal_case()
    });
    tera
}

fn context(answers: &Answers) -> Context {
    let mut context = Context::new();
    for (name, value) in answers.iter() {
        context.insert(name.to_owned(), value);
    }
    context
}

/// The template file a Tera error points into, when it points into one.
fn template_of(error: &tera::Error) -> Option<String> {
    match error.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            Some(report.filename().to_owned())
        }
        _ => None,
    }
}

/// Every filter a template can use: Tera's own, tera-contrib's and groundwork's (documented, with an
/// example each, in docs/template-format.md).
pub(crate) const FILTERS: &[&str] = &[
    "abs",
    "capitalize",
    "date",
    "default",
    "escape",
    "escape_html",
    "escape_xml",
    "first",
    "float",
    "get",
    "group_by",
    "indent",
    "int",
    "join",
    "json_encode",
    "kebab_case",
    "keys",
    "last",
    "length",
    "lower",
    "newlines_to_br",
    "nth",
    "pairs",
    "pascal_case",
    "pluralize",
    "replace",
    "reverse",
    "round",
    "safe",
    "slugify",
    "snake_case",
    "sort",
    "split",
    "str",
    "title",
    "trim",
    "trim_end",
    "trim_start",
    "truncate",
    "unique",
    "upper",
    "values",
    "wordcount",
];

/// Tera's message with its causes, which carry the line and the offending variable.
fn describe(error: &tera::Error) -> String {
    // Tera starts its reports with "error: ", which groundwork prints itself.
    let text = error.to_string();
    let mut message = text.strip_prefix("error: ").unwrap_or(&text).to_owned();
    if message.starts_with("Unknown filter") {
        let _ = write!(
            message,
            "\nknown filters: {} (see docs/template-format.md)",
            FILTERS.join(", ")
        );
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let _ = write!(message, ": {cause}");
        source = cause.source();
    }
    message
}

/// The file a Tera report points at (` --> path:line:column`), when it names one.
fn reported_file(message: &str) -> Option<String> {
    let (_, rest) = message.split_once(" --> ")?;
    let location = rest.lines().next()?;
    let mut parts = location.rsplitn(3, ':');
    let (_column, _line, path) = (parts.next()?, parts.next()?, parts.next()?);
    Some(path.to_owned())
}

/// Tera treats an undefined variable inside a condition as false, so a misspelt name in a `when`
/// or an `{% if %}` would silently change the output. Every top-level variable a template uses
/// must therefore be a known name; this returns the first that is not, with its line.
fn undefined_variable(tera: &Tera, name: &str, text: &str, known: &[&str]) -> Option<String> {
    let mut unknown: Vec<&str> = tera
        .get_template_variables(name)
        .ok()?
        .into_iter()
        .filter(|v| !known.contains(v))
        .collect();
    unknown.sort_unstable();
    let variable = unknown.first()?;
    let word = regex::Regex::new(&format!(r"\b{}\b", regex::escape(variable))).ok()?;
    // A one-line snippet (a `when`, a default, a path segment) has no line worth naming.
    // Named as Tera names a syntax error's place (`file:line:`), so both read alike.
    let place = text
        .lines()
        .position(|l| word.is_match(l))
        .filter(|_| text.contains('\n'))
        .map_or(String::new(), |i| format!("{name}:{}: ", i + 1));
    Some(format!(
        "{place}variable `{variable}` is not defined; defined: {}",
        known.join(", ")
    ))
}

/// The top-level variables `expression` (a Tera expression such as `a != 'x' or b`) uses, sorted;
/// an error when it does not parse.
pub(crate) fn expression_variables(expression: &str) -> Result<Vec<String>, String> {
    let mut tera = new_tera();
    tera.add_raw_template(
        "expression",
        &format!("{{% if {expression} %}}{{% endif %}}"),
    )
    .map_err(|e| format!("{expression:?} is not a valid expression: {}", describe(&e)))?;
    let mut names: Vec<String> = tera
        .get_template_variables("expression")
        .map_err(|e| describe(&e))?
        .into_iter()
        .map(str::to_owned)
        .collect();
    names.sort_unstable();
    Ok(names)
}

/// The top-level variables a piece of template text (such as a path segment) uses, sorted; empty
/// when it does not parse (rendering reports that).
pub(crate) fn text_variables(text: &str) -> Vec<String> {
    let mut tera = new_tera();
    if tera.add_raw_template("text", text).is_err() {
        return Vec::new();
    }
    let mut names: Vec<String> = tera
        .get_template_variables("text")
        .map(|names| names.into_iter().map(str::to_owned).collect())
        .unwrap_or_default();
    names.sort_unstable();
    names
}

/// Checks a one-off expression or path segment for undefined variables.
fn check_snippet(text: &str, known: &[&str]) -> Result<(), String> {
    let mut tera = new_tera();
    tera.add_raw_template("snippet", text)
        .map_err(|e| describe(&e))?;
    match undefined_variable(&tera, "snippet", text, known) {
        Some(message) => Err(message),
        None => Ok(()),
    }
}

pub(crate) struct TeraEngine {
    tera: Tera,
    context: Context,
    known: Vec<String>,
}

impl TeraEngine {
    /// Parses every text `*.tera` file of the template; a syntax error names the file and line.
    pub(crate) fn new(template: &Template, answers: &Answers) -> Result<Self> {
        let mut tera = new_tera();
        let known: Vec<String> = answers.iter().map(|(name, _)| name.to_owned()).collect();
        let known_refs: Vec<&str> = known.iter().map(String::as_str).collect();
        let mut sources = Vec::new();
        for file in template.project.iter().chain(&template.partials) {
            if !file.path.ends_with(RENDER_SUFFIX) || !is_text(&file.contents) {
                continue;
            }
            if let Ok(text) = std::str::from_utf8(&file.contents) {
                sources.push((file.path.as_str(), text));
            }
        }
        // Added in one batch so that includes resolve whatever the file order.
        tera.add_raw_templates(sources.iter().copied())
            .map_err(|e| {
                let message = describe(&e);
                Error::Render {
                    path: template_of(&e)
                        .filter(|p| !p.is_empty())
                        .or_else(|| reported_file(&message))
                        .unwrap_or_default(),
                    message,
                }
            })?;
        for (path, text) in sources {
            if let Some(message) = undefined_variable(&tera, path, text, &known_refs) {
                return Err(Error::Render {
                    path: path.to_owned(),
                    message,
                });
            }
        }
        Ok(TeraEngine {
            tera,
            context: context(answers),
            known,
        })
    }
}

impl Engine for TeraEngine {
    fn render_str(&self, text: &str) -> Result<String, String> {
        let _phase = crate::core::watchdog::guard("a template expression");
        let known: Vec<&str> = self.known.iter().map(String::as_str).collect();
        check_snippet(text, &known)?;
        self.tera
            .render_str(text, &self.context, false)
            .map_err(|e| describe(&e))
    }

    fn render_file(&self, path: &str) -> Result<String, String> {
        let _phase = crate::core::watchdog::guard(&format!("template file `{path}`"));
        self.tera
            .render(path, &self.context)
            .map_err(|e| describe(&e))
    }
}

/// Evaluates question defaults and conditions against the answers given so far.
pub struct Expressions {
    tera: Tera,
    destination_name: String,
    /// The user's git `user.name` and `user.email` (empty when unset), for defaults only.
    git_identity: [String; 2],
}

/// The names defaults may use besides the answers so far: not answers, so files cannot depend on
/// where or by whom the project was created.
const DEFAULTS_ONLY: [&str; 3] = ["destination_name", "git_user_name", "git_user_email"];

impl Expressions {
    /// `destination_name` (the last component of the destination) is offered to defaults only; it
    /// is not an answer, so files cannot depend on where the project was created.
    pub fn new(destination_name: &str) -> Self {
        Expressions {
            tera: new_tera(),
            destination_name: destination_name.to_owned(),
            git_identity: [String::new(), String::new()],
        }
    }

    /// Offers the user's git identity to defaults as `git_user_name` and `git_user_email` (empty
    /// strings when unset, so `{% if git_user_name %}` picks a fallback).
    #[must_use]
    pub fn with_git_identity(mut self, name: Option<&str>, email: Option<&str>) -> Self {
        self.git_identity = [
            name.unwrap_or_default().to_owned(),
            email.unwrap_or_default().to_owned(),
        ];
        self
    }

    pub fn scope(&self, answers: &Answers) -> Scope<'_> {
        let mut context = context(answers);
        let [name, email] = &self.git_identity;
        for (key, value) in DEFAULTS_ONLY
            .iter()
            .zip([&self.destination_name, name, email])
        {
            // A question of the same name wins over the git identity (not over
            // `destination_name`, which is the scope's own).
            if *key == "destination_name" || !context.contains_key(key) {
                context.insert(*key, value);
            }
        }
        let mut known: Vec<String> = answers.iter().map(|(n, _)| n.to_owned()).collect();
        known.extend(
            DEFAULTS_ONLY
                .iter()
                .filter(|n| !known.iter().any(|k| k == *n))
                .map(|n| (*n).to_owned())
                .collect::<Vec<_>>(),
        );
        Scope {
            tera: &self.tera,
            context,
            known,
        }
    }

    /// A scope without `destination_name`, for what files see (computed values).
    pub fn file_scope(&self, answers: &Answers) -> Scope<'_> {
        Scope {
            tera: &self.tera,
            context: context(answers),
            known: answers.iter().map(|(n, _)| n.to_owned()).collect(),
        }
    }
}

pub struct Scope<'a> {
    tera: &'a Tera,
    context: Context,
    known: Vec<String>,
}

impl Scope<'_> {
    /// Adds one value, as [`Expressions::scope`] would have from answers holding it: asking
    /// question after question extends one scope instead of building each from all answers so
    /// far (which made thousands of questions take minutes).
    pub fn insert(&mut self, name: &str, value: &Value) {
        // The context is a map: it knows the names in it without a walk through `known`.
        if self.context.contains_key(name) {
            // `destination_name` is the scope's own: an answer does not override it.
            if name != "destination_name" {
                self.context.insert(name.to_owned(), value);
            }
            return;
        }
        self.context.insert(name.to_owned(), value);
        // Listed (in "defined: ...") in answer order, the names only defaults see last.
        let at = self
            .known
            .iter()
            .position(|k| DEFAULTS_ONLY.contains(&k.as_str()))
            .unwrap_or(self.known.len());
        self.known.insert(at, name.to_owned());
    }

    pub fn render(&self, text: &str) -> Result<String, String> {
        // Every expression runs under the watchdog, whether or not its caller opened a phase.
        let _phase = crate::core::watchdog::guard("a template expression");
        let known: Vec<&str> = self.known.iter().map(String::as_str).collect();
        check_snippet(text, &known)?;
        self.tera
            .render_str(text, &self.context, false)
            .map_err(|e| describe(&e))
    }

    /// The value of a Tera expression such as `serving != 'none' or training != 'none'`.
    pub fn evaluate(&self, expression: &str) -> Result<serde_json::Value, String> {
        let probe = format!("{{{{ ({expression}) | {VALUE_FILTER} }}}}");
        let json = self.render(&probe)?;
        serde_json::from_str(&json).map_err(|e| format!("cannot read its value {json:?}: {e}"))
    }

    /// Whether a Tera expression such as `serving != 'none'` is truthy.
    pub fn truthy(&self, expression: &str) -> Result<bool, String> {
        let probe = format!("{{% if {expression} %}}1{{% endif %}}");
        self.render(&probe).map(|out| out == "1")
    }
}

/// A template engine for one template and one set of answers.
pub(crate) trait Engine {
    /// Renders a short piece of template text, such as a path segment.
    fn render_str(&self, text: &str) -> Result<String, String>;
    /// Renders the contents of the template file at `path`.
    fn render_file(&self, path: &str) -> Result<String, String>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_filters_convert_case() {
        let expressions = Expressions::new("churn-model");
        let scope = expressions.scope(&Answers::default());
        let out = scope
            .render("{{ destination_name | snake_case }} {{ 'Churn Model' | kebab_case }} {{ 'churn model' | pascal_case }} {{ 'Churn Model!' | slugify }}")
            .unwrap();
        assert_eq!(out, "churn_model churn-model ChurnModel churn-model");
    }

    /// Every row of the filter, test and function tables in docs/template-format.md renders as
    /// documented.
    #[test]
    fn documented_filters_tests_and_functions_render_as_documented() {
        let docs = include_str!("../../../docs/template-format.md");
        let section = docs
            .split_once("### Filters, tests and functions")
            .expect("the docs have the filter section")
            .1;
        let mut context = Context::new();
        context.insert("project_name", "Churn Model");
        context.insert("extras", &["docs", "lint"]);
        context.insert("replicas", &3);
        let mut owner = std::collections::BTreeMap::new();
        owner.insert("name", "ds");
        owner.insert("team", "ml");
        context.insert("owner", &owner);
        let tera = new_tera();
        let mut rows = 0;
        for line in section.lines().take_while(|l| !l.starts_with("## ")) {
            let cells: Vec<&str> = line.split(" | ").collect();
            if cells.len() != 3 || !cells[1].starts_with('`') || cells[0].contains("---") {
                continue;
            }
            let unquote = |cell: &str| {
                let cell = cell.trim().trim_end_matches('|').trim();
                let inner = cell.split('`').nth(1).unwrap_or_default().to_owned();
                inner.replace("\\|", "|").replace("\\n", "\n")
            };
            let (example, expected) = (unquote(cells[1]), unquote(cells[2]));
            let rendered = tera
                .render_str(&example, &context, false)
                .unwrap_or_else(|e| panic!("{example}: {}", describe(&e)));
            if example.contains("throw(") {
                assert!(rendered.is_empty(), "{example}");
            } else {
                assert_eq!(rendered, expected, "{example}");
            }
            rows += 1;
        }
        assert!(rows >= 55, "only {rows} documented examples found");
        let filters = section.split_once("| filter |").unwrap().1;
        let filters = filters.split_once("\n\n").unwrap().0;
        let mut documented: Vec<&str> = filters
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split(" | ").next())
            .flat_map(|names| names.split(" / "))
            .map(|name| name.trim_matches('`'))
            .collect();
        documented.sort_unstable();
        assert_eq!(
            documented, FILTERS,
            "FILTERS and the documented filters differ"
        );
    }

    #[test]
    fn conditions_are_truthy_or_not() {
        let expressions = Expressions::new("x");
        let scope = expressions.scope(&Answers::default());
        assert!(scope.truthy("destination_name == 'x'").unwrap());
        assert!(!scope.truthy("destination_name != 'x'").unwrap());
        let err = scope.truthy("undefined_thing == 'x'").unwrap_err();
        assert!(err.contains("undefined_thing"), "{err}");
    }
}
