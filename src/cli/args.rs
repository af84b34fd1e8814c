//! The command line: every verb and flag, defined once. It drives parsing, `--help`, the
//! config file (`config`: every long flag of a verb is a key of its table), `msmlab init`,
//! shell completions and `docs/configuration.md`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::bench::Shape;
use crate::jars::maven::CENTRAL;
use crate::labspec::webapp::{ContextPath, WebappSource};
use crate::labspec::{ImageSource, Jre, LabName, LockingMode, MsmOptions, Protocol, Serializer, SessionManager, Store, TomcatLine, MAX_TOMCATS};
use crate::verify::UrlPath;

#[derive(Debug, Parser)]
#[command(
    name = "msmlab",
    version,
    about = "Share HTTP sessions between Tomcats with memcached-session-manager: a real lab in one command",
    long_about = "msmlab builds the memcached-session-manager tutorial on your Docker engine: the matching \
msm jars (pinned in jars.lock), Tomcats with a rendered context.xml, memcached and nginx in front, \
then proves with real HTTP traffic that the session is shared.\n\n\
Every flag can also live in msmlab.toml (in the current directory, or --config FILE): \
`msmlab init` writes a commented example. A flag beats an environment variable, which beats the file.",
    after_help = "Example:\n  msmlab up --tomcat 9 --serializer java && msmlab verify && msmlab down",
    after_long_help = "Example:\n  msmlab up --tomcat 9 --serializer java && msmlab verify && msmlab down\n\n\
Exit status:\n  \
0    the answer is yes: the session is shared, the lab is up, done\n  \
1    the answer is no: a check or a drill failed\n  \
2    bad input or usage: a flag, a file, a name or a port that is taken\n  \
3    msmlab or its environment could not do the job: no engine, an image build or a container start failed, a repository unreachable\n  \
130  interrupted (Ctrl-C, SIGTERM)"
)]
pub struct Cli {
    /// Config file to read instead of ./msmlab.toml (and that `init` writes)
    #[arg(long, global = true, env = "MSMLAB_CONFIG", value_name = "FILE", help_heading = "Global options")]
    pub config: Option<PathBuf>,
    /// Print only errors and results (no progress lines)
    #[arg(long, short, global = true, help_heading = "Global options")]
    pub quiet: bool,
    /// Say more: the config file and the values it set, the engine's version
    #[arg(long, short, global = true, action = clap::ArgAction::Count, help_heading = "Global options")]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build and start a lab: memcached, N Tomcats with msm, nginx in front
    #[command(after_help = "Examples:\n  msmlab up --tomcat 9 --serializer java --tomcats 2 --port 13355\n  msmlab up --webapp my.war --sticky")]
    Up(UpArgs),
    /// Check through nginx that the lab's Tomcats really share one session
    #[command(after_help = "Examples:\n  msmlab verify --requests 20 --json\n  msmlab verify --path /my/ --drill all --junit verify.xml")]
    Verify(VerifyArgs),
    /// Bring a lab up, verify it, keep the evidence if it fails, and always remove it: for CI jobs
    Smoke(SmokeArgs),
    /// Show the lab's containers with role, state and address
    #[command(after_help = "Example:\n  msmlab status --json")]
    Status(StatusArgs),
    /// Remove everything carrying the lab's label, and nothing else
    #[command(after_help = "Examples:\n  msmlab down --name default\n  msmlab down --all")]
    Down(DownArgs),
    /// Show the lab's container logs, each line prefixed by its container
    #[command(after_help = "Examples:\n  msmlab logs tomcat -f --since 5m\n  msmlab logs --export ./bug-report")]
    Logs(LogsArgs),
    /// Write the files to deploy on real servers: msm jars, context.xml, nginx.conf, a README
    #[command(
        after_help = "Example:\n  msmlab render --out ./bundle --tomcat-hosts 10.0.0.5:8080,10.0.0.6:8080 \
--store-nodes-at n1:10.0.0.9:11211"
    )]
    Render(RenderArgs),
    /// Check this machine: engine, base image, ports, cache, Maven repository, registry
    #[command(after_help = "Example:\n  msmlab doctor --json")]
    Doctor(DoctorArgs),
    /// List the exact jars that go into Tomcat's lib/ for a choice, or copy them out
    #[command(after_help = "Example:\n  msmlab jars --tomcat 8 --serializer kryo --copy-to ./lib")]
    Jars(JarsArgs),
    /// Re-resolve jars.lock from a Maven repository's POMs and rewrite it with real checksums
    #[command(after_help = "Example:\n  msmlab lock --check          # does today's repository reproduce jars.lock?")]
    Lock(LockArgs),
    /// Measure the serializers: a lab per serializer, load through nginx, bytes per session
    #[command(after_help = "Example:\n  msmlab bench --serializers all --duration 20s --concurrency 16 --payload-kb 8 --out bench-results")]
    Bench(BenchArgs),
    /// Which serializers carry your application's sessions: a lab per serializer, what each one loses and why
    #[command(
        after_help = "Examples:\n  msmlab compat --webapp shop.war --path '/shop/cart.jsp?item=book&submit=add'\n  \
msmlab compat --webapp shop.war --flow login-then-cart.txt --serializers java,kryo --json"
    )]
    Compat(CompatArgs),
    /// Write a commented msmlab.toml (or the --config FILE) with every key and its default
    #[command(after_help = "Example:\n  msmlab init && $EDITOR msmlab.toml && msmlab up")]
    Init(InitArgs),
    /// Print a shell completion script
    #[command(after_help = "Example:\n  msmlab completions bash > ~/.local/share/bash-completion/completions/msmlab")]
    Completions(CompletionsArgs),
    /// Print docs/configuration.md, generated from these definitions
    #[command(hide = true, name = "docs-reference")]
    DocsReference,
}

#[derive(Debug, Clone, Args)]
pub struct NameArg {
    /// Name of the lab; labs with different names run side by side
    #[arg(long, default_value = "default", value_name = "NAME")]
    pub name: LabName,
}

/// `--json` for every verb that reports a result. A new reporting verb flattens this and
/// prints through `report::emit`, so its JSON document goes to stdout like the others'.
#[derive(Debug, Clone, Args)]
pub struct JsonArg {
    /// Print one JSON object on stdout instead of text
    #[arg(long)]
    pub json: bool,
}

/// What decides the jar set: shared by `up`, `render` and `jars` (with `ShapeArgs`,
/// `commands::msm_choice` makes the `labspec::MsmChoice` of `up` and `render`).
#[derive(Debug, Clone, Args)]
pub struct JarChoice {
    /// Tomcat line: 7, 8 (8.5), 9, 10 (10.1) or 11; also 8.5, 9.0, 10.1 or the pinned release such as 9.0.117
    #[arg(long, default_value = "9", value_name = "VERSION")]
    pub tomcat: TomcatLine,
    /// How msm serializes sessions
    #[arg(long, value_enum, default_value_t = Serializer::Java)]
    pub serializer: Serializer,
    /// Where msm keeps the sessions
    #[arg(long, value_enum, default_value_t = Store::Memcached)]
    pub store: Store,
    /// A jars.lock to use instead of the one built into msmlab (see `msmlab lock`)
    #[arg(long, value_name = "FILE")]
    pub lockfile: Option<PathBuf>,
}

/// What else a lab is made of, shared by `up` and `render` so both produce the same files.
#[derive(Debug, Clone, Args)]
pub struct ShapeArgs {
    /// msm, or none: Tomcat's default manager, the control experiment that does not share sessions
    #[arg(long, value_enum, default_value_t = SessionManager::Msm)]
    pub session_manager: SessionManager,
    /// Maven repository the jars come from, e.g. a corporate mirror
    #[arg(long, env = "MSMLAB_MAVEN_REPO", default_value = CENTRAL, value_name = "URL")]
    pub maven_repo: String,
    /// Image the nginx and store images are built on (where no registry answers: scripts/base-image.sh)
    #[arg(long, env = "MSMLAB_BASE_IMAGE", default_value = "debian:bookworm-slim", value_name = "IMAGE")]
    pub base_image: String,
    /// built: images msmlab builds from Debian's packages; official: Docker Hub's tomcat, nginx, memcached, redis
    #[arg(long, value_enum, default_value_t = ImageSource::Built, value_name = "SOURCE")]
    pub images: ImageSource,
    /// Registry to pull official images from instead of Docker Hub, e.g. mirror.example:5000
    #[arg(long, env = "MSMLAB_REGISTRY", value_name = "HOST[:PORT]")]
    pub registry: Option<String>,
    /// Accept a plain http:// Maven repository (every jar is still checked against jars.lock)
    #[arg(long, env = "MSMLAB_ALLOW_HTTP")]
    pub allow_http: bool,
    /// Classes xstream may read back besides JDK types, e.g. 'com.example.**' (comma-separated; --serializer xstream)
    #[arg(long, value_delimiter = ',', value_name = "PATTERNS")]
    pub xstream_allow: Vec<String>,
    /// msm's lockingMode (non-sticky): none (parallel requests of a session may overwrite each other), all, auto, or uriPattern:REGEX
    #[arg(long, default_value = "none", value_name = "MODE")]
    pub locking_mode: LockingMode,
    #[command(flatten)]
    pub options: MsmOptionArgs,
    /// Your own context.xml (or its <Manager> element): its msm options are kept, its node addresses become the lab's
    #[arg(long, value_name = "FILE")]
    pub context_xml: Option<PathBuf>,
}

/// msm's other `<Manager>` attributes (docs/msm-options.md); unset ones keep msm's default, or the lab's.
#[derive(Debug, Clone, Args)]
pub struct MsmOptionArgs {
    /// msm's sessionBackupAsync: write sessions to the store after the response (the lab writes before it)
    #[arg(long)]
    pub session_backup_async: bool,
    /// msm's backupThreadCount: threads for asynchronous backups (with --session-backup-async)
    #[arg(long, value_name = "N")]
    pub backup_thread_count: Option<u16>,
    /// msm's sessionBackupTimeout in ms (the lab's default 1000; msm's 100)
    #[arg(long, value_name = "MS")]
    pub session_backup_timeout: Option<u32>,
    /// msm's operationTimeout in ms: how long a store operation may take (msm's default 1000)
    #[arg(long, value_name = "MS")]
    pub operation_timeout: Option<u32>,
    /// msm's memcachedProtocol: text (msm's default) or binary
    #[arg(long, value_enum, value_name = "PROTOCOL")]
    pub memcached_protocol: Option<Protocol>,
    /// msm's requestUriIgnorePattern: requests that never write the session (the tutorial's static files by default)
    #[arg(long, value_name = "REGEX")]
    pub request_uri_ignore_pattern: Option<String>,
    /// msm's sessionAttributeFilter: only attributes whose names match are stored (all by default)
    #[arg(long, value_name = "REGEX")]
    pub session_attribute_filter: Option<String>,
    /// msm's storageKeyPrefix: static:NAME, host, host.hash, context, context.hash, webappVersion (comma-separated)
    #[arg(long, value_name = "TOKENS")]
    pub storage_key_prefix: Option<String>,
    /// msm's copyCollectionsForSerialization: copy collections before serializing them (not with xstream)
    #[arg(long)]
    pub copy_collections_for_serialization: bool,
    /// msm's enableStatistics: JMX statistics (msm's default true)
    #[arg(long, value_name = "BOOL")]
    pub enable_statistics: Option<bool>,
    /// msm's failoverNodes (--sticky, 2+ memcached nodes): node ids written to only when the others are gone, e.g. n1
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub failover_nodes: Vec<String>,
    /// Any other attribute of msm's Manager, e.g. lockExpiration=10 (repeatable; checked against the msm jar in use)
    #[arg(long = "msm-option", value_name = "KEY=VALUE", value_parser = msm_option)]
    pub msm_options: Vec<(String, String)>,
}

fn msm_option(s: &str) -> Result<(String, String), String> {
    crate::labspec::parse_msm_option(s).map_err(|e| e.to_string())
}

impl From<MsmOptionArgs> for MsmOptions {
    fn from(a: MsmOptionArgs) -> MsmOptions {
        MsmOptions {
            session_backup_async: a.session_backup_async,
            backup_thread_count: a.backup_thread_count,
            session_backup_timeout: a.session_backup_timeout,
            operation_timeout: a.operation_timeout,
            memcached_protocol: a.memcached_protocol,
            request_uri_ignore_pattern: a.request_uri_ignore_pattern,
            session_attribute_filter: a.session_attribute_filter,
            storage_key_prefix: a.storage_key_prefix,
            copy_collections_for_serialization: a.copy_collections_for_serialization,
            enable_statistics: a.enable_statistics,
            failover_nodes: a.failover_nodes,
            custom: a.msm_options.into_iter().collect(),
        }
    }
}

#[derive(Debug, Args)]
pub struct UpArgs {
    #[command(flatten)]
    pub lab: NameArg,
    #[command(flatten)]
    pub shape: LabArgs,
    /// Port nginx publishes on the --listen address (0: the engine picks a free one)
    #[arg(long, default_value_t = 13355)]
    pub port: u16,
    /// Rebuild the lab if it exists already (by default a healthy lab is left as it is)
    #[arg(long)]
    pub recreate: bool,
    /// Also print where the time went (fetch, images, create, start, ready) and the floor
    #[arg(long)]
    pub timings: bool,
    /// Page of --webapp that must answer for up to succeed (default: its root), e.g. /my/health
    #[arg(long, value_name = "URL_PATH", requires = "webapp")]
    pub webapp_page: Option<UrlPath>,
    #[command(flatten)]
    pub output: JsonArg,
}

/// What a lab is made of: `up`'s flags but its name and port, shared with `smoke`.
#[derive(Debug, Args)]
pub struct LabArgs {
    #[command(flatten)]
    pub choice: JarChoice,
    /// Java runtime of the Tomcats (Debian's OpenJDK: 11 on bullseye, 17 on bookworm, 21 on trixie)
    #[arg(long, value_enum, default_value_t = Jre::Jre17)]
    pub jre: Jre,
    /// memcached nodes n1..nN; msm moves a session to another node when its node dies
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub store_nodes: u8,
    #[command(flatten)]
    pub shape: ShapeArgs,
    /// Number of Tomcat containers behind nginx (2 to 16)
    #[arg(long, default_value_t = 2, value_name = "N", value_parser = parse_tomcats, allow_negative_numbers = true)]
    pub tomcats: u8,
    /// Host address nginx is published on; anything but loopback exposes the lab to your network (a remote engine publishes on all of its host's)
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub listen: std::net::IpAddr,
    /// Extra JVM options for every Tomcat (CATALINA_OPTS), e.g. "-Xmx256m"
    #[arg(long, default_value = "", value_name = "OPTS", allow_hyphen_values = true)]
    pub java_opts: String,
    /// msm sticky mode: each Tomcat gets a jvmRoute and nginx sends a session back to its owner
    #[arg(long)]
    pub sticky: bool,
    /// Your own webapp (a WAR file or an exploded directory, or maven:GROUP:ARTIFACT:VERSION@sha256:HEX), deployed next to the test page
    #[arg(long, value_name = "PATH|MAVEN")]
    pub webapp: Option<WebappSource>,
    /// Context path of --webapp (default: from its file name, my.war → /my; a Maven WAR's artifact id)
    #[arg(long, value_name = "PATH", requires = "webapp")]
    pub context_path: Option<ContextPath>,
    /// Deploy a javax.servlet --webapp on Tomcat 10.1/11 as a stock Tomcat does, through webapps-javaee/ and Apache's migration tool
    #[arg(long)]
    pub webapp_javaee: bool,
    /// Deploy to the Docker Swarm the engine manages (DOCKER_HOST at a manager): Tomcats, store nodes and nginx as services spread over its nodes
    #[arg(long)]
    pub swarm: bool,
    /// Registry the lab's images are pushed to and every swarm node pulls from, e.g. registry.example:5000 (--swarm; --registry is where official images are pulled from)
    #[arg(long, env = "MSMLAB_PUSH_TO", value_name = "HOST[:PORT]")]
    pub push_to: Option<String>,
}

/// `msmlab smoke`: one command for a CI job.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  msmlab smoke --tomcat 9 --serializer kryo --junit smoke.xml\n  DOCKER_HOST=tcp://docker:2375 msmlab smoke --drill all")]
pub struct SmokeArgs {
    /// Name of the lab (default: a unique smoke-… name, so jobs sharing an engine never collide)
    #[arg(long, value_name = "NAME")]
    pub name: Option<LabName>,
    /// Port nginx publishes (default: one the engine picks, read back)
    #[arg(long)]
    pub port: Option<u16>,
    #[command(flatten)]
    pub shape: LabArgs,
    #[command(flatten)]
    pub checks: CheckArgs,
    /// Where the evidence goes when the lab fails (its logs, configs and status: `logs --export`)
    #[arg(long, default_value = "msmlab-evidence", value_name = "DIR")]
    pub evidence: PathBuf,
    /// Leave the lab up afterwards, for debugging (remove it with `msmlab down --name …`)
    #[arg(long)]
    pub keep: bool,
    /// Give up after this long, removing the lab (e.g. 10m, 600s)
    #[arg(long, default_value = "15m", value_name = "DURATION", value_parser = crate::bench::parse_duration)]
    pub timeout: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub lab: NameArg,
    #[command(flatten)]
    pub checks: CheckArgs,
    #[command(flatten)]
    pub output: JsonArg,
}

/// What `verify` looks at, shared with `smoke`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Requests to send through nginx with one cookie jar (each redirect hop is one)
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(2..=10000), value_name = "N")]
    pub requests: u16,
    /// URL path to walk instead of the test page, e.g. /my/ for your own webapp
    #[arg(long, value_name = "URL_PATH")]
    pub path: Option<UrlPath>,
    /// Steps to walk instead of a page (not with --path), one per line: [once] METHOD PATH [FORM-BODY]; `once` steps (a login) first, then the others in rounds (compat's format)
    #[arg(long, value_name = "FILE")]
    pub flow: Option<PathBuf>,
    /// Drills to run after the checks: tomcat, store, restart, all (those three), concurrent (comma-separated)
    #[arg(long, value_enum, value_delimiter = ',', value_name = "DRILL")]
    pub drill: Vec<DrillArg>,
    /// Also write a JUnit XML report (one test case per check and drill) to FILE
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

/// A drill as written on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DrillArg {
    /// Stop the Tomcat that served the last request, then start it again
    Tomcat,
    /// Stop the cache node that holds the session, then start it again
    Store,
    /// Restart every Tomcat at once
    Restart,
    /// Rounds of 8 parallel requests of one session: how many updates are lost (lockingMode)
    Concurrent,
    /// On a swarm: drain the host that served the last request, so its Tomcat moves; then take it back
    Node,
    /// tomcat, store and restart, in that order (the failover drills)
    All,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub lab: NameArg,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct DownArgs {
    #[command(flatten)]
    pub lab: NameArg,
    /// Remove every msmlab lab on the engine (everything labelled io.msmlab.lab), and nothing else
    #[arg(long, conflicts_with = "name")]
    pub all: bool,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    #[command(flatten)]
    pub lab: NameArg,
    /// Only this role (tomcat, nginx, memcached, redis) or container (tomcat-2, or its full name)
    #[arg(value_name = "ROLE|CONTAINER")]
    pub which: Option<String>,
    /// Keep following new lines until Ctrl-C
    #[arg(long, short)]
    pub follow: bool,
    /// Only lines newer than this: a duration (30s, 5m, 2h) or a Unix time in seconds
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Only the last N lines of each container
    #[arg(long, value_name = "N")]
    pub tail: Option<u32>,
    /// Write every container's log, the rendered configs and the lab's status into DIR
    #[arg(long, value_name = "DIR", conflicts_with = "follow")]
    pub export: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub choice: JarChoice,
    #[command(flatten)]
    pub shape: ShapeArgs,
    /// Directory to write the bundle into (created; must be empty unless --force)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Your Tomcats as HOST:PORT, comma-separated (nginx's upstream)
    #[arg(long, value_delimiter = ',', required = true, value_name = "HOST:PORT,…")]
    pub tomcat_hosts: Vec<String>,
    /// Your memcached nodes as ID:HOST:PORT, comma-separated (msm's memcachedNodes); with --store redis, one HOST:PORT
    #[arg(long, value_delimiter = ',', value_name = "ID:HOST:PORT,…")]
    pub store_nodes_at: Vec<String>,
    /// Port nginx listens on, on your server
    #[arg(long, default_value_t = 80)]
    pub listen_port: u16,
    /// Write into DIR even when it is not empty (files of the same name are replaced)
    #[arg(long)]
    pub force: bool,
    /// Skip `nginx -t` (no engine needed); context.xml is still checked
    #[arg(long)]
    pub no_engine_check: bool,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Port `msmlab up` will publish nginx on, checked for being free
    #[arg(long, default_value_t = 13355)]
    pub port: u16,
    /// Image msmlab's own images are built on
    #[arg(long, env = "MSMLAB_BASE_IMAGE", default_value = "debian:bookworm-slim", value_name = "IMAGE")]
    pub base_image: String,
    /// Maven repository the jars come from
    #[arg(long, env = "MSMLAB_MAVEN_REPO", default_value = CENTRAL, value_name = "URL")]
    pub maven_repo: String,
    /// Registry for official images (default: Docker Hub)
    #[arg(long, env = "MSMLAB_REGISTRY", value_name = "HOST[:PORT]")]
    pub registry: Option<String>,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct JarsArgs {
    #[command(flatten)]
    pub choice: JarChoice,
    /// Also copy the jars (downloaded and verified if needed) into DIR, as for a hand deploy
    #[arg(long, value_name = "DIR")]
    pub copy_to: Option<PathBuf>,
    /// Maven repository the jars come from when they are not cached
    #[arg(long, env = "MSMLAB_MAVEN_REPO", default_value = CENTRAL, value_name = "URL")]
    pub maven_repo: String,
    /// Accept a plain http:// Maven repository (every jar is still checked against the lock)
    #[arg(long, env = "MSMLAB_ALLOW_HTTP")]
    pub allow_http: bool,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct LockArgs {
    /// The lock file to write (its pinned Tomcat releases are kept unless --upgrade)
    #[arg(long, default_value = "jars.lock", value_name = "FILE")]
    pub lockfile: PathBuf,
    /// Move every Tomcat line to its newest release
    #[arg(long)]
    pub upgrade: bool,
    /// Pin this Apache Tomcat release for its line (e.g. 9.0.98); may be given once per line
    #[arg(long = "tomcat", value_name = "RELEASE")]
    pub tomcat_releases: Vec<String>,
    /// Write nothing; exit 1 if the result differs from the file
    #[arg(long)]
    pub check: bool,
    /// Maven repository to resolve against
    #[arg(long, env = "MSMLAB_MAVEN_REPO", default_value = CENTRAL, value_name = "URL")]
    pub maven_repo: String,
    /// Accept a plain http:// Maven repository
    #[arg(long, env = "MSMLAB_ALLOW_HTTP")]
    pub allow_http: bool,
}

/// `--tomcats`: any number is read, so that 0, -1 or 1000 get the same sentence naming the
/// accepted range rather than an integer-overflow message.
fn parse_tomcats(s: &str) -> Result<u8, String> {
    let accepted = format!("a shared session needs at least 2 Tomcats and msmlab builds at most {MAX_TOMCATS} (accepted: 2 to {MAX_TOMCATS})");
    match s.trim().parse::<i64>() {
        Ok(n) if (2..=i64::from(MAX_TOMCATS)).contains(&n) => Ok(n as u8),
        Ok(_) => Err(accepted),
        Err(_) => Err(format!("not a number; {accepted}")),
    }
}

#[cfg(test)]
mod flag_tests {
    use super::*;
    use clap::Parser;

    fn up(args: &[&str]) -> Result<UpArgs, clap::Error> {
        let argv = ["msmlab", "up"].iter().chain(args).copied();
        Cli::try_parse_from(argv).map(|c| match c.command {
            Command::Up(a) => a,
            other => panic!("{other:?}"),
        })
    }

    #[test]
    fn tomcat_counts_outside_two_to_sixteen_are_usage_errors_naming_the_range() {
        assert_eq!(up(&["--tomcats", "16"]).unwrap().shape.tomcats, 16);
        for bad in ["0", "1", "17", "1000", "-1", "many"] {
            let err = up(&["--tomcats", bad]).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad}");
            assert!(err.to_string().contains("accepted: 2 to 16"), "{bad}: {err}");
        }
    }

    #[test]
    fn nginx_listens_on_loopback_unless_told_otherwise() {
        assert_eq!(up(&[]).unwrap().shape.listen.to_string(), "127.0.0.1");
        assert_eq!(up(&["--listen", "0.0.0.0"]).unwrap().shape.listen.to_string(), "0.0.0.0");
        assert_eq!(up(&["--listen", "example.org"]).unwrap_err().exit_code(), 2);
    }

    #[test]
    fn down_takes_a_name_or_all_but_not_both() {
        let down = |args: &[&str]| Cli::try_parse_from(["msmlab", "down"].iter().chain(args).copied());
        assert!(down(&["--all"]).is_ok());
        assert!(down(&["--name", "x"]).is_ok());
        assert_eq!(down(&["--all", "--name", "x"]).unwrap_err().exit_code(), 2);
    }
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Prefix of the labs: each serializer runs in its own lab, <name>-<serializer>, removed after its run
    #[arg(long, default_value = "bench", value_name = "NAME")]
    pub name: LabName,
    /// Serializers to compare, separated by commas (java, kryo, xstream), or all that msm supports
    #[arg(long, default_value = "all", value_name = "LIST")]
    pub serializers: String,
    /// Tomcat line: 7, 8 (8.5), 9, 10 (10.1) or 11
    #[arg(long, default_value = "9", value_name = "VERSION")]
    pub tomcat: TomcatLine,
    /// Where msm keeps the sessions
    #[arg(long, value_enum, default_value_t = Store::Memcached)]
    pub store: Store,
    /// memcached nodes n1..nN
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub store_nodes: u8,
    /// Java runtime of the Tomcats
    #[arg(long, value_enum, default_value_t = Jre::Jre17)]
    pub jre: Jre,
    /// Tomcat containers behind nginx
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub tomcats: u8,
    /// Port nginx publishes on 127.0.0.1 (one lab at a time uses it)
    #[arg(long, default_value_t = 13356)]
    pub port: u16,
    /// Concurrent clients, each with its own connection and session
    #[arg(long, default_value_t = 16, value_name = "C")]
    pub concurrency: usize,
    /// How long each serializer is measured (e.g. 20s, 2m)
    #[arg(long, default_value = "20s", value_parser = crate::bench::parse_duration, value_name = "TIME", conflicts_with = "requests")]
    pub duration: std::time::Duration,
    /// Measure this many requests per serializer instead of a duration
    #[arg(long, value_name = "N")]
    pub requests: Option<u64>,
    /// Load before measuring, not recorded: creates the sessions and warms the JIT
    #[arg(long, default_value = "5s", value_parser = crate::bench::parse_duration, value_name = "TIME")]
    pub warmup: std::time::Duration,
    /// About how many KiB of data each session holds
    #[arg(long, default_value_t = 4, value_name = "KB")]
    pub payload_kb: u32,
    /// Session attributes the payload is spread over
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub payload_attributes: u32,
    /// plain: each attribute a String; collections: ArrayLists of HashMaps
    #[arg(long, value_enum, default_value_t = Shape::Collections, value_name = "SHAPE")]
    pub payload_shape: Shape,
    /// First measure msmlab's load generator against wrk on nginx's own static answer
    #[arg(long)]
    pub compare_wrk: bool,
    /// Directory for bench.json and the chart bench.svg
    #[arg(long, default_value = "msmlab-bench", value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub output: JsonArg,
    /// Image the nginx and store images are built on
    #[arg(long, env = "MSMLAB_BASE_IMAGE", default_value = "debian:bookworm-slim", value_name = "IMAGE")]
    pub base_image: String,
    /// Maven repository the jars come from
    #[arg(long, env = "MSMLAB_MAVEN_REPO", default_value = CENTRAL, value_name = "URL")]
    pub maven_repo: String,
    /// msm's lockingMode: none, all, auto or uriPattern:REGEX (what locking costs, in requests/s)
    #[arg(long, default_value = "none", value_name = "MODE")]
    pub locking_mode: LockingMode,
    /// Extra JVM options for every Tomcat, after the bench's own (-XX:TieredStopAtLevel=4)
    #[arg(long, default_value = "", value_name = "OPTS", allow_hyphen_values = true)]
    pub java_opts: String,
}

#[derive(Debug, Args)]
pub struct CompatArgs {
    /// Your application: a WAR file or an exploded directory, or maven:GROUP:ARTIFACT:VERSION@sha256:HEX
    #[arg(long, value_name = "PATH|MAVEN")]
    pub webapp: Option<WebappSource>,
    /// Context path of --webapp (default: from its file name, shop.war → /shop; a Maven WAR's artifact id)
    #[arg(long, value_name = "PATH")]
    pub context_path: Option<ContextPath>,
    /// Deploy a javax.servlet --webapp on Tomcat 10.1/11 as a stock Tomcat does, through webapps-javaee/ and Apache's migration tool
    #[arg(long)]
    pub webapp_javaee: bool,
    /// A page to walk (repeat for several), e.g. '/shop/cart.jsp?item=book'; each is sent until every Tomcat served it twice
    #[arg(long, value_name = "URL_PATH")]
    pub path: Vec<UrlPath>,
    /// Steps to send, one per line: [once] METHOD PATH [FORM-BODY]; `once` steps (a login) run first
    #[arg(long, value_name = "FILE")]
    pub flow: Option<PathBuf>,
    /// Serializers to try, separated by commas (java, kryo, xstream), or all that msm supports
    #[arg(long, default_value = "all", value_name = "LIST")]
    pub serializers: String,
    /// Classes xstream may read back besides JDK types, e.g. 'com.example.**' (comma-separated; for the xstream lab)
    #[arg(long, value_delimiter = ',', value_name = "PATTERNS")]
    pub xstream_allow: Vec<String>,
    /// Prefix of the labs: each serializer runs in its own lab, <name>-<serializer>, removed afterwards
    #[arg(long, default_value = "compat", value_name = "NAME")]
    pub name: LabName,
    /// Tomcat line: 7, 8 (8.5), 9, 10 (10.1) or 11
    #[arg(long, default_value = "9", value_name = "VERSION")]
    pub tomcat: TomcatLine,
    /// Where msm keeps the sessions
    #[arg(long, value_enum, default_value_t = Store::Memcached)]
    pub store: Store,
    /// Java runtime of the Tomcats
    #[arg(long, value_enum, default_value_t = Jre::Jre17)]
    pub jre: Jre,
    /// Tomcat containers behind nginx (2 to 16)
    #[arg(long, default_value_t = 2, value_name = "N", value_parser = parse_tomcats, allow_negative_numbers = true)]
    pub tomcats: u8,
    /// Port nginx publishes on 127.0.0.1 (one lab at a time uses it)
    #[arg(long, default_value_t = 13357)]
    pub port: u16,
    /// Extra JVM options for every Tomcat (CATALINA_OPTS)
    #[arg(long, default_value = "", value_name = "OPTS", allow_hyphen_values = true)]
    pub java_opts: String,
    /// Image the nginx and store images are built on
    #[arg(long, env = "MSMLAB_BASE_IMAGE", default_value = "debian:bookworm-slim", value_name = "IMAGE")]
    pub base_image: String,
    /// Maven repository the jars come from
    #[arg(long, env = "MSMLAB_MAVEN_REPO", default_value = CENTRAL, value_name = "URL")]
    pub maven_repo: String,
    /// built: images msmlab builds from Debian's packages; official: Docker Hub's tomcat, nginx, memcached, redis (given msmlab's session probe)
    #[arg(long, value_enum, default_value_t = ImageSource::Built, value_name = "SOURCE")]
    pub images: ImageSource,
    /// Registry to pull official images from instead of Docker Hub, e.g. mirror.example:5000
    #[arg(long, env = "MSMLAB_REGISTRY", value_name = "HOST[:PORT]")]
    pub registry: Option<String>,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Replace an existing file
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write completions for
    #[arg(value_enum)]
    pub shell: Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_visible_verb_has_an_example() {
        for sub in Cli::command().get_subcommands().filter(|s| !s.is_hide_set()) {
            let after = sub.get_after_help().map(|s| s.to_string()).unwrap_or_default();
            assert!(after.starts_with("Example"), "`msmlab {}` has no example in --help", sub.get_name());
        }
    }
}
