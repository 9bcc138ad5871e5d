//! Issue 17, the command line's edges: the usage line after a mistyped flag.

use crate::env::TestEnv;

fn stdout_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

const NEW_USAGE_ERROR: &str = "error: unexpected argument '--defualts' found\n\n  tip: a similar argument exists: '--defaults'\n\nUsage: groundwork new [OPTIONS] [DESTINATION] [KEY=VALUE]...\n\nFor more information, try '--help'.\n";

/// The usage line used to be built from the arguments given, and a destination given made it
/// `Usage: groundwork new --defaults <DESTINATION] [KEY=VALUE>...`.
#[test]
fn issue17_usage_line_after_a_mistyped_flag() {
    let env = TestEnv::new();
    for args in [
        &["new", "--defualts"][..],
        &["new", "x", "--defualts"],
        &["new", "x", "key=value", "--defualts"],
    ] {
        env.groundwork()
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(NEW_USAGE_ERROR);
    }
    env.groundwork()
        .args(["new", "--trust", "--no-hooks", "x"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("error: the argument '--trust' cannot be used with '--no-hooks'\n\nUsage: groundwork new [OPTIONS] [DESTINATION] [KEY=VALUE]...\n\nFor more information, try '--help'.\n");
    let help = stdout_of(&env.groundwork().args(["new", "--help"]).assert().success());
    assert!(
        help.contains(
            "\nUsage: groundwork new [OPTIONS] [DESTINATION] [KEY=VALUE]...\n\nArguments:\n  [DESTINATION|KEY=VALUE]...\n"
        ),
        "{help}"
    );
}
