//! A temp-dir test environment: builds templates on disk and runs the real `groundwork` binary
//! with git configuration isolated from the machine's.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

pub struct TestEnv {
    dir: TempDir,
}

impl TestEnv {
    pub fn new() -> Self {
        let env = TestEnv {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        fs::write(
            env.path(".gitconfig"),
            "[user]\n\tname = Test User\n\temail = test@example.com\n",
        )
        .unwrap();
        // A temporary folder of its own: `recover` sweeps what killed runs left there, and must
        // see only this test's runs.
        fs::create_dir(env.path("tmp")).unwrap();
        env
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// The binary, run in the environment's root, with stdin closed and git config isolated.
    pub fn groundwork(&self) -> Command {
        let mut cmd = Command::cargo_bin("groundwork").expect("binary is built");
        cmd.current_dir(self.root())
            .env("HOME", self.root())
            .env("GIT_CONFIG_GLOBAL", self.path(".gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("TMPDIR", self.path("tmp"))
            .env_remove("GROUNDWORK_FAULT_INJECT")
            // The user's configuration is the test's: none unless it writes one under HOME.
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("GROUNDWORK_CONFIG")
            .env_remove("COOKIECUTTER_CONFIG")
            .write_stdin("")
            .timeout(std::time::Duration::from_secs(60));
        cmd
    }

    /// The binary as a plain `std::process::Command` (for races and redirections `assert_cmd` does
    /// not offer), in the same environment as [`TestEnv::groundwork`]; stdin is null.
    pub fn command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_groundwork"));
        cmd.current_dir(self.root())
            .env("HOME", self.root())
            .env("GIT_CONFIG_GLOBAL", self.path(".gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("TMPDIR", self.path("tmp"))
            .env_remove("GROUNDWORK_FAULT_INJECT")
            // The user's configuration is the test's: none unless it writes one under HOME.
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("GROUNDWORK_CONFIG")
            .env_remove("COOKIECUTTER_CONFIG")
            .stdin(std::process::Stdio::null());
        cmd
    }

    /// `groundwork new DEST --template <template> --no-git` plus `args`, started in the background
    /// (same environment as [`TestEnv::groundwork`]) with stdout and stderr captured, for races.
    pub fn spawn_new(&self, template: &Path, dest: &str, args: &[&str]) -> std::process::Child {
        self.command()
            .arg("new")
            .arg(dest)
            .arg("--template")
            .arg(template)
            .arg("--no-git")
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start groundwork")
    }

    /// `groundwork new DEST --template <template> --no-git` plus `args`.
    pub fn new_project(&self, template: &Path, dest: &str, args: &[&str]) -> Command {
        let mut cmd = self.groundwork();
        cmd.arg("new")
            .arg(dest)
            .arg("--template")
            .arg(template)
            .arg("--no-git")
            .args(args);
        cmd
    }

    /// Asserts that `new out` with `args` fails with exit 1, prints exactly `stderr` (with `{root}`
    /// standing for the environment's root) and nothing on stdout, and writes nothing.
    pub fn refuses_exactly(&self, template: &Path, args: &[&str], stderr: &str) {
        let output = self
            .new_project(template, "out", args)
            .assert()
            .failure()
            .code(1);
        let output = output.get_output();
        let expected = stderr.replace("{root}", &self.root().display().to_string());
        assert_eq!(String::from_utf8_lossy(&output.stderr), expected);
        assert!(output.stdout.is_empty(), "stdout: {:?}", output.stdout);
        assert!(!self.exists("out"), "a refused run wrote out/");
        assert!(self.leftovers().is_empty(), "staging left behind");
    }

    /// What is left in the environment's temporary folder (its `TMPDIR`), sorted.
    pub fn temp_leftovers(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.path("tmp"))
            .map(|entries| {
                entries
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// Writes an executable file (mode 0755) at `relative`.
    pub fn write_executable(&self, relative: &str, contents: &str) {
        use std::os::unix::fs::PermissionsExt as _;
        self.write(relative, contents);
        fs::set_permissions(self.path(relative), fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// Staging directories left beside the destinations (there should never be any).
    pub fn leftovers(&self) -> Vec<String> {
        fs::read_dir(self.root())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".groundwork"))
            .collect()
    }

    /// Starts a template named `name` with the given template.toml questions.
    pub fn template(&self, name: &str, questions: &str) -> TemplateBuilder {
        let root = self.path(name);
        fs::create_dir_all(&root).unwrap();
        fs::write(
            root.join("template.toml"),
            format!("[template]\nname = \"{name}\"\nversion = \"1.0.0\"\ndescription = \"test\"\n\n{questions}"),
        )
        .unwrap();
        TemplateBuilder { root }
    }

    pub fn read(&self, relative: &str) -> String {
        fs::read_to_string(self.path(relative))
            .unwrap_or_else(|e| panic!("reading {relative}: {e}"))
    }

    pub fn exists(&self, relative: &str) -> bool {
        self.path(relative).symlink_metadata().is_ok()
    }
}

pub struct TemplateBuilder {
    root: PathBuf,
}

impl TemplateBuilder {
    pub fn file(self, path: &str, contents: impl AsRef<[u8]>) -> Self {
        let target = self.root.join(path);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::write(target, contents).unwrap();
        self
    }

    pub fn executable(self, path: &str, contents: &str) -> Self {
        use std::os::unix::fs::PermissionsExt;
        let builder = self.file(path, contents);
        fs::set_permissions(builder.root.join(path), fs::Permissions::from_mode(0o755)).unwrap();
        builder
    }

    pub fn symlink(self, path: &str, target: &str) -> Self {
        let link = self.root.join(path);
        fs::create_dir_all(link.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, link).unwrap();
        self
    }

    pub fn build(self) -> PathBuf {
        self.root
    }
}

/// Every file below `root` with its bytes and mode, for comparing whole trees.
pub(crate) fn snapshot(root: &Path) -> Vec<(String, Vec<u8>, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.unwrap();
        let relative = entry
            .path()
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let meta = entry.path().symlink_metadata().unwrap();
        let contents = if meta.is_file() {
            fs::read(entry.path()).unwrap()
        } else {
            Vec::new()
        };
        files.push((relative, contents, meta.permissions().mode()));
    }
    files
}

impl TestEnv {
    /// Starts a git repository at `name` whose tags are the versions of a template.
    pub fn template_repo(&self, name: &str) -> TemplateRepo {
        let root = self.path(name);
        git2::Repository::init(&root).expect("init template repo");
        TemplateRepo {
            root,
            name: name.to_owned(),
        }
    }

    /// `groundwork update PROJECT` plus `args`.
    pub fn update(&self, project: &str, args: &[&str]) -> Command {
        let mut cmd = self.groundwork();
        cmd.arg("update").arg(project).args(args);
        cmd
    }

    /// Commits everything in the project's work tree, as a user would before updating.
    pub fn commit_all(&self, project: &str, message: &str) {
        let repo = git2::Repository::open(self.path(project)).expect("project is a repository");
        commit_everything(&repo, message, false);
    }

    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) {
        let target = self.path(relative);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::write(target, contents).unwrap();
    }

    pub fn read_bytes(&self, relative: &str) -> Vec<u8> {
        fs::read(self.path(relative)).unwrap_or_else(|e| panic!("reading {relative}: {e}"))
    }
}

fn commit_everything(repo: &git2::Repository, message: &str, tag: bool) -> git2::Oid {
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    // Files removed from the work tree leave the index too.
    index.update_all(["*"], None).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let signature = git2::Signature::now("Test User", "test@example.com").unwrap();
    let parents: Vec<git2::Commit> = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_commit().ok())
        .into_iter()
        .collect();
    let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
    let id = repo
        .commit(
            Some("HEAD"),
            &signature,
            &signature,
            message,
            &tree,
            &parent_refs,
        )
        .unwrap();
    if tag {
        let object = repo.find_object(id, None).unwrap();
        repo.tag_lightweight(message, &object, false).unwrap();
    }
    id
}

/// A git repository holding successive versions of a template.
pub struct TemplateRepo {
    root: PathBuf,
    name: String,
}

impl TemplateRepo {
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Commits the work tree as it is, without a tag.
    pub fn commit(&self, message: &str) {
        let repo = git2::Repository::open(&self.root).unwrap();
        commit_everything(&repo, message, false);
    }

    /// Commits the work tree as it is and tags it `tag` (for templates written file by file).
    pub fn commit_and_tag(&self, tag: &str) {
        let repo = git2::Repository::open(&self.root).unwrap();
        commit_everything(&repo, tag, true);
    }

    /// Replaces every file of the repository with a fresh `template.toml` at `version` holding
    /// `questions`; add files with the returned builder, then `tag()` it.
    pub fn version(&self, version: &str, questions: &str) -> VersionBuilder<'_> {
        for entry in fs::read_dir(&self.root).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name() == ".git" {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                fs::remove_dir_all(entry.path()).unwrap();
            } else {
                fs::remove_file(entry.path()).unwrap();
            }
        }
        fs::write(
            self.root.join("template.toml"),
            format!(
                "[template]\nname = \"{}\"\nversion = \"{version}\"\ndescription = \"test\"\n\n{questions}",
                self.name
            ),
        )
        .unwrap();
        VersionBuilder {
            repo: self,
            version: version.to_owned(),
            builder: TemplateBuilder {
                root: self.root.clone(),
            },
        }
    }
}

pub struct VersionBuilder<'a> {
    repo: &'a TemplateRepo,
    version: String,
    builder: TemplateBuilder,
}

impl VersionBuilder<'_> {
    pub fn file(mut self, path: &str, contents: impl AsRef<[u8]>) -> Self {
        self.builder = self.builder.file(path, contents);
        self
    }

    pub fn executable(mut self, path: &str, contents: &str) -> Self {
        self.builder = self.builder.executable(path, contents);
        self
    }

    /// Commits this version under another version number (`template.toml` rewritten) and tags it.
    pub fn tag_as(self, version: &str) {
        let manifest = self.repo.root.join("template.toml");
        let text = fs::read_to_string(&manifest).unwrap().replacen(
            &format!("version = \"{}\"", self.version),
            &format!("version = \"{version}\""),
            1,
        );
        fs::write(manifest, text).unwrap();
        VersionBuilder {
            version: version.to_owned(),
            ..self
        }
        .tag();
    }

    /// Commits this version and tags it `v<version>`.
    pub fn tag(self) {
        let repo = git2::Repository::open(&self.repo.root).unwrap();
        commit_everything(&repo, &format!("v{}", self.version), true);
    }
}
