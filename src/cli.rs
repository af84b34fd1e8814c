//! The command line: every verb and flag, defined once (it drives parsing and `--help`).

use clap::{Args, Parser, Subcommand};

use crate::maven::CENTRAL;
use std::path::PathBuf;

use crate::spec::{Jre, LabName, Serializer, SessionManager, Store, TomcatLine, MAX_TOMCATS};

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
    #[command(after_help = "Example:\n  msmlab up --tomcat 9 --serializer java --tomcats 2 --port 13355")]
    Up(UpArgs),
    /// Check through nginx that the lab's Tomcats really share one session
    #[command(after_help = "Example:\n  msmlab verify --requests 20 --json")]
    Verify(VerifyArgs),
    /// Show the lab's containers with role, state and address
    #[command(after_help = "Example:\n  msmlab status --json")]
    Status(StatusArgs),
    /// Remove everything carrying the lab's label, and nothing else
    #[command(after_help = "Examples:\n  msmlab down --name default\n  msmlab down --all")]
    Down(DownArgs),
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
    #[arg(long, default_value_t = 2, value_name = "N", value_parser = parse_tomcats, allow_negative_numbers = true)]
    pub tomcats: u8,
    /// Port nginx publishes on the --listen address
    #[arg(long, default_value_t = 13355)]
    pub port: u16,
    /// Host address nginx is published on; anything but loopback exposes the lab to your network
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub listen: std::net::IpAddr,
    /// Rebuild the lab if it exists already (by default a healthy lab is left as it is)
    #[arg(long)]
    pub recreate: bool,
    /// msm, or none: Tomcat's default manager, the control experiment that does not share sessions
    #[arg(long, value_enum, default_value_t = SessionManager::Msm)]
    pub session_manager: SessionManager,
    /// Image the nginx and store images are built on (where no registry answers: scripts/base-image.sh)
    #[arg(long, env = "MSMLAB_BASE_IMAGE", default_value = "debian:bookworm-slim", value_name = "IMAGE")]
    pub base_image: String,
    /// Maven repository the jars come from, e.g. a corporate mirror
    #[arg(long, env = "MSMLAB_MAVEN_REPO", default_value = CENTRAL, value_name = "URL")]
    pub maven_repo: String,
    /// Accept a plain http:// Maven repository (every jar is still checked against jars.lock)
    #[arg(long, env = "MSMLAB_ALLOW_HTTP")]
    pub allow_http: bool,
    /// Extra JVM options for every Tomcat (CATALINA_OPTS), e.g. "-Xmx256m"
    #[arg(long, default_value = "", value_name = "OPTS", allow_hyphen_values = true)]
    pub java_opts: String,
    /// Print only errors and the final summary
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct DownArgs {
    /// Name of the lab to remove
    #[arg(long, default_value = "default", value_name = "NAME", conflicts_with = "all")]
    pub name: LabName,
    /// Remove every msmlab lab on the engine (everything labelled io.msmlab.lab), and nothing else
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub lab: NameArg,
    /// Requests to send through nginx with one cookie jar
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(2..=10000), value_name = "N")]
    pub requests: u16,
    /// Print one JSON object instead of the table
    #[arg(long)]
    pub json: bool,
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
    /// Accept a plain http:// Maven repository (every jar is still checked against the lock)
    #[arg(long, env = "MSMLAB_ALLOW_HTTP")]
    pub allow_http: bool,
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
mod tests {
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
        assert_eq!(up(&["--tomcats", "16"]).unwrap().tomcats, 16);
        for bad in ["0", "1", "17", "1000", "-1", "many"] {
            let err = up(&["--tomcats", bad]).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad}");
            assert!(err.to_string().contains("accepted: 2 to 16"), "{bad}: {err}");
        }
    }

    #[test]
    fn nginx_listens_on_loopback_unless_told_otherwise() {
        assert_eq!(up(&[]).unwrap().listen.to_string(), "127.0.0.1");
        assert_eq!(up(&["--listen", "0.0.0.0"]).unwrap().listen.to_string(), "0.0.0.0");
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
