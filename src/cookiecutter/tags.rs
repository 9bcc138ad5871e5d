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
pub struct Whitespace {
    pub trim_blocks: bool,
    pub lstrip_blocks: bool,
}

/// Rewrites the custom tags in `source`, given the block delimiters.
pub fn rewrite(
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
            let line_start = out.rfind('\n').map_or(0, |i| i + 1);
            if out[line_start..].chars().all(|c| c == ' ' || c == '\t') {
                out.truncate(line_start);
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
pub struct Delimiters<'a> {
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
pub fn plain_spaces(source: &str, delims: &Delimiters<'_>) -> Result<String, String> {
    if !source.chars().any(is_unicode_space) {
        return Ok(source.to_owned());
    }
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
        let end = if kind == 0 {
            delims.block.1
        } else {
            delims.variable.1
        };
        let mut depth = 0i32;
        let mut quote: Option<char> = None;
        let mut escaped = false;
        while let Some(c) = source[pos..].chars().next() {
            if quote.is_none() && depth <= 0 && source[pos..].starts_with(end) {
                break;
            }
            pos += c.len_utf8();
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
            match c {
                '\'' | '"' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ => {}
            }
            out.push(if is_unicode_space(c) { ' ' } else { c });
        }
    }
}

/// Splits `text` at the first top-level occurrence of any of `ops` (outside quotes and brackets),
/// skipping position 0.
fn split_top(text: &str, ops: &[char]) -> Option<(usize, char)> {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            c if depth == 0 && i > 0 && ops.contains(&c) => return Some((i, c)),
            _ => {}
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
