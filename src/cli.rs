//! The command line: every verb and flag, defined once (it drives parsing and `--help`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::maven::CENTRAL;
use crate::spec::{Jre, LabName, Serializer, SessionManager, Store, TomcatLine};
use crate::verify::UrlPath;
use crate::webapp::ContextPath;

#[derive(Debug, Parser)]
#[command(
    name = "msmlab",
    version,
    about = "Share HTTP sessions between Tomcats with memcached-session-manager: a real lab in one command",
    long_about = "msmlab builds the memcached-session-manager tutorial on your Docker engine: the matching \
msm jars (pinned in jars.lock), Tomcats with a rendered context.xml, memcached and nginx in front, \
then proves with real HTTP traffic that the session is shared.",
    after_help = "Example:\n  msmlab up --tomcat 9 --serializer java && msmlab verify && msmlab down"
)]
pub struct Cli {
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
    /// Show the lab's containers with role, state and address
    #[command(after_help = "Example:\n  msmlab status --json")]
    Status(StatusArgs),
    /// Remove everything carrying the lab's label, and nothing else
    #[command(after_help = "Example:\n  msmlab down --name default")]
    Down(NameArg),
    /// List the exact jars that go into Tomcat's lib/ for a choice, or copy them out
    #[command(after_help = "Example:\n  msmlab jars --tomcat 8 --serializer kryo --copy-to ./lib")]
    Jars(JarsArgs),
    /// Re-resolve jars.lock from a Maven repository's POMs and rewrite it with real checksums
    #[command(after_help = "Example:\n  msmlab lock --check          # does today's repository reproduce jars.lock?")]
    Lock(LockArgs),
}

/// What decides the jar set: shared by `up` and `jars`.
#[derive(Debug, Clone, Args)]
pub struct JarChoice {
    /// Tomcat line: 7, 8 (8.5) or 9; also 8.5, 9.0 or the pinned release such as 9.0.117
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

#[derive(Debug, Clone, Args)]
pub struct NameArg {
    /// Name of the lab; labs with different names run side by side
    #[arg(long, default_value = "default", value_name = "NAME")]
    pub name: LabName,
}

#[derive(Debug, Args)]
pub struct UpArgs {
    #[command(flatten)]
    pub lab: NameArg,
    #[command(flatten)]
    pub choice: JarChoice,
    /// Java runtime of the Tomcats (Debian's OpenJDK: 11 on bullseye, 17 on bookworm, 21 on trixie)
    #[arg(long, value_enum, default_value_t = Jre::Jre17)]
    pub jre: Jre,
    /// memcached nodes n1..nN; msm moves a session to another node when its node dies
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub store_nodes: u8,
    /// Number of Tomcat containers behind nginx (2 to 16)
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub tomcats: u8,
    /// Port nginx publishes on 127.0.0.1
    #[arg(long, default_value_t = 13355)]
    pub port: u16,
    /// msm, or none: Tomcat's default manager, the control experiment that does not share sessions
    #[arg(long, value_enum, default_value_t = SessionManager::Msm)]
    pub session_manager: SessionManager,
    /// Image the nginx and store images are built on (where no registry answers: scripts/base-image.sh)
    #[arg(long, env = "MSMLAB_BASE_IMAGE", default_value = "debian:bookworm-slim", value_name = "IMAGE")]
    pub base_image: String,
    /// Maven repository the jars come from, e.g. a corporate mirror
    #[arg(long, env = "MSMLAB_MAVEN_REPO", default_value = CENTRAL, value_name = "URL")]
    pub maven_repo: String,
    /// Extra JVM options for every Tomcat (CATALINA_OPTS), e.g. "-Xmx256m"
    #[arg(long, default_value = "", value_name = "OPTS", allow_hyphen_values = true)]
    pub java_opts: String,
    /// msm sticky mode: each Tomcat gets a jvmRoute and nginx sends a session back to its owner
    #[arg(long)]
    pub sticky: bool,
    /// Your own webapp (a WAR file or an exploded directory), deployed next to the test page
    #[arg(long, value_name = "PATH")]
    pub webapp: Option<PathBuf>,
    /// Context path of --webapp (default: from its file name, my.war → /my)
    #[arg(long, value_name = "PATH", requires = "webapp")]
    pub context_path: Option<ContextPath>,
    /// Print only errors and the final summary
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub lab: NameArg,
    /// Requests to send through nginx with one cookie jar
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(2..=10000), value_name = "N")]
    pub requests: u16,
    /// URL path to walk instead of the test page, e.g. /my/ for your own webapp
    #[arg(long, value_name = "URL_PATH")]
    pub path: Option<UrlPath>,
    /// Failover drills to run after the checks: tomcat, store, restart, or all (comma-separated)
    #[arg(long, value_enum, value_delimiter = ',', value_name = "DRILL")]
    pub drill: Vec<DrillArg>,
    /// Also write a JUnit XML report (one test case per check and drill) to FILE
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Print one JSON object instead of the table
    #[arg(long)]
    pub json: bool,
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
    /// tomcat, store and restart, in that order
    All,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub lab: NameArg,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
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
    /// Print JSON
    #[arg(long)]
    pub json: bool,
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
}
