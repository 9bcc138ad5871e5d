//! Python `str` methods templates call that minijinja-contrib's pycompat lacks or answers
//! differently (`title()`, which pycompat maps to Jinja2's `title` filter). Each follows the
//! Python 3 method; lengths and positions count characters, as Python's do.

use std::fmt::Write as _;

use minijinja::value::{Value, ValueKind};
use minijinja::{Error, ErrorKind};

use super::pyvalue::{checked_count, checked_width};

/// The result of `value.name(*args)`, or `None` when the method is left to pycompat.
pub(super) fn method(value: &Value, name: &str, args: &[Value]) -> Option<Result<Value, Error>> {
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
        "zfill" => width_arg(name, args, 0).and_then(|width| zfill(s, width).map(Value::from)),
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
        // Formatted by pycompat, once its widths are known to fit in a file.
        "format" => match check_str_format(s) {
            Ok(()) => return None,
            Err(error) => Err(error),
        },
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
pub(super) fn title(s: &str) -> String {
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
    // `width` counts characters, each of them the fill's bytes at most.
    checked_width(&format!("str.{name}()"), width, fill.len_utf8())?;
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

fn zfill(s: &str, width: usize) -> Result<String, Error> {
    let len = s.chars().count();
    if width <= len {
        return Ok(s.to_owned());
    }
    let zeros = "0".repeat(checked_width("str.zfill()", width, 1)? - len);
    Ok(match s.chars().next() {
        Some(sign @ ('+' | '-')) => format!("{sign}{zeros}{}", &s[1..]),
        _ => format!("{zeros}{s}"),
    })
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
    Ok(super::pyvalue::tuple(parts.map(Value::from).to_vec()))
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
    // Each tab becomes up to `size` spaces.
    let tabs = s.matches('\t').count();
    if tabs > 0 {
        checked_count("str.expandtabs()", "tab size", size, tabs)?;
    }
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

/// Refuses a `str.format()` whose fields ask for a width, or a precision that adds digits (any
/// but `s`'s, which cuts a string short), over the per-file limit, before pycompat formats it:
/// it would ask the allocator for the whole width at once. Each field is read as pycompat's
/// parser (minijinja's) reads it, `{name.attr[key]:[[fill]align][sign][#][0][width][,|_]
/// [.precision][type]}`, without nested fields; a field it cannot read is left for that parser to
/// refuse.
fn check_str_format(format: &str) -> Result<(), Error> {
    let chars: Vec<char> = format.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '{' {
            i += 1;
            continue;
        }
        if chars.get(i + 1) == Some(&'{') {
            i += 2;
            continue;
        }
        // The field name, with any `[key]` (which may hold a `:`) skipped whole.
        i += 1;
        while let Some(&c) = chars.get(i) {
            match c {
                ':' | '}' => break,
                '[' => match chars[i..].iter().position(|&c| c == ']') {
                    Some(end) => i += end + 1,
                    None => return Ok(()),
                },
                _ => i += 1,
            }
        }
        if chars.get(i) != Some(&':') {
            continue;
        }
        i += 1;
        let align = |c: Option<&char>| matches!(c, Some('<' | '>' | '^' | '='));
        if align(chars.get(i + 1)) {
            i += 2;
        } else if align(chars.get(i)) {
            i += 1;
        }
        if matches!(chars.get(i), Some('+' | '-' | ' ')) {
            i += 1;
        }
        if chars.get(i) == Some(&'#') {
            i += 1;
        }
        if chars.get(i) == Some(&'0') {
            i += 1;
        }
        let width = field_number(&chars, &mut i);
        if matches!(chars.get(i), Some(',' | '_')) {
            i += 1;
        }
        let precision = if chars.get(i) == Some(&'.') {
            i += 1;
            field_number(&chars, &mut i)
        } else {
            None
        };
        let kind = chars.get(i).copied().filter(|&c| c != '}');
        if let Some(width) = width {
            checked_count("str.format()", "width", width, 1)?;
        }
        if let Some(precision) = precision
            && kind != Some('s')
        {
            checked_count("str.format()", "precision", precision, 1)?;
        }
    }
    Ok(())
}

/// The number at `chars[*i..]` (past it after), `usize::MAX` when it does not fit one; `None`
/// when no digit is there.
fn field_number(chars: &[char], i: &mut usize) -> Option<usize> {
    let digits: String = chars[*i..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    *i += digits.len();
    (!digits.is_empty()).then(|| digits.parse().unwrap_or(usize::MAX))
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

/// Python 3's `format % args` (printf-style formatting of a `str`), which cookiecutter templates
/// use to build names and include paths: `args` holds the tuple's items, or one value (which may
/// be a mapping for `%(key)s` fields). Follows `CPython`'s `PyUnicode_Format`: the same conversions
/// (`%s %r %a %d %i %u %o %x %X %e %E %f %F %g %G %c %%`), flags, `*` widths and precisions,
/// argument counting, and the same errors, spelled as Python's exception and message.
pub(super) fn percent_format(format: &str, args: &[Value]) -> Result<String, Error> {
    // A tuple passed as one value is the argument tuple, as in Python (`'%s-%s' % pair`).
    let expanded: Vec<Value>;
    let args = match args {
        [one] if one.is_tuple() => {
            expanded = one.try_iter()?.collect();
            Args::Tuple(&expanded)
        }
        [one] => Args::Single(one),
        many => Args::Tuple(many),
    };
    // Python treats any argument it can subscript with a key (a dict, also a list) as the
    // mapping: it may then go partly or wholly unused.
    let mapping = match args {
        Args::Single(v) if matches!(v.kind(), ValueKind::Map | ValueKind::Seq) => Some(v),
        _ => None,
    };
    let mut cursor = Cursor { args, next: 0 };
    let chars: Vec<char> = format.chars().collect();
    let mut out = String::with_capacity(format.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '%' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        i += 1;
        if chars.get(i) == Some(&'%') {
            out.push('%');
            i += 1;
            continue;
        }
        let mut keyed = None;
        if chars.get(i) == Some(&'(') {
            let Some(map) = mapping else {
                return Err(py_error("TypeError", "format requires a mapping"));
            };
            let (key, end) = mapping_key(&chars, i)?;
            i = end;
            keyed = Some(lookup(map, &key)?);
        }
        // A `%(key)` field consumes the looked-up value; positional fields after it find none.
        if keyed.is_some() {
            cursor.next = usize::MAX;
        }
        let mut spec = Spec::default();
        while let Some(&c) = chars.get(i) {
            match c {
                '-' => spec.left = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '#' => spec.alternate = true,
                '0' => spec.zero = true,
                _ => break,
            }
            i += 1;
        }
        if chars.get(i) == Some(&'*') {
            i += 1;
            let width = star(&cursor.next_arg(keyed.take())?)?;
            if width < 0 {
                spec.left = true;
            }
            spec.width = usize::try_from(width.unsigned_abs()).unwrap_or(usize::MAX);
        } else {
            spec.width = digits(&chars, &mut i)?;
        }
        if chars.get(i) == Some(&'.') {
            i += 1;
            if chars.get(i) == Some(&'*') {
                i += 1;
                let precision = star(&cursor.next_arg(keyed.take())?)?;
                spec.precision = Some(usize::try_from(precision.max(0)).unwrap_or(0));
            } else {
                spec.precision = Some(digits(&chars, &mut i)?);
            }
        }
        // C's length modifiers mean nothing in Python and are skipped, as CPython does.
        while matches!(chars.get(i), Some('h' | 'l' | 'L')) {
            i += 1;
        }
        let Some(&conversion) = chars.get(i) else {
            return Err(py_error("ValueError", "incomplete format"));
        };
        check_field_size(conversion, &spec)?;
        let value = cursor.next_arg(keyed.take())?;
        let field = convert(conversion, &value, &spec).unwrap_or_else(|| {
            Err(py_error(
                "ValueError",
                &format!(
                    "unsupported format character {conversion:?} ({:#x}) at index {i}",
                    u32::from(conversion)
                ),
            ))
        })?;
        out.push_str(&field);
        i += 1;
    }
    if mapping.is_none() && cursor.unused() {
        return Err(py_error(
            "TypeError",
            "not all arguments converted during string formatting",
        ));
    }
    Ok(out)
}

#[derive(Clone, Copy)]
enum Args<'a> {
    /// `format % (a, b)`: the tuple's items.
    Tuple(&'a [Value]),
    /// `format % value`: one value, used whole by one field.
    Single(&'a Value),
}

/// The positional arguments consumed so far.
struct Cursor<'a> {
    args: Args<'a>,
    next: usize,
}

impl Cursor<'_> {
    /// The value of the field: the looked-up `keyed` one, else the next positional argument.
    fn next_arg(&mut self, keyed: Option<Value>) -> Result<Value, Error> {
        if let Some(value) = keyed {
            return Ok(value);
        }
        let value = match self.args {
            Args::Tuple(items) => items.get(self.next).cloned(),
            Args::Single(value) => (self.next == 0).then(|| value.clone()),
        };
        self.next = self.next.saturating_add(1);
        value.ok_or_else(|| py_error("TypeError", "not enough arguments for format string"))
    }

    fn unused(&self) -> bool {
        match self.args {
            Args::Tuple(items) => self.next < items.len(),
            Args::Single(_) => self.next == 0,
        }
    }
}

/// A field's flags, width and precision.
#[derive(Default)]
#[allow(clippy::struct_excessive_bools)] // Python's conversion flags, each independent of the others
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    alternate: bool,
    zero: bool,
    width: usize,
    precision: Option<usize>,
}

/// Refuses a field whose width, or precision where it adds digits (not where it cuts `%s`
/// short), would make it larger than a rendered file may be: both are numbers in the template's
/// hands, and a huge one asked of the allocator at once aborts the process.
fn check_field_size(conversion: char, spec: &Spec) -> Result<(), Error> {
    checked_count("`%` formatting", "width", spec.width, 1)?;
    if let Some(precision) = spec.precision
        && !matches!(conversion, 's' | 'r' | 'a' | 'c')
    {
        checked_count("`%` formatting", "precision", precision, 1)?;
    }
    Ok(())
}

/// An error as Python would raise it: `TypeError: not enough arguments for format string`.
fn py_error(exception: &str, message: &str) -> Error {
    Error::new(
        ErrorKind::InvalidOperation,
        format!("{exception}: {message}"),
    )
}

/// The key of a `%(key)` field starting at the `(` at `start` (parentheses may nest, as in
/// Python), and the position after its `)`.
fn mapping_key(chars: &[char], start: usize) -> Result<(String, usize), Error> {
    let mut depth = 0;
    for (i, &c) in chars.iter().enumerate().skip(start) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Ok((chars[start + 1..i].iter().collect(), i + 1));
                }
            }
            _ => {}
        }
    }
    Err(py_error("ValueError", "incomplete format key"))
}

fn lookup(mapping: &Value, key: &str) -> Result<Value, Error> {
    match mapping.kind() {
        ValueKind::Map => Some(mapping.get_item(&Value::from(key))?)
            .filter(|value| !value.is_undefined())
            .ok_or_else(|| py_error("KeyError", &super::pyvalue::py_repr(&Value::from(key)))),
        _ => Err(py_error(
            "TypeError",
            &format!(
                "{} indices must be integers or slices, not str",
                type_name(mapping)
            ),
        )),
    }
}

fn digits(chars: &[char], i: &mut usize) -> Result<usize, Error> {
    let mut n: usize = 0;
    while let Some(d) = chars.get(*i).and_then(|c| c.to_digit(10)) {
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(d as usize))
            .ok_or_else(|| py_error("ValueError", "width too big"))?;
        *i += 1;
    }
    Ok(n)
}

/// A `*` width or precision: an int (or bool), as Python requires.
fn star(value: &Value) -> Result<i64, Error> {
    match value.kind() {
        ValueKind::Bool => Ok(i64::from(value.is_true())),
        ValueKind::Number if value.is_integer() => value.as_i64().ok_or_else(|| {
            py_error(
                "OverflowError",
                "Python int too large to convert to C ssize_t",
            )
        }),
        _ => Err(py_error("TypeError", "* wants int")),
    }
}

/// Python's name of a value's type, for error messages.
fn type_name(value: &Value) -> &'static str {
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => "NoneType",
        ValueKind::Bool => "bool",
        ValueKind::Number if value.is_integer() => "int",
        ValueKind::Number => "float",
        ValueKind::String => "str",
        ValueKind::Seq | ValueKind::Iterable if value.is_tuple() => "tuple",
        ValueKind::Seq | ValueKind::Iterable => "list",
        ValueKind::Map => "dict",
        _ => "object",
    }
}

/// One field; `None` for a conversion Python does not know.
fn convert(conversion: char, value: &Value, spec: &Spec) -> Option<Result<String, Error>> {
    if value.is_undefined() {
        return Some(Err(Error::new(
            ErrorKind::UndefinedError,
            "`%` formatting of an undefined value",
        )));
    }
    Some(match conversion {
        's' | 'r' | 'a' => {
            let text = match conversion {
                's' => super::pyvalue::py_str(value),
                'r' => super::pyvalue::py_repr(value),
                _ => ascii(&super::pyvalue::py_repr(value)),
            };
            let text = match spec.precision {
                Some(p) => text.chars().take(p).collect(),
                None => text,
            };
            Ok(pad(spec, "", &text, false))
        }
        'c' => character(value).map(|c| pad(spec, "", &c.to_string(), false)),
        'd' | 'i' | 'u' => integer_digits(conversion, value, true)
            .map(|(negative, digits)| integer(spec, negative, &digits, "")),
        'o' | 'x' | 'X' => integer_digits(conversion, value, false).map(|(negative, decimal)| {
            let (radix, prefix) = match conversion {
                'o' => (8, "0o"),
                'x' => (16, "0x"),
                _ => (16, "0X"),
            };
            let mut digits = to_radix(&decimal, radix);
            if conversion == 'X' {
                digits.make_ascii_uppercase();
            }
            integer(
                spec,
                negative,
                &digits,
                if spec.alternate { prefix } else { "" },
            )
        }),
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
            real(conversion, value).map(|f| float(conversion, f, spec))
        }
        _ => return None,
    })
}

/// `ascii()` of a repr: every character past ASCII as `\xNN`, `\uNNNN` or `\UNNNNNNNN`.
fn ascii(repr: &str) -> String {
    let mut out = String::with_capacity(repr.len());
    for c in repr.chars() {
        let n = u32::from(c);
        match n {
            0..=0x7f => out.push(c),
            0x80..=0xff => {
                let _ = write!(out, "\\x{n:02x}");
            }
            0x100..=0xffff => {
                let _ = write!(out, "\\u{n:04x}");
            }
            _ => {
                let _ = write!(out, "\\U{n:08x}");
            }
        }
    }
    out
}

fn character(value: &Value) -> Result<char, Error> {
    match value.kind() {
        ValueKind::String => {
            let text = value.as_str().unwrap_or_default();
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Ok(c),
                _ => Err(py_error("TypeError", "%c requires int or char")),
            }
        }
        ValueKind::Bool => Ok(if value.is_true() { '\u{1}' } else { '\0' }),
        ValueKind::Number if value.is_integer() => value
            .as_i64()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|&n| n < 0x11_0000)
            .ok_or_else(|| py_error("OverflowError", "%c arg not in range(0x110000)"))
            .and_then(|n| {
                char::from_u32(n).ok_or_else(|| {
                    py_error(
                        "ValueError",
                        "%c of a surrogate code point cannot be written as UTF-8",
                    )
                })
            }),
        _ => Err(py_error("TypeError", "%c requires int or char")),
    }
}

/// The sign and decimal digits of the integer a `%d`-like field shows: an int or bool as is, and
/// for `%d`/`%i`/`%u` (`real`) a float truncated toward zero, as Python's `int()` does.
fn integer_digits(conversion: char, value: &Value, real: bool) -> Result<(bool, String), Error> {
    match value.kind() {
        ValueKind::Bool => Ok((false, u8::from(value.is_true()).to_string())),
        ValueKind::Number if value.is_integer() => {
            let text = value.to_string();
            Ok(match text.strip_prefix('-') {
                Some(digits) => (true, digits.to_owned()),
                None => (false, text),
            })
        }
        ValueKind::Number if real => {
            let f = f64::try_from(value.clone()).unwrap_or(f64::NAN);
            if f.is_nan() {
                return Err(py_error(
                    "ValueError",
                    "cannot convert float NaN to integer",
                ));
            }
            if f.is_infinite() {
                return Err(py_error(
                    "OverflowError",
                    "cannot convert float infinity to integer",
                ));
            }
            let whole = f.trunc();
            // Every f64 beyond 2^53 is an integer, printed in full by `{:.0}`.
            Ok((whole < 0.0, format!("{:.0}", whole.abs())))
        }
        _ if real => Err(py_error(
            "TypeError",
            &format!(
                "%{conversion} format: a real number is required, not {}",
                type_name(value)
            ),
        )),
        _ => Err(py_error(
            "TypeError",
            &format!(
                "%{conversion} format: an integer is required, not {}",
                type_name(value)
            ),
        )),
    }
}

/// Decimal digits (of any length) in base 8 or 16, lower case.
fn to_radix(decimal: &str, radix: u32) -> String {
    if let Ok(n) = decimal.parse::<u128>() {
        return match radix {
            8 => format!("{n:o}"),
            _ => format!("{n:x}"),
        };
    }
    // Longer than u128 (a float's integer part): long division of the decimal digits.
    let mut digits: Vec<u32> = decimal.chars().filter_map(|c| c.to_digit(10)).collect();
    let mut out = Vec::new();
    while !(digits.is_empty() || digits == [0]) {
        let mut remainder = 0;
        let mut quotient = Vec::with_capacity(digits.len());
        for d in digits {
            let current = remainder * 10 + d;
            let q = current / radix;
            remainder = current % radix;
            if !(quotient.is_empty() && q == 0) {
                quotient.push(q);
            }
        }
        out.push(char::from_digit(remainder, radix).unwrap_or('0'));
        digits = quotient;
    }
    if out.is_empty() {
        out.push('0');
    }
    out.iter().rev().collect()
}

/// An integer field: precision as a minimum count of digits, then sign, prefix and width.
fn integer(spec: &Spec, negative: bool, digits: &str, prefix: &str) -> String {
    let mut body = String::new();
    if let Some(p) = spec.precision {
        body.push_str(&"0".repeat(p.saturating_sub(digits.len())));
    }
    body.push_str(digits);
    let sign = sign(spec, negative);
    pad(spec, &format!("{sign}{prefix}"), &body, true)
}

fn sign(spec: &Spec, negative: bool) -> &'static str {
    if negative {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    }
}

/// The float a `%e`/`%f`/`%g` field shows: a float, an int or a bool.
fn real(conversion: char, value: &Value) -> Result<f64, Error> {
    match value.kind() {
        ValueKind::Bool => Ok(f64::from(u8::from(value.is_true()))),
        ValueKind::Number => f64::try_from(value.clone()).map_err(|_| {
            py_error(
                "OverflowError",
                &format!("int too large to convert to float for %{conversion}"),
            )
        }),
        _ => Err(py_error(
            "TypeError",
            &format!("must be real number, not {}", type_name(value)),
        )),
    }
}

fn float(conversion: char, f: f64, spec: &Spec) -> String {
    let upper = conversion.is_ascii_uppercase();
    let negative = f.is_sign_negative() && !f.is_nan();
    let body = if f.is_finite() {
        let precision = spec.precision.unwrap_or(6);
        match conversion.to_ascii_lowercase() {
            'e' => exponent_form(f.abs(), precision, spec.alternate),
            'f' => {
                let mut text = fixed(f.abs(), precision);
                if spec.alternate && precision == 0 {
                    text.push('.');
                }
                text
            }
            _ => general(f.abs(), precision, spec.alternate),
        }
    } else if f.is_nan() {
        "nan".to_owned()
    } else {
        "inf".to_owned()
    };
    let body = if upper {
        body.to_ascii_uppercase()
    } else {
        body
    };
    pad(spec, sign(spec, negative), &body, true)
}

/// `%e` of a non-negative finite `f`: `d.ddddde+XX`, the exponent of at least two digits.
fn exponent_form(f: f64, precision: usize, alternate: bool) -> String {
    let text = scientific(f, precision);
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let point = if alternate && !mantissa.contains('.') {
        "."
    } else {
        ""
    };
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}{point}e{sign}{:02}", exponent.unsigned_abs())
}

/// `%g` of a non-negative finite `f`: `%e` or `%f` by the exponent, with `precision` significant
/// digits and trailing zeros removed unless `alternate` (`#`).
fn general(f: f64, precision: usize, alternate: bool) -> String {
    let precision = precision.max(1);
    // The exponent after rounding to `precision` digits decides the form, as in C.
    let rounded = scientific(f, precision - 1);
    let exponent: i64 = rounded
        .split_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0);
    let digits = i64::try_from(precision).unwrap_or(i64::MAX);
    let text = if (-4..digits).contains(&exponent) {
        let decimals = usize::try_from(digits - 1 - exponent).unwrap_or(0);
        let mut text = fixed(f, decimals);
        if alternate && !text.contains('.') {
            text.push('.');
        }
        text
    } else {
        exponent_form(f, precision - 1, alternate)
    };
    if alternate {
        return text;
    }
    let (number, exponent) = match text.find('e') {
        Some(i) => text.split_at(i),
        None => (text.as_str(), ""),
    };
    let number = if number.contains('.') {
        number.trim_end_matches('0').trim_end_matches('.')
    } else {
        number
    };
    format!("{number}{exponent}")
}

/// The most digits Rust's formatter is asked for after the point: it panics on large precisions
/// (over `u16::MAX`, and in scientific form already at it). An `f64`'s exact decimal expansion
/// ends well before this (at most 1074 digits after the point, 767 significant ones), so every
/// digit past it is a zero and is appended as one.
const NATIVE_PRECISION: usize = 4096;

/// `f` with `decimals` digits after the point, for any count of them.
fn fixed(f: f64, decimals: usize) -> String {
    let native = decimals.min(NATIVE_PRECISION);
    let mut text = format!("{f:.native$}");
    text.extend(std::iter::repeat_n('0', decimals - native));
    text
}

/// `f` as `d.ddde<exponent>` (Rust's spelling) with `precision` digits after the point, for any
/// count of them.
fn scientific(f: f64, precision: usize) -> String {
    let native = precision.min(NATIVE_PRECISION);
    let text = format!("{f:.native$e}");
    if native == precision {
        return text;
    }
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    format!("{mantissa}{}e{exponent}", "0".repeat(precision - native))
}

/// Pads `prefix` + `body` to the field width: on the right with `-`, with zeros between them for
/// numbers with `0`, else on the left with spaces.
fn pad(spec: &Spec, prefix: &str, body: &str, numeric: bool) -> String {
    let len = prefix.chars().count() + body.chars().count();
    let fill = spec.width.saturating_sub(len);
    if spec.left {
        format!("{prefix}{body}{}", " ".repeat(fill))
    } else if spec.zero && numeric {
        format!("{prefix}{}{body}", "0".repeat(fill))
    } else {
        format!("{}{prefix}{body}", " ".repeat(fill))
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
            crate::dialect::cookiecutter::pyvalue::py_repr(&v)
        }
    }

    /// Every expected value is what Python 3.11 prints for `format % args` (the args as a tuple,
    /// or the one value), errors as `Exception: message`; they were produced by `python3 -c`.
    /// The table is long and its numbers are written as they were given to Python.
    #[test]
    #[allow(
        clippy::too_many_lines,
        clippy::unreadable_literal,
        clippy::approx_constant
    )]
    fn issue15_percent_formatting_matches_python() {
        let v = |s: &str| Value::from(s);
        let i = |n: i64| Value::from(n);
        let f = |x: f64| Value::from(x);
        let b = |x: bool| Value::from(x);
        let none = || Value::from(());
        let list = || {
            Value::from(vec![
                Value::from(1),
                Value::from("a"),
                Value::from(()),
                Value::from(true),
                Value::from(2.5),
            ])
        };
        let dict = || super::super::pyvalue::value_of(&serde_json::json!({"a": [1], "b": "x"}));
        let cases: &[(&str, Vec<Value>, Result<&str, &str>)] = &[
            ("%r", vec![v("a")], Ok("'a'")),
            ("%r", vec![i(3)], Ok("3")),
            ("%r", vec![v("it's")], Ok("\"it's\"")),
            ("%r", vec![v("\n")], Ok("'\\n'")),
            ("%d", vec![f(3.7)], Ok("3")),
            ("%d", vec![f(-3.7)], Ok("-3")),
            ("%i", vec![f(-0.5)], Ok("0")),
            ("%d", vec![f(1e20)], Ok("100000000000000000000")),
            ("%d", vec![b(true)], Ok("1")),
            ("%r", vec![none()], Ok("None")),
            ("%s", vec![none()], Ok("None")),
            ("%d", vec![f(-0.0)], Ok("0")),
            ("%r", vec![list()], Ok("[1, 'a', None, True, 2.5]")),
            ("%s", vec![list()], Ok("[1, 'a', None, True, 2.5]")),
            ("%r", vec![f(3.0)], Ok("3.0")),
            ("%s", vec![f(2.5)], Ok("2.5")),
            ("%s", vec![f(1e16)], Ok("1e+16")),
            ("%r", vec![b(false)], Ok("False")),
            ("%5.1f", vec![f(3.14159)], Ok("  3.1")),
            ("%-6d|", vec![i(42)], Ok("42    |")),
            ("%+d", vec![i(5)], Ok("+5")),
            ("% d", vec![i(5)], Ok(" 5")),
            ("%05d", vec![i(-3)], Ok("-0003")),
            ("%.3d", vec![i(5)], Ok("005")),
            ("%u", vec![i(-3)], Ok("-3")),
            ("%ld", vec![i(5)], Ok("5")),
            ("%#x", vec![i(255)], Ok("0xff")),
            ("%#o", vec![i(8)], Ok("0o10")),
            ("%X", vec![i(255)], Ok("FF")),
            ("%#X", vec![i(-255)], Ok("-0XFF")),
            ("%x", vec![b(true)], Ok("1")),
            ("%#.3x", vec![i(5)], Ok("0x005")),
            ("%+x", vec![i(5)], Ok("+5")),
            ("%#x", vec![i(0)], Ok("0x0")),
            ("%e", vec![f(12345.678)], Ok("1.234568e+04")),
            ("%E", vec![f(0.0001)], Ok("1.000000E-04")),
            ("%10.3e", vec![f(-1.5)], Ok("-1.500e+00")),
            ("%#.0e", vec![f(2.0)], Ok("2.e+00")),
            ("%g", vec![f(0.0001)], Ok("0.0001")),
            ("%g", vec![f(1e-5)], Ok("1e-05")),
            ("%g", vec![f(123456789.0)], Ok("1.23457e+08")),
            ("%G", vec![f(1e20)], Ok("1E+20")),
            ("%#g", vec![f(1.0)], Ok("1.00000")),
            ("%.3g", vec![f(3.14159)], Ok("3.14")),
            ("%g", vec![f(100000.0)], Ok("100000")),
            ("%g", vec![f(1000000.0)], Ok("1e+06")),
            ("%g", vec![f(0.0)], Ok("0")),
            ("%.0g", vec![f(123.0)], Ok("1e+02")),
            ("%#.3g", vec![f(100.0)], Ok("100.")),
            ("%.10g", vec![f(1.0 / 3.0)], Ok("0.3333333333")),
            ("%+.2g", vec![f(0.00001234)], Ok("+1.2e-05")),
            ("%g", vec![i(7)], Ok("7")),
            ("%f", vec![b(true)], Ok("1.000000")),
            ("%f", vec![f(-0.0)], Ok("-0.000000")),
            ("%.0f", vec![f(2.5)], Ok("2")),
            ("%.0f", vec![f(3.5)], Ok("4")),
            ("%#.0f", vec![f(2.0)], Ok("2.")),
            ("%08.3f", vec![f(-3.14159)], Ok("-003.142")),
            ("%010f", vec![f(f64::INFINITY)], Ok("0000000inf")),
            ("%F", vec![f(f64::NAN)], Ok("NAN")),
            ("%+f", vec![f(f64::INFINITY)], Ok("+inf")),
            ("%G", vec![f(f64::NEG_INFINITY)], Ok("-INF")),
            ("%f", vec![i(3)], Ok("3.000000")),
            ("%c", vec![i(65)], Ok("A")),
            ("%c", vec![v("z")], Ok("z")),
            ("%5c", vec![i(65)], Ok("    A")),
            ("%.2s", vec![v("abcdef")], Ok("ab")),
            ("%5s|", vec![v("ab")], Ok("   ab|")),
            ("%-5s|", vec![v("ab")], Ok("ab   |")),
            ("%05s|", vec![v("ab")], Ok("   ab|")),
            (
                "%a",
                vec![v("\u{e9}\u{20ac}\u{1f600}")],
                Ok("'\\xe9\\u20ac\\U0001f600'"),
            ),
            ("%-3r|", vec![v("a")], Ok("'a'|")),
            ("%%%s", vec![v("x")], Ok("%x")),
            ("%s", vec![dict()], Ok("{'a': [1], 'b': 'x'}")),
            ("%r", vec![dict()], Ok("{'a': [1], 'b': 'x'}")),
            ("%(a)s %(b)r", vec![dict()], Ok("[1] 'x'")),
            ("%(a)-8s|", vec![dict()], Ok("[1]     |")),
            ("%s %(b)s", vec![dict()], Ok("{'a': [1], 'b': 'x'} x")),
            ("abc", vec![dict()], Ok("abc")),
            ("abc", vec![list()], Ok("abc")),
            (
                "%d",
                vec![v("a")],
                Err("TypeError: %d format: a real number is required, not str"),
            ),
            (
                "%d",
                vec![none()],
                Err("TypeError: %d format: a real number is required, not NoneType"),
            ),
            (
                "%d",
                vec![list()],
                Err("TypeError: %d format: a real number is required, not list"),
            ),
            (
                "%x",
                vec![f(3.5)],
                Err("TypeError: %x format: an integer is required, not float"),
            ),
            (
                "%f",
                vec![v("a")],
                Err("TypeError: must be real number, not str"),
            ),
            (
                "abc",
                vec![i(5)],
                Err("TypeError: not all arguments converted during string formatting"),
            ),
            (
                "abc",
                vec![v("x")],
                Err("TypeError: not all arguments converted during string formatting"),
            ),
            (
                "%(a)s",
                vec![v("x")],
                Err("TypeError: format requires a mapping"),
            ),
            (
                "%(a)s",
                vec![list()],
                Err("TypeError: list indices must be integers or slices, not str"),
            ),
            ("%(z)s", vec![dict()], Err("KeyError: 'z'")),
            (
                "%(a)s %s",
                vec![dict()],
                Err("TypeError: not enough arguments for format string"),
            ),
            ("%(a)*d", vec![dict()], Err("TypeError: * wants int")),
            (
                "%y",
                vec![i(1)],
                Err("ValueError: unsupported format character 'y' (0x79) at index 1"),
            ),
            ("abc %", vec![i(1)], Err("ValueError: incomplete format")),
            (
                "%c",
                vec![i(0x110000)],
                Err("OverflowError: %c arg not in range(0x110000)"),
            ),
            (
                "%c",
                vec![v("ab")],
                Err("TypeError: %c requires int or char"),
            ),
            (
                "%d",
                vec![f(f64::INFINITY)],
                Err("OverflowError: cannot convert float infinity to integer"),
            ),
            (
                "%d",
                vec![f(f64::NAN)],
                Err("ValueError: cannot convert float NaN to integer"),
            ),
            ("%s-%03d", vec![v("app"), i(7)], Ok("app-007")),
            ("%*d", vec![i(5), i(42)], Ok("   42")),
            ("%-*d|", vec![i(5), i(42)], Ok("42   |")),
            ("%*d|", vec![i(-5), i(42)], Ok("42   |")),
            ("%.*f", vec![i(2), f(3.14159)], Ok("3.14")),
            ("%s %r", vec![v("a"), v("b")], Ok("a 'b'")),
            (
                "%s %s",
                vec![v("a")],
                Err("TypeError: not enough arguments for format string"),
            ),
            (
                "%s",
                vec![v("a"), v("b")],
                Err("TypeError: not all arguments converted during string formatting"),
            ),
            ("%*s", vec![v("a"), v("b")], Err("TypeError: * wants int")),
            (
                "%(a)s",
                vec![v("a"), v("b")],
                Err("TypeError: format requires a mapping"),
            ),
            (
                "%5%",
                vec![v("a")],
                Err("ValueError: unsupported format character '%' (0x25) at index 2"),
            ),
        ];
        for (format, args, expected) in cases {
            let got = percent_format(format, args)
                .map_err(|e| e.detail().map_or_else(|| e.to_string(), str::to_owned));
            let got = got.as_deref().map_err(String::as_str);
            assert_eq!(got, *expected, "{format:?} % {args:?}");
        }
        // A tuple given as one value is the argument tuple, as in Python.
        let pair = super::super::pyvalue::tuple(vec![Value::from("a"), Value::from(2)]);
        assert_eq!(percent_format("%s=%d", &[pair]).unwrap(), "a=2");
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

    /// Each count used to be asked of the allocator whole (`memory allocation of 100000000000
    /// bytes failed`, an abort); a precision over `u16::MAX` used to panic in Rust's formatter.
    #[test]
    fn issue15_widths_and_precisions_over_the_file_limit_are_errors() {
        let n = |x: i64| Value::from(x);
        let error = |result: Result<Value, Error>| result.unwrap_err().to_string();
        let over = |what: &str, count: u64| {
            format!(
                "invalid operation: {what} of {count} makes a result over the limit of 67108864 bytes per file (GROUNDWORK_MAX_FILE_BYTES)"
            )
        };
        let huge = 100_000_000_000;
        for name in ["center", "ljust", "rjust", "zfill"] {
            assert_eq!(
                error(method(&Value::from("x"), name, &[n(huge)]).unwrap()),
                over(&format!("str.{name}(): a width"), 100_000_000_000)
            );
        }
        // A four-byte fill makes a quarter of the limit the most characters.
        let fill = Value::from("\u{1f600}");
        assert_eq!(
            error(method(&Value::from("x"), "center", &[n(16_777_217), fill.clone()]).unwrap()),
            over("str.center(): a width", 16_777_217)
        );
        assert_eq!(
            call("x", "rjust", &[n(3), fill]).chars().count(),
            3,
            "a small width with a wide fill still pads"
        );
        assert_eq!(
            error(method(&Value::from("a\tb\tc"), "expandtabs", &[n(50_000_000)]).unwrap()),
            over("str.expandtabs(): a tab size", 50_000_000)
        );
        let percent = |format: &str, args: &[Value]| percent_format(format, args);
        for (format, args, what) in [
            ("%100000000000s", vec![Value::from("x")], "width"),
            ("%*d", vec![n(-huge), n(1)], "width"),
            ("%.100000000000d", vec![n(7)], "precision"),
            ("%.*f", vec![n(huge), Value::from(1.5)], "precision"),
            ("%.100000000000e", vec![Value::from(1.5)], "precision"),
        ] {
            assert_eq!(
                percent(format, &args).unwrap_err().to_string(),
                over(&format!("`%` formatting: a {what}"), 100_000_000_000),
                "{format}"
            );
        }
        // A precision cuts `%s` short: Python allows any, and so does this.
        assert_eq!(
            percent("%.100000000000s", &[Value::from("abc")]).unwrap(),
            "abc"
        );
        // Within the limit but past what Rust's formatter takes: what Python 3.11 prints.
        let zeros = |k: usize| "0".repeat(k);
        assert_eq!(
            percent("%.70000f", &[Value::from(1.5)]).unwrap(),
            format!("1.5{}", zeros(69_999))
        );
        assert_eq!(
            percent("%.70000e", &[Value::from(1.5)]).unwrap(),
            format!("1.5{}e+00", zeros(69_999))
        );
        assert_eq!(percent("%.70000g", &[Value::from(1.5)]).unwrap(), "1.5");
        assert_eq!(
            percent("%#.70001g", &[Value::from(0.1)]).unwrap(),
            format!(
                "0.1000000000000000055511151231257827021181583404541015625{}",
                zeros(70_001 - 55)
            )
        );
        // The smallest subnormal has 750 digits after the point, all of them written.
        let subnormal = "4.940656458412465441765687928682213723650598026143247644255856825006755072702087518652998363616359923797965646954457177309266567103559397963987747960107818781263007131903114045278458171678489821036887186360569987307230500063874091535649843873124733972731696151400317153853980741262385655911710266585566867681870395603106249319452715914924553293054565444011274801297099995419319894090804165633245247571478690147267801593552386115501348035264934720193790268107107491703332226844753335720832431936092382893458368060106011506169809753078342277318329247904982524730776375927247874656084778203734469699533647017972677717585125660551199131504891101451037862738167250955837389733598993664809941164205702637090279242767544565229087538682506419718265533447265625";
        assert_eq!(
            percent("%.5000e", &[Value::from(5e-324)]).unwrap(),
            format!("{subnormal}{}e-324", zeros(5000 - 750))
        );
        assert_eq!(
            percent("%.70000d", &[n(7)]).unwrap(),
            format!("{}7", zeros(69_999))
        );
    }
}
