//! An interactive run driven through the `Prompter` trait, as a terminal user would answer.

use groundwork::api::Prompter;
use groundwork::api::Question;
use groundwork::api::Result;
use groundwork::api::Source;
use groundwork::api::{NewOptions, new as run};

use crate::env::TestEnv;
use crate::kitchen_sink;

/// Answers from a script, recording every prompt it was shown.
#[derive(Default)]
struct Scripted {
    answers: Vec<&'static str>,
    asked: Vec<String>,
    refusals: Vec<String>,
    /// The answer to the hooks question; the hooks it was shown.
    run_hooks: bool,
    hooks_shown: Vec<String>,
}

impl Scripted {
    fn next(&mut self, question: &Question) -> &'static str {
        self.asked.push(question.name.clone());
        assert!(
            !self.answers.is_empty(),
            "unexpected question {}",
            question.name
        );
        self.answers.remove(0)
    }
}

impl Prompter for Scripted {
    fn text(&mut self, question: &Question, default: Option<&str>) -> Result<String> {
        let answer = self.next(question);
        Ok(if answer.is_empty() {
            default.unwrap_or_default().to_owned()
        } else {
            answer.to_owned()
        })
    }

    fn secret(&mut self, question: &Question) -> Result<String> {
        Ok(self.next(question).to_owned())
    }

    fn confirm(&mut self, question: &Question, default: bool) -> Result<bool> {
        Ok(match self.next(question) {
            "" => default,
            answer => answer == "y",
        })
    }

    fn select(&mut self, question: &Question, choices: &[String], default: usize) -> Result<usize> {
        Ok(match self.next(question) {
            "" => default,
            answer => choices.iter().position(|c| c == answer).unwrap(),
        })
    }

    fn multi_select(
        &mut self,
        question: &Question,
        choices: &[String],
        defaults: &[bool],
    ) -> Result<Vec<usize>> {
        let answer = self.next(question);
        Ok(if answer.is_empty() {
            (0..choices.len()).filter(|i| defaults[*i]).collect()
        } else {
            answer
                .split(',')
                .map(|a| choices.iter().position(|c| c == a).unwrap())
                .collect()
        })
    }

    fn refuse(&mut self, question: &Question, message: &str) {
        self.refusals.push(format!("{}: {message}", question.name));
    }

    fn confirm_hooks(&mut self, _source: &str, hooks: &[String]) -> Result<bool> {
        self.hooks_shown.extend(hooks.iter().cloned());
        Ok(self.run_hooks)
    }
}

fn options(env: &TestEnv, template: std::path::PathBuf, data: &[&str]) -> NewOptions {
    NewOptions {
        hooks: groundwork::api::HookOptions::default(),
        user: groundwork::api::UserDefaults::default(),
        reference: None,
        target: groundwork::api::Target::Dir(env.path("out")),
        template_name: None,
        source: Source::Local(template),
        data: data.iter().map(|s| (*s).to_owned()).collect(),
        data_file: None,
        existing: groundwork::api::Existing::Refuse,
        dry_run: false,
        git: false,
    }
}

#[test]
fn prompts_follow_when_and_reask_after_a_validation_failure() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    let mut prompter = Scripted {
        answers: vec![
            "1 bad name", // refused by validate
            "Fraud Detector",
            "",    // package: take the default derived from the name
            "y",   // use_docker
            "ten", // replicas: refused, not a number
            "5",
            "aws",
            "docs,bench",
            "",      // registry (asked because use_docker is true): default
            "token", // api_token
        ],
        ..Scripted::default()
    };
    let mut out = Vec::new();
    run(&options(&env, template, &[]), Some(&mut prompter), &mut out).unwrap();

    assert_eq!(
        prompter.asked,
        [
            "project_name",
            "project_name",
            "package",
            "use_docker",
            "replicas",
            "replicas",
            "cloud",
            "extras",
            "registry",
            "api_token"
        ]
    );
    assert_eq!(prompter.refusals.len(), 2, "{:?}", prompter.refusals);
    assert!(prompter.refusals[0].contains("does not match the pattern"));
    assert!(prompter.refusals[1].contains("whole number"));
    let readme = env.read("out/README.md");
    assert!(readme.contains("package=fraud_detector"), "{readme}");
    assert!(
        readme.contains("registry=ghcr.io/fraud_detector"),
        "{readme}"
    );
    assert!(readme.contains("replicas=6") && readme.contains("extras=docs,bench"));
    assert!(String::from_utf8(out).unwrap().contains("Created"));
}

#[test]
fn a_false_when_skips_the_question_and_presets_are_not_asked() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    let mut prompter = Scripted {
        answers: vec!["", "n", "", "", "", ""],
        ..Scripted::default()
    };
    let mut out = Vec::new();
    run(
        &options(&env, template, &["project_name=Given"]),
        Some(&mut prompter),
        &mut out,
    )
    .unwrap();
    assert!(!prompter.asked.contains(&"registry".to_owned()));
    assert!(!prompter.asked.contains(&"project_name".to_owned()));
    assert_eq!(prompter.asked.len(), 6);
    assert!(env.read("out/README.md").contains("registry=ghcr.io/given"));
}

/// The terminal prompter in a real pseudo-terminal (util-linux `script`), typing as a user would.
#[test]
fn a_real_terminal_session_asks_and_reasks() {
    let env = TestEnv::new();
    let template = env
        .template(
            "tty",
            "[[questions]]\nname = \"name\"\ndefault = \"x\"\nvalidate = '^[a-z]+$'\n\n[[questions]]\nname = \"docker\"\ntype = \"bool\"\ndefault = false\n\n[[questions]]\nname = \"cloud\"\nchoices = [\"aws\", \"gcp\"]\n\n[[questions]]\nname = \"extras\"\ntype = \"multi-choice\"\nchoices = [\"docs\", \"lint\", \"bench\"]\ndefault = [\"docs\"]\n",
        )
        .file(
            "out.txt.tera",
            "{{ name }} {{ docker }} {{ cloud }} {{ extras | join(sep=',') }}\n",
        )
        .build();
    // "Bad1" fails validation and is asked again; then yes, then the second choice, then `lint`
    // checked beside the default `docs` and `docs` unchecked.
    let output = in_terminal(
        &env,
        &template,
        &[
            ("name", "Bad1\r"),
            ("does not match the pattern", "\x15ok\r"),
            ("docker", "y"),
            ("cloud", "\x1b[B\r"),
            ("extras", " \x1b[B \r"),
        ],
    );
    let screen = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{screen}");
    assert!(screen.contains("does not match the pattern"), "{screen}");
    assert_eq!(env.read("out/out.txt"), "ok true gcp lint\n");
}

/// Whether util-linux `script` (which runs a command in a pseudo-terminal) is installed. It must
/// be: a pseudo-terminal test that skipped itself would pass without testing anything (issue 16),
/// so a missing tool fails the test with what to install (`.ci/run` installs it).
fn script_available() {
    let found = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| {
            o.status.success() && String::from_utf8_lossy(&o.stdout).contains("util-linux")
        });
    assert!(
        found,
        "util-linux `script` is not installed, and the pseudo-terminal tests need it: install it (Debian: `apt-get install bsdutils`, or util-linux)"
    );
}

/// `keys` as the key presses that make it: one character, or one escape sequence (an arrow key is
/// `ESC [ B`, which must arrive whole or it reads as Escape).
fn key_presses(keys: &str) -> Vec<&str> {
    let mut presses = Vec::new();
    let mut rest = keys;
    while let Some(first) = rest.chars().next() {
        let len = match rest.strip_prefix("\x1b[") {
            Some(sequence) => sequence
                .find(|c: char| ('@'..='~').contains(&c))
                .map_or(rest.len(), |end| end + 3),
            None => first.len_utf8(),
        };
        presses.push(&rest[..len]);
        rest = &rest[len..];
    }
    presses
}

/// Runs `groundwork new out --no-git --template TEMPLATE` in a pseudo-terminal (util-linux
/// `script`). For each `(text, keys)` step it waits until `text` shows on the screen (after what
/// the previous step waited for), then types `keys`; then it waits for the run to end. The screen
/// is the output's stdout. Fails the test when `script` is not installed.
fn in_terminal(
    env: &TestEnv,
    template: &std::path::Path,
    steps: &[(&str, &str)],
) -> std::process::Output {
    in_terminal_sized(env, template, steps, None)
}

/// [`in_terminal`] in a terminal of `size` (rows, columns) when given; otherwise the size is
/// whatever `script` makes it (none when the tests run without a terminal, so the program falls
/// back to 24 x 79).
fn in_terminal_sized(
    env: &TestEnv,
    template: &std::path::Path,
    steps: &[(&str, &str)],
    size: Option<(u16, u16)>,
) -> std::process::Output {
    use std::io::{Read as _, Write as _};
    use std::process::{Command, Stdio};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};
    script_available();
    let command = format!(
        "{}{} new {} --no-git --template {}",
        size.map(|(rows, cols)| format!("stty rows {rows} cols {cols} && "))
            .unwrap_or_default(),
        env!("CARGO_BIN_EXE_groundwork"),
        env.path("out").display(),
        template.display()
    );
    let mut child = Command::new("script")
        .args(["-qfec", &command, "/dev/null"])
        .env("TERM", "xterm")
        // The user's configuration is the test's, as in TestEnv::groundwork.
        .env("HOME", env.root())
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("GROUNDWORK_CONFIG")
        .env_remove("COOKIECUTTER_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start script");
    let screen = Arc::new(Mutex::new(Vec::<u8>::new()));
    let mut stdout = child.stdout.take().unwrap();
    let reader = {
        let screen = Arc::clone(&screen);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                screen.lock().unwrap().extend_from_slice(&buffer[..n]);
            }
        })
    };
    let shown = || String::from_utf8_lossy(&screen.lock().unwrap()).into_owned();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut stdin = child.stdin.take().unwrap();
    let mut from = 0;
    for (text, keys) in steps {
        loop {
            let found = {
                let bytes = screen.lock().unwrap();
                bytes[from..]
                    .windows(text.len())
                    .position(|w| w == text.as_bytes())
                    .map(|at| from + at + text.len())
            };
            if let Some(end) = found {
                from = end;
                break;
            }
            if Instant::now() > deadline || child.try_wait().unwrap().is_some() {
                let _ = child.kill();
                panic!("the terminal never showed {text:?}; screen:\n{}", shown());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        // The prompter reads one key at a time and the terminal is in raw mode only while it
        // waits for one; a key that arrives while it draws is echoed by the terminal itself, and
        // that stray echo is not the program's screen. A typist leaves gaps between keys; so
        // does this, so a loaded machine does not turn the race into a failed test.
        std::thread::sleep(Duration::from_millis(50));
        for key in key_presses(keys) {
            stdin.write_all(key.as_bytes()).unwrap();
            stdin.flush().unwrap();
            std::thread::sleep(Duration::from_millis(15));
        }
    }
    // A Ctrl-D that reaches the terminal before the prompt puts it in raw mode is the line
    // discipline's (it ends the pending line and is gone), not the program's: under load that
    // happens, so a user's second Ctrl-D is sent until the run ends.
    let repeat_eof = steps.last().is_some_and(|(_, keys)| keys.ends_with('\x04'));
    let mut next_eof = Instant::now() + Duration::from_millis(500);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the run did not end; screen:\n{}", shown());
        }
        if repeat_eof && Instant::now() > next_eof {
            let _ = stdin.write_all(b"\x04").and_then(|()| stdin.flush());
            next_eof = Instant::now() + Duration::from_millis(500);
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    drop(stdin);
    reader.join().unwrap();
    let mut stderr = Vec::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_end(&mut stderr)
        .unwrap();
    let stdout = screen.lock().unwrap().clone();
    std::process::Output {
        status,
        stdout,
        stderr,
    }
}

#[test]
fn issue7_ctrl_d_at_a_prompt_cancels_with_exit_130() {
    let env = TestEnv::new();
    let template = env
        .template("tty", "[[questions]]\nname = \"name\"\ndefault = \"x\"\n")
        .file("out.txt.tera", "{{ name }}\n")
        .build();
    let output = in_terminal(&env, &template, &[("name", "ab\x04")]);
    let screen = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(130), "{screen}");
    assert!(
        screen.contains("error: interrupted: nothing was written"),
        "{screen}"
    );
    assert!(!env.exists("out"));

    // At a yes/no question too.
    let confirm = env
        .template(
            "yesno",
            "[[questions]]\nname = \"docker\"\ntype = \"bool\"\ndefault = false\n",
        )
        .file("out.txt.tera", "{{ docker }}\n")
        .build();
    let output = in_terminal(&env, &confirm, &[("docker", "\x04")]);
    let screen = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(130), "{screen}");
    assert!(!env.exists("out"));
}

#[test]
fn issue7_ctrl_d_at_a_choice_or_multi_choice_prompt_cancels_with_exit_130() {
    let env = TestEnv::new();
    for (name, second, questions) in [
        (
            "choice",
            "gcp",
            "[[questions]]\nname = \"cloud\"\nchoices = [\"aws\", \"gcp\"]\ndefault = \"aws\"\n",
        ),
        (
            "multi",
            "lint",
            "[[questions]]\nname = \"extras\"\ntype = \"multi-choice\"\nchoices = [\"docs\", \"lint\"]\ndefault = [\"docs\"]\n",
        ),
    ] {
        let template = env
            .template(name, questions)
            .file("out.txt.tera", "answered\n")
            .build();
        // A key that moves the selection first, so the prompt is live, then Ctrl-D.
        let output = in_terminal(&env, &template, &[(second, "\x1b[B"), (second, "\x04")]);
        let screen = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(130), "{name}: {screen}");
        assert!(
            screen.contains("error: interrupted: nothing was written"),
            "{name}: {screen}"
        );
        assert!(!env.exists("out"), "{name}");
        assert!(env.leftovers().is_empty(), "{name}");
    }
}

#[test]
fn issue7_an_empty_answer_to_a_question_without_a_default_is_asked_again() {
    let env = TestEnv::new();
    let template = env
        .template("tty", "[[questions]]\nname = \"owner\"\n")
        .file("out.txt.tera", "{{ owner }}\n")
        .build();
    let output = in_terminal(
        &env,
        &template,
        &[("owner", "\r"), ("please try again", "team-a\r")],
    );
    let screen = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{screen}");
    assert!(
        screen.contains("an answer is required (this question has no default); please try again"),
        "{screen}"
    );
    assert_eq!(env.read("out/out.txt"), "team-a\n");
}

/// The screen as a reader sees its text: ANSI styles and cursor moves left out.
fn plain(screen: &[u8]) -> String {
    let text = String::from_utf8_lossy(screen);
    let mut plain = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI: ESC [ parameters, then one final byte in @..~.
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            continue;
        }
        plain.push(c);
    }
    plain
}

#[test]
fn issue17_a_refused_answer_is_never_shown_as_accepted() {
    let env = TestEnv::new();
    let template = env
        .template(
            "tty",
            "[[questions]]\nname = \"slug\"\nprompt = \"Slug\"\ndefault = \"demo\"\nvalidate = '^[a-z]+$'\nvalidate_message = \"lower-case letters only, such as churn\"\n",
        )
        .file("out.txt.tera", "{{ slug }}\n")
        .build();
    let output = in_terminal(
        &env,
        &template,
        &[("Slug", "Bad Slug\r"), ("please try again", "churn\r")],
    );
    let screen = plain(&output.stdout);
    assert!(output.status.success(), "{screen}");
    assert_eq!(env.read("out/out.txt"), "churn\n");
    // The refusal says why in words, marked as an error; only the accepted answer is ticked.
    assert!(
        screen.contains("✘ answer for `slug` (typed) is \"Bad Slug\": lower-case letters only, such as churn; please try again"),
        "{screen}"
    );
    assert!(screen.contains("✔ Slug · churn"), "{screen}");
    assert!(!screen.contains("✔ Slug · Bad Slug"), "{screen}");
    assert_eq!(screen.matches('✔').count(), 1, "{screen}");
}

#[test]
fn update_asks_only_the_questions_new_in_the_new_version() {
    let env = TestEnv::new();
    let template = env
        .template(
            "tpl",
            "[[questions]]\nname = \"project_name\"\ndefault = \"Demo\"\n",
        )
        .file("README.md.tera", "# {{ project_name }}\n")
        .build();
    let release = |version: &str| {
        env.groundwork()
            .args(["template", "release"])
            .arg(&template)
            .args(["--version", version])
            .assert()
            .success();
    };
    release("1.0.0");
    env.new_project(&template, "proj", &["--defaults"])
        .assert()
        .success();
    let manifest = template.join("template.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        format!("{text}\n[[questions]]\nname = \"python\"\nchoices = [\"3.12\", \"3.13\"]\n"),
    )
    .unwrap();
    std::fs::write(template.join(".python-version.tera"), "{{ python }}\n").unwrap();
    release("1.1.0");

    let mut prompter = Scripted {
        answers: vec!["3.13"],
        ..Scripted::default()
    };
    let options = groundwork::api::UpdateOptions {
        project: env.path("proj"),
        to: None,
        data: Vec::new(),
        data_file: None,
        dry_run: false,
        allow_dirty: false,
        hooks: groundwork::api::Accept::Ask,
        user: groundwork::api::UserDefaults::default(),
    };
    let mut out = Vec::new();
    let outcome = groundwork::api::update(&options, Some(&mut prompter), &mut out).unwrap();
    assert_eq!(outcome.exit_code, 0);
    assert_eq!(prompter.asked, ["python"]);
    assert_eq!(env.read("proj/.python-version"), "3.13\n");
    assert_eq!(env.read("proj/README.md"), "# Demo\n");
}

/// Records the choices each select showed and answers with the second one.
struct SecondChoice {
    shown: Vec<Vec<String>>,
    refusals: Vec<String>,
}

impl Prompter for SecondChoice {
    fn text(&mut self, _: &Question, default: Option<&str>) -> Result<String> {
        Ok(default.unwrap_or("Bad Name").to_owned())
    }
    fn secret(&mut self, _: &Question) -> Result<String> {
        Ok(String::new())
    }
    fn confirm(&mut self, _: &Question, default: bool) -> Result<bool> {
        Ok(default)
    }
    fn select(&mut self, _: &Question, choices: &[String], _: usize) -> Result<usize> {
        self.shown.push(choices.to_vec());
        Ok(1)
    }
    fn multi_select(&mut self, _: &Question, choices: &[String], _: &[bool]) -> Result<Vec<usize>> {
        self.shown.push(choices.to_vec());
        Ok(vec![1])
    }
    fn confirm_hooks(&mut self, _: &str, _: &[String]) -> Result<bool> {
        Ok(false)
    }
    fn refuse(&mut self, question: &Question, message: &str) {
        assert!(self.refusals.is_empty(), "asked again after {message}");
        self.refusals.push(format!("{}: {message}", question.name));
    }
}

#[test]
fn prompts_show_choice_labels_and_record_values() {
    let env = TestEnv::new();
    let template = env
        .template(
            "labels",
            "[[questions]]\nname = \"store\"\nchoices = [{ value = \"s3\", label = \"Amazon S3\" }, { value = \"gcs\", label = \"Google Cloud Storage\" }, \"local\"]\n\n[[questions]]\nname = \"extras\"\ntype = \"multi-choice\"\nchoices = [\"docs\", { value = \"lint\", label = \"Linters (ruff)\" }]\n",
        )
        .file("out.txt.tera", "{{ store }} {{ extras | join(sep=',') }}\n")
        .build();
    let mut prompter = SecondChoice {
        shown: Vec::new(),
        refusals: Vec::new(),
    };
    run(
        &options(&env, template, &[]),
        Some(&mut prompter),
        &mut Vec::new(),
    )
    .unwrap();
    assert_eq!(
        prompter.shown,
        [
            vec!["Amazon S3", "Google Cloud Storage", "local"],
            vec!["docs", "Linters (ruff)"]
        ]
    );
    assert_eq!(env.read("out/out.txt"), "gcs lint\n");
    let answers = env.read("out/.groundwork.toml");
    assert!(
        answers.contains("store = \"gcs\"") && answers.contains("extras = [\"lint\"]"),
        "{answers}"
    );
}

#[test]
fn a_validate_message_is_what_the_prompt_shows_on_refusal() {
    let env = TestEnv::new();
    let template = env
        .template(
            "vm",
            "[[questions]]\nname = \"name\"\nvalidate = '^[a-z]+$'\nvalidate_message = \"lower-case letters only\"\n",
        )
        .file("out.txt.tera", "{{ name }}\n")
        .build();
    let mut prompter = Scripted {
        answers: vec!["Bad", "good"],
        ..Scripted::default()
    };
    run(
        &options(&env, template, &[]),
        Some(&mut prompter),
        &mut Vec::new(),
    )
    .unwrap();
    assert_eq!(
        prompter.refusals,
        ["name: answer for `name` (typed) is \"Bad\": lower-case letters only"]
    );
    assert_eq!(env.read("out/out.txt"), "good\n");
}

#[test]
fn cookiecutter_variables_are_asked_in_order_with_defaults_from_earlier_answers() {
    let env = TestEnv::new();
    env.write(
        "cc/cookiecutter.json",
        r#"{"project_name": "Churn Model", "slug": "{{ cookiecutter.project_name.lower().replace(' ', '-') }}", "license": ["MIT", "BSD"], "docker": true, "_private": "x"}"#,
    );
    env.write(
        "cc/{{ cookiecutter.slug }}/README.md",
        "{{ cookiecutter.slug }} {{ cookiecutter.license }} {{ cookiecutter.docker }}\n",
    );
    let mut prompter = Scripted {
        answers: vec!["Fraud Detector", "", "BSD", "n"],
        ..Scripted::default()
    };
    let mut out = Vec::new();
    run(
        &options(&env, env.path("cc"), &[]),
        Some(&mut prompter),
        &mut out,
    )
    .unwrap();
    assert_eq!(
        prompter.asked,
        ["project_name", "slug", "license", "docker"]
    );
    assert_eq!(env.read("out/README.md"), "fraud-detector BSD False\n");
}

#[test]
fn issue10_hooks_run_after_a_yes_at_the_prompt_and_not_after_a_no() {
    let env = TestEnv::new();
    env.write(
        "cc/cookiecutter.json",
        r#"{"name": "Demo", "slug": "{{ cookiecutter.name|lower }}"}"#,
    );
    env.write(
        "cc/{{cookiecutter.slug}}/README.md",
        "# {{ cookiecutter.name }}\n",
    );
    env.write(
        "cc/hooks/post_gen_project.py",
        "open('HOOKED.txt', 'w').write('{{ cookiecutter.slug }}\\n')\n",
    );
    for run_hooks in [true, false] {
        let mut prompter = Scripted {
            answers: vec!["", ""],
            run_hooks,
            ..Scripted::default()
        };
        let mut out = Vec::new();
        run(
            &options(&env, env.path("cc"), &[]),
            Some(&mut prompter),
            &mut out,
        )
        .unwrap();
        // The consent question comes first, and shows the hook files.
        assert_eq!(prompter.hooks_shown, ["hooks/post_gen_project.py"]);
        assert_eq!(prompter.asked, ["name", "slug"]);
        assert_eq!(env.exists("out/HOOKED.txt"), run_hooks);
        if run_hooks {
            assert_eq!(env.read("out/HOOKED.txt"), "demo\n");
        }
        std::fs::remove_dir_all(env.path("out")).unwrap();
    }
}

/// What a terminal `cols` columns wide shows after receiving `output`: a small emulator of the
/// few controls the prompts use (carriage return, line feed, cursor up/down, erase line; styles
/// and cursor visibility ignored), wrapping as xterm does: a character past the last column goes
/// to the next row, a line exactly as wide as the terminal stays on its row. Rows are returned
/// without trailing blanks, trailing empty rows dropped. Characters count one column each (the
/// prompts' glyphs and the test's texts are all narrow).
fn screen(output: &[u8], cols: usize) -> Vec<String> {
    let text = String::from_utf8_lossy(output);
    let mut grid: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col, mut pending_wrap) = (0usize, 0usize, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => (col, pending_wrap) = (0, false),
            '\n' => (row, pending_wrap) = (row + 1, false),
            '\x1b' if chars.peek() == Some(&'[') => {
                chars.next();
                let mut parameters = String::new();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        last = c;
                        break;
                    }
                    parameters.push(c);
                }
                let n = parameters.parse::<usize>().unwrap_or(1);
                match (last, parameters.as_str()) {
                    ('A', _) => (row, pending_wrap) = (row.saturating_sub(n), false),
                    ('B', _) => (row, pending_wrap) = (row + n, false),
                    ('K', "2") => {
                        if let Some(line) = grid.get_mut(row) {
                            line.clear();
                        }
                    }
                    _ => {}
                }
            }
            c if c.is_control() => {}
            c => {
                if pending_wrap {
                    (row, col, pending_wrap) = (row + 1, 0, false);
                }
                if grid.len() <= row {
                    grid.resize(row + 1, Vec::new());
                }
                let line = &mut grid[row];
                if line.len() <= col {
                    line.resize(col + 1, ' ');
                }
                line[col] = c;
                if col + 1 == cols {
                    pending_wrap = true;
                } else {
                    col += 1;
                }
            }
        }
        if grid.len() <= row {
            grid.resize(row + 1, Vec::new());
        }
    }
    let mut rows: Vec<String> = grid
        .into_iter()
        .map(|line| line.into_iter().collect::<String>().trim_end().to_owned())
        .collect();
    while rows.last().is_some_and(String::is_empty) {
        rows.pop();
    }
    rows
}

/// `lines` as a terminal `cols` columns wide shows them, one after the other (narrow characters
/// only).
fn wrapped(lines: &[&str], cols: u16) -> Vec<String> {
    lines
        .iter()
        .flat_map(|text| {
            let chars: Vec<char> = text.chars().collect();
            chars
                .chunks(usize::from(cols))
                .map(|row| row.iter().collect::<String>().trim_end().to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// On a terminal narrower than a prompt or a choice, the choice and multi-choice prompts erase
/// every row they drew (the wrapped ones too) each time they redraw: what stays on the screen is
/// the answered questions and the report, with no stale copies of the prompt.
#[test]
fn choice_prompts_on_a_narrow_terminal_leave_no_stale_copies() {
    let env = TestEnv::new();
    let template = env
        .template(
            "narrow",
            "[[questions]]\nname = \"cloud\"\nprompt = \"Which cloud provider hosts it\"\nchoices = [\"amazon-web-services-long\", \"gcp\"]\n\n[[questions]]\nname = \"extras\"\nprompt = \"Extras for the project\"\ntype = \"multi-choice\"\nchoices = [\"documentation-site\", \"lint\"]\ndefault = [\"documentation-site\"]\n",
        )
        .file(
            "out.txt.tera",
            "{{ cloud }} {{ extras | join(sep=',') }}\n",
        )
        .build();
    let cols = 20;
    // Down twice (round to the first again) and back up at the choice: three redraws, then gcp;
    // at the multi-choice, down, check `lint`, up, uncheck the default, answer.
    let output = in_terminal_sized(
        &env,
        &template,
        &[
            ("amazon-web-services-long", "\x1b[B"),
            ("gcp", "\x1b[B"),
            ("gcp", "\x1b[A"),
            ("gcp", "\r"),
            ("documentation-site", "\x1b[B"),
            ("lint", " "),
            ("lint", "\x1b[A"),
            ("documentation-site", " \r"),
        ],
        Some((24, cols)),
    );
    let shown = screen(&output.stdout, usize::from(cols));
    assert!(output.status.success(), "{shown:#?}");
    assert_eq!(env.read("out/out.txt"), "gcp lint\n");
    let created = format!(
        "Created {} from narrow 1.0.0: 2 files (2 new, 0 overwritten).",
        env.path("out").display()
    );
    let expected = wrapped(
        &[
            "\u{2714} Which cloud provider hosts it \u{b7} gcp",
            "\u{2714} Extras for the project \u{b7} lint",
            &created,
        ],
        cols,
    );
    assert_eq!(shown, expected);
}

/// On a terminal narrower than a text prompt and its answer, editing (Backspace, Ctrl-U) and
/// answering erase every row the prompt wrapped onto: the screen ends with the answered question
/// only, not the first rows of the prompt above it. The same for a yes/no question.
#[test]
fn a_text_prompt_on_a_narrow_terminal_leaves_no_stale_rows() {
    let env = TestEnv::new();
    let template = env
        .template(
            "narrow",
            "[[questions]]\nname = \"owner\"\nprompt = \"Who owns this project\"\ndefault = \"data\"\n\n[[questions]]\nname = \"team\"\nprompt = \"Which team is on call for it\"\n\n[[questions]]\nname = \"docker\"\nprompt = \"Build a container image\"\ntype = \"bool\"\ndefault = false\n",
        )
        .file("out.txt.tera", "{{ owner }} {{ team }} {{ docker }}\n")
        .build();
    let cols = 20;
    // Typed past the end of the second row, six Backspaces (back onto the row above), more
    // typing; then at the second question a line wiped with Ctrl-U and typed again.
    let output = in_terminal_sized(
        &env,
        &template,
        &[
            ("Who owns", "abcdefghijklmnopq"),
            ("q", "\x7f\x7f\x7f\x7f\x7f\x7fXY\r"),
            ("on call", "wrong-team-name"),
            ("name", "\x15ops\r"),
            ("(y/n)", "y"),
        ],
        Some((24, cols)),
    );
    let shown = screen(&output.stdout, usize::from(cols));
    assert!(output.status.success(), "{shown:#?}");
    assert_eq!(env.read("out/out.txt"), "abcdefghijkXY ops true\n");
    let created = format!(
        "Created {} from narrow 1.0.0: 2 files (2 new, 0 overwritten).",
        env.path("out").display()
    );
    let expected = wrapped(
        &[
            "\u{2714} Who owns this project \u{b7} abcdefghijkXY",
            "\u{2714} Which team is on call for it \u{b7} ops",
            "\u{2714} Build a container image \u{b7} yes",
            &created,
        ],
        cols,
    );
    assert_eq!(shown, expected);
}

/// The built-in template at the prompt: a project name its pattern refuses is explained in words
/// (its `validate_message`) and asked again; the next steps follow the created line.
#[test]
fn the_builtin_template_explains_a_refused_name_and_prints_next_steps() {
    let env = TestEnv::new();
    let mut prompter = Scripted {
        // Every other question takes its default.
        answers: [["9 lives", "Churn Model"].as_slice(), &[""; 19]].concat(),
        ..Scripted::default()
    };
    let mut out = Vec::new();
    let options = NewOptions {
        source: Source::Builtin("datascience".into()),
        ..options(&env, env.path("unused"), &[])
    };
    run(&options, Some(&mut prompter), &mut out).unwrap();
    assert_eq!(
        prompter.refusals,
        [
            "project_name: answer for `project_name` (typed) is \"9 lives\": 1 to 40 characters: letters, digits, spaces, `-` or `_`, starting with a letter (e.g. Churn Model)"
        ]
    );
    assert_eq!(
        &prompter.asked[..3],
        ["project_name", "project_name", "repo_name"]
    );
    let out = String::from_utf8(out).unwrap();
    let next = out.split_once('\n').unwrap().1;
    assert!(
        out.starts_with(&format!(
            "Created {} from datascience ",
            env.path("out").display()
        )),
        "{out}"
    );
    assert_eq!(
        next,
        "Next steps: cd into the folder created above, then
  python3.12 -m venv .venv && . .venv/bin/activate
  make install && pre-commit install       # the locked dependencies, the package, the git hooks
  make train                               # train the model into models/model.joblib
  make test                                # run the tests
  make validate                            # every check, as CI runs them
  make serve                               # serve the model on http://localhost:8080
  make image                               # the container image; deploying: docs/deployment.md
  kubectl apply -k manifests/argocd        # once per cluster; then a merge deploys dev
"
    );
}
