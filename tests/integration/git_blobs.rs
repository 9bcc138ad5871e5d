//! Git blobs over the per-file limit, from a repository on this machine and a cache that has
//! never seen it: refused by their size before they are read, nothing written, and the cache the
//! refused run filled serves the next run. (How much memory the refusal takes is measured by
//! `scripts/bench-git-blob`, not here: no test depends on timing or memory.)

use std::fs;
use std::path::Path;

use crate::env::TestEnv;

const MIB: usize = 1 << 20;

/// A template repository at `name`, tagged v1.0.0, with an 8 MiB `big.bin`; its objects packed
/// (as `git gc` leaves them) when `packed`, else loose. Returns the commit's short id.
fn repository_with_a_big_blob(env: &TestEnv, name: &str, packed: bool) -> String {
    let repo = env.template_repo(name);
    repo.version("1.0.0", "")
        .file("a.txt", "a\n")
        .file("big.bin", vec![0u8; 8 * MIB])
        .tag();
    let git = git2::Repository::open(repo.path()).unwrap();
    let head = git.head().unwrap().peel_to_commit().unwrap().id();
    if packed {
        let objects = repo.path().join(".git").join("objects");
        let mut pack = git.packbuilder().unwrap();
        pack.insert_commit(head).unwrap();
        pack.write(&objects.join("pack"), 0o444).unwrap();
        for entry in fs::read_dir(&objects).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name().len() == 2 {
                fs::remove_dir_all(entry.path()).unwrap();
            }
        }
        // Every object is read from the pack now.
        let reopened = git2::Repository::open(repo.path()).unwrap();
        let blob = reopened.revparse_single("v1.0.0:big.bin").unwrap();
        assert_eq!(blob.peel_to_blob().unwrap().size(), 8 * MIB);
    }
    head.to_string()[..7].to_owned()
}

fn refused_message(url: &str, short: &str) -> String {
    format!(
        "error: template file `{url}@{short}/big.bin` is 8388608 bytes, over the limit of 1048576 bytes per file; if that is intended, raise it with GROUNDWORK_MAX_FILE_BYTES\n"
    )
}

#[test]
fn issue15_a_local_git_blob_over_the_limit_is_refused_on_a_cold_cache() {
    let env = TestEnv::new();
    let loose = repository_with_a_big_blob(&env, "loose", false);
    let packed = repository_with_a_big_blob(&env, "packed", true);
    let path = |name: &str| env.path(name).display().to_string();
    let cases = [
        (path("loose"), &loose, "cache-loose-path"),
        (
            format!("file://{}", path("loose")),
            &loose,
            "cache-loose-url",
        ),
        (path("packed"), &packed, "cache-packed-path"),
        (
            format!("file://{}", path("packed")),
            &packed,
            "cache-packed-url",
        ),
    ];
    for (url, short, cache) in &cases {
        assert!(!env.exists(cache), "the cache starts cold");
        let output = env
            .groundwork()
            .args(["new", "out", "--defaults", "--template", url])
            .env("GROUNDWORK_CACHE_DIR", env.path(cache))
            .env("GROUNDWORK_MAX_FILE_BYTES", MIB.to_string())
            .assert()
            .failure()
            .code(1);
        let output = output.get_output();
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            refused_message(url, short)
        );
        assert!(output.stdout.is_empty(), "stdout: {:?}", output.stdout);
        assert!(!env.exists("out"), "a refused run wrote out/");
        assert!(env.leftovers().is_empty(), "staging left behind");
    }

    // The refused run cached the repository: with the repository gone and the limit raised, that
    // cache serves (with a warning that it could not fetch), and the blob arrives whole. (A URL:
    // a path that does not exist is no template at all.)
    fs::rename(env.path("packed"), env.path("moved")).unwrap();
    let url = format!("file://{}", path("packed"));
    let output = env
        .groundwork()
        .args(["new", "out", "--defaults", "--no-git", "--template", &url])
        .env("GROUNDWORK_CACHE_DIR", env.path("cache-packed-url"))
        .env("GROUNDWORK_MAX_FILE_BYTES", (9 * MIB).to_string())
        .assert()
        .success()
        .code(0);
    let stderr = String::from_utf8_lossy(&output.get_output().stderr).into_owned();
    assert!(
        stderr.starts_with(&format!("warning: could not fetch {url} (")),
        "{stderr}"
    );
    assert_eq!(env.read_bytes("out/big.bin"), vec![0u8; 8 * MIB]);
    assert_eq!(env.read("out/a.txt"), "a\n");
    assert!(!Path::new(&path("packed")).exists());
}
