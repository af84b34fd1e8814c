//! What a new user reads when something is wrong: each message says what is at fault, where,
//! and what to do, once. Snapshots (insta, inline), so a change to a message is a visible diff.

use crate::common::*;

#[test]
fn a_missing_webapp_is_named_once_with_what_to_give_instead() {
    let dir = tempfile::tempdir().unwrap();
    let out = msmlab_in(dir.path(), &["up", "--name", "e2e-msg", "--webapp", "nope.war"], &[]);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(stderr(&out), @"error: cannot read webapp nope.war: No such file or directory (os error 2); --webapp takes a WAR file or an exploded webapp directory");
    assert_eq!(labelled("e2e-msg"), Vec::<String>::new());
}

#[test]
fn a_toml_syntax_error_shows_the_line_a_caret_and_the_key_being_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("msmlab.toml"), "[up]\nport = 13355\ntomcat = \"9\n").unwrap();
    let out = msmlab_in(dir.path(), &["status"], &[]);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(stderr(&out), @r#"
    error: msmlab.toml:3:12: not valid TOML: invalid basic string (reading up.tomcat)
      3 | tomcat = "9
        |            ^
    "#);
}

#[test]
fn global_options_have_their_own_heading_in_every_verbs_help() {
    let out = msmlab(&["up", "-h"]);
    let help = stdout(&out);
    let global = &help[help.find("Global options:").expect("a Global options heading")..];
    let global = &global[..global.find("Examples:").unwrap_or(global.len())];
    insta::assert_snapshot!(global.trim_end(), @r"
    Global options:
          --config <FILE>  Config file to read instead of ./msmlab.toml (and that `init` writes) [env: MSMLAB_CONFIG=]
      -q, --quiet          Print only errors and results (no progress lines)
      -v, --verbose...     Say more: the config file and the values it set, the engine's version
    ");
    // And nothing about "the seed", which a user cannot know.
    assert!(!msmlab(&["up", "--help"]).stdout.windows(4).any(|w| w == b"seed"));
}
