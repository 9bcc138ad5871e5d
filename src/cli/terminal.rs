//! The terminal [`Prompter`]: dialoguer prompts for a user at a tty. Only constructed when stdin
//! is a terminal (dialoguer fails every prompt otherwise); it holds no logic beyond presentation.

use dialoguer::console::{Key, Term};
use dialoguer::theme::{ColorfulTheme, Theme as _};

use crate::core::error::{Error, Result};
use crate::template::Question;
use crate::template::answers::Prompter;

pub(crate) struct TerminalPrompter {
    theme: ColorfulTheme,
}

impl TerminalPrompter {
    pub(crate) fn new() -> Self {
        TerminalPrompter {
            theme: ColorfulTheme::default(),
        }
    }

    fn label(question: &Question) -> String {
        match &question.help {
            Some(help) => format!("{} ({help})", question.prompt),
            None => question.prompt.clone(),
        }
    }
}

impl Default for TerminalPrompter {
    fn default() -> Self {
        Self::new()
    }
}

impl TerminalPrompter {
    /// One line of text, in the theme's look. dialoguer's `Input` ignores Ctrl-D, which left the
    /// user stuck at a prompt, so text is read key by key here: Ctrl-D and Ctrl-C cancel
    /// (exit 130), Backspace and Ctrl-U edit, Enter answers (empty takes the default).
    fn read_line(
        &self,
        question: &Question,
        default: Option<&str>,
        secret: bool,
    ) -> Result<String> {
        let term = Term::stderr();
        let label = Self::label(question);
        let io = |e: std::io::Error| failed(question, &dialoguer::Error::IO(e));
        let mut prompt = String::new();
        if secret {
            self.theme.format_password_prompt(&mut prompt, &label)
        } else {
            self.theme.format_input_prompt(&mut prompt, &label, default)
        }
        .map_err(|e| io(std::io::Error::other(e)))?;
        term.write_str(&prompt).map_err(io)?;
        term.flush().map_err(io)?;
        let width = usize::from(term.size().1);
        // What is on the screen: the prompt and what was typed (unless secret), which wraps onto
        // more rows when it is wider than the terminal.
        let shown = |chars: &[char]| {
            let mut line = prompt.clone();
            if !secret {
                line.extend(chars);
            }
            line
        };
        // Moving the cursor back (as `clear_chars` does) stops at the start of a row, so an edit
        // erases the prompt and draws it again.
        let erase = |line: &str| erase_line(&term, line, width);
        let mut chars: Vec<char> = Vec::new();
        loop {
            match term.read_key().map_err(io)? {
                Key::Enter => break,
                Key::CtrlC | Key::Char('\u{4}') => {
                    term.write_line("").map_err(io)?;
                    return Err(Error::Interrupted);
                }
                key @ (Key::Backspace | Key::Char('\u{15}')) => {
                    let before = shown(&chars);
                    if key == Key::Backspace {
                        chars.pop();
                    } else {
                        chars.clear();
                    }
                    if !secret {
                        erase(&before).map_err(io)?;
                        term.write_str(&shown(&chars)).map_err(io)?;
                    }
                }
                Key::Char(c) if !c.is_control() => {
                    chars.push(c);
                    if !secret {
                        term.write_str(c.encode_utf8(&mut [0; 4])).map_err(io)?;
                    }
                }
                _ => {}
            }
            term.flush().map_err(io)?;
        }
        let typed: String = chars.iter().collect();
        let answer = match default {
            Some(default) if typed.is_empty() => default.to_owned(),
            _ => typed,
        };
        // The answer is marked as taken only once it passes validation ([`Prompter::accepted`]):
        // a refused one is erased and the reason shown instead.
        erase(&shown(&chars)).map_err(io)?;
        term.flush().map_err(io)?;
        Ok(answer)
    }
}

impl TerminalPrompter {
    /// A choice (`checked` is `None`) or a multi-choice (`checked` holds each item's state) read key
    /// by key, in the look of dialoguer's `Select`/`MultiSelect`. Those ignore Ctrl-D (console
    /// hands it over as `Key::Char('\u{4}')` in raw mode, and their key loop drops keys it does not
    /// know, with no way to add one), which left the user stuck; here Ctrl-D and Ctrl-C cancel
    /// (exit 130). Up/Down (or k/j, Tab) move, Space toggles a multi-choice item (`a` all), Enter
    /// answers (Space too for a choice). Long lists are shown a page at a time.
    fn choose(
        &self,
        question: &Question,
        choices: &[String],
        default: usize,
        checked: Option<Vec<bool>>,
    ) -> Result<Vec<usize>> {
        let term = Term::stderr();
        let io = |e: std::io::Error| failed(question, &dialoguer::Error::IO(e));
        term.hide_cursor().map_err(io)?;
        let chosen = self.choose_keys(&term, question, choices, default, checked);
        // The cursor comes back whatever happened.
        let shown = term.show_cursor().and_then(|()| term.flush());
        let chosen = chosen?;
        shown.map_err(io)?;
        Ok(chosen)
    }

    fn choose_keys(
        &self,
        term: &Term,
        question: &Question,
        choices: &[String],
        default: usize,
        mut checked: Option<Vec<bool>>,
    ) -> Result<Vec<usize>> {
        let label = Self::label(question);
        let io = |e: std::io::Error| failed(question, &dialoguer::Error::IO(e));
        let fmt = |e: std::fmt::Error| io(std::io::Error::other(e));
        if choices.is_empty() {
            return Err(io(std::io::Error::other("no choices to choose from")));
        }
        let (height, width) = term.size();
        let (height, width) = (usize::from(height), usize::from(width));
        // A page is as many items as fit below the prompt with a row to spare, counting the rows
        // a line wider than the terminal wraps onto: what scrolls off could not be erased.
        let multi = checked.is_some();
        let prompt = self.choice_prompt(&label, multi).map_err(fmt)?;
        let mut item_rows = 1;
        for choice in choices {
            let item = self.choice_item(choice, multi.then_some(false), true);
            item_rows = item_rows.max(rows(&item.map_err(fmt)?, width));
        }
        let page = (height.saturating_sub(1 + rows(&prompt, width)) / item_rows).max(1);
        let mut sel = default.min(choices.len() - 1);
        let mut drawn = 0;
        loop {
            if drawn > 0 {
                term.clear_last_lines(drawn).map_err(io)?;
            }
            let start = sel / page * page;
            let mut screen = prompt.clone();
            for (i, choice) in choices.iter().enumerate().skip(start).take(page) {
                screen.push('\n');
                let state = checked.as_ref().map(|states| states[i]);
                screen.push_str(&self.choice_item(choice, state, i == sel).map_err(fmt)?);
            }
            term.write_line(&screen).map_err(io)?;
            term.flush().map_err(io)?;
            // Rows, not lines: erasing fewer rows than were drawn leaves stale copies behind.
            drawn = screen.lines().map(|line| rows(line, width)).sum();
            match term.read_key().map_err(io)? {
                Key::ArrowDown | Key::Tab | Key::Char('j') => sel = (sel + 1) % choices.len(),
                Key::ArrowUp | Key::BackTab | Key::Char('k') => {
                    sel = (sel + choices.len() - 1) % choices.len();
                }
                Key::Char(' ') if checked.is_some() => {
                    if let Some(states) = checked.as_mut() {
                        states[sel] = !states[sel];
                    }
                }
                Key::Char('a') if checked.is_some() => {
                    if let Some(states) = checked.as_mut() {
                        let all = states.iter().all(|&c| c);
                        for c in states.iter_mut() {
                            *c = !all;
                        }
                    }
                }
                Key::Enter | Key::Char(' ') => break,
                Key::CtrlC | Key::Char('\u{4}') => {
                    term.clear_last_lines(drawn).map_err(io)?;
                    term.write_line("").map_err(io)?;
                    return Err(Error::Interrupted);
                }
                _ => {}
            }
        }
        term.clear_last_lines(drawn).map_err(io)?;
        let mut done = String::new();
        let chosen: Vec<usize> = match &checked {
            None => {
                self.theme
                    .format_select_prompt_selection(&mut done, &label, &choices[sel])
                    .map_err(fmt)?;
                vec![sel]
            }
            Some(states) => {
                let chosen: Vec<usize> = (0..choices.len()).filter(|&i| states[i]).collect();
                let names: Vec<&str> = chosen.iter().map(|&i| choices[i].as_str()).collect();
                self.theme
                    .format_multi_select_prompt_selection(&mut done, &label, &names)
                    .map_err(fmt)?;
                chosen
            }
        };
        term.write_line(&done).map_err(io)?;
        Ok(chosen)
    }
}

/// Erases the rows the `line` just drawn (without a newline) took on `term`, `width` columns wide,
/// leaving the cursor where the line started.
fn erase_line(term: &Term, line: &str, width: usize) -> std::io::Result<()> {
    term.clear_line()?;
    match rows(line, width) {
        0 | 1 => Ok(()),
        n => term.clear_last_lines(n - 1),
    }
}

/// How many rows of a terminal `width` columns wide one drawn `line` (no newline; ANSI styles
/// allowed) takes. A terminal wraps a character that does not fit on the row to the next one, so
/// a double-width character can start a row early; a line exactly as wide as the terminal takes
/// one row (the cursor waits at the last column). An unknown width (0) counts one row per line.
fn rows(line: &str, width: usize) -> usize {
    if width == 0 {
        return 1;
    }
    let plain = dialoguer::console::strip_ansi_codes(line);
    let (mut rows, mut column) = (1, 0);
    let mut buffer = [0; 4];
    for c in plain.chars() {
        let wide = dialoguer::console::measure_text_width(c.encode_utf8(&mut buffer));
        if wide == 0 {
            continue;
        }
        if column > 0 && column + wide > width {
            rows += 1;
            column = 0;
        }
        column += wide;
    }
    rows
}

impl TerminalPrompter {
    /// The first line of a choice (`multi` false) or multi-choice prompt.
    fn choice_prompt(
        &self,
        label: &str,
        multi: bool,
    ) -> std::result::Result<String, std::fmt::Error> {
        let mut prompt = String::new();
        if multi {
            self.theme.format_multi_select_prompt(&mut prompt, label)?;
        } else {
            self.theme.format_select_prompt(&mut prompt, label)?;
        }
        Ok(prompt)
    }

    /// One item of a choice (`checked` is `None`) or multi-choice prompt.
    fn choice_item(
        &self,
        choice: &str,
        checked: Option<bool>,
        active: bool,
    ) -> std::result::Result<String, std::fmt::Error> {
        let mut item = String::new();
        match checked {
            None => self
                .theme
                .format_select_prompt_item(&mut item, choice, active)?,
            Some(checked) => self
                .theme
                .format_multi_select_prompt_item(&mut item, choice, checked, active)?,
        }
        Ok(item)
    }
}

fn failed(question: &Question, error: &dialoguer::Error) -> Error {
    match error {
        // Ctrl-C at a prompt arrives as an interrupted read; a closed terminal as end of file.
        dialoguer::Error::IO(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::Interrupted | std::io::ErrorKind::UnexpectedEof
            ) =>
        {
            Error::Interrupted
        }
        dialoguer::Error::IO(_) => Error::Prompt {
            question: question.name.clone(),
            message: error.to_string(),
        },
    }
}

impl Prompter for TerminalPrompter {
    fn text(&mut self, question: &Question, default: Option<&str>) -> Result<String> {
        self.read_line(question, default, false)
    }

    fn secret(&mut self, question: &Question) -> Result<String> {
        self.read_line(question, None, true)
    }

    fn confirm(&mut self, question: &Question, default: bool) -> Result<bool> {
        // dialoguer's Confirm ignores Ctrl-D as well: y, n or Enter answer, Ctrl-C/Ctrl-D cancel.
        let term = Term::stderr();
        let label = Self::label(question);
        let io = |e: std::io::Error| failed(question, &dialoguer::Error::IO(e));
        let mut prompt = String::new();
        self.theme
            .format_confirm_prompt(&mut prompt, &label, Some(default))
            .map_err(|e| io(std::io::Error::other(e)))?;
        term.write_str(&prompt).map_err(io)?;
        term.flush().map_err(io)?;
        let answer = loop {
            match term.read_key().map_err(io)? {
                Key::Char('y' | 'Y') => break true,
                Key::Char('n' | 'N') => break false,
                Key::Enter => break default,
                Key::CtrlC | Key::Char('\u{4}') => {
                    term.write_line("").map_err(io)?;
                    return Err(Error::Interrupted);
                }
                _ => {}
            }
        };
        erase_line(&term, &prompt, usize::from(term.size().1)).map_err(io)?;
        let mut done = String::new();
        self.theme
            .format_confirm_prompt_selection(&mut done, &label, Some(answer))
            .map_err(|e| io(std::io::Error::other(e)))?;
        term.write_line(&done).map_err(io)?;
        Ok(answer)
    }

    fn select(&mut self, question: &Question, choices: &[String], default: usize) -> Result<usize> {
        let chosen = self.choose(question, choices, default, None)?;
        Ok(chosen.into_iter().next().unwrap_or(default))
    }

    fn multi_select(
        &mut self,
        question: &Question,
        choices: &[String],
        defaults: &[bool],
    ) -> Result<Vec<usize>> {
        self.choose(question, choices, 0, Some(defaults.to_vec()))
    }

    fn refuse(&mut self, _question: &Question, message: &str) {
        let mut line = String::new();
        let text = format!("{message}; please try again");
        if self.theme.format_error(&mut line, &text).is_err() {
            line = text;
        }
        crate::core::report::line(format_args!("{line}"));
    }

    fn accepted(&mut self, question: &Question, shown: Option<&str>) {
        let label = Self::label(question);
        let mut done = String::new();
        let formatted = match shown {
            Some(answer) => self
                .theme
                .format_input_prompt_selection(&mut done, &label, answer),
            None => self
                .theme
                .format_password_prompt_selection(&mut done, &label),
        };
        // A line that cannot be drawn is no reason to lose the answer.
        if formatted.is_ok() {
            let _ = Term::stderr().write_line(&done);
        }
    }

    fn confirm_hooks(&mut self, source: &str, hooks: &[String]) -> Result<bool> {
        crate::core::report::line(format_args!(
            "Template {source} has hooks, programs that run on this machine:"
        ));
        for hook in hooks {
            crate::core::report::line(format_args!("  {hook}"));
        }
        let question = Question::synthetic(
            "hooks",
            "Run them? (no: create the project without running them)",
            crate::template::Kind::Bool,
        );
        self.confirm(&question, false)
    }
}

#[cfg(test)]
mod tests {
    use super::rows;

    #[test]
    fn rows_counts_wrapped_lines() {
        // Width 1: a row per character; an empty line still takes its row.
        assert_eq!(rows("abc", 1), 3);
        assert_eq!(rows("", 1), 1);
        assert_eq!(rows("", 20), 1);
        // Exactly as wide as the terminal: one row; one more column: two.
        assert_eq!(rows("abcde", 5), 1);
        assert_eq!(rows("abcdef", 5), 2);
        assert_eq!(rows("abcdefghij", 5), 2);
        assert_eq!(rows("abcdefghijk", 5), 3);
        // Double-width characters do not split: `中` does not fit in the fifth column, so it
        // starts the next row (10 columns, yet three rows of five).
        assert_eq!(rows("中中", 4), 1);
        assert_eq!(rows("中中中", 5), 2);
        assert_eq!(rows("aaaa中中中", 5), 3);
        // Wider than the terminal itself: it takes its own row.
        assert_eq!(rows("中a", 1), 2);
        // Styles take no columns.
        assert_eq!(rows("\x1b[36mabcde\x1b[0m", 5), 1);
        assert_eq!(rows("\x1b[1m\x1b[36mabcdef\x1b[0m", 5), 2);
        // A combining accent takes no column.
        assert_eq!(rows("e\u{301}bcde", 5), 1);
        // Unknown width: one row.
        assert_eq!(rows("abcdef", 0), 1);
    }
}
