//! Issue 15, the smaller "nothing lost / clear error" items: each test runs the real binary and
//! asserts its exact output and exit status, and failed on the code before the fix it names.

use crate::env::TestEnv;

#[test]
fn issue15_superscript_and_console_device_names_are_refused() {
    let env = TestEnv::new();
    let windows = env
        .template("windows", "[[questions]]\nname = \"x\"\ndefault = \"ok\"\n")
        .file("{{ x }}", "x\n")
        .build();
    for name in [
        "COM\u{b9}",
        "com\u{b2}",
        "LPT\u{b3}",
        "COM\u{b9}.txt",
        "lpt\u{b2}.tar.gz",
        "CONIN$",
        "conout$",
        "CoNoUt$.log",
    ] {
        env.refuses_exactly(
            &windows,
            &["--defaults", "-d", &format!("x={name}")],
            &format!(
                "error: rendered path \"{name}\" (from template file `{{{{ x }}}}`) has \"{name}\", a device name Windows reserves (with any extension); projects are cloned on every OS\n"
            ),
        );
    }
    env.new_project(&windows, "ok", &["--defaults", "-d", "x=COM\u{b9}0"])
        .assert()
        .success();
    assert_eq!(env.read("ok/COM\u{b9}0"), "x\n");
}

#[test]
fn issue15_folders_that_differ_only_by_case_are_a_collision() {
    let env = TestEnv::new();
    let folders = env
        .template("folders", "")
        .file("Dir/a.txt", "a\n")
        .file("dir/b.txt", "b\n")
        .build();
    env.refuses_exactly(
        &folders,
        &["--defaults"],
        "error: template files `Dir/a.txt` and `dir/b.txt` render into the folders \"Dir\" and \"dir\", which differ only by case or Unicode normalization: they are one folder on macOS and Windows, where projects are cloned too\n",
    );
    // Also when a template opts out of Windows names, and deeper down.
    env.write(
        "lenient/template.toml",
        "[template]\nname = \"lenient\"\nversion = \"1.0.0\"\nportable_names = false\n",
    );
    env.write("lenient/src/Pkg/a.py", "a\n");
    env.write("lenient/src/pkg/b.py", "b\n");
    env.refuses_exactly(
        &env.path("lenient"),
        &["--defaults"],
        "error: template files `src/Pkg/a.py` and `src/pkg/b.py` render into the folders \"src/Pkg\" and \"src/pkg\", which differ only by case or Unicode normalization: they are one folder on macOS and Windows, where projects are cloned too\n",
    );
}

#[test]
fn issue15_git_spelled_for_windows_is_refused_without_portable_names() {
    let env = TestEnv::new();
    env.write(
        "lenient/template.toml",
        "[template]\nname = \"lenient\"\nversion = \"1.0.0\"\nportable_names = false\n\n[[questions]]\nname = \"x\"\ndefault = \"ok\"\n",
    );
    env.write("lenient/{{ x }}/x", "x\n");
    for segment in [
        ".git.",
        ".git ",
        ".GIT..",
        ".git::$INDEX_ALLOCATION",
        ".Git:$I30:$INDEX_ALLOCATION",
    ] {
        env.refuses_exactly(
            &env.path("lenient"),
            &["--defaults", "-d", &format!("x={segment}")],
            &format!(
                "error: rendered path \"{segment}/x\" (from template file `{{{{ x }}}}/x`) contains `{segment}`, which Windows reads as `{}`: that belongs to git, and groundwork never writes a repository's metadata, at any depth, in any case or spelling\n",
                &segment[..4]
            ),
        );
    }
    // Names that only look alike are written.
    env.new_project(
        &env.path("lenient"),
        "ok",
        &["--defaults", "-d", "x=.git.d"],
    )
    .assert()
    .success();
    assert_eq!(env.read("ok/.git.d/x"), "x\n");
}

#[test]
fn issue15_a_staging_folder_name_in_a_template_is_refused() {
    let env = TestEnv::new();
    let planted = env
        .template("planted", "")
        .file(".groundwork-staging-1-x/owner", "1\n")
        .build();
    env.refuses_exactly(
        &planted,
        &["--defaults"],
        "error: rendered path \".groundwork-staging-1-x/owner\" (from template file `.groundwork-staging-1-x/owner`) contains `.groundwork-staging-1-x`, a name groundwork reserves for its staging folders (`.groundwork-staging-*`, which `groundwork recover` removes): rename it\n",
    );
    let rendered = env
        .template(
            "rendered",
            "[[questions]]\nname = \"x\"\ndefault = \"ok\"\n",
        )
        .file("sub/{{ x }}/journal", "N f\n")
        .build();
    env.refuses_exactly(
        &rendered,
        &["--defaults", "-d", "x=.groundwork-staging-4242"],
        "error: rendered path \"sub/.groundwork-staging-4242/journal\" (from template file `sub/{{ x }}/journal`) contains `.groundwork-staging-4242`, a name groundwork reserves for its staging folders (`.groundwork-staging-*`, which `groundwork recover` removes): rename it\n",
    );
}

fn dev_full() -> std::fs::File {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full")
}

/// A pipe whose reader is gone: writing to it fails with EPIPE (`| head -c 10` once head is done).
fn broken_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    writer
}

#[test]
fn issue15_a_stderr_that_cannot_be_written_never_panics() {
    let env = TestEnv::new();
    let template = env.template("small", "").file("a.txt", "a\n").build();
    // Both streams fail: the warning about stdout cannot be written either (was exit 101).
    let output = env
        .command()
        .args(["new", "full", "--defaults", "--template"])
        .arg(&template)
        .stdout(dev_full())
        .stderr(dev_full())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(env.read("full/a.txt"), "a\n");
    assert!(env.path("full/.git").is_dir());
    // `2>&1 | head -c 10` once head has gone.
    let pipe = broken_pipe();
    let output = env
        .command()
        .args(["new", "piped", "--defaults", "--no-git", "--template"])
        .arg(&template)
        .stdout(pipe.try_clone().unwrap())
        .stderr(pipe)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(env.read("piped/a.txt"), "a\n");
    // An error that cannot be reported still exits 1.
    let output = env
        .command()
        .args(["new", "full", "--defaults", "--no-git", "--template"])
        .arg(&template)
        .stderr(dev_full())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(output.stdout.is_empty(), "{output:?}");
    // A usage error too.
    let output = env
        .command()
        .args(["new", "--bogus"])
        .stderr(broken_pipe())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
}

#[test]
fn issue15_new_without_a_destination_for_a_native_template_is_a_usage_error() {
    let env = TestEnv::new();
    let native = env.template("native", "").file("README.md", "hi\n").build();
    env.groundwork()
        .args(["new", "--defaults", "--no-git", "--template"])
        .arg(&native)
        .assert()
        .failure()
        .code(2)
        .stdout("")
        .stderr(format!(
            "error: template {} does not name its project folder: give a DESTINATION (`groundwork new DIR`); only cookiecutter templates are created inside --output-dir under a name they render\n\nUsage: groundwork new [OPTIONS] [DESTINATION] [KEY=VALUE]...\n\nFor more information, try '--help'.\n",
            native.display()
        ));
    // The built-in template is native too.
    let output = env
        .groundwork()
        .args(["new", "--defaults"])
        .assert()
        .failure()
        .code(2);
    assert_eq!(
        String::from_utf8_lossy(&output.get_output().stderr),
        "error: template builtin:datascience does not name its project folder: give a DESTINATION (`groundwork new DIR`); only cookiecutter templates are created inside --output-dir under a name they render\n\nUsage: groundwork new [OPTIONS] [DESTINATION] [KEY=VALUE]...\n\nFor more information, try '--help'.\n"
    );
    assert!(env.leftovers().is_empty());
}

#[test]
fn issue15_cookiecutter_percent_r_and_d_print_what_python_prints() {
    let env = TestEnv::new();
    env.write(
        "cc/cookiecutter.json",
        r#"{"slug": "demo", "name": "a", "flag": true}"#,
    );
    // Python: '%r' % 'a' is 'a' with quotes, '%d' % 3.7 is 3. (cookiecutter makes a number in
    // cookiecutter.json a string and a list a choice, so those are literals here.)
    env.write(
        "cc/{{ cookiecutter.slug }}/out.txt",
        "{{ '%r|%r|%r|%r' % (cookiecutter.name, 3, cookiecutter.flag, [1, 'b', None]) }}\n{{ '%d|%d|%5.1f|%s' % (3.7, -3.7, 3.7, None) }}\n",
    );
    env.groundwork()
        .args(["new", "--no-input", "--no-git", "-o", "out", "--template"])
        .arg(env.path("cc"))
        .assert()
        .success();
    assert_eq!(
        env.read("out/demo/out.txt"),
        "'a'|3|True|[1, 'b', None]\n3|-3|  3.7|None\n"
    );
}

#[test]
fn issue15_a_directory_templates_manifest_may_not_link_out_of_it() {
    let env = TestEnv::new();
    env.write(
        "outside.toml",
        "[template]\nname = \"stolen\"\nversion = \"1.0.0\"\n",
    );
    let linked = env.template("linked", "").file("a.txt", "a\n").build();
    std::fs::remove_file(linked.join("template.toml")).unwrap();
    std::os::unix::fs::symlink("../outside.toml", linked.join("template.toml")).unwrap();
    env.refuses_exactly(
        &linked,
        &["--defaults"],
        "error: symlink {root}/linked/template.toml in the template points outside the template (to {root}/outside.toml); templates may only link to their own files\n",
    );
    // A link to a file inside the template is read through, as for any other file.
    std::fs::rename(env.path("outside.toml"), linked.join("manifest.toml")).unwrap();
    std::fs::remove_file(linked.join("template.toml")).unwrap();
    std::os::unix::fs::symlink("manifest.toml", linked.join("template.toml")).unwrap();
    env.new_project(&linked, "out", &["--defaults"])
        .assert()
        .success();
    assert_eq!(env.read("out/a.txt"), "a\n");
}

#[test]
fn issue15_a_template_file_name_that_is_not_utf8_is_an_error() {
    use std::os::unix::ffi::OsStrExt as _;
    let env = TestEnv::new();
    let template = env.template("bytes", "").file("a.txt", "a\n").build();
    let name = std::ffi::OsStr::from_bytes(b"\xff.txt");
    std::fs::write(template.join(name), "x\n").unwrap();
    env.refuses_exactly(
        &template,
        &["--defaults"],
        "error: \u{fffd}.txt in the template has a name that is not UTF-8 (shown with \u{fffd} for the bytes that are not); template file names must be UTF-8: rename it\n",
    );
    std::fs::remove_file(template.join(name)).unwrap();
    let folder = template.join(std::ffi::OsStr::from_bytes(b"sub\xfe"));
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("b.txt"), "b\n").unwrap();
    env.refuses_exactly(
        &template,
        &["--defaults"],
        "error: sub\u{fffd}/b.txt in the template has a name that is not UTF-8 (shown with \u{fffd} for the bytes that are not); template file names must be UTF-8: rename it\n",
    );
}

/// A git template `tpl` tagged v1.0.0, and its URL as groundwork records it.
fn git_template(env: &TestEnv) -> String {
    let repo = env.template_repo("tpl");
    repo.version("1.0.0", "").file("a.txt", "a\n").tag();
    std::fs::canonicalize(repo.path())
        .unwrap()
        .display()
        .to_string()
}

#[test]
fn issue15_a_cached_clone_replaced_by_a_symlink_is_refused() {
    let env = TestEnv::new();
    let url = git_template(&env);
    let cache = env.path("cache");
    env.new_project(std::path::Path::new(&url), "first", &["--defaults"])
        .env("GROUNDWORK_CACHE_DIR", &cache)
        .assert()
        .success();
    let entries: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let clone = &entries[0];
    std::fs::rename(clone, env.path("elsewhere.git")).unwrap();
    std::os::unix::fs::symlink(env.path("elsewhere.git"), clone).unwrap();
    let output = env
        .new_project(std::path::Path::new(&url), "second", &["--defaults"])
        .env("GROUNDWORK_CACHE_DIR", &cache)
        .assert()
        .failure()
        .code(1);
    assert_eq!(
        String::from_utf8_lossy(&output.get_output().stderr),
        format!(
            "error: git template {url}: the cached clone {} is a symlink; groundwork never follows a link out of its cache: delete it to clone again\n",
            clone.display()
        )
    );
    assert!(!env.exists("second"));
}

#[test]
fn issue15_a_cold_cache_that_cannot_be_written_falls_back_to_a_temporary_clone() {
    let env = TestEnv::new();
    let url = git_template(&env);
    // A file where the cache folder would be: it cannot be created, whoever runs the test.
    env.write("blocked", "a file\n");
    let cache = env.path("blocked/cache");
    // The temporary clone is removed once the template is read.
    std::fs::create_dir_all(env.path("tmp")).unwrap();
    let output = env
        .new_project(std::path::Path::new(&url), "out", &["--defaults"])
        .env("GROUNDWORK_CACHE_DIR", &cache)
        .env("TMPDIR", env.path("tmp"))
        .assert()
        .success();
    assert_eq!(std::fs::read_dir(env.path("tmp")).unwrap().count(), 0);
    assert_eq!(
        String::from_utf8_lossy(&output.get_output().stderr),
        format!(
            "warning: the git cache {} cannot be written (Not a directory (os error 20)); {url} is cloned into a temporary folder for this run instead\n",
            cache.display()
        )
    );
    assert_eq!(env.read("out/a.txt"), "a\n");
    assert!(env.read("out/.groundwork.toml").contains("commit = "));
    // A read-only cache folder (root may write anywhere, so only checked for other users).
    if !rustix::process::geteuid().is_root() {
        use std::os::unix::fs::PermissionsExt as _;
        let read_only = env.path("read-only");
        std::fs::create_dir(&read_only).unwrap();
        std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o555)).unwrap();
        let output = env
            .new_project(std::path::Path::new(&url), "out2", &["--defaults"])
            .env("GROUNDWORK_CACHE_DIR", &read_only)
            .assert()
            .success();
        assert_eq!(
            String::from_utf8_lossy(&output.get_output().stderr),
            format!(
                "warning: the git cache {} cannot be written (Permission denied (os error 13)); {url} is cloned into a temporary folder for this run instead\n",
                read_only.display()
            )
        );
        assert_eq!(std::fs::read_dir(&read_only).unwrap().count(), 0);
    }
}

#[test]
fn issue15_a_moved_version_tag_is_reported_and_the_recorded_commit_stays_the_base() {
    let env = TestEnv::new();
    let url = git_template(&env);
    let cache = env.path("cache");
    env.groundwork()
        .args(["new", "proj", "--defaults", "--template", &url])
        .env("GROUNDWORK_CACHE_DIR", &cache)
        .assert()
        .success();
    let recorded = git2::Repository::open(env.path("tpl"))
        .unwrap()
        .revparse_single("v1.0.0")
        .unwrap()
        .peel_to_commit()
        .unwrap()
        .id()
        .to_string();
    // `git commit --amend` with more files, then `git tag -f v1.0.0`: the recorded commit is no
    // longer reachable in the template repository.
    env.write("tpl/b.txt", "b\n");
    let template = git2::Repository::open(env.path("tpl")).unwrap();
    let mut index = template.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    let tree = template.find_tree(index.write_tree().unwrap()).unwrap();
    let head = template.head().unwrap().peel_to_commit().unwrap();
    let amended = head
        .amend(
            Some("HEAD"),
            None,
            None,
            None,
            Some("v1.0.0, amended"),
            Some(&tree),
        )
        .unwrap();
    template
        .tag_lightweight(
            "v1.0.0",
            &template.find_object(amended, None).unwrap(),
            true,
        )
        .unwrap();
    // And gone from it, as after `git gc --prune=now`: a repository on this machine is fetched by
    // copying its object files, unreachable objects included, so an amended commit that is
    // still on disk would still rebuild the base (with the warning below).
    std::fs::remove_file(env.path(&format!(
        "tpl/.git/objects/{}/{}",
        &recorded[..2],
        &recorded[2..]
    )))
    .unwrap();
    let moved = amended.to_string();
    let warning = format!(
        "tag v1.0.0 of {url} now points to commit {}, but this project recorded version 1.0.0 at commit {}: the tag was moved; the recorded commit stays the base, so the moved tag's changes show as template changes",
        &moved[..12],
        &recorded[..12]
    );

    let output = env
        .groundwork()
        .args(["check", "proj"])
        .env("GROUNDWORK_CACHE_DIR", &cache)
        .assert()
        .success();
    assert_eq!(
        String::from_utf8_lossy(&output.get_output().stdout),
        format!(
            "{} is up to date: tpl 1.0.0 ({url}).\n  {warning}\n",
            env.path("proj").display()
        )
    );

    // A cache that never held the recorded commit cannot rebuild the base: a clear error.
    let output = env
        .update("proj", &["--defaults"])
        .env("GROUNDWORK_CACHE_DIR", env.path("fresh-cache"))
        .assert()
        .failure()
        .code(1);
    assert_eq!(
        String::from_utf8_lossy(&output.get_output().stderr),
        format!(
            "error: {url} no longer has commit {recorded}, which this project recorded for version 1.0.0 (tag v1.0.0 was moved to commit {}); without it there is no base to merge from: restore that commit in the template repository (a branch or tag pointing to it is enough), then run again\n",
            &moved[..12]
        )
    );

    // The cache that made the project still has it: the update merges from it, saying why.
    let output = env
        .update("proj", &["--defaults"])
        .env("GROUNDWORK_CACHE_DIR", &cache)
        .assert()
        .success();
    assert_eq!(
        String::from_utf8_lossy(&output.get_output().stderr),
        format!("warning: {warning}\n")
    );
    assert_eq!(env.read("proj/a.txt"), "a\n");
    assert_eq!(env.read("proj/b.txt"), "b\n");
    let answers = env.read("proj/.groundwork.toml");
    assert!(
        answers.contains(&format!("commit = \"{moved}\"")),
        "{answers}"
    );
}

#[test]
fn issue15_a_python_string_width_too_large_for_a_file_is_an_error_not_an_abort() {
    let env = TestEnv::new();
    env.write("cc/cookiecutter.json", r#"{"name": "demo"}"#);
    for (expression, what) in [
        ("'x'.center(100000000000)", "str.center(): a width"),
        ("'x'.ljust(100000000000)", "str.ljust(): a width"),
        ("'x'.rjust(100000000000, '-')", "str.rjust(): a width"),
        ("'7'.zfill(100000000000)", "str.zfill(): a width"),
        ("'%100000000000s' % 'x'", "`%` formatting: a width"),
        ("'%.100000000000f' % 1.5", "`%` formatting: a precision"),
        ("'{:>100000000000}'.format('x')", "str.format(): a width"),
        ("'%100000000000s' | format('x')", "`%` formatting: a width"),
    ] {
        // Each used to ask the allocator for 100 GB at once and abort (SIGABRT, exit 134).
        env.write(
            "cc/{{ cookiecutter.name }}/b.txt",
            format!("{{{{ {expression} }}}}\n"),
        );
        env.groundwork()
            .args(["new", "--no-input", "--no-git", "-o", "out", "--template"])
            .arg(env.path("cc"))
            .assert()
            .failure()
            .code(1)
            .stdout("")
            .stderr(format!(
                "error: template file b.txt:1: invalid operation: {what} of 100000000000 makes a result over the limit of 67108864 bytes per file (GROUNDWORK_MAX_FILE_BYTES) (in b.txt:1)\n"
            ));
        assert!(!env.exists("out"), "{expression}");
    }
    // A precision Rust's formatter refuses (it panicked, exit 101) but the limit allows.
    env.write(
        "cc/{{ cookiecutter.name }}/b.txt",
        "{{ ('%.70000f' % 1.5) | length }}\n",
    );
    env.groundwork()
        .args(["new", "--no-input", "--no-git", "-o", "out", "--template"])
        .arg(env.path("cc"))
        .assert()
        .success();
    assert_eq!(env.read("out/demo/b.txt"), "70002\n");
}

/// A sparse file of 1 GiB at `relative`: nothing on disk, a gigabyte to whoever reads it.
fn sparse_gigabyte(env: &TestEnv, relative: &str) {
    env.write(relative, "");
    std::fs::OpenOptions::new()
        .write(true)
        .open(env.path(relative))
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
}

#[test]
fn issue15_a_directory_template_file_over_the_limit_is_refused_before_it_is_read() {
    let env = TestEnv::new();
    let template = env.template("big", "").file("a.txt", "a\n").build();
    sparse_gigabyte(&env, "big/big.bin");
    let started = std::time::Instant::now();
    // It used to be read whole (a gigabyte of memory) and refused only once rendered.
    env.refuses_exactly(
        &template,
        &["--defaults"],
        "error: template file `{root}/big/big.bin` is 1073741824 bytes, over the limit of 67108864 bytes per file; if that is intended, raise it with GROUNDWORK_MAX_FILE_BYTES\n",
    );
    // Through a symlink to it, and under a limit set by the variable, the same.
    std::fs::rename(env.path("big/big.bin"), env.path("big/data.bin")).unwrap();
    std::os::unix::fs::symlink("data.bin", env.path("big/big.bin")).unwrap();
    let output = env
        .new_project(&template, "out", &["--defaults"])
        .env("GROUNDWORK_MAX_FILE_BYTES", "1000")
        .assert()
        .failure()
        .code(1);
    let root = std::fs::canonicalize(env.root()).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.get_output().stderr),
        format!(
            "error: template file `{}/big/data.bin` is 1073741824 bytes, over the limit of 1000 bytes per file; if that is intended, raise it with GROUNDWORK_MAX_FILE_BYTES\n",
            root.display()
        )
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn issue15_a_file_a_hook_leaves_over_the_limit_is_refused_before_it_is_read() {
    use std::os::unix::fs::PermissionsExt as _;
    let env = TestEnv::new();
    env.write("cc/cookiecutter.json", r#"{"name": "demo"}"#);
    env.write("cc/{{ cookiecutter.name }}/a.txt", "a\n");
    env.write(
        "cc/hooks/post_gen_project.sh",
        "#!/bin/sh\ntruncate -s 1073741824 big.bin\n",
    );
    std::fs::set_permissions(
        env.path("cc/hooks/post_gen_project.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    env.groundwork()
        .args([
            "new",
            "--no-input",
            "--no-git",
            "--trust",
            "-o",
            "out",
            "--template",
        ])
        .arg(env.path("cc"))
        .assert()
        .failure()
        .code(1)
        .stdout("")
        .stderr("error: big.bin: is 1073741824 bytes, over the limit of 67108864 bytes per file; if that is intended, raise it with GROUNDWORK_MAX_FILE_BYTES\n");
    assert!(!env.exists("out/demo"));
}

#[test]
fn issue15_a_release_blob_over_the_limit_is_refused_before_it_is_read() {
    let env = TestEnv::new();
    env.template("rel", "").file("a.txt", "a\n").build();
    for version in ["1.0.0", "1.1.0"] {
        env.write("rel/a.txt", format!("{version}\n"));
        env.groundwork()
            .args(["template", "release", "rel", "--version", version])
            .assert()
            .success();
    }
    let record = env.read("rel/.groundwork-releases/1.0.0.toml");
    let blob = record
        .split("\"a.txt\" = { blob = \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let relative = format!("rel/.groundwork-releases/blobs/{blob}");
    std::fs::remove_file(env.path(&relative)).unwrap();
    sparse_gigabyte(&env, &relative);
    env.refuses_exactly(
        &env.path("rel"),
        &["--defaults", "--ref", "1.0.0"],
        &format!("error: release store {{root}}/rel/.groundwork-releases: blobs/{blob} is 1073741824 bytes, over the limit of 67108864 bytes per file; if that is intended, raise it with GROUNDWORK_MAX_FILE_BYTES; restore `.groundwork-releases` from version control (releases are never edited)\n"),
    );
}

#[test]
fn issue15_a_hooks_warning_to_an_unwritable_stderr_never_panics() {
    use std::os::unix::fs::PermissionsExt as _;
    let env = TestEnv::new();
    env.write("cc/cookiecutter.json", r#"{"name": "demo"}"#);
    env.write("cc/{{ cookiecutter.name }}/a.txt", "a\n");
    env.write(
        "cc/hooks/post_gen_project.sh",
        "#!/bin/sh\nmkdir -p .git data/raw\n",
    );
    std::fs::set_permissions(
        env.path("cc/hooks/post_gen_project.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let new = |out: &str| {
        let mut command = env.command();
        command
            .args([
                "new",
                "--no-input",
                "--no-git",
                "--trust",
                "-o",
                out,
                "--template",
            ])
            .arg(env.path("cc"));
        command
    };
    let output = new("seen").output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "warning: a hook made .git/, which is left out: groundwork makes the project's repository itself (or not, with --no-git)\nwarning: the hooks left empty directories (data/raw), which are left out: a project holds files only, as git does\n"
    );
    // The same warnings to a full stderr: they were `eprintln!`, which panicked (exit 101) there.
    let output = new("unseen").stderr(dev_full()).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(env.read("unseen/demo/a.txt"), "a\n");
}

#[test]
fn issue15_a_symlink_swapped_in_for_the_destination_is_reported_as_a_symlink() {
    let env = TestEnv::new();
    let template = env.template("small", "").file("a.txt", "a\n").build();
    env.write("out/mine.txt", "mine\n");
    std::fs::create_dir(env.path("elsewhere")).unwrap();
    // Swapped in after the destination was seen to be a directory, before it is opened: the
    // no-follow open refuses it, and used to call it "exists and is not a directory".
    let elsewhere = env.path("elsewhere").display().to_string();
    let out = env.path("out").display().to_string();
    for (swap, expected) in [
        (
            format!("swap:symlink:{elsewhere}"),
            format!(
                "error: destination {out} is a symlink (to {elsewhere}); groundwork never writes through a symlink, since it could be swapped to point elsewhere mid-run: pass the folder it points to instead\n"
            ),
        ),
        (
            "swap:file".to_owned(),
            format!("error: destination {out} exists and is not a directory\n"),
        ),
    ] {
        env.groundwork()
            .args([
                "new",
                "out",
                "--force",
                "--defaults",
                "--no-git",
                "--template",
            ])
            .arg(&template)
            .env("GROUNDWORK_FAULT_INJECT", &swap)
            .assert()
            .failure()
            .code(1)
            .stdout("")
            .stderr(expected);
        // Nothing was written anywhere; put the folder back for the next swap.
        assert_eq!(std::fs::read_dir(env.path("elsewhere")).unwrap().count(), 0);
        assert_eq!(env.read("out.swapped/mine.txt"), "mine\n");
        std::fs::remove_file(env.path("out")).unwrap();
        std::fs::rename(env.path("out.swapped"), env.path("out")).unwrap();
    }
}
