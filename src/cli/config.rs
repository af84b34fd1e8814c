//! `msmlab.toml`: every long flag of a verb, as a key of the verb's table, taken from the clap
//! definitions themselves, so a flag added to `cli::args` is a config key with nothing else to do.
//!
//! The command line is parsed once to learn which values the user gave (flag or environment
//! variable); every key of the file whose flag was left at its default is then added to the
//! command line and the whole is parsed again. So clap checks the file's values exactly as it
//! checks flags, and the precedence is flag > environment > file > default.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, CommandFactory, FromArgMatches};
use serde::Serialize;

use crate::cli::args::Cli;
use crate::exit::{Classified, ExitStatus};

/// The file read from the current directory when `--config` is not given.
pub const DEFAULT_FILE: &str = "msmlab.toml";
/// Verbs the file does not apply to: they write or print things about msmlab itself.
const NOT_CONFIGURED: &[&str] = &["init", "completions", "docs-reference"];
/// Flags that are not config keys.
const NOT_KEYS: &[&str] = &["help", "version", "config"];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}:{line}:{column}: not valid TOML: {message}{key}\n{excerpt}")]
    Syntax { path: String, line: usize, column: usize, message: String, key: String, excerpt: String },
    #[error("{path}: unknown table [{table}]; tables are the verbs: {verbs}")]
    UnknownVerb { path: String, table: String, verbs: String },
    #[error("{path}: unknown key {key:?} in {place}; accepted keys: {accepted}")]
    UnknownKey { path: String, place: String, key: String, accepted: String },
    #[error("{path}: {key} must be {expected}, not {found}")]
    Type { path: String, key: String, expected: &'static str, found: String },
    #[error("{path}: {key} = {value}: {message}")]
    Value { path: String, key: String, value: String, message: String },
}

/// A key of a verb's table, as `init` and the configuration reference describe it.
#[derive(Debug, Clone, Serialize)]
pub struct KeyDoc {
    pub key: String,
    pub flag: String,
    pub help: String,
    pub default: Option<String>,
    /// The default as a TOML value, for `msmlab init`.
    pub example: String,
    pub env: Option<String>,
    pub possible: Vec<String>,
    /// A flag of every verb (`--quiet`, `--verbose`).
    pub global: bool,
    /// The value's placeholder in `--help` (`URL`, `NAME`), or none for a switch.
    pub value: Option<String>,
}

/// A positional argument (not a config key), for the reference.
#[derive(Debug, Clone, Serialize)]
pub struct PositionalDoc {
    pub name: String,
    pub help: String,
    pub possible: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerbDoc {
    pub name: String,
    pub about: String,
    pub configurable: bool,
    pub keys: Vec<KeyDoc>,
    pub positionals: Vec<PositionalDoc>,
}

/// A TOML syntax error as an editor shows it: file, line and column, the line with a caret
/// under the spot, and the table and key being read there.
fn syntax_error(path: &str, text: &str, e: &toml::de::Error) -> ConfigError {
    let at = e.span().map_or(0, |s| s.start).min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_text = text[line_start..].lines().next().unwrap_or("");
    let line = text[..at].matches('\n').count() + 1;
    let column = text[line_start..at].chars().count() + 1;
    let table = text[..line_start].lines().rev().find_map(|l| l.trim().strip_prefix('[').and_then(|t| t.split(']').next())).map(str::trim);
    let key = line_text.split_once('=').map(|(k, _)| k.trim()).filter(|k| !k.is_empty() && !k.starts_with('['));
    let key = match (table, key) {
        (Some(t), Some(k)) => format!(" (reading {t}.{k})"),
        (None, Some(k)) => format!(" (reading {k})"),
        (Some(t), None) => format!(" (in [{t}])"),
        (None, None) => String::new(),
    };
    let number = line.to_string();
    let excerpt = format!("  {number} | {line_text}\n  {} | {}^", " ".repeat(number.len()), " ".repeat(column - 1));
    ConfigError::Syntax { path: path.into(), line, column, message: e.message().trim().to_string(), key, excerpt }
}

/// Every visible verb with its keys, from the clap definitions (globals included).
pub fn verbs() -> Vec<VerbDoc> {
    let mut cmd = Cli::command();
    cmd.build();
    cmd.get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        .map(|sub| {
            let keys = sub
                .get_arguments()
                .filter(|a| a.get_long().is_some_and(|l| !NOT_KEYS.contains(&l)) && !a.is_hide_set())
                .map(|a| {
                    let long = a.get_long().expect("filtered on long");
                    let default = a.get_default_values().first().map(|d| d.to_string_lossy().into_owned());
                    let example = match (a.get_action(), &default) {
                        (ArgAction::SetTrue, _) => "false".to_string(),
                        (ArgAction::Count, _) => "0".to_string(),
                        (_, Some(d)) if d.parse::<u64>().is_ok() => d.clone(),
                        (_, Some(d)) => format!("{d:?}"),
                        (ArgAction::Append, None) => "[]".to_string(),
                        (_, None) => match EXAMPLES.iter().find(|(k, _)| *k == long) {
                            Some((_, e)) => format!("{e:?}"),
                            None => format!("\"{}\"", a.get_value_names().and_then(|v| v.first()).map_or("VALUE", |v| v.as_str())),
                        },
                    };
                    let value = a.get_value_names().map(|v| format!(" {}", v.join(" "))).unwrap_or_default();
                    let takes_value = !matches!(a.get_action(), ArgAction::SetTrue | ArgAction::Count);
                    let short = a.get_short().map(|s| format!("-{s}, ")).unwrap_or_default();
                    KeyDoc {
                        key: long.to_string(),
                        flag: format!("{short}--{long}{}", if takes_value { value.clone() } else { String::new() }),
                        help: a.get_help().map(|h| h.to_string()).unwrap_or_default(),
                        default: default.filter(|d| !d.is_empty()),
                        example,
                        env: a.get_env().map(|e| e.to_string_lossy().into_owned()),
                        possible: possible(a),
                        global: a.is_global_set(),
                        value: takes_value.then(|| value.trim().to_string()),
                    }
                })
                .collect();
            let positionals = sub
                .get_positionals()
                .map(|a| PositionalDoc {
                    name: a.get_value_names().and_then(|v| v.first()).map_or(a.get_id().to_string(), |v| v.to_string()),
                    help: a.get_help().map(|h| h.to_string()).unwrap_or_default(),
                    possible: possible(a),
                })
                .collect();
            VerbDoc {
                name: sub.get_name().to_string(),
                about: sub.get_about().map(|h| h.to_string()).unwrap_or_default(),
                configurable: !NOT_CONFIGURED.contains(&sub.get_name()),
                keys,
                positionals,
            }
        })
        .collect()
}

fn possible(a: &clap::Arg) -> Vec<String> {
    if matches!(a.get_action(), ArgAction::SetTrue | ArgAction::Count) {
        return Vec::new();
    }
    a.get_possible_values().iter().filter(|p| !p.is_hide_set()).map(|p| p.get_name().to_string()).collect()
}

/// The config file that was read, and the values it gave (`verb.key = value`).
#[derive(Debug, Clone, Default)]
pub struct Applied {
    pub path: Option<PathBuf>,
    pub values: Vec<String>,
}

/// Why the command line could not be read.
#[derive(Debug)]
pub enum ParseFailure {
    /// clap's own error (also `--help` and `--version`), printed by clap.
    Clap(clap::Error),
    Config(ConfigError),
}

/// Parses the command line with the config file: `argv` includes the program name; `cwd` is
/// where `msmlab.toml` is looked for.
pub fn parse(argv: Vec<OsString>, cwd: &Path) -> Result<(Cli, Applied), ParseFailure> {
    let mut cmd = Cli::command();
    cmd.build();
    // The first pass only learns what the user gave: a required flag may still come from the
    // file, so nothing is required yet. The second pass, with the file's values, checks all.
    let relaxed = Cli::command().mut_subcommands(|sub| sub.mut_args(|a| a.required(false)));
    let first = relaxed.try_get_matches_from(&argv).map_err(ParseFailure::Clap)?;
    let (verb, sub_m) = first.subcommand().expect("clap requires a verb");
    if NOT_CONFIGURED.contains(&verb) {
        let matches = cmd.try_get_matches_from(&argv).map_err(ParseFailure::Clap)?;
        return Ok((from_matches(&matches)?, Applied::default()));
    }
    let path = match first.get_one::<PathBuf>("config") {
        Some(p) => p.clone(),
        None => {
            let p = cwd.join(DEFAULT_FILE);
            if !p.exists() {
                let matches = cmd.try_get_matches_from(&argv).map_err(ParseFailure::Clap)?;
                return Ok((from_matches(&matches)?, Applied::default()));
            }
            PathBuf::from(DEFAULT_FILE)
        }
    };
    let shown = path.display().to_string();
    let full = if path.is_absolute() { path.clone() } else { cwd.join(&path) };
    let text = std::fs::read_to_string(&full).map_err(|source| ParseFailure::Config(ConfigError::Read { path: shown.clone(), source }))?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| ParseFailure::Config(syntax_error(&shown, &text, &e)))?;
    let docs = verbs();
    let entries = entries_for(&table, verb, &docs, &shown).map_err(ParseFailure::Config)?;

    let sub = cmd.find_subcommand(verb).expect("the verb exists");
    let mut injected: Vec<OsString> = Vec::new();
    let mut applied = Applied { path: Some(path.clone()), values: Vec::new() };
    let mut by_flag: Vec<(String, String, String)> = Vec::new();
    for (key, value) in entries {
        let arg = sub.get_arguments().find(|a| a.get_long() == Some(key.as_str())).expect("keys were checked");
        if !given_by_default(sub_m, arg.get_id().as_str()) {
            continue;
        }
        let shown_key = format!("{verb}.{key}");
        let args = to_args(&key, arg.get_action(), &value, &shown, &shown_key).map_err(ParseFailure::Config)?;
        if !args.is_empty() {
            applied.values.push(format!("{shown_key} = {value}"));
            by_flag.push((format!("--{key}"), shown_key, value.to_string()));
        }
        injected.extend(args.into_iter().map(OsString::from));
    }
    // Before a `--`, if any, so the injected flags are read as flags.
    let mut argv = argv;
    let at = argv.iter().position(|a| a == "--").unwrap_or(argv.len());
    argv.splice(at..at, injected);
    let matches = cmd.try_get_matches_from(&argv).map_err(|e| blame(e, &by_flag, &shown))?;
    Ok((from_matches(&matches)?, applied))
}

fn from_matches(m: &ArgMatches) -> Result<Cli, ParseFailure> {
    Cli::from_arg_matches(m).map_err(ParseFailure::Clap)
}

/// True when neither a flag nor an environment variable set the argument.
fn given_by_default(m: &ArgMatches, id: &str) -> bool {
    matches!(m.value_source(id), None | Some(ValueSource::DefaultValue))
}

/// A clap error caused by a value from the file names the file and the key.
fn blame(e: clap::Error, by_flag: &[(String, String, String)], path: &str) -> ParseFailure {
    let arg = e.get(clap::error::ContextKind::InvalidArg).map(|v| v.to_string()).unwrap_or_default();
    let flag = arg.split([' ', '=']).next().unwrap_or("");
    match by_flag.iter().find(|(f, _, _)| f == flag) {
        Some((_, key, value)) => {
            let rendered = e.render().to_string();
            let message = rendered.lines().next().unwrap_or("").trim_start_matches("error: ").to_string();
            ParseFailure::Config(ConfigError::Value { path: path.into(), key: key.clone(), value: value.clone(), message })
        }
        None => ParseFailure::Clap(e),
    }
}

/// The keys that apply to `verb`: those above the first table, then the verb's table (which
/// wins). Every table and key of the file is checked, not only the verb's, so a typo shows up
/// whichever verb runs.
fn entries_for(table: &toml::Table, verb: &str, docs: &[VerbDoc], path: &str) -> Result<Vec<(String, toml::Value)>, ConfigError> {
    let configurable: Vec<&VerbDoc> = docs.iter().filter(|d| d.configurable).collect();
    let keys_of = |d: &VerbDoc| d.keys.iter().map(|k| k.key.clone()).collect::<Vec<_>>();
    let normal = |k: &str| k.replace('_', "-");
    let mut top: Vec<(String, toml::Value)> = Vec::new();
    let mut own: Vec<(String, toml::Value)> = Vec::new();
    for (name, value) in table {
        if let toml::Value::Table(t) = value {
            let Some(doc) = configurable.iter().find(|d| d.name == *name) else {
                let verbs = configurable.iter().map(|d| d.name.as_str()).collect::<Vec<_>>().join(", ");
                return Err(ConfigError::UnknownVerb { path: path.into(), table: name.clone(), verbs });
            };
            let accepted = keys_of(doc);
            for (k, v) in t {
                let key = normal(k);
                if !accepted.contains(&key) {
                    return Err(ConfigError::UnknownKey { path: path.into(), place: format!("[{name}]"), key: k.clone(), accepted: accepted.join(", ") });
                }
                if doc.name == verb {
                    own.push((key, v.clone()));
                }
            }
        } else {
            let key = normal(name);
            let mut any: Vec<String> = configurable.iter().flat_map(|d| keys_of(d)).collect();
            any.sort();
            any.dedup();
            if !any.contains(&key) {
                return Err(ConfigError::UnknownKey {
                    path: path.into(),
                    place: "the top level (keys there apply to every verb with that flag)".into(),
                    key: name.clone(),
                    accepted: any.join(", "),
                });
            }
            // A top-level key means what it means for the first verb that has it; a verb whose
            // flag of that name takes another kind of value (`lock --tomcat RELEASE` against
            // `up --tomcat VERSION`) is left alone.
            let first = configurable.iter().flat_map(|d| &d.keys).find(|k| k.key == key).expect("the key is accepted");
            let doc = configurable.iter().find(|d| d.name == verb);
            if doc.is_some_and(|d| d.keys.iter().any(|k| k.key == key && k.value == first.value)) {
                top.push((key, value.clone()));
            }
        }
    }
    top.retain(|(k, _)| !own.iter().any(|(o, _)| o == k));
    top.extend(own);
    Ok(top)
}

/// The command-line arguments a value stands for, by the kind of flag.
fn to_args(key: &str, action: &ArgAction, value: &toml::Value, path: &str, shown_key: &str) -> Result<Vec<String>, ConfigError> {
    let wrong = |expected| ConfigError::Type { path: path.into(), key: shown_key.into(), expected, found: describe(value) };
    let scalar = |v: &toml::Value| match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    };
    match action {
        ArgAction::SetTrue => match value {
            toml::Value::Boolean(true) => Ok(vec![format!("--{key}")]),
            toml::Value::Boolean(false) => Ok(vec![]),
            _ => Err(wrong("true or false")),
        },
        ArgAction::Count => match value {
            toml::Value::Integer(n @ 0..=9) => Ok(vec![format!("--{key}"); *n as usize]),
            _ => Err(wrong("a number from 0 to 9")),
        },
        ArgAction::Append => {
            let items: Vec<&toml::Value> = match value {
                toml::Value::Array(a) => a.iter().collect(),
                v => vec![v],
            };
            items.into_iter().map(|v| scalar(v).map(|s| format!("--{key}={s}")).ok_or_else(|| wrong("a list of values"))).collect()
        }
        // `--key=value`, so a value that starts with '-' (JVM options) stays a value.
        _ => scalar(value).map(|s| vec![format!("--{key}={s}")]).ok_or_else(|| wrong("a single value")),
    }
}

fn describe(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("the string {s:?}"),
        toml::Value::Table(_) => "a table".into(),
        toml::Value::Array(_) => "a list".into(),
        other => format!("{} {other}", other.type_str()),
    }
}

/// The commented example `msmlab init` writes.
/// Example values for keys whose value name is not itself a valid value.
const EXAMPLES: &[(&str, &str)] = &[
    ("path", "/my/"),
    ("context-path", "/my"),
    ("webapp-page", "/my/health"),
    ("backup-thread-count", "4"),
    ("session-backup-timeout", "1000"),
    ("operation-timeout", "1000"),
    ("memcached-protocol", "text"),
    ("request-uri-ignore-pattern", r".*\.(ico|png|gif|jpg|css|js)$"),
    ("session-attribute-filter", "^(cart|user)$"),
    ("storage-key-prefix", "static:shop,context"),
    ("enable-statistics", "true"),
    ("failover-nodes", "n1"),
    ("msm-option", "lockExpiration=10"),
    ("push-to", "registry.example:5000"),
];

pub fn example() -> String {
    #[derive(Serialize)]
    struct Vars {
        version: &'static str,
        top: Vec<KeyDoc>,
        verbs: Vec<VerbDoc>,
    }
    let mut verbs: Vec<VerbDoc> = verbs().into_iter().filter(|v| v.configurable).collect();
    // `name` and the global flags are shown once, above the tables, where they apply to every verb.
    let mut top: Vec<KeyDoc> = verbs.iter().flat_map(|v| &v.keys).filter(|k| k.key == "name").take(1).cloned().collect();
    top.extend(verbs.first().map(|v| v.keys.iter().filter(|k| k.global).cloned().collect::<Vec<_>>()).unwrap_or_default());
    for v in &mut verbs {
        v.keys.retain(|k| k.key != "name" && !k.global);
    }
    crate::templates::render("msmlab.toml", Vars { version: env!("CARGO_PKG_VERSION"), top, verbs }).expect("the msmlab.toml template renders")
}

/// `docs/configuration.md`.
pub fn reference() -> String {
    #[derive(Serialize)]
    struct Vars {
        globals: Vec<KeyDoc>,
        verbs: Vec<VerbDoc>,
    }
    let mut verbs = verbs();
    let globals = verbs.first().map(|v| v.keys.iter().filter(|k| k.global).cloned().collect()).unwrap_or_default();
    for v in &mut verbs {
        v.keys.retain(|k| !k.global);
    }
    crate::templates::render("docs/configuration.md", Vars { globals, verbs }).expect("the configuration reference renders")
}

impl Classified for ConfigError {
    fn exit_status(&self) -> ExitStatus {
        ExitStatus::BadInput
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::Command;

    fn parse_with(file: &str, args: &[&str]) -> Result<(Cli, Applied), ParseFailure> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(DEFAULT_FILE), file).unwrap();
        let argv = std::iter::once("msmlab").chain(args.iter().copied()).map(OsString::from).collect();
        parse(argv, dir.path())
    }

    fn up(file: &str, args: &[&str]) -> crate::cli::args::UpArgs {
        match parse_with(file, args).unwrap_or_else(|e| panic!("{e:?}")).0.command {
            Command::Up(a) => a,
            other => panic!("{other:?}"),
        }
    }

    fn config_error(file: &str, args: &[&str]) -> String {
        match parse_with(file, args) {
            Err(ParseFailure::Config(e)) => e.to_string(),
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn the_file_fills_in_what_the_command_line_leaves_at_its_default() {
        let a = up("[up]\ntomcats = 3\nport = 13999\njava-opts = \"-Xmx256m\"\n", &["up", "--port", "14000"]);
        assert_eq!(a.shape.tomcats, 3, "from the file");
        assert_eq!(a.port, 14000, "the flag wins");
        assert_eq!(a.shape.java_opts, "-Xmx256m", "a value starting with '-' stays a value");
    }

    #[test]
    fn top_level_keys_apply_to_every_verb_and_the_verbs_table_wins() {
        let file = "name = \"dev\"\n[up]\nname = \"dev-up\"\n[verify]\nrequests = 7\n";
        assert_eq!(up(file, &["up"]).lab.name.as_str(), "dev-up");
        match parse_with(file, &["verify"]).unwrap().0.command {
            Command::Verify(v) => {
                assert_eq!(v.lab.name.as_str(), "dev");
                assert_eq!(v.checks.requests, 7);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_top_level_key_skips_a_verb_whose_flag_of_that_name_means_something_else() {
        // `up --tomcat VERSION` is a line; `lock --tomcat RELEASE` pins a release.
        let (cli, applied) = parse_with("tomcat = 8\nmaven-repo = \"http://127.0.0.1:1/m2\"\n", &["lock", "--check"]).unwrap();
        match cli.command {
            Command::Lock(l) => {
                assert!(l.tomcat_releases.is_empty());
                assert_eq!(l.maven_repo, "http://127.0.0.1:1/m2", "the same URL everywhere");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(applied.values, ["lock.maven-repo = \"http://127.0.0.1:1/m2\""]);
        assert_eq!(up("tomcat = 8\n", &["up"]).shape.choice.tomcat.major(), 8);
    }

    #[test]
    fn switches_counts_and_snake_case_keys_work() {
        let (cli, applied) = parse_with("verbose = 2\n[status]\njson = true\n[up]\nmaven_repo = \"http://127.0.0.1:1/m2\"\n", &["status"]).unwrap();
        assert_eq!(cli.verbose, 2);
        assert!(matches!(cli.command, Command::Status(ref s) if s.output.json));
        assert_eq!(applied.values, ["status.verbose = 2", "status.json = true"]);
    }

    #[test]
    fn unknown_tables_and_keys_name_the_file_the_key_and_what_is_accepted() {
        let e = config_error("[up]\ntomcatz = 3\n", &["status"]);
        assert!(e.starts_with("msmlab.toml: unknown key \"tomcatz\" in [up]; accepted keys: name, tomcat, serializer"), "{e}");
        let e = config_error("[upp]\ntomcats = 3\n", &["up"]);
        assert!(e.starts_with("msmlab.toml: unknown table [upp]; tables are the verbs: up, verify, smoke, status, down"), "{e}");
        let e = config_error("colour = true\n", &["up"]);
        assert!(e.contains("unknown key \"colour\" in the top level"), "{e}");
    }

    #[test]
    fn bad_values_are_blamed_on_the_file() {
        let e = config_error("[up]\nserializer = \"gzip\"\n", &["up"]);
        assert!(e.starts_with("msmlab.toml: up.serializer = \"gzip\": invalid value 'gzip' for '--serializer"), "{e}");
        let e = config_error("[up]\ntomcats = \"many\"\n", &["up"]);
        assert!(e.contains("up.tomcats = \"many\""), "{e}");
        let e = config_error("[up]\njson = \"yes\"\n", &["up"]);
        assert_eq!(e, "msmlab.toml: up.json must be true or false, not the string \"yes\"");
        let e = config_error("[up\n", &["up"]);
        assert!(e.starts_with("msmlab.toml:1:4: not valid TOML"), "{e}");
        // The line, a caret under the spot, and the key being read.
        let e = config_error("[up]\nport = 13355\ntomcat = \"9\n", &["up"]);
        assert_eq!(e, "msmlab.toml:3:12: not valid TOML: invalid basic string (reading up.tomcat)\n  3 | tomcat = \"9\n    |            ^");
    }

    #[test]
    fn a_required_flag_can_come_from_the_file() {
        let file = "[render]\nout = \"bundle\"\ntomcat-hosts = [\"10.0.0.5:8080\", \"10.0.0.6:8080\"]\nstore-nodes-at = \"n1:10.0.0.9:11211\"\n";
        match parse_with(file, &["render"]).unwrap_or_else(|e| panic!("{e:?}")).0.command {
            Command::Render(r) => {
                assert_eq!(r.out, std::path::PathBuf::from("bundle"));
                assert_eq!(r.tomcat_hosts, ["10.0.0.5:8080", "10.0.0.6:8080"]);
                assert_eq!(r.store_nodes_at, ["n1:10.0.0.9:11211"]);
            }
            other => panic!("{other:?}"),
        }
        // Still required when neither gives it, with clap's own message.
        match parse_with("", &["render"]) {
            Err(ParseFailure::Clap(e)) => assert_eq!(e.kind(), clap::error::ErrorKind::MissingRequiredArgument),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_flag_given_on_the_command_line_is_never_overridden_even_with_its_default_value() {
        assert_eq!(up("[up]\ntomcats = 5\n", &["up", "--tomcats", "2"]).shape.tomcats, 2);
    }

    #[test]
    fn an_explicit_config_file_must_exist() {
        let e = match parse_with("", &["up", "--config", "/nonexistent/msmlab.toml"]) {
            Err(ParseFailure::Config(e)) => e.to_string(),
            other => panic!("{other:?}"),
        };
        assert!(e.starts_with("cannot read config file /nonexistent/msmlab.toml"), "{e}");
    }

    #[test]
    fn the_example_file_sets_only_real_keys_and_parses_once_uncommented() {
        let example = example();
        // Uncomment every `# key = value` line: the result must be accepted for every verb.
        let is_setting = |l: &str| l.split_once(" = ").is_some_and(|(k, _)| !k.is_empty() && !k.contains([' ', '#']));
        let uncommented: String = example
            .lines()
            .map(|l| l.strip_prefix("# ").filter(|rest| is_setting(rest)).unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        let sets = uncommented.lines().filter(|l| is_setting(l)).count();
        assert!(sets > 20, "the example sets every key once uncommented:\n{uncommented}");
        for verb in ["up", "verify", "status", "down", "doctor"] {
            parse_with(&uncommented, &[verb]).unwrap_or_else(|e| panic!("{verb}: {e:?}\n{uncommented}"));
        }
    }
}
