//! The two custom Jinja2 tags cookiecutter templates use, rewritten before minijinja (which has
//! no custom tags) parses the source:
//!
//! - `{% now TZ %}`, `{% now TZ, FORMAT %}`, `{% now TZ + 'days=1' %}`, `{% now TZ - 'hours=2', FORMAT %}`
//!   (cookiecutter's `TimeExtension` and `jinja2_time`'s) become
//!   `{{ __cookiecutter_now(TZ, OP, OFFSET, FORMAT) }}`;
//! - `{% gitcommit %}` and `{% gitcommit short=EXPR %}` (jinja2-git) become
//!   `{{ __cookiecutter_gitcommit(EXPR) }}`.
//!
//! Whitespace control (`{%-`, `-%}`) carries over, and since the result is a variable tag, which
//! `trim_blocks` and `lstrip_blocks` leave alone, the rewrite applies them itself (the newline
//! after the tag; spaces and tabs before it on its line; `+` turns either off, as in Jinja2).
//! `{% raw %}` blocks are left untouched. This module only rewrites text; the functions live in
//! `engine`.

use std::fmt::Write as _;

use regex::Regex;

/// Whitespace handling of block tags (`trim_blocks`, `lstrip_blocks`).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Whitespace {
    pub trim_blocks: bool,
    pub lstrip_blocks: bool,
}

/// Rewrites the custom tags in `source`, given the block delimiters.
pub(super) fn rewrite(
    source: &str,
    block_start: &str,
    block_end: &str,
    ws: Whitespace,
) -> Result<String, String> {
    if !source.contains("now") && !source.contains("gitcommit") {
        return Ok(source.to_owned());
    }
    let (s, e) = (regex::escape(block_start), regex::escape(block_end));
    let tag = Regex::new(&format!(
        r"(?s){s}([-+]?)\s*(raw|now|gitcommit)\b(.*?)([-+]?){e}"
    ))
    .map_err(|err| err.to_string())?;
    let endraw =
        Regex::new(&format!(r"(?s){s}[-+]?\s*endraw\s*[-+]?{e}")).map_err(|err| err.to_string())?;
    let mut out = String::with_capacity(source.len());
    let mut pos = 0;
    while let Some(caps) = tag.captures_at(source, pos) {
        let Some(whole) = caps.get(0) else { break };
        out.push_str(&source[pos..whole.start()]);
        let name = &caps[2];
        if name == "raw" {
            let end = endraw
                .find_at(source, whole.end())
                .map_or(source.len(), |m| m.end());
            out.push_str(&source[whole.start()..end]);
            pos = end;
            continue;
        }
        let call = match name {
            "now" => now_call(caps[3].trim())?,
            _ => gitcommit_call(caps[3].trim())?,
        };
        if ws.lstrip_blocks && caps[1].is_empty() {
            // Jinja2 strips the spaces before the tag when it starts its line in the source,
            // even when `trim_blocks` took the newline before them away.
            let line_start = source[..whole.start()].rfind('\n').map_or(0, |i| i + 1);
            let indent = &source[line_start.max(pos)..whole.start()];
            if source[line_start..whole.start()]
                .chars()
                .all(|c| c == ' ' || c == '\t')
            {
                out.truncate(out.len() - indent.len());
            }
        }
        let _ = write!(out, "{{{{{} {call} {}}}}}", &caps[1], &caps[4]);
        pos = whole.end();
        if ws.trim_blocks && &caps[4] != "+" && source[pos..].starts_with('\n') {
            pos += 1;
        }
    }
    out.push_str(&source[pos..]);
    Ok(out)
}

/// The three pairs of delimiters a template's tags use.
pub(super) struct Delimiters<'a> {
    pub block: (&'a str, &'a str),
    pub variable: (&'a str, &'a str),
    pub comment: (&'a str, &'a str),
}

/// Whether `c` separates tokens inside a Jinja2 tag but not inside a minijinja one: Jinja2's
/// lexer skips `\s+`, which in Python is any Unicode whitespace (a no-break space typed into
/// `{{ cookiecutter.name }}`, say); minijinja skips ASCII whitespace only.
fn is_unicode_space(c: char) -> bool {
    !c.is_ascii() && (c.is_whitespace() || matches!(c, '\u{1c}'..='\u{1f}'))
}

/// Turns the non-ASCII whitespace between the tokens of block and variable tags into plain
/// spaces, as Jinja2 reads it; text outside tags, string literals, comments and `{% raw %}`
/// blocks keep theirs.
pub(super) fn plain_spaces(source: &str, delims: &Delimiters<'_>) -> Result<String, String> {
    if !source.chars().any(is_unicode_space) {
        return Ok(source.to_owned());
    }
    map_tag_bodies(source, delims, |body| {
        let mut out = String::with_capacity(body.len());
        let mut quote: Option<char> = None;
        let mut escaped = false;
        for c in body.chars() {
            if let Some(q) = quote {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
                out.push(c);
                continue;
            }
            if c == '\'' || c == '"' {
                quote = Some(c);
            }
            out.push(if is_unicode_space(c) { ' ' } else { c });
        }
        out
    })
}

/// Python's `%` string formatting, which minijinja has only as the `format` filter: inside tags,
/// `'literal' % operand` becomes `('literal'|__cookiecutter_percent(operand))`, and a tuple
/// operand `(a, b)` passes its items as the arguments. The operand is what `%` binds in Jinja2:
/// an atom with its attributes, subscripts, calls and filters.
pub(super) fn percent_format(source: &str, delims: &Delimiters<'_>) -> Result<String, String> {
    let quick = Regex::new(r#"['"]\s*%[^}]"#).map_err(|e| e.to_string())?;
    if !quick.is_match(source) {
        return Ok(source.to_owned());
    }
    map_tag_bodies(source, delims, rewrite_percent)
}

fn rewrite_percent(body: &str) -> String {
    let b = body.as_bytes();
    let mut out = String::with_capacity(body.len() + 32);
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        if b[i] != b'\'' && b[i] != b'"' {
            i += 1;
            continue;
        }
        let lit_start = i;
        let Some(lit_end) = skip_string(b, i) else {
            break;
        };
        i = lit_end;
        let mut j = skip_ws(b, lit_end);
        if b.get(j) != Some(&b'%') || matches!(b.get(j + 1), Some(b'}' | b'=')) {
            continue;
        }
        j = skip_ws(b, j + 1);
        let Some((op_end, tuple)) = operand(b, j) else {
            continue;
        };
        out.push_str(&body[copied..lit_start]);
        let operand_text = body[j..op_end].trim_end();
        let args = if tuple {
            &operand_text[1..operand_text.len() - 1]
        } else {
            operand_text
        };
        let _ = write!(
            out,
            "({}|__cookiecutter_percent({args}))",
            &body[lit_start..lit_end]
        );
        copied = op_end;
        i = op_end;
    }
    out.push_str(&body[copied..]);
    out
}

/// The end of the string literal starting at `i` (just past its closing quote).
#[allow(clippy::many_single_char_names)]
fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    let q = b[i];
    let mut k = i + 1;
    while k < b.len() {
        match b[k] {
            b'\\' => k += 2,
            c if c == q => return Some(k + 1),
            _ => k += 1,
        }
    }
    None
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The end of the bracketed group opening at `i`, and whether it holds a top-level comma.
fn group(b: &[u8], i: usize) -> Option<(usize, bool)> {
    let mut depth = 0;
    let mut comma = false;
    let mut k = i;
    while k < b.len() {
        match b[k] {
            b'\'' | b'"' => {
                k = skip_string(b, k)?;
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((k + 1, comma));
                }
            }
            b',' if depth == 1 => comma = true,
            _ => {}
        }
        k += 1;
    }
    None
}

fn is_name(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The operand `%` binds, from `i`: its end, and whether it is a tuple display `(a, b)`.
fn operand(b: &[u8], i: usize) -> Option<(usize, bool)> {
    let (mut end, tuple) = match *b.get(i)? {
        b'\'' | b'"' => (skip_string(b, i)?, false),
        b'(' => group(b, i)?,
        b'[' | b'{' => (group(b, i)?.0, false),
        c if is_name(c) => {
            let mut k = i;
            while k < b.len()
                && (is_name(b[k])
                    || (b[k] == b'.'
                        && b.get(k + 1).is_some_and(u8::is_ascii_digit)
                        && b[i].is_ascii_digit()))
            {
                k += 1;
            }
            (k, false)
        }
        _ => return None,
    };
    let mut tuple = tuple;
    loop {
        match b.get(end) {
            Some(b'.') if b.get(end + 1).is_some_and(|&c| is_name(c)) => {
                end += 1;
                while end < b.len() && is_name(b[end]) {
                    end += 1;
                }
            }
            Some(b'[' | b'(') => {
                end = group(b, end)?.0;
            }
            _ => {
                let k = skip_ws(b, end);
                if b.get(k) == Some(&b'|') && b.get(k + 1) != Some(&b'|') {
                    let mut f = skip_ws(b, k + 1);
                    if !b.get(f).is_some_and(|&c| is_name(c)) {
                        break;
                    }
                    while f < b.len() && is_name(b[f]) {
                        f += 1;
                    }
                    end = f;
                    if b.get(end) == Some(&b'(') {
                        end = group(b, end)?.0;
                    }
                } else {
                    break;
                }
            }
        }
        tuple = false;
    }
    Some((end, tuple))
}

/// Applies `f` to the body of every block and variable tag (between its delimiters), leaving
/// text, comments and `{% raw %}` blocks as they are.
fn map_tag_bodies(
    source: &str,
    delims: &Delimiters<'_>,
    mut f: impl FnMut(&str) -> String,
) -> Result<String, String> {
    let (bs, be) = (regex::escape(delims.block.0), regex::escape(delims.block.1));
    let raw = Regex::new(&format!(r"^[-+]?\s*raw\s*[-+]?{be}")).map_err(|e| e.to_string())?;
    let endraw =
        Regex::new(&format!(r"(?s){bs}[-+]?\s*endraw\s*[-+]?{be}")).map_err(|e| e.to_string())?;
    let starts = [delims.block.0, delims.variable.0, delims.comment.0];
    let mut out = String::with_capacity(source.len());
    let mut pos = 0;
    loop {
        let next = starts
            .iter()
            .enumerate()
            .filter(|(_, d)| !d.is_empty())
            .filter_map(|(kind, d)| source[pos..].find(d).map(|at| (pos + at, kind, d.len())))
            .min_by_key(|&(at, kind, len)| (at, std::cmp::Reverse(len), kind));
        let Some((at, kind, len)) = next else {
            out.push_str(&source[pos..]);
            return Ok(out);
        };
        out.push_str(&source[pos..at + len]);
        pos = at + len;
        if kind == 2 {
            let end = source[pos..]
                .find(delims.comment.1)
                .map_or(source.len(), |i| pos + i + delims.comment.1.len());
            out.push_str(&source[pos..end]);
            pos = end;
            continue;
        }
        if kind == 0 && raw.is_match(&source[pos..]) {
            let end = endraw
                .find_at(source, pos)
                .map_or(source.len(), |m| m.end());
            out.push_str(&source[pos..end]);
            pos = end;
            continue;
        }
        let end_delim = if kind == 0 {
            delims.block.1
        } else {
            delims.variable.1
        };
        let mut nesting = Nesting::default();
        let body_start = pos;
        while let Some(c) = source[pos..].chars().next() {
            if nesting.at_top() && source[pos..].starts_with(end_delim) {
                break;
            }
            pos += c.len_utf8();
            nesting.in_literal(c);
        }
        out.push_str(&f(&source[body_start..pos]));
    }
}

/// Jinja2 applies `trim_blocks` to the newline after `{% endraw %}` but not to the one after
/// `{% raw %}`; minijinja trims both, unless the opening tag ends with `+`, which this adds.
pub(super) fn raw_keeps_its_newline(
    source: &str,
    block_start: &str,
    block_end: &str,
) -> Result<String, String> {
    if !source.contains("raw") {
        return Ok(source.to_owned());
    }
    let (s, e) = (regex::escape(block_start), regex::escape(block_end));
    let raw = Regex::new(&format!(r"({s}[-+]?\s*raw\s*)({e})")).map_err(|err| err.to_string())?;
    Ok(raw.replace_all(source, "${1}+${2}").into_owned())
}

/// Where a scan of expression text stands: inside a string literal or not, and how deep in
/// brackets.
#[derive(Default)]
struct Nesting {
    depth: i32,
    quote: Option<char>,
    escaped: bool,
}

impl Nesting {
    /// Outside every string literal and bracket.
    fn at_top(&self) -> bool {
        self.quote.is_none() && self.depth <= 0
    }

    /// Takes the next character; true when it belongs to a string literal (its quotes included).
    fn in_literal(&mut self, c: char) -> bool {
        if let Some(q) = self.quote {
            if self.escaped {
                self.escaped = false;
            } else if c == '\\' {
                self.escaped = true;
            } else if c == q {
                self.quote = None;
            }
            return true;
        }
        match c {
            '\'' | '"' => {
                self.quote = Some(c);
                return true;
            }
            '(' | '[' | '{' => self.depth += 1,
            ')' | ']' | '}' => self.depth -= 1,
            _ => {}
        }
        false
    }
}

/// Splits `text` at the first top-level occurrence of any of `ops` (outside quotes and brackets),
/// skipping position 0.
fn split_top(text: &str, ops: &[char]) -> Option<(usize, char)> {
    let mut nesting = Nesting::default();
    for (i, c) in text.char_indices() {
        if !nesting.in_literal(c) && nesting.depth == 0 && i > 0 && ops.contains(&c) {
            return Some((i, c));
        }
    }
    None
}

fn now_call(args: &str) -> Result<String, String> {
    if args.is_empty() {
        return Err("`{% now %}` needs a timezone, such as {% now 'utc' %}".into());
    }
    let (zone_part, format) = match split_top(args, &[',']) {
        Some((i, _)) => (args[..i].trim(), args[i + 1..].trim()),
        None => (args, "none"),
    };
    let (zone, op, offset) = match split_top(zone_part, &['+', '-']) {
        Some((i, op)) => (
            zone_part[..i].trim(),
            format!("\"{op}\""),
            zone_part[i + 1..].trim(),
        ),
        None => (zone_part, "none".to_owned(), "none"),
    };
    Ok(format!(
        "__cookiecutter_now(({zone}), {op}, ({offset}), ({format}))"
    ))
}

fn gitcommit_call(args: &str) -> Result<String, String> {
    if args.is_empty() {
        return Ok("__cookiecutter_gitcommit(false)".into());
    }
    match args.strip_prefix("short").map(str::trim_start) {
        Some(rest) if rest.starts_with('=') => {
            Ok(format!("__cookiecutter_gitcommit(({}))", rest[1..].trim()))
        }
        _ => Err(format!(
            "`{{% gitcommit {args} %}}`: jinja2-git accepts only `{{% gitcommit %}}` and `{{% gitcommit short=True %}}`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> String {
        rewrite(s, "{%", "%}", Whitespace::default()).unwrap()
    }

    #[test]
    fn unicode_spaces_inside_tags_become_plain() {
        let delims = Delimiters {
            block: ("{%", "%}"),
            variable: ("{{", "}}"),
            comment: ("{#", "#}"),
        };
        let p = |s: &str| plain_spaces(s, &delims).unwrap();
        assert_eq!(p("a\u{a0}{{\u{a0}x\u{3000}}}"), "a\u{a0}{{ x }}");
        assert_eq!(
            p("{%\u{a0}if x == '\u{a0}' %}\u{a0}{% endif %}"),
            "{% if x == '\u{a0}' %}\u{a0}{% endif %}"
        );
        assert_eq!(p("{{ {'a':\u{a0}1} }}"), "{{ {'a': 1} }}");
        assert_eq!(
            p("{#\u{a0}#}{% raw %}{{\u{a0}}}{% endraw %}"),
            "{#\u{a0}#}{% raw %}{{\u{a0}}}{% endraw %}"
        );
    }

    #[test]
    fn percent_formatting_becomes_a_filter() {
        let delims = Delimiters {
            block: ("{%", "%}"),
            variable: ("{{", "}}"),
            comment: ("{#", "#}"),
        };
        let p = |s: &str| percent_format(s, &delims).unwrap();
        assert_eq!(
            p("{% include '_/%s' % cookiecutter.license -%}"),
            "{% include ('_/%s'|__cookiecutter_percent(cookiecutter.license)) -%}"
        );
        assert_eq!(
            p("{{ '%s-%d' % (a, b['k']) }} {{ 'x' ~ '%s' % x|lower ~ 'y' }}"),
            "{{ ('%s-%d'|__cookiecutter_percent(a, b['k'])) }} {{ 'x' ~ ('%s'|__cookiecutter_percent(x|lower)) ~ 'y' }}"
        );
        assert_eq!(
            p("{{ '%(a)s' % {'a': 1} }}"),
            "{{ ('%(a)s'|__cookiecutter_percent({'a': 1})) }}"
        );
        assert_eq!(
            p("100% {{ 'a' }} {% if x %}'%'{% endif %}"),
            "100% {{ 'a' }} {% if x %}'%'{% endif %}"
        );
        assert_eq!(p("{{ 7 % 3 }}{# '%s' % x #}"), "{{ 7 % 3 }}{# '%s' % x #}");
    }

    #[test]
    fn forms() {
        assert_eq!(
            r("{% now 'utc' %}"),
            "{{ __cookiecutter_now(('utc'), none, (none), (none)) }}"
        );
        assert_eq!(
            r("a{%- now 'local', '%Y' -%}b"),
            "a{{- __cookiecutter_now(('local'), none, (none), ('%Y')) -}}b"
        );
        assert_eq!(
            r("{% now 'utc' - 'days=1, hours=2', '%d' %}"),
            "{{ __cookiecutter_now(('utc'), \"-\", ('days=1, hours=2'), ('%d')) }}"
        );
        assert_eq!(
            r("{% gitcommit short=True %}"),
            "{{ __cookiecutter_gitcommit((True)) }}"
        );
        assert_eq!(
            r("{% raw %}{% now 'utc' %}{% endraw %}"),
            "{% raw %}{% now 'utc' %}{% endraw %}"
        );
        assert_eq!(
            r("{% if nowhere %}x{% endif %}"),
            "{% if nowhere %}x{% endif %}"
        );
        let ws = Whitespace {
            trim_blocks: true,
            lstrip_blocks: true,
        };
        assert_eq!(
            rewrite("a\n  {% gitcommit %}\nb", "{%", "%}", ws).unwrap(),
            "a\n{{ __cookiecutter_gitcommit(false) }}b"
        );
    }
}
