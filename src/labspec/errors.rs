//! What a user's input can get wrong, each with the sentence that says how to fix it.

use crate::exit::{Classified, ExitStatus};
use crate::labspec::limits::{MAX_NAME_LEN, MAX_STORE_NODES, MAX_TOMCATS};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SpecError {
    #[error("a lab on a swarm cannot take {0}")]
    Swarm(String),
    #[error(
        "--push-to {0} (or MSMLAB_PUSH_TO) names the registry a swarm's nodes pull the lab's images from: \
         add --swarm, or leave it out"
    )]
    PushToWithoutSwarm(String),
    #[error(
        "invalid lab name {0:?}: use 1 to {MAX_NAME_LEN} lowercase letters, digits or '-', \
         starting and ending with a letter or digit (it becomes part of container and DNS names)"
    )]
    Name(String),
    #[error("invalid Tomcat version {0:?}: give a major line such as 9, or 9.0, or 9.0.117")]
    TomcatSyntax(String),
    #[error(
        "Tomcat {0} is newer than msmlab knows: it runs msm on Tomcat 7 to 9, and on 10.1 and 11 \
         through Apache's Jakarta migration (docs/jakarta.md); choose --tomcat 11 or older"
    )]
    TomcatNewer(u8),
    #[error("--tomcats {0}: a shared session needs at least 2 Tomcats and msmlab builds at most {MAX_TOMCATS}")]
    TomcatCount(u8),
    #[error("--store-nodes {0}: give 1 to {MAX_STORE_NODES} memcached nodes")]
    StoreNodes(u8),
    #[error("--store-nodes {0}: msm talks to a single Redis node (redis://host:port); use --store memcached for several nodes")]
    RedisNodes(u8),
    #[error("invalid Maven repository URL {0:?}: give an https:// URL such as https://repo1.maven.org/maven2")]
    MavenRepo(String),
    #[error("invalid base image {0:?}: give an image reference such as debian:bookworm-slim")]
    BaseImage(String),
    #[error(
        "invalid --java-opts {0:?}: use JVM options made of letters, digits, spaces and -_.:=+/,%@ \
         (Tomcat's catalina.sh evaluates them in a shell, so nothing else is let through)"
    )]
    JavaOpts(String),
    #[error("invalid registry {0:?}: give a host and optional port such as 127.0.0.1:5555 or mirror.example.com")]
    Registry(String),
    #[error(
        "invalid --xstream-allow pattern {0:?}: give class names or xstream wildcards made of letters, digits, '_', '$' \
         and '.', such as com.example.Cart, com.example.* (a package) or com.example.** (and its sub-packages)"
    )]
    XstreamPattern(String),
    #[error("--xstream-allow applies to --serializer xstream only (the other serializers have no allow-list)")]
    XstreamAllowSerializer,
    #[error(
        "--xstream-allow needs msmlab's own images: the allow-list is compiled with the javac their JRE carries, \
         which official images lack; leave out --images official"
    )]
    XstreamAllowOfficial,
    #[error("invalid --locking-mode {0:?}: give none, all, auto, or uriPattern:REGEX (e.g. uriPattern:/cart/.*)")]
    LockingMode(String),
    #[error("{flag} {value}: {why}")]
    MsmOption { flag: String, value: String, why: String },
    #[error(
        "--locking-mode {0} applies to non-sticky mode only: in sticky mode a session stays on its Tomcat, \
         which serializes its requests; leave out --sticky or --locking-mode"
    )]
    LockingSticky(String),
    #[error("--context-xml {path}: {why}")]
    ContextXml { path: String, why: String },
    #[error("--webapp-javaee deploys the webapp given by --webapp: add --webapp PATH|MAVEN, or leave it out")]
    JavaeeWithoutWebapp,
    #[error(
        "--webapp-javaee: Tomcat {0} runs javax.servlet webapps as they are (only Tomcat 10 and later, on jakarta.servlet, \
         convert them through webapps-javaee/); leave it out, or choose --tomcat 10.1 or 11"
    )]
    JavaeeOnJavaxLine(String),
}

impl Classified for SpecError {
    fn exit_status(&self) -> ExitStatus {
        ExitStatus::BadInput
    }
}
