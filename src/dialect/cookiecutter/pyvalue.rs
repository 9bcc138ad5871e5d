//! Python's view of template values: `str()`, `repr()` and float text as Python prints them,
//! tuples, and the one check every size a template chooses goes through. Shared by the Jinja
//! engine and the Python string methods, below both.

use std::fmt::Write as _;

use minijinja::value::{Value, ValueKind};

/// `width` when `times` runs of that many characters fit in one rendered file (the per-file
/// limit, [`crate::dialect::native::MAX_FILE_ENV`]); an error otherwise. A width is a number in the
/// template's hands: asked of the allocator at once, a huge one would abort the process before
/// the watchdog could say why, and its result could not be written anyway.
pub(super) fn checked_width(
    filter: &str,
    width: usize,
    times: usize,
) -> Result<usize, minijinja::Error> {
    checked_count(filter, "width", width, times)
}

/// [`checked_width`] for any count the template chooses that sizes a result at once (`what` is
/// "width" or "precision", as the caller's syntax calls it): every such count in the cookiecutter
/// engine and its Python string methods is refused here, with one wording.
pub(super) fn checked_count(
    filter: &str,
    what: &str,
    count: usize,
    times: usize,
) -> Result<usize, minijinja::Error> {
    let limit = crate::dialect::native::Limits::from_env().file;
    match count.checked_mul(times) {
        Some(total) if total as u64 <= limit => Ok(count),
        _ => Err(invalid(format!(
            "{filter}: a {what} of {count} makes a result over the limit of {limit} bytes per file ({})",
            crate::dialect::native::MAX_FILE_ENV
        ))),
    }
}

pub(super) fn invalid(message: impl Into<String>) -> minijinja::Error {
    minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, message.into())
}

/// A template value from any serializable data (JSON maps keep their order).
pub(crate) fn value_of<T: serde::Serialize>(data: &T) -> Value {
    Value::from(minijinja::value::Serde(data))
}

/// A tuple value (minijinja's `Tuple`, which tuple displays in templates also make): printed
/// as Python prints tuples, and made where Python makes them (the pairs of `dict.items()`,
/// `dictsort` and `items`, `str.partition`).
pub(crate) fn tuple(items: Vec<Value>) -> Value {
    Value::from(minijinja::value::Tuple::new(items))
}

/// Python's `str()` of a value.
pub(crate) fn py_str(value: &Value) -> String {
    match value.kind() {
        ValueKind::String => value.as_str().unwrap_or_default().to_owned(),
        _ => py_repr(value),
    }
}

/// Python's `repr()` of a value.
pub(crate) fn py_repr(value: &Value) -> String {
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => "None".into(),
        ValueKind::Bool => if value.is_true() { "True" } else { "False" }.into(),
        ValueKind::Number => py_number(value),
        ValueKind::String => py_str_repr(value.as_str().unwrap_or_default()),
        ValueKind::Seq | ValueKind::Iterable => {
            let items: Vec<String> = value
                .try_iter()
                .map(|it| it.map(|v| py_repr(&v)).collect())
                .unwrap_or_default();
            // `groupby` gives (grouper, list) pairs, which are tuples in Jinja2 too.
            let group = value.as_object().is_some()
                && value.get_attr("grouper").is_ok_and(|g| !g.is_undefined());
            if value.is_tuple() || group {
                if items.len() == 1 {
                    format!("({},)", items[0])
                } else {
                    format!("({})", items.join(", "))
                }
            } else {
                format!("[{}]", items.join(", "))
            }
        }
        ValueKind::Map => {
            let items: Vec<String> = value
                .try_iter()
                .map(|it| {
                    it.map(|k| {
                        let v = value.get_item(&k).unwrap_or_default();
                        format!("{}: {}", py_repr(&k), py_repr(&v))
                    })
                    .collect()
                })
                .unwrap_or_default();
            format!("{{{}}}", items.join(", "))
        }
        _ => value.to_string(),
    }
}

fn py_number(value: &Value) -> String {
    if value.is_integer() {
        return value.to_string();
    }
    f64::try_from(value.clone()).map_or_else(|_| value.to_string(), py_float)
}

/// Python's `repr(float)`: shortest round-trip digits, scientific below 1e-4 and from 1e16.
pub(crate) fn py_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if (-4..16).contains(&exp) {
        let n = i32::try_from(digits.len()).unwrap_or(i32::MAX);
        let s = if exp < 0 {
            let zeros = usize::try_from(-exp - 1).unwrap_or(0);
            format!("0.{}{digits}", "0".repeat(zeros))
        } else if exp + 1 >= n {
            let zeros = usize::try_from(exp + 1 - n).unwrap_or(0);
            format!("{digits}{}.0", "0".repeat(zeros))
        } else {
            let point = usize::try_from(exp + 1).unwrap_or(0);
            format!("{}.{}", &digits[..point], &digits[point..])
        };
        format!("{sign}{s}")
    } else {
        let m = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits.clone()
        };
        let es = if exp < 0 { "-" } else { "+" };
        format!("{sign}{m}e{es}{:02}", exp.abs())
    }
}

/// Python's `repr(str)`.
fn py_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}
