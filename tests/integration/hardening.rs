//! Issue 7, finding by finding: concurrency, races, special files, portable paths, limits. Each
//! test failed on the code before the fix it is named after.

use std::path::Path;
use std::process::Output;

use crate::env::{TestEnv, snapshot};

/// Two templates with the same file names and different contents, so a mixed tree shows.
fn rivals(env: &TestEnv) -> (std::path::PathBuf, std::path::PathBuf) {
    let make = |name: &str| {
        let mut builder = env.template(name, "");
        for i in 0..40 {
            builder = builder.file(
                &format!("dir{}/file{i}.txt", i % 4),
                format!("{name} {i}\n"),
            );
        }
        builder.build()
    };
    (make("alpha"), make("beta"))
}

fn finish(child: std::process::Child) -> Output {
    child.wait_with_output().expect("wait for groundwork")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The tree `template` renders into `dest` alone, for comparing with a raced one.
fn reference(env: &TestEnv, template: &Path, dest: &str) -> Vec<(String, Vec<u8>, u32)> {
    env.new_project(template, dest, &["--defaults"])
        .assert()
        .success();
    snapshot(&env.path(dest))
}

#[test]
fn issue7_concurrent_new_to_one_destination_has_one_winner_and_an_intact_tree() {
    let env = TestEnv::new();
    let (alpha, beta) = rivals(&env);
    let expected = [
        reference(&env, &alpha, "ref-a"),
        reference(&env, &beta, "ref-b"),
    ];
    for round in 0..30 {
        // Half the rounds into a destination whose parent does not exist yet.
        let dest = if round % 2 == 0 {
            format!("out{round}")
        } else {
            format!("sub{round}/out")
        };
        let a = env.spawn_new(&alpha, &dest, &["--defaults"]);
        let b = env.spawn_new(&beta, &dest, &["--defaults"]);
        let outputs = [finish(a), finish(b)];
        let winners: Vec<usize> = (0..2).filter(|&i| outputs[i].status.success()).collect();
        assert_eq!(winners.len(), 1, "round {round}: {outputs:?}");
        let (winner, loser) = (winners[0], 1 - winners[0]);
        assert_eq!(outputs[loser].status.code(), Some(1), "round {round}");
        let shown = env.path(&dest).display().to_string();
        let allowed = [
            format!(
                "error: destination {shown} was created by another process while this run was preparing it; nothing was written: choose another directory, or run again with --force\n"
            ),
            format!(
                "error: destination {shown} is not empty: choose a new directory, or pass --force to overwrite the files the template writes (nothing else is touched)\n"
            ),
        ];
        assert!(
            allowed.contains(&stderr(&outputs[loser])),
            "round {round}: {}",
            stderr(&outputs[loser])
        );
        assert_eq!(
            snapshot(&env.path(&dest)),
            expected[winner],
            "round {round}: the winner's project is not intact"
        );
    }
    assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());
}

#[test]
fn issue7_concurrent_force_runs_never_mix_or_lose_files() {
    let env = TestEnv::new();
    let (alpha, beta) = rivals(&env);
    let mut expected = [
        reference(&env, &alpha, "ref-a"),
        reference(&env, &beta, "ref-b"),
    ];
    for tree in &mut expected {
        tree.push(("keep.txt".into(), b"mine\n".to_vec(), 0o100_644));
        tree.sort();
    }
    for round in 0..30 {
        let dest = format!("forced{round}");
        env.write(&format!("{dest}/keep.txt"), "mine\n");
        let a = env.spawn_new(&alpha, &dest, &["--defaults", "--force"]);
        let b = env.spawn_new(&beta, &dest, &["--defaults", "--force"]);
        let outputs = [finish(a), finish(b)];
        let shown = env.path(&dest).display().to_string();
        let busy = format!(
            "error: destination {shown} is in use by another groundwork run (it holds the lock); nothing was written: wait for that run to finish, then run again\n"
        );
        for output in &outputs {
            assert!(
                output.status.success()
                    || (output.status.code() == Some(1) && stderr(output) == busy),
                "round {round}: {output:?}"
            );
        }
        let mut tree = snapshot(&env.path(&dest));
        tree.sort();
        assert!(
            expected.contains(&tree),
            "round {round}: a mixed or incomplete tree"
        );
    }
    assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());
}
