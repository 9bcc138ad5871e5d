//! An interactive run driven through the `Prompter` trait, as a terminal user would answer.

use groundwork::answers::Prompter;
use groundwork::error::Result;
use groundwork::new::{NewOptions, run};
use groundwork::source::Source;
use groundwork::template::Question;

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
        hooks: groundwork::hooks::HookOptions::default(),
        reference: None,
        target: groundwork::new::Target::Dir(env.path("out")),
        template_name: None,
        source: Source::Local(template),
        data: data.iter().map(|s| (*s).to_owned()).collect(),
        data_file: None,
        existing: groundwork::new::Existing::Refuse,
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
            "[[questions]]\nname = \"name\"\ndefault = \"x\"\nvalidate = '^[a-z]+$'\n\n[[questions]]\nname = \"docker\"\ntype = \"bool\"\ndefault = false\n\n[[questions]]\nname = \"cloud\"\nchoices = [\"aws\", \"gcp\"]\n",
        )
        .file("out.txt.tera", "{{ name }} {{ docker }} {{ cloud }}\n")
        .build();
    // "Bad1" fails validation and is asked again; then yes, then the second choice.
    let Some(output) = in_terminal(
        &env,
        &template,
        &["Bad1\r", "\x15ok\r", "y", "\x1b[B", "\r"],
    ) else {
        return;
    };
    let screen = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{screen}");
    assert!(screen.contains("does not match the pattern"), "{screen}");
    assert_eq!(env.read("out/out.txt"), "ok true gcp\n");
}

/// Runs `groundwork new out --no-git --template TEMPLATE` in a pseudo-terminal (util-linux
/// `script`), typing `keys` one group at a time; `None` when `script` is not installed.
fn in_terminal(
    env: &TestEnv,
    template: &std::path::Path,
    keys: &[&str],
) -> Option<std::process::Output> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let command = format!(
        "{} new {} --no-git --template {}",
        env!("CARGO_BIN_EXE_groundwork"),
        env.path("out").display(),
        template.display()
    );
    let Ok(mut child) = Command::new("script")
        .args(["-qfec", &command, "/dev/null"])
        .env("TERM", "xterm")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    else {
        eprintln!("skipped: util-linux `script` is not installed");
        return None;
    };
    let mut stdin = child.stdin.take().unwrap();
    for group in keys {
        std::thread::sleep(std::time::Duration::from_millis(400));
        stdin.write_all(group.as_bytes()).unwrap();
        stdin.flush().unwrap();
    }
    std::thread::sleep(std::time::Duration::from_millis(400));
    drop(stdin);
    Some(child.wait_with_output().unwrap())
}

#[test]
fn issue7_ctrl_d_at_a_prompt_cancels_with_exit_130() {
    let env = TestEnv::new();
    let template = env
        .template("tty", "[[questions]]\nname = \"name\"\ndefault = \"x\"\n")
        .file("out.txt.tera", "{{ name }}\n")
        .build();
    let Some(output) = in_terminal(&env, &template, &["ab\x04"]) else {
        return;
    };
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
    let Some(output) = in_terminal(&env, &confirm, &["\x04"]) else {
        return;
    };
    let screen = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(130), "{screen}");
    assert!(!env.exists("out"));
}

#[test]
fn issue7_an_empty_answer_to_a_question_without_a_default_is_asked_again() {
    let env = TestEnv::new();
    let template = env
        .template("tty", "[[questions]]\nname = \"owner\"\n")
        .file("out.txt.tera", "{{ owner }}\n")
        .build();
    let Some(output) = in_terminal(&env, &template, &["\r", "team-a\r"]) else {
        return;
    };
    let screen = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{screen}");
    assert!(
        screen.contains("an answer is required (this question has no default); please try again."),
        "{screen}"
    );
    assert_eq!(env.read("out/out.txt"), "team-a\n");
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
    let options = groundwork::update::UpdateOptions {
        project: env.path("proj"),
        to: None,
        data: Vec::new(),
        data_file: None,
        dry_run: false,
        allow_dirty: false,
        hooks: groundwork::hooks::Accept::Ask,
    };
    let mut out = Vec::new();
    let outcome = groundwork::update::run(&options, Some(&mut prompter), &mut out).unwrap();
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
