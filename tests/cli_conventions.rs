//! What every verb shares: --help with an example, completions, the generated configuration
//! reference, no colour off a terminal.

// The end-to-end tests' helpers, of which these engine-free tests use a part: they stay a
// fast binary of their own, apart from the end-to-end binary (tests/e2e/), and run without an engine.
#[allow(dead_code)]
mod common;
use common::*;

#[test]
fn every_verb_has_help_with_an_example() {
    for verb in ["up", "verify", "status", "down", "logs", "render", "doctor", "init", "completions"] {
        let out = msmlab(&[verb, "--help"]);
        assert_eq!(out.status.code(), Some(0), "{verb}");
        let help = stdout(&out);
        assert!(help.contains("Example") && help.contains("msmlab "), "msmlab {verb} --help: {help}");
    }
    let top = stdout(&msmlab(&["--help"]));
    assert!(top.contains("msmlab.toml"), "{top}");
}

#[test]
fn completions_cover_every_verb_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let out = msmlab(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = stdout(&out);
        for verb in ["up", "verify", "status", "down", "logs", "render", "doctor", "init"] {
            assert!(script.contains(verb), "{shell} completions lack {verb}");
        }
        assert!(script.contains("--serializer") || script.contains("serializer"), "{shell}");
    }
    let bash = stdout(&msmlab(&["completions", "bash"]));
    assert!(bash.contains("complete -F"), "a bash completion script: {bash}");
}

#[test]
fn the_configuration_reference_is_generated_from_the_cli_and_current() {
    let generated = stdout(&msmlab(&["docs-reference"]));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/configuration.md");
    if std::env::var_os("MSMLAB_UPDATE_DOCS").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/configuration.md is stale: run `MSMLAB_UPDATE_DOCS=1 cargo test --test cli_conventions` (or `msmlab docs-reference > docs/configuration.md`)"
    );
    for flag in ["`--tomcats N`", "`--maven-repo URL`", "`MSMLAB_MAVEN_REPO`", "`--tomcat-hosts HOST:PORT,…`", "`--since WHEN`"] {
        assert!(generated.contains(flag), "{flag} missing from the reference");
    }
}

#[test]
fn no_colour_codes_when_not_on_a_terminal() {
    // Progress and results, with stdout and stderr piped (as in CI), carry no escape codes.
    let out = msmlab(&["doctor", "--port", "13478"]);
    assert!(!stdout(&out).contains('\x1b') && !stderr(&out).contains('\x1b'));
}
