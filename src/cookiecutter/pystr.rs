//! Python `str` methods templates call that minijinja-contrib's pycompat lacks or answers
//! differently (`title()`, which pycompat maps to Jinja2's `title` filter). Each follows the
//! Python 3 method; lengths and positions count characters, as Python's do.

use minijinja::value::Value;
use minijinja::{Error, ErrorKind};

/// The result of `value.name(*args)`, or `None` when the method is left to pycompat.
pub fn method(value: &Value, name: &str, args: &[Value]) -> Option<Result<Value, Error>> {
    let s = value.as_str()?;
    let result = match name {
        "title" => no_args(name, args).map(|()| Value::from(title(s))),
        "swapcase" => no_args(name, args).map(|()| Value::from(swapcase(s))),
        "casefold" => {
            no_args(name, args).map(|()| Value::from(s.to_lowercase().replace('ß', "ss")))
        }
        "isidentifier" => no_args(name, args).map(|()| Value::from(is_identifier(s))),
        "isdecimal" => no_args(name, args)
            .map(|()| Value::from(!s.is_empty() && s.chars().all(|c| c.is_ascii_digit()))),
        "istitle" => no_args(name, args).map(|()| Value::from(is_title(s))),
        "center" | "ljust" | "rjust" => justify(name, s, args),
        "zfill" => width_arg(name, args, 0).map(|width| Value::from(zfill(s, width))),
        "rsplit" => rsplit(s, args),
        "partition" | "rpartition" => partition(name, s, args),
        "removeprefix" => {
            str_arg(name, args, 0).map(|p| Value::from(s.strip_prefix(p.as_str()).unwrap_or(s)))
        }
        "removesuffix" => {
            str_arg(name, args, 0).map(|p| Value::from(s.strip_suffix(p.as_str()).unwrap_or(s)))
        }
        "expandtabs" => expandtabs(s, args),
        "index" | "rindex" => index(name, s, args),
        _ => return None,
    };
    Some(result)
}

fn bad(message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message)
}

fn no_args(name: &str, args: &[Value]) -> Result<(), Error> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(bad(format!("str.{name}() takes no arguments")))
    }
}

fn str_arg(name: &str, args: &[Value], i: usize) -> Result<String, Error> {
    args.get(i)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| bad(format!("str.{name}() needs a string argument")))
}

fn width_arg(name: &str, args: &[Value], i: usize) -> Result<usize, Error> {
    let width = args
        .get(i)
        .and_then(Value::as_i64)
        .ok_or_else(|| bad(format!("str.{name}() needs an integer width")))?;
    Ok(usize::try_from(width).unwrap_or(0))
}

/// Whether a character has case (Unicode `Cased`), which decides `title()`'s word starts.
fn is_cased(c: char) -> bool {
    c.is_lowercase() || c.is_uppercase() || titlecase_digraph(c).is_some_and(|t| t == c)
}

/// The titlecase form of the Latin digraphs, the only letters whose titlecase is neither their
/// upper nor their lower case.
fn titlecase_digraph(c: char) -> Option<char> {
    match c {
        'Ǆ' | 'ǅ' | 'ǆ' => Some('ǅ'),
        'Ǉ' | 'ǈ' | 'ǉ' => Some('ǈ'),
        'Ǌ' | 'ǋ' | 'ǌ' => Some('ǋ'),
        'Ǳ' | 'ǲ' | 'ǳ' => Some('ǲ'),
        _ => None,
    }
}

fn push_titlecase(out: &mut String, c: char) {
    if let Some(t) = titlecase_digraph(c) {
        out.push(t);
        return;
    }
    let mut upper = c.to_uppercase();
    if let Some(first) = upper.next() {
        out.push(first);
    }
    // Special titlecase forms (ß → Ss, ﬁ → Fi): the first letter capital, the rest small.
    out.extend(upper.flat_map(char::to_lowercase));
}

/// Python's `str.title()`: a letter after a cased letter is lowercased, any other is
/// titlecased, so `foo_bar` → `Foo_Bar` and `o'neil` → `O'Neil` (unlike Jinja2's `title`
/// filter, which starts words only after spaces and brackets).
pub fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut previous_cased = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if !previous_cased {
            push_titlecase(&mut out, c);
        } else if c == 'Σ' {
            // Final sigma: small final form unless a cased letter follows.
            out.push(if chars.peek().is_some_and(|&n| is_cased(n)) {
                'σ'
            } else {
                'ς'
            });
        } else {
            out.extend(c.to_lowercase());
        }
        previous_cased = is_cased(c);
    }
    out
}

fn swapcase(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_uppercase() {
            out.extend(c.to_lowercase());
        } else if c.is_lowercase() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

fn is_title(s: &str) -> bool {
    let mut previous_cased = false;
    let mut any = false;
    for c in s.chars() {
        let upper_or_title = c.is_uppercase() || titlecase_digraph(c) == Some(c);
        if upper_or_title {
            if previous_cased {
                return false;
            }
            previous_cased = true;
            any = true;
        } else if c.is_lowercase() {
            if !previous_cased {
                return false;
            }
            previous_cased = true;
            any = true;
        } else {
            previous_cased = false;
        }
    }
    any
}

/// `center`, `ljust` and `rjust` with an optional one-character fill.
fn justify(name: &str, s: &str, args: &[Value]) -> Result<Value, Error> {
    let width = width_arg(name, args, 0)?;
    let fill = match args.get(1) {
        None => ' ',
        Some(v) => {
            let text = v.as_str().unwrap_or_default();
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => c,
                _ => {
                    return Err(bad(format!(
                        "str.{name}(): the fill character must be exactly one character long"
                    )));
                }
            }
        }
    };
    if args.len() > 2 {
        return Err(bad(format!("str.{name}() takes at most 2 arguments")));
    }
    let len = s.chars().count();
    if width <= len {
        return Ok(Value::from(s));
    }
    let pad = width - len;
    let left = match name {
        "ljust" => 0,
        "rjust" => pad,
        _ => pad / 2 + (pad & width & 1),
    };
    let fill_n = |n: usize| std::iter::repeat_n(fill, n).collect::<String>();
    Ok(Value::from(format!(
        "{}{s}{}",
        fill_n(left),
        fill_n(pad - left)
    )))
}

fn zfill(s: &str, width: usize) -> String {
    let len = s.chars().count();
    if width <= len {
        return s.to_owned();
    }
    let zeros = "0".repeat(width - len);
    match s.chars().next() {
        Some(sign @ ('+' | '-')) => format!("{sign}{zeros}{}", &s[1..]),
        _ => format!("{zeros}{s}"),
    }
}

/// `rsplit(sep=None, maxsplit=-1)`, positional or keyword.
fn rsplit(s: &str, args: &[Value]) -> Result<Value, Error> {
    let (sep, maxsplit) = split_args(args)?;
    let limit = usize::try_from(maxsplit).ok();
    let mut parts: Vec<String> = Vec::new();
    if let Some(sep) = sep {
        if sep.is_empty() {
            return Err(bad("str.rsplit(): empty separator".into()));
        }
        match limit {
            Some(n) => parts.extend(s.rsplitn(n + 1, sep.as_str()).map(str::to_owned)),
            None => parts.extend(s.rsplit(sep.as_str()).map(str::to_owned)),
        }
    } else {
        let mut rest = s.trim_end_matches(char::is_whitespace);
        let mut splits = 0;
        while !rest.is_empty() {
            if limit.is_some_and(|n| splits >= n) {
                parts.push(rest.to_owned());
                break;
            }
            if let Some(i) = rest.rfind(char::is_whitespace) {
                let ws_len = rest[i..].chars().next().map_or(1, char::len_utf8);
                parts.push(rest[i + ws_len..].to_owned());
                rest = rest[..i].trim_end_matches(char::is_whitespace);
                splits += 1;
            } else {
                parts.push(rest.to_owned());
                break;
            }
        }
    }
    parts.reverse();
    Ok(Value::from(parts))
}

fn split_args(args: &[Value]) -> Result<(Option<String>, i64), Error> {
    let mut sep = None;
    let mut maxsplit = -1;
    let mut positional = 0;
    for arg in args {
        if let Ok(kwargs) = minijinja::value::Kwargs::try_from(arg.clone()) {
            if let Some(v) = kwargs.get::<Option<Value>>("sep")? {
                sep = v.as_str().map(str::to_owned);
            }
            if let Some(v) = kwargs.get::<Option<i64>>("maxsplit")? {
                maxsplit = v;
            }
            kwargs.assert_all_used()?;
            continue;
        }
        match positional {
            0 => sep = arg.as_str().map(str::to_owned),
            1 => {
                maxsplit = arg
                    .as_i64()
                    .ok_or_else(|| bad("str.rsplit(): maxsplit must be an integer".into()))?;
            }
            _ => return Err(bad("str.rsplit() takes at most 2 arguments".into())),
        }
        positional += 1;
    }
    Ok((sep, maxsplit))
}

/// `partition(sep)` / `rpartition(sep)`: the three parts, as a tuple.
fn partition(name: &str, s: &str, args: &[Value]) -> Result<Value, Error> {
    let sep = str_arg(name, args, 0)?;
    if sep.is_empty() {
        return Err(bad(format!("str.{name}(): empty separator")));
    }
    let found = if name == "partition" {
        s.find(sep.as_str())
    } else {
        s.rfind(sep.as_str())
    };
    let parts = match found {
        Some(i) => [&s[..i], sep.as_str(), &s[i + sep.len()..]],
        None if name == "partition" => [s, "", ""],
        None => ["", "", s],
    };
    Ok(super::engine::tuple(parts.map(Value::from).to_vec()))
}

fn expandtabs(s: &str, args: &[Value]) -> Result<Value, Error> {
    let size = match args.first() {
        None => 8,
        Some(v) => usize::try_from(
            v.as_i64()
                .ok_or_else(|| bad("str.expandtabs(): tabsize must be an integer".into()))?,
        )
        .unwrap_or(0),
    };
    let mut out = String::with_capacity(s.len());
    let mut column = 0;
    for c in s.chars() {
        match c {
            '\t' => {
                if size > 0 {
                    let n = size - column % size;
                    out.push_str(&" ".repeat(n));
                    column += n;
                }
            }
            '\n' | '\r' => {
                out.push(c);
                column = 0;
            }
            c => {
                out.push(c);
                column += 1;
            }
        }
    }
    Ok(Value::from(out))
}

/// `index(sub)` / `rindex(sub)`: the character position, an error when absent.
fn index(name: &str, s: &str, args: &[Value]) -> Result<Value, Error> {
    let sub = str_arg(name, args, 0)?;
    if args.len() > 1 {
        return Err(bad(format!(
            "str.{name}(): start and end are not supported"
        )));
    }
    let found = if name == "index" {
        s.find(sub.as_str())
    } else {
        s.rfind(sub.as_str())
    };
    match found {
        Some(i) => Ok(Value::from(s[..i].chars().count())),
        None => Err(bad(format!("str.{name}(): substring not found"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(s: &str, name: &str, args: &[Value]) -> String {
        let v = method(&Value::from(s), name, args).unwrap().unwrap();
        if let Some(text) = v.as_str() {
            text.to_owned()
        } else {
            crate::cookiecutter::engine::py_repr(&v)
        }
    }

    #[test]
    fn title_starts_words_after_any_uncased_character() {
        assert_eq!(title("hello-world foo_bar"), "Hello-World Foo_Bar");
        assert_eq!(title("o'neil 1st 2nd"), "O'Neil 1St 2Nd");
        assert_eq!(title("ÉCOLE élève straße"), "École Élève Straße");
        assert_eq!(title("ǆungla ßa"), "ǅungla Ssa");
        assert_eq!(title("ΣΑΣ"), "Σας");
    }

    #[test]
    fn padding_splitting_and_the_rest() {
        let v = |x: &str| Value::from(x);
        let n = |x: i64| Value::from(x);
        assert_eq!(call("hello", "center", &[n(11), v("*")]), "***hello***");
        assert_eq!(call("ab", "center", &[n(5)]), "  ab ");
        assert_eq!(call("x", "ljust", &[n(3)]), "x  ");
        assert_eq!(call("x", "rjust", &[n(3), v("0")]), "00x");
        assert_eq!(call("-5", "zfill", &[n(4)]), "-005");
        assert_eq!(call("a b  c ", "rsplit", &[]), "['a', 'b', 'c']");
        assert_eq!(
            call(" a b c ", "rsplit", &[Value::from(()), n(1)]),
            "[' a b', 'c']"
        );
        assert_eq!(call("a.b.c", "rsplit", &[v("."), n(1)]), "['a.b', 'c']");
        assert_eq!(call("a.b.c", "partition", &[v(".")]), "('a', '.', 'b.c')");
        assert_eq!(call("a.b.c", "rpartition", &[v("x")]), "('', '', 'a.b.c')");
        assert_eq!(call("abc", "removeprefix", &[v("a")]), "bc");
        assert_eq!(call("abc", "removesuffix", &[v("c")]), "ab");
        assert_eq!(call("a\tbc\td", "expandtabs", &[n(4)]), "a   bc  d");
        assert_eq!(call("Hello", "swapcase", &[]), "hELLO");
        assert_eq!(call("a_b1", "isidentifier", &[]), "True");
        assert_eq!(call("1a", "isidentifier", &[]), "False");
        assert_eq!(call("Hello World", "istitle", &[]), "True");
        assert_eq!(call("héllo", "index", &[v("l")]), "2");
        assert!(
            method(&Value::from("x"), "index", &[v("y")])
                .unwrap()
                .is_err()
        );
        assert!(method(&Value::from("x"), "upper", &[]).is_none());
    }
}
