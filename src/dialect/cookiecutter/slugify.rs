//! The `slugify` filter with python-slugify's legacy pipeline (the one cookiecutter 2.7.1 calls):
//! user replacements, quotes to dashes, transliteration to ASCII, HTML entity and numeric
//! references, lower-casing, digit-group commas dropped, every run of characters outside
//! `[-a-zA-Z0-9]` to one dash, dashes trimmed, stopwords, smart truncation, separator.
//! Text is decomposed (NFKD) before transliteration, as python-slugify does. Transliteration
//! uses `deunicode`, which agrees with `text-unidecode` on Latin, Greek, Cyrillic, CJK and kana
//! once decomposed; text-unidecode leaves characters outside its tables (emoji, symbols and
//! scripts added to Unicode after it) out, where deunicode may spell them. It only transforms
//! strings.

use regex::Regex;
use unicode_normalization::UnicodeNormalization as _;

/// python-slugify's options, in its positional order after the text.
#[derive(Debug, Clone)]
#[allow(clippy::struct_excessive_bools)] // python-slugify's own keyword arguments
pub(super) struct Options {
    pub entities: bool,
    pub decimal: bool,
    pub hexadecimal: bool,
    pub max_length: usize,
    pub word_boundary: bool,
    pub separator: String,
    pub save_order: bool,
    pub stopwords: Vec<String>,
    pub regex_pattern: Option<String>,
    pub lowercase: bool,
    pub replacements: Vec<(String, String)>,
    pub allow_unicode: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            entities: true,
            decimal: true,
            hexadecimal: true,
            max_length: 0,
            word_boundary: false,
            separator: "-".into(),
            save_order: false,
            stopwords: Vec::new(),
            regex_pattern: None,
            lowercase: true,
            replacements: Vec::new(),
            allow_unicode: false,
        }
    }
}

fn re(pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|e| format!("slugify: pattern {pattern:?}: {e}"))
}

/// ASCII for non-ASCII text, as text-unidecode gives it after python-slugify's decomposition.
fn transliterate(text: &str) -> Result<String, String> {
    // Compatibility decomposition first (é → e + accent, が → か + voicing mark, µ → μ,
    // 𝐀 → A), as python-slugify does before text-unidecode; text-unidecode has no table
    // above U+FFFF, so what is left there (emoji) transliterates to nothing.
    // deunicode names pictographic symbols ("hearts", "watch"); text-unidecode has none.
    let symbol = re(r"\p{So}")?;
    let decomposed: String = text.nfkd().filter(|&c| u32::from(c) <= 0xFFFF).collect();
    Ok(decomposed
        .chars()
        .map(|c| {
            if c.is_ascii() {
                return c.to_string();
            }
            let ascii = deunicode::deunicode_char(c).unwrap_or("");
            let named = ascii.len() >= 4
                && ascii
                    .chars()
                    .all(|a| a.is_ascii_alphabetic() || a == ' ' || a == '-')
                && symbol.is_match(c.encode_utf8(&mut [0; 4]));
            if named {
                String::new()
            } else {
                ascii.to_owned()
            }
        })
        .collect())
}

/// HTML entity, decimal and hexadecimal references decoded as the options ask.
fn decode_references(mut text: String, o: &Options) -> Result<String, String> {
    if o.entities {
        for (name, ch) in [
            ("amp", "&"),
            ("lt", "<"),
            ("gt", ">"),
            ("quot", "\""),
            ("nbsp", "\u{a0}"),
        ] {
            text = text.replace(&format!("&{name};"), ch);
        }
    }
    let numeric = |text: &str, pattern: &str, radix: u32| -> Result<String, String> {
        Ok(re(pattern)?
            .replace_all(text, |c: &regex::Captures| {
                u32::from_str_radix(&c[1], radix)
                    .ok()
                    .and_then(char::from_u32)
                    .map_or_else(|| c[0].to_owned(), |ch| ch.to_string())
            })
            .into_owned())
    };
    if o.decimal {
        text = numeric(&text, r"&#(\d+);", 10)?;
    }
    if o.hexadecimal {
        text = numeric(&text, r"&#x([\da-fA-F]+);", 16)?;
    }
    Ok(text)
}

pub(super) fn slugify(input: &str, o: &Options) -> Result<String, String> {
    let mut text = input.to_owned();
    for (old, new) in &o.replacements {
        text = text.replace(old.as_str(), new);
    }
    text = re("'+")?.replace_all(&text, "-").into_owned();
    if o.allow_unicode {
        text = text.nfkc().collect();
    } else if !text.is_ascii() {
        text = transliterate(&text)?;
    }
    text = decode_references(text, o)?;
    // Normalized again after the references are decoded.
    text = if o.allow_unicode {
        text.nfkc().collect()
    } else {
        text.nfkd().collect()
    };
    if o.lowercase {
        text = text.to_lowercase();
    }
    text = text.replace('\'', "");
    // `(?<=\d),(?=\d)`: a comma between two digits disappears.
    let chars: Vec<char> = text.chars().collect();
    text = chars
        .iter()
        .enumerate()
        .filter(|&(i, &c)| {
            !(c == ','
                && i > 0
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        })
        .map(|(_, c)| c)
        .collect();
    let disallowed = match (&o.regex_pattern, o.allow_unicode) {
        (Some(p), _) => re(p)?,
        (None, true) => re(r"[\W_]+")?,
        (None, false) => re("[^-a-zA-Z0-9]+")?,
    };
    text = disallowed.replace_all(&text, "-").into_owned();
    let deduped = re("-{2,}")?.replace_all(&text, "-").into_owned();
    deduped.trim_matches('-').clone_into(&mut text);
    if !o.stopwords.is_empty() {
        let excluded: Vec<String> = if o.lowercase {
            o.stopwords.iter().map(|w| w.to_lowercase()).collect()
        } else {
            o.stopwords.clone()
        };
        text = text
            .split('-')
            .filter(|w| !excluded.iter().any(|e| e == w))
            .collect::<Vec<_>>()
            .join("-");
    }
    for (old, new) in &o.replacements {
        text = text.replace(old.as_str(), new);
    }
    if o.max_length > 0 {
        text = smart_truncate(&text, o.max_length, o.word_boundary, o.save_order);
    }
    if o.separator != "-" {
        text = text.replace('-', &o.separator);
    }
    Ok(text)
}

fn prefix(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn smart_truncate(
    string: &str,
    max_length: usize,
    word_boundary: bool,
    save_order: bool,
) -> String {
    let string = string.trim_matches('-');
    let len = string.chars().count();
    if len < max_length {
        return string.to_owned();
    }
    if !word_boundary {
        return prefix(string, max_length).trim_matches('-').to_owned();
    }
    if !string.contains('-') {
        return prefix(string, max_length);
    }
    let mut truncated = String::new();
    for word in string.split('-').filter(|w| !w.is_empty()) {
        let next_len = truncated.chars().count() + word.chars().count();
        if next_len < max_length {
            truncated.push_str(word);
            truncated.push('-');
        } else if next_len == max_length {
            truncated.push_str(word);
            break;
        } else if save_order {
            break;
        }
    }
    if truncated.is_empty() {
        truncated = prefix(string, max_length);
    }
    truncated.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> String {
        slugify(text, &Options::default()).unwrap()
    }

    #[test]
    fn transliteration_after_compatibility_decomposition() {
        assert_eq!(s("Ёлка Їжак"), "elka-izhak");
        assert_eq!(s("ひらがな ガギ"), "hirakana-kaki");
        assert_eq!(s("µ 𝐀𝐁 ﬁne"), "m-ab-fine");
        assert_eq!(s("I ♥ NY 😀 ★"), "i-ny");
        assert_eq!(s("© ° ℃"), "c-deg-degc");
    }

    #[test]
    fn legacy_pipeline() {
        assert_eq!(s("My Awesome Project!"), "my-awesome-project");
        assert_eq!(s("Crème Brûlée"), "creme-brulee");
        assert_eq!(s("It's 1,000 times"), "it-s-1000-times");
        assert_eq!(s("  --a  b--  "), "a-b");
        assert_eq!(s("R&amp;D"), "r-d");
        let o = Options {
            separator: "_".into(),
            max_length: 9,
            word_boundary: true,
            ..Options::default()
        };
        assert_eq!(slugify("one two three", &o).unwrap(), "one_two");
    }
}
