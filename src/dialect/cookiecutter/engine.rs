//! The Jinja2 environment cookiecutter builds (`StrictEnvironment`), on minijinja: strict
//! undefined, `keep_trailing_newline`, no auto-escaping, Python string/dict/list methods
//! (minijinja-contrib's pycompat), values printed as Python's `str()` prints them (`True`,
//! `None`, `['a', 'b']`), cookiecutter's default extensions (`jsonify`, `slugify`,
//! `random_ascii_string`, `uuid4`, `{% now %}`), `jinja2_time` and jinja2-git's tags, and the
//! `_jinja2_env_vars` minijinja can honour. It owns no files and walks nothing.
//!
//! Test-only clock: when `GROUNDWORK_COOKIECUTTER_NOW` holds an RFC 3339 timestamp (such as
//! `2024-05-06T07:08:09Z`), `{% now %}` uses it instead of the system clock, so renders can be
//! compared with Python cookiecutter run under the same fixed clock.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use minijinja::value::{Kwargs, Rest, Value, ValueKind};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use super::pyvalue::{checked_width, invalid};
use super::pyvalue::{py_float, py_repr, py_str, tuple};

/// The environment variable that fixes the clock of `{% now %}` (tests only).
pub(super) const CLOCK_ENV: &str = crate::core::env::COOKIECUTTER_NOW.name;

/// Python's `string.ascii_letters` and `string.punctuation`, for `random_ascii_string`.
const LETTERS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const PUNCTUATION: &str = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

/// A guard against templates asking for gigabytes of random text.
const MAX_RANDOM_LENGTH: usize = 1 << 20;

/// Extensions a template may list in `_extensions`: cookiecutter's own (always on), the tags
/// rewritten in `tags`, and Jinja2's loop controls (minijinja has them built in).
const KNOWN_EXTENSIONS: &[&str] = &[
    "cookiecutter.extensions.JsonifyExtension",
    "cookiecutter.extensions.RandomStringExtension",
    "cookiecutter.extensions.SlugifyExtension",
    "cookiecutter.extensions.TimeExtension",
    "cookiecutter.extensions.UUIDExtension",
    "jinja2_time.TimeExtension",
    "jinja2_git.GitExtension",
    "jinja2.ext.loopcontrols",
];

/// How the environment is configured, from the context's private variables.
#[derive(Debug, Clone)]
pub(super) struct Config {
    pub block: (String, String),
    pub variable: (String, String),
    pub comment: (String, String),
    pub line_statement_prefix: Option<String>,
    pub line_comment_prefix: Option<String>,
    pub trim_blocks: bool,
    pub lstrip_blocks: bool,
    pub keep_trailing_newline: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            block: ("{%".into(), "%}".into()),
            variable: ("{{".into(), "}}".into()),
            comment: ("{#".into(), "#}".into()),
            line_statement_prefix: None,
            line_comment_prefix: None,
            trim_blocks: false,
            lstrip_blocks: false,
            keep_trailing_newline: true,
        }
    }
}

/// A problem with `_extensions` or `_jinja2_env_vars`: (the setting, what is wrong).
pub(super) type ConfigError = (String, String);

impl Config {
    /// Reads `_extensions` and `_jinja2_env_vars` from the `cookiecutter` namespace.
    pub(super) fn from_context(
        cookiecutter: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Self, ConfigError> {
        if let Some(exts) = cookiecutter.get("_extensions") {
            let list = exts.as_array().ok_or_else(|| {
                (
                    "_extensions".to_owned(),
                    "must be a list of extension names".to_owned(),
                )
            })?;
            for ext in list {
                let name = ext.as_str().map_or_else(|| ext.to_string(), str::to_owned);
                if !KNOWN_EXTENSIONS.contains(&name.as_str()) {
                    return Err((
                        name,
                        format!(
                            "this Jinja2 extension is not available in groundwork (it runs no Python); supported: {}",
                            KNOWN_EXTENSIONS.join(", ")
                        ),
                    ));
                }
            }
        }
        let mut config = Config::default();
        let Some(vars) = cookiecutter.get("_jinja2_env_vars") else {
            return Ok(config);
        };
        let vars = vars.as_object().ok_or_else(|| {
            (
                "_jinja2_env_vars".to_owned(),
                "must be an object".to_owned(),
            )
        })?;
        for (key, value) in vars {
            let text = || {
                value
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| (key.clone(), "must be a string".to_owned()))
            };
            let truth = || {
                value
                    .as_bool()
                    .ok_or_else(|| (key.clone(), "must be true or false".to_owned()))
            };
            match key.as_str() {
                "trim_blocks" => config.trim_blocks = truth()?,
                "lstrip_blocks" => config.lstrip_blocks = truth()?,
                // Cookiecutter passes it to the environment itself, so a template naming it
                // again stops there ("got multiple values for keyword argument").
                "keep_trailing_newline" => {
                    return Err((
                        key.clone(),
                        "cookiecutter sets it itself (always true) and refuses a template that sets it again".to_owned(),
                    ));
                }
                "block_start_string" => config.block.0 = text()?,
                "block_end_string" => config.block.1 = text()?,
                "variable_start_string" => config.variable.0 = text()?,
                "variable_end_string" => config.variable.1 = text()?,
                "comment_start_string" => config.comment.0 = text()?,
                "comment_end_string" => config.comment.1 = text()?,
                "line_statement_prefix" => {
                    config.line_statement_prefix = value.as_str().map(str::to_owned);
                }
                "line_comment_prefix" => {
                    config.line_comment_prefix = value.as_str().map(str::to_owned);
                }
                "autoescape" if value == &serde_json::Value::Bool(false) => {}
                "newline_sequence" if value == "\n" => {}
                "optimized" | "cache_size" | "auto_reload" | "enable_async" => {}
                _ => {
                    return Err((
                        key.clone(),
                        "this Jinja2 environment setting is not supported by groundwork".to_owned(),
                    ));
                }
            }
        }
        Ok(config)
    }
}

/// Builds the environment; `sources` maps template names (as `{% include %}` sees them) to their
/// already preprocessed sources.
pub(super) fn environment(
    config: &Config,
    sources: Arc<BTreeMap<String, String>>,
    commit: Option<String>,
) -> Result<Environment<'static>, String> {
    let mut env = Environment::new();
    let mut syntax = minijinja::syntax::SyntaxConfig::builder();
    syntax
        .block_delimiters(config.block.0.clone(), config.block.1.clone())
        .variable_delimiters(config.variable.0.clone(), config.variable.1.clone())
        .comment_delimiters(config.comment.0.clone(), config.comment.1.clone())
        .trim_blocks(config.trim_blocks)
        .lstrip_blocks(config.lstrip_blocks)
        .keep_trailing_newline(config.keep_trailing_newline);
    if let Some(p) = &config.line_statement_prefix {
        syntax.line_statement_prefix(p.clone());
    }
    if let Some(p) = &config.line_comment_prefix {
        syntax.line_comment_prefix(p.clone());
    }
    env.set_syntax(syntax.build().map_err(|e| e.to_string())?);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_unknown_method_callback(|state, value, method, args| {
        if method == "items" && args.is_empty() && value.kind() == ValueKind::Map {
            return items(value);
        }
        if method == "update" && value.kind() == ValueKind::Map {
            return update_unchanged(value, args);
        }
        match super::pystr::method(value, method, args) {
            Some(result) => result,
            None => {
                minijinja_contrib::pycompat::unknown_method_callback(state, value, method, args)
            }
        }
    });
    env.set_formatter(|out, _state, value| {
        // minijinja refuses an undefined lookup before it gets here (strict undefined); what
        // reaches the formatter is the silent undefined of an inline `if` without `else`, which
        // Jinja2 prints as nothing.
        if value.is_undefined() {
            return Ok(());
        }
        out.write_str(&py_str(value))
            .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string()))
    });
    env.set_loader(move |name| Ok(sources.get(name).cloned()));
    // Jinja2's filters and globals minijinja keeps in contrib (truncate, wordcount, wordwrap,
    // striptags, filesizeformat, random, lipsum, cycler, joiner, ...), then the missing `center`.
    minijinja_contrib::add_to_environment(&mut env);
    env.add_filter("center", center);
    env.add_filter("truncate", truncate);
    env.add_filter("replace", replace);
    env.add_filter("jsonify", jsonify);
    env.add_filter("tojson", tojson);
    env.add_filter("int", int_filter);
    env.add_filter("float", float_filter);
    env.add_filter("wordwrap", wordwrap);
    env.add_filter("indent", indent);
    env.add_filter("__cookiecutter_percent", percent);
    env.add_filter("format", format_filter);
    env.add_filter("dictsort", dictsort);
    env.add_filter("urlencode", urlencode);
    // Python's `pprint.pformat` is `repr()` for anything that fits on its 80-column line.
    env.add_filter("pprint", |value: &Value| py_repr(value));
    env.add_filter("items", items);
    env.add_filter("slugify", slugify_filter);
    env.add_function("random_ascii_string", random_ascii_string);
    env.add_function("uuid4", uuid4);
    env.add_function("__cookiecutter_now", now);
    env.add_function("__cookiecutter_gitcommit", move |short: Option<Value>| {
        gitcommit(commit.as_deref(), short.is_some_and(|v| v.is_true()))
    });
    Ok(env)
}

/// Python's `str.center(width)`: the extra space goes left when the padding is odd and `width` is
/// odd.
fn center(value: &Value, width: Option<i64>) -> Result<String, minijinja::Error> {
    let text = py_str(value);
    let width = usize::try_from(width.unwrap_or(80)).unwrap_or(0);
    let len = text.chars().count();
    if width <= len {
        return Ok(text);
    }
    let width = checked_width("center", width, 1)?;
    let pad = width - len;
    let left = pad / 2 + (pad & width & 1);
    Ok(format!(
        "{}{text}{}",
        " ".repeat(left),
        " ".repeat(pad - left)
    ))
}

/// Jinja2's `truncate(s, length=255, killwords=False, end='...', leeway=5)`, positional or
/// keyword arguments.
#[allow(clippy::needless_pass_by_value)] // minijinja passes arguments by value
fn truncate(value: &Value, args: Rest<Value>, kwargs: Kwargs) -> Result<String, minijinja::Error> {
    let arg = |i: usize, name: &str| -> Result<Option<Value>, minijinja::Error> {
        match args.get(i) {
            Some(v) => Ok(Some(v.clone())),
            None => kwargs.get::<Option<Value>>(name),
        }
    };
    let number = |v: Option<Value>, default: usize| -> Result<usize, minijinja::Error> {
        v.filter(|v| !v.is_none()).map_or(Ok(default), |v| {
            v.as_i64()
                .and_then(|i| usize::try_from(i).ok())
                .ok_or_else(|| invalid("truncate: lengths must be non-negative integers"))
        })
    };
    let length = number(arg(0, "length")?, 255)?;
    let killwords = arg(1, "killwords")?.is_some_and(|v| v.is_true());
    let end = arg(2, "end")?.map_or_else(|| "...".to_owned(), |v| py_str(&v));
    let leeway = number(arg(3, "leeway")?, 5)?;
    kwargs.assert_all_used()?;
    let text = py_str(value);
    let chars: Vec<char> = text.chars().collect();
    let end_len = end.chars().count();
    if length < end_len {
        return Err(invalid(format!(
            "truncate: expected length >= {end_len}, got {length}"
        )));
    }
    if chars.len() <= length + leeway {
        return Ok(text);
    }
    let head: String = chars[..length - end_len].iter().collect();
    if killwords {
        return Ok(head + &end);
    }
    let kept = head
        .rsplit_once(' ')
        .map_or(head.as_str(), |(before, _)| before);
    Ok(format!("{kept}{end}"))
}

/// Jinja2's `replace(s, old, new, count=None)`.
fn replace(value: &Value, old: &str, new: &str, count: Option<i64>) -> String {
    let text = py_str(value);
    match count.and_then(|c| usize::try_from(c).ok()) {
        Some(n) => text.replacen(old, new, n),
        None => text.replace(old, new),
    }
}

/// The pairs of a sequence of pairs as tuples (what `dictsort` and `items` give in Jinja2).
fn pairs_as_tuples(value: &Value) -> Result<Value, minijinja::Error> {
    Ok(Value::from(
        value
            .try_iter()?
            .map(|pair| match pair.try_iter() {
                Ok(items) if pair.kind() == ValueKind::Seq => tuple(items.collect()),
                _ => pair,
            })
            .collect::<Vec<_>>(),
    ))
}

/// Jinja2's `dictsort`, its pairs tuples.
#[allow(clippy::needless_pass_by_value)] // minijinja passes arguments by value
fn dictsort(value: &Value, kwargs: Kwargs) -> Result<Value, minijinja::Error> {
    pairs_as_tuples(&minijinja::filters::dictsort(value, kwargs)?)
}

/// Jinja2's `items`, its pairs tuples.
fn items(value: &Value) -> Result<Value, minijinja::Error> {
    pairs_as_tuples(&minijinja::filters::items(value)?)
}

/// `json.dumps(obj, sort_keys=True, indent=indent)`: Python's separators and `ensure_ascii`.
fn jsonify(value: &Value, indent: Option<Value>) -> Result<String, minijinja::Error> {
    let indent = match indent {
        None => Some(4),
        Some(v) if v.is_none() => None,
        Some(v) => Some(
            v.as_i64()
                .and_then(|i| usize::try_from(i).ok())
                .ok_or_else(|| invalid("jsonify: indent must be a non-negative integer"))?,
        ),
    };
    let mut out = String::new();
    dump(value, indent, 0, &mut out)?;
    Ok(out)
}

/// Jinja2's `tojson(indent=None)`: `json.dumps` with sorted keys (and ASCII escapes), then the
/// characters HTML treats specially escaped.
#[allow(clippy::needless_pass_by_value)] // minijinja passes arguments by value
fn tojson(
    value: &Value,
    indent: Option<Value>,
    kwargs: Kwargs,
) -> Result<String, minijinja::Error> {
    let indent = match indent {
        Some(v) => Some(v),
        None => kwargs.get::<Option<Value>>("indent")?,
    };
    kwargs.assert_all_used()?;
    let indent = match indent {
        Some(v) if !v.is_none() => Some(
            v.as_i64()
                .and_then(|i| usize::try_from(i).ok())
                .ok_or_else(|| invalid("tojson: indent must be a non-negative integer"))?,
        ),
        _ => None,
    };
    let mut out = String::new();
    dump(value, indent, 0, &mut out)?;
    Ok(out
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\'', "\\u0027"))
}

/// Jinja2's `int(default=0, base=10)`: a value Python's `int()` (then `int(float())`) cannot
/// convert gives the default rather than an error.
#[allow(clippy::needless_pass_by_value, clippy::cast_possible_truncation)] // by value: minijinja's
fn int_filter(
    state: &minijinja::State<'_, '_>,
    value: &Value,
    default: Option<Value>,
    base: Option<u32>,
    kwargs: Kwargs,
) -> Result<Value, minijinja::Error> {
    let default = match default {
        Some(d) => d,
        None => kwargs
            .get::<Option<Value>>("default")?
            .unwrap_or(Value::from(0)),
    };
    let base = match base {
        Some(b) => b,
        None => kwargs.get::<Option<u32>>("base")?.unwrap_or(10),
    };
    kwargs.assert_all_used()?;
    if let Some(text) = value.as_str() {
        let digits = text.trim().replace('_', "");
        let (sign, digits) = match digits.strip_prefix('-') {
            Some(rest) => (-1, rest.to_owned()),
            None => (1, digits.strip_prefix('+').unwrap_or(&digits).to_owned()),
        };
        let prefixed = |p: &[&str]| {
            p.iter().find_map(|p| {
                digits
                    .to_ascii_lowercase()
                    .strip_prefix(p)
                    .map(str::to_owned)
            })
        };
        let (base, body) = match base {
            16 => (16, prefixed(&["0x"]).unwrap_or(digits.clone())),
            8 => (8, prefixed(&["0o"]).unwrap_or(digits.clone())),
            2 => (2, prefixed(&["0b"]).unwrap_or(digits.clone())),
            0 => match (prefixed(&["0x"]), prefixed(&["0o"]), prefixed(&["0b"])) {
                (Some(h), _, _) => (16, h),
                (_, Some(o), _) => (8, o),
                (_, _, Some(b)) => (2, b),
                _ => (10, digits.clone()),
            },
            b => (b, digits.clone()),
        };
        let whole = if !body.is_empty() && !body.starts_with(['+', '-']) && !text.contains("__") {
            i128::from_str_radix(&body, base).ok()
        } else {
            None
        };
        if let Some(n) = whole {
            return Ok(Value::from(sign * n));
        }
        return Ok(match text.trim().replace('_', "").parse::<f64>() {
            Ok(f) if f.is_finite() && !text.contains("__") => Value::from(f.trunc() as i128),
            _ => default,
        });
    }
    match minijinja::filters::int(
        state,
        value,
        None,
        None,
        std::iter::empty::<(&str, Value)>().collect::<Kwargs>(),
    ) {
        Ok(v) => Ok(v),
        Err(_) => Ok(default),
    }
}

/// Jinja2's `float(default=0.0)`: what Python's `float()` cannot convert gives the default.
#[allow(clippy::needless_pass_by_value)] // minijinja passes arguments by value
fn float_filter(
    state: &minijinja::State<'_, '_>,
    value: &Value,
    default: Option<Value>,
    kwargs: Kwargs,
) -> Result<Value, minijinja::Error> {
    let default = match default {
        Some(d) => d,
        None => kwargs
            .get::<Option<Value>>("default")?
            .unwrap_or(Value::from(0.0)),
    };
    kwargs.assert_all_used()?;
    if let Some(text) = value.as_str() {
        let t = text.trim();
        let parsed = match t.to_ascii_lowercase().trim_start_matches(['+', '-']) {
            "inf" | "infinity" | "nan" => t.to_ascii_lowercase().parse::<f64>().ok(),
            _ if t.contains("__") || t.starts_with('_') || t.ends_with('_') => None,
            _ => t.replace('_', "").parse::<f64>().ok(),
        };
        return Ok(parsed.map_or(default, Value::from));
    }
    match minijinja::filters::float(
        state,
        value,
        None,
        std::iter::empty::<(&str, Value)>().collect::<Kwargs>(),
    ) {
        Ok(v) => Ok(v),
        Err(_) => Ok(default),
    }
}

/// Jinja2's `format` filter, `soft_str(value) % (kwargs or args)`: Python's `%` as `percent`
/// does it, rather than minijinja's own printf, which differs from Python and asks the allocator
/// for a field's whole width at once (an abort for a huge one).
#[allow(clippy::needless_pass_by_value)] // minijinja passes arguments by value
fn format_filter(
    value: &Value,
    args: Rest<Value>,
    kwargs: Kwargs,
) -> Result<String, minijinja::Error> {
    let keys: Vec<String> = kwargs.args().map(str::to_owned).collect();
    let operand = if keys.is_empty() {
        tuple(args.to_vec())
    } else if !args.is_empty() {
        return Err(invalid(
            "format: can't handle positional and keyword arguments at the same time",
        ));
    } else {
        // Every keyword is the mapping's, so each counts as used.
        for key in &keys {
            kwargs.get::<Value>(key)?;
        }
        Value::from(kwargs)
    };
    super::pystr::percent_format(&py_str(value), &[operand])
}

/// Python's `format % args` (see `tags::percent_format`): one mapping argument fills
/// `%(name)s` fields; otherwise the arguments in order.
#[allow(clippy::needless_pass_by_value)] // minijinja passes arguments by value
fn percent(format: &Value, args: Rest<Value>) -> Result<String, minijinja::Error> {
    let text = format
        .as_str()
        .ok_or_else(|| invalid("`%` formatting needs a string on its left"))?;
    super::pystr::percent_format(text, &args)
}

/// Jinja2's `url_quote`: Python's `urllib.parse.quote` of `str(value)` (`/` kept, except in a
/// query, where spaces become `+`).
fn url_quote(value: &Value, for_query: bool) -> String {
    let mut out = String::new();
    for byte in py_str(value).bytes() {
        if byte.is_ascii_alphanumeric()
            || matches!(byte, b'_' | b'.' | b'-' | b'~')
            || (byte == b'/' && !for_query)
        {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    if for_query {
        out.replace("%20", "+")
    } else {
        out
    }
}

/// Jinja2's `urlencode`: a string (or any non-iterable) quoted as a path; a mapping, or pairs,
/// as a query string.
fn urlencode(value: &Value) -> Result<String, minijinja::Error> {
    let pairs: Vec<(Value, Value)> = match value.kind() {
        ValueKind::String | ValueKind::Number | ValueKind::Bool | ValueKind::None => {
            return Ok(url_quote(value, false));
        }
        ValueKind::Map => value
            .try_iter()?
            .map(|k| {
                let v = value.get_item(&k).unwrap_or_default();
                (k, v)
            })
            .collect(),
        _ => value
            .try_iter()?
            .map(|pair| {
                (
                    pair.get_item_by_index(0).unwrap_or_default(),
                    pair.get_item_by_index(1).unwrap_or_default(),
                )
            })
            .collect(),
    };
    Ok(pairs
        .iter()
        .map(|(k, v)| format!("{}={}", url_quote(k, true), url_quote(v, true)))
        .collect::<Vec<_>>()
        .join("&"))
}

/// Python's `str.splitlines()`: lines without their line boundaries.
fn py_splitlines(s: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let boundary = matches!(
            c,
            '\n' | '\r'
                | '\u{b}'
                | '\u{c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if boundary {
            lines.push(&s[start..i]);
            let mut end = i + c.len_utf8();
            if c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n') {
                chars.next();
                end += 1;
            }
            start = end;
        }
    }
    if start < s.len() {
        lines.push(&s[start..]);
    }
    lines
}

/// Jinja2's `indent(width=4, first=False, blank=False)`: `width` may be a string to indent
/// with; a trailing newline is kept.
#[allow(clippy::needless_pass_by_value)] // minijinja passes arguments by value
fn indent(value: &Value, args: Rest<Value>, kwargs: Kwargs) -> Result<String, minijinja::Error> {
    let names = ["width", "first", "blank"];
    let mut given: [Option<Value>; 3] = [None, None, None];
    for (i, name) in names.iter().enumerate() {
        given[i] = match args.get(i) {
            Some(v) => Some(v.clone()),
            None => kwargs.get::<Option<Value>>(name)?,
        };
    }
    if args.len() > names.len() {
        return Err(invalid("indent: too many arguments"));
    }
    kwargs.assert_all_used()?;
    let indention = match &given[0] {
        None => "    ".to_owned(),
        Some(v) if v.kind() == ValueKind::String => py_str(v),
        Some(v) => {
            let width = v
                .as_i64()
                .and_then(|i| usize::try_from(i).ok())
                .ok_or_else(|| invalid("indent: width must be an integer or a string"))?;
            " ".repeat(checked_width("indent", width, 1)?)
        }
    };
    let first = given[1].as_ref().is_some_and(Value::is_true);
    let blank = given[2].as_ref().is_some_and(Value::is_true);
    let text = py_str(value) + "\n";
    let lines = py_splitlines(&text);
    // Every line gets the indention: the result is joined in one allocation.
    checked_width("indent", indention.len(), lines.len())?;
    let mut rv = if blank {
        lines.join(&format!("\n{indention}"))
    } else {
        let mut rest = lines.iter();
        let mut rv = rest.next().map_or(String::new(), |l| (*l).to_owned());
        let tail: Vec<String> = rest
            .map(|line| {
                if line.is_empty() {
                    String::new()
                } else {
                    format!("{indention}{line}")
                }
            })
            .collect();
        if !tail.is_empty() {
            rv.push('\n');
            rv.push_str(&tail.join("\n"));
        }
        rv
    };
    if first {
        rv.insert_str(0, &indention);
    }
    Ok(rv)
}

/// Jinja2's `wordwrap(width=79, break_long_words=True, wrapstring=None, break_on_hyphens=True)`
/// with positional arguments, on minijinja-contrib's keyword-only filter.
#[allow(clippy::needless_pass_by_value)] // minijinja passes arguments by value
fn wordwrap(value: &Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, minijinja::Error> {
    let names = [
        "width",
        "break_long_words",
        "wrapstring",
        "break_on_hyphens",
    ];
    let mut given: Vec<(&str, Value)> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let v = match args.get(i) {
            Some(v) => Some(v.clone()),
            None => kwargs.get::<Option<Value>>(name)?,
        };
        if let Some(v) = v.filter(|v| !v.is_none()) {
            given.push((name, v));
        }
    }
    if args.len() > names.len() {
        return Err(invalid("wordwrap: too many arguments"));
    }
    kwargs.assert_all_used()?;
    minijinja_contrib::filters::wordwrap(value, given.into_iter().collect())
}

fn json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || !c.is_ascii() => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn dump(
    value: &Value,
    indent: Option<usize>,
    level: usize,
    out: &mut String,
) -> Result<(), minijinja::Error> {
    let newline = |out: &mut String, level: usize| -> Result<(), minijinja::Error> {
        if let Some(n) = indent {
            out.push('\n');
            out.push_str(&" ".repeat(checked_width("the JSON indent", n, level)? * level));
        }
        Ok(())
    };
    let item_sep = if indent.is_some() { "," } else { ", " };
    match value.kind() {
        ValueKind::None | ValueKind::Undefined => out.push_str("null"),
        ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::Number => {
            if value.is_integer() {
                out.push_str(&value.to_string());
            } else {
                let f = f64::try_from(value.clone()).unwrap_or(f64::NAN);
                out.push_str(&match py_float(f).as_str() {
                    "nan" => "NaN".to_owned(),
                    "inf" => "Infinity".to_owned(),
                    "-inf" => "-Infinity".to_owned(),
                    s => s.to_owned(),
                });
            }
        }
        ValueKind::String => json_str(value.as_str().unwrap_or_default(), out),
        ValueKind::Seq | ValueKind::Iterable => {
            let items: Vec<Value> = value.try_iter()?.collect();
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(item_sep);
                }
                newline(out, level + 1)?;
                dump(item, indent, level + 1, out)?;
            }
            newline(out, level)?;
            out.push(']');
        }
        ValueKind::Map => {
            let mut keys: Vec<(String, Value)> =
                value.try_iter()?.map(|k| (py_str(&k), k)).collect();
            keys.sort_by(|a, b| a.0.cmp(&b.0));
            if keys.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (name, key)) in keys.iter().enumerate() {
                if i > 0 {
                    out.push_str(item_sep);
                }
                newline(out, level + 1)?;
                json_str(name, out);
                out.push_str(": ");
                dump(&value.get_item(key)?, indent, level + 1, out)?;
            }
            newline(out, level)?;
            out.push('}');
        }
        _ => return Err(invalid(format!("jsonify: cannot serialize {value}"))),
    }
    Ok(())
}

#[allow(clippy::needless_pass_by_value)] // minijinja passes arguments by value
fn slugify_filter(
    value: &Value,
    args: Rest<Value>,
    kwargs: Kwargs,
) -> Result<String, minijinja::Error> {
    const NAMES: [&str; 12] = [
        "entities",
        "decimal",
        "hexadecimal",
        "max_length",
        "word_boundary",
        "separator",
        "save_order",
        "stopwords",
        "regex_pattern",
        "lowercase",
        "replacements",
        "allow_unicode",
    ];
    let mut o = super::slugify::Options::default();
    let mut given: Vec<(&str, Value)> = NAMES.iter().copied().zip(args.iter().cloned()).collect();
    for name in NAMES {
        if kwargs.has(name) {
            given.push((name, kwargs.get::<Value>(name)?));
        }
    }
    kwargs.assert_all_used()?;
    let strings = |v: &Value| -> Vec<String> {
        v.try_iter()
            .map(|it| it.map(|s| py_str(&s)).collect())
            .unwrap_or_default()
    };
    for (name, v) in given {
        match name {
            "entities" => o.entities = v.is_true(),
            "decimal" => o.decimal = v.is_true(),
            "hexadecimal" => o.hexadecimal = v.is_true(),
            "max_length" => {
                o.max_length = v
                    .as_i64()
                    .and_then(|i| usize::try_from(i).ok())
                    .unwrap_or(0);
            }
            "word_boundary" => o.word_boundary = v.is_true(),
            "separator" => o.separator = py_str(&v),
            "save_order" => o.save_order = v.is_true(),
            "stopwords" => o.stopwords = strings(&v),
            "regex_pattern" => o.regex_pattern = (!v.is_none()).then(|| py_str(&v)),
            "lowercase" => o.lowercase = v.is_true(),
            "replacements" => {
                o.replacements = v
                    .try_iter()
                    .map(|it| {
                        it.filter_map(|pair| {
                            let p = strings(&pair);
                            (p.len() == 2).then(|| (p[0].clone(), p[1].clone()))
                        })
                        .collect()
                    })
                    .unwrap_or_default();
            }
            _ => o.allow_unicode = v.is_true(),
        }
    }
    super::slugify::slugify(&py_str(value), &o).map_err(invalid)
}

#[allow(clippy::needless_pass_by_value)] // minijinja passes arguments by value
fn random_ascii_string(
    length: i64,
    punctuation: Option<bool>,
    kwargs: Kwargs,
) -> Result<String, minijinja::Error> {
    let punctuation = match punctuation {
        Some(p) => Some(p),
        None => kwargs.get::<Option<bool>>("punctuation")?,
    };
    kwargs.assert_all_used()?;
    let mut corpus: Vec<char> = LETTERS.chars().collect();
    if punctuation.unwrap_or(false) {
        corpus.extend(PUNCTUATION.chars());
    }
    let length = usize::try_from(length).unwrap_or(0);
    if length > MAX_RANDOM_LENGTH {
        return Err(invalid(format!(
            "random_ascii_string({length}): longer than {MAX_RANDOM_LENGTH} characters"
        )));
    }
    let mut bytes = vec![0u8; length * 2];
    getrandom(&mut bytes)?;
    Ok(bytes
        .chunks_exact(2)
        .map(|p| corpus[usize::from(u16::from_le_bytes([p[0], p[1]])) % corpus.len()])
        .collect())
}

fn getrandom(buf: &mut [u8]) -> Result<(), minijinja::Error> {
    use std::io::Read;
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(buf))
        .or_else(|_| {
            // No /dev/urandom (Windows): hash the clock and a counter.
            use std::hash::{BuildHasher, Hasher};
            for chunk in buf.chunks_mut(8) {
                let mut h = std::collections::hash_map::RandomState::new().build_hasher();
                h.write_u128(
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_nanos()),
                );
                let bytes = h.finish().to_le_bytes();
                chunk.copy_from_slice(&bytes[..chunk.len()]);
            }
            Ok::<(), std::io::Error>(())
        })
        .map_err(|e| invalid(e.to_string()))
}

fn uuid4() -> Result<String, minijinja::Error> {
    let mut b = [0u8; 16];
    getrandom(&mut b)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = crate::core::file::hex(&b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}

/// `dict.update(other)`, which Python evaluates for its effect and prints as `None`. Values here
/// cannot change (cookiecutter-django trims its answers this way in a hook); an update that
/// leaves every value as it is changes nothing and is accepted, and one that would change a value
/// is an error naming it rather than a silently different result.
fn update_unchanged(map: &Value, args: &[Value]) -> Result<Value, minijinja::Error> {
    let [other] = args else {
        return Err(invalid("dict.update() takes one mapping here"));
    };
    for key in other.try_iter()? {
        let new = other.get_item(&key)?;
        let current = map.get_item(&key)?;
        if current != new {
            return Err(invalid(format!(
                "dict.update() would change `{key}` from {current:?} to {new:?}; groundwork cannot change values from inside a template, as cookiecutter does (give the answer in its final form instead)"
            )));
        }
    }
    Ok(Value::from(()))
}

fn clock() -> Result<jiff::Timestamp, minijinja::Error> {
    // Only a build with the `test-hooks` feature (the test suite's) can be given a fixed clock.
    match crate::core::env::COOKIECUTTER_NOW.value() {
        Some(fixed) => {
            let fixed = fixed.to_string_lossy();
            fixed
                .parse::<jiff::Timestamp>()
                .map_err(|e| invalid(format!("{CLOCK_ENV}={fixed:?}: {e}")))
        }
        None => Ok(jiff::Timestamp::now()),
    }
}

/// `arrow.now(timezone)`, shifted by `offset` (`"days=1, hours=2"`) in direction `op`, formatted
/// with Python's `strftime` directives (default `%Y-%m-%d`).
#[allow(clippy::needless_pass_by_value)] // minijinja passes arguments by value
fn now(
    zone: String,
    op: Option<String>,
    offset: Option<String>,
    format: Option<String>,
) -> Result<String, minijinja::Error> {
    let tz = match zone.to_ascii_lowercase().as_str() {
        "utc" => jiff::tz::TimeZone::UTC,
        "local" => jiff::tz::TimeZone::system(),
        _ => jiff::tz::TimeZone::get(&zone)
            .map_err(|e| invalid(format!("{{% now %}}: unknown timezone {zone:?}: {e}")))?,
    };
    let mut t = clock()?.to_zoned_datetime(tz);
    if let (Some(op), Some(offset)) = (op, offset) {
        let sign = if op == "-" { -1.0 } else { 1.0 };
        for param in offset.split(',') {
            let (unit, amount) = param.split_once('=').ok_or_else(|| {
                invalid(format!("{{% now %}}: offset {param:?} is not UNIT=NUMBER"))
            })?;
            let amount: f64 = amount
                .trim()
                .parse::<f64>()
                .map_err(|e| invalid(format!("{{% now %}}: offset {param:?}: {e}")))?
                * sign;
            t = shift(&t, unit.trim(), amount)?;
        }
    }
    let format = python_strftime(&format.unwrap_or_else(|| "%Y-%m-%d".into()), &t);
    jiff::fmt::strtime::format(format.as_str(), &t)
        .map_err(|e| invalid(format!("{{% now %}}: format {format:?}: {e}")))
}

/// Python's `strftime` directives jiff spells otherwise, rewritten for jiff: `%c`, `%x` and
/// `%X` as the C locale writes them, and `%f` as six digits of microseconds.
fn python_strftime(format: &str, t: &jiff::ZonedDateTime) -> String {
    let mut out = String::with_capacity(format.len());
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('c') => out.push_str("%a %b %e %H:%M:%S %Y"),
            Some('x') => out.push_str("%m/%d/%y"),
            Some('X') => out.push_str("%H:%M:%S"),
            Some('f') => {
                let _ = write!(out, "{:06}", t.subsec_nanosecond() / 1000);
            }
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

#[allow(clippy::cast_possible_truncation)]
fn shift(
    t: &jiff::ZonedDateTime,
    unit: &str,
    amount: f64,
) -> Result<jiff::ZonedDateTime, minijinja::Error> {
    let whole = amount.trunc() as i64;
    let span = match unit {
        "years" => jiff::Span::new().try_years(whole),
        "months" => jiff::Span::new().try_months(whole),
        "weeks" => jiff::Span::new().try_weeks(whole),
        "days" => jiff::Span::new().try_days(whole),
        "hours" => jiff::Span::new().try_microseconds((amount * 3_600_000_000.0) as i64),
        "minutes" => jiff::Span::new().try_microseconds((amount * 60_000_000.0) as i64),
        "seconds" => jiff::Span::new().try_microseconds((amount * 1_000_000.0) as i64),
        "microseconds" => jiff::Span::new().try_microseconds(whole),
        _ => {
            return Err(invalid(format!(
                "{{% now %}}: unknown offset unit {unit:?}"
            )));
        }
    }
    .map_err(|e| invalid(e.to_string()))?;
    t.checked_add(span).map_err(|e| invalid(e.to_string()))
}

/// jinja2-git: `git rev-parse --verify HEAD` (or `--short`) where cookiecutter runs it, in the
/// template's checkout: `commit` when the source knows it, else the repository around the current
/// directory.
fn gitcommit(commit: Option<&str>, short: bool) -> Result<String, minijinja::Error> {
    if let Some(commit) = commit {
        return Ok(if short {
            commit.chars().take(7).collect()
        } else {
            commit.to_owned()
        });
    }
    let repo = git2::Repository::discover(".")
        .map_err(|e| invalid(format!("{{% gitcommit %}}: no git repository here: {e}")))?;
    let head = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .map_err(|e| invalid(format!("{{% gitcommit %}}: {e}")))?;
    if short {
        let buf = head
            .as_object()
            .short_id()
            .map_err(|e| invalid(format!("{{% gitcommit %}}: {e}")))?;
        Ok(buf.as_str().unwrap_or_default().to_owned())
    } else {
        Ok(head.id().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::cookiecutter::pyvalue::value_of;

    #[test]
    fn python_float_repr() {
        assert_eq!(py_float(1.0), "1.0");
        assert_eq!(py_float(0.5), "0.5");
        assert_eq!(py_float(1e20), "1e+20");
        assert_eq!(py_float(1.5e-5), "1.5e-05");
        assert_eq!(py_float(123.456), "123.456");
        assert_eq!(py_float(0.0001), "0.0001");
    }

    #[test]
    fn strftime_directives_jiff_spells_otherwise() {
        let t: jiff::Timestamp = "2024-05-06T07:08:09.25Z".parse().unwrap();
        let z = t.to_zoned_datetime(jiff::tz::TimeZone::UTC);
        let f = python_strftime("%c|%x|%X|%f|%%c", &z);
        assert_eq!(
            jiff::fmt::strtime::format(f.as_str(), &z).unwrap(),
            "Mon May  6 07:08:09 2024|05/06/24|07:08:09|250000|%c"
        );
    }

    #[test]
    fn python_reprs() {
        let v = value_of(&serde_json::json!({"a": [1, true, null, "it's"]}));
        assert_eq!(py_str(&v), "{'a': [1, True, None, \"it's\"]}");
        assert_eq!(
            jsonify(&v, None).unwrap(),
            "{\n    \"a\": [\n        1,\n        true,\n        null,\n        \"it's\"\n    ]\n}"
        );
    }
}
