//! Python's `fnmatch.fnmatch` on POSIX, which cookiecutter uses to match `_copy_without_render`
//! patterns against template-relative paths: `*` matches any run of characters (slashes
//! included), `?` any one character, `[seq]` / `[!seq]` a set, and the whole path must match.
//! It only matches strings; which paths are matched is the walk's business.

use regex::Regex;

/// A compiled pattern.
#[derive(Debug, Clone)]
pub(super) struct Pattern {
    regex: Regex,
}

impl Pattern {
    pub(super) fn new(pattern: &str) -> Result<Self, String> {
        Regex::new(&translate(pattern))
            .map(|regex| Pattern { regex })
            .map_err(|e| format!("pattern {pattern:?} cannot be compiled: {e}"))
    }

    pub(super) fn matches(&self, path: &str) -> bool {
        self.regex.is_match(path)
    }
}

/// The regular expression `fnmatch.translate` builds, for the `regex` crate.
fn translate(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::from("(?s)^(?:");
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '*' => {
                while chars.get(i) == Some(&'*') {
                    i += 1;
                }
                out.push_str(".*");
            }
            '?' => out.push('.'),
            '[' => {
                let mut j = i;
                if chars.get(j) == Some(&'!') {
                    j += 1;
                }
                if chars.get(j) == Some(&']') {
                    j += 1;
                }
                while j < chars.len() && chars[j] != ']' {
                    j += 1;
                }
                if j >= chars.len() {
                    out.push_str("\\[");
                } else {
                    let mut set = String::from("[");
                    let mut k = i;
                    if chars[k] == '!' {
                        set.push('^');
                        k += 1;
                    } else if chars[k] == '^' {
                        set.push_str("\\^");
                        k += 1;
                    }
                    for &ch in &chars[k..j] {
                        if matches!(ch, '\\' | '[' | '&' | '~' | '|') {
                            set.push('\\');
                        }
                        set.push(ch);
                    }
                    set.push(']');
                    // An empty set matches nothing, as in Python.
                    if set == "[]" {
                        out.push_str("(?!)");
                    } else if set == "[^]" {
                        out.push('.');
                    } else {
                        out.push_str(&set);
                    }
                    i = j + 1;
                }
            }
            other => out.push_str(&regex::escape(&other.to_string())),
        }
    }
    out.push_str(")$");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        Pattern::new(p).unwrap().matches(s)
    }

    #[test]
    fn python_semantics() {
        assert!(m("*.png", "img/logo.png"));
        assert!(m("static/*", "static/a/b.js"));
        assert!(!m("static/*", "other/static/a"));
        assert!(m("a?c", "abc"));
        assert!(m("[ab]x", "bx"));
        assert!(!m("[!ab]x", "bx"));
        assert!(m("[x", "[x"));
        assert!(m("{{cookiecutter.name}}/raw", "{{cookiecutter.name}}/raw"));
        assert!(!m("*.html", "a.htmlx"));
    }
}
