//! The terminal [`Prompter`]: dialoguer prompts for a user at a tty. Only constructed when stdin
//! is a terminal (dialoguer fails every prompt otherwise); it holds no logic beyond presentation.

use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Input, MultiSelect, Password, Select};

use crate::answers::Prompter;
use crate::error::{Error, Result};
use crate::template::Question;

pub struct TerminalPrompter {
    theme: ColorfulTheme,
}

impl TerminalPrompter {
    pub fn new() -> Self {
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

fn failed(question: &Question, error: &dialoguer::Error) -> Error {
    match error {
        // Ctrl-C at a prompt arrives as an interrupted read, not as a signal.
        dialoguer::Error::IO(e) if e.kind() == std::io::ErrorKind::Interrupted => {
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
        let mut input = Input::<String>::with_theme(&self.theme)
            .with_prompt(Self::label(question))
            .allow_empty(true);
        if let Some(default) = default {
            input = input.default(default.to_owned());
        }
        input.interact_text().map_err(|e| failed(question, &e))
    }

    fn secret(&mut self, question: &Question) -> Result<String> {
        Password::with_theme(&self.theme)
            .with_prompt(Self::label(question))
            .allow_empty_password(true)
            .interact()
            .map_err(|e| failed(question, &e))
    }

    fn confirm(&mut self, question: &Question, default: bool) -> Result<bool> {
        Confirm::with_theme(&self.theme)
            .with_prompt(Self::label(question))
            .default(default)
            .interact()
            .map_err(|e| failed(question, &e))
    }

    fn select(&mut self, question: &Question, choices: &[String], default: usize) -> Result<usize> {
        Select::with_theme(&self.theme)
            .with_prompt(Self::label(question))
            .items(choices)
            .default(default)
            .interact()
            .map_err(|e| failed(question, &e))
    }

    fn multi_select(
        &mut self,
        question: &Question,
        choices: &[String],
        defaults: &[bool],
    ) -> Result<Vec<usize>> {
        MultiSelect::with_theme(&self.theme)
            .with_prompt(Self::label(question))
            .items(choices)
            .defaults(defaults)
            .interact()
            .map_err(|e| failed(question, &e))
    }

    fn refuse(&mut self, _question: &Question, message: &str) {
        eprintln!("  {message}; please try again.");
    }
}
