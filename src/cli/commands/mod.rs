//! The verbs: each turns parsed flags into calls on the library and output on stdout.
//! Errors get their context here, at the edge.
//!
//! One file per verb; this one holds what they share: the global flags, the outcome and its
//! exit status, the engine connection, the lock, the trusted fetcher and the msm choices.

pub mod bench;
pub mod compat;
pub mod completions;
pub mod doctor;
pub mod down;
pub mod init;
pub mod jars;
pub mod lock;
pub mod logs;
pub mod reference;
pub mod smoke;
pub mod render;
pub mod status;
pub mod up;
pub mod verify;

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use crate::cli::args::{JarChoice, ShapeArgs};
use crate::cli::config::{self, Applied};
use crate::cli::verb_error::VerbError;
use crate::engine::{Engine, EngineError};
use crate::exit::ExitStatus;
use crate::jars::lock::{Lock, LockError};
use crate::jars::maven::{default_cache_dir, Fetcher};
use crate::labspec::team_manager::TeamManager;
use crate::labspec::{MsmChoice, SpecError};
use crate::labspec::trust::{self, TrustError};
use crate::labspec::webapp::{self, Webapp, WebappSource, WebappSpec};
use crate::ui::progress::Progress;

/// Flags every verb has, and the config file's values.
#[derive(Debug, Default)]
pub struct Globals {
    pub quiet: bool,
    pub verbose: u8,
    pub applied: Applied,
}

impl Globals {
    /// With `-v`: which config file was read and what it set.
    pub fn explain_config(&self) {
        if self.verbose == 0 {
            return;
        }
        match &self.applied.path {
            Some(path) if self.applied.values.is_empty() => eprintln!("config: {} (nothing in it applies here)", path.display()),
            Some(path) => eprintln!("config: {} sets {}", path.display(), self.applied.values.join(", ")),
            None => eprintln!("config: no {} here, and no --config", config::DEFAULT_FILE),
        }
    }

    /// After a usage error (exit status 2), says which values came from the config file, since
    /// the error names the flag, not the file.
    pub fn blame_config(&self, status: ExitStatus) {
        if let (ExitStatus::BadInput, Some(path)) = (status, &self.applied.path) {
            if !self.applied.values.is_empty() {
                eprintln!("note: {} set {}", path.display(), self.applied.values.join(", "));
            }
        }
    }
}

/// A verb's answer once it ran to its end: yes or no. Errors (exit 2, 3, 130) are not
/// answers; they leave the verb as a `VerbError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// 0: done, or every check passed.
    Yes,
    /// 1: the answer is no: a check failed.
    No,
}

impl Reply {
    pub fn exit_status(self) -> ExitStatus {
        match self {
            Reply::Yes => ExitStatus::Yes,
            Reply::No => ExitStatus::No,
        }
    }
}

/// The lock a command uses: `--lockfile`, else the one built into msmlab.
pub(super) fn load_lock(path: Option<&Path>) -> Result<Lock, LockError> {
    match path {
        None => Ok(Lock::bundled()),
        Some(p) => {
            let origin = p.display().to_string();
            let text = std::fs::read_to_string(p).map_err(|source| LockError::Read { path: origin.clone(), source })?;
            Ok(Lock::parse(&text, &origin)?)
        }
    }
}

/// The one place msm's flags become an msm choice, as cargo builds `BuildConfig` inside
/// `CompileOptions` in one helper: `JarChoice` and `ShapeArgs` over `MsmChoice::new`, then a
/// team's `--context-xml` over the flags (`labspec::team_manager`). `up`, `smoke` and `render`
/// take it, so they produce the same files; `bench` and `compat`, with a few of these flags
/// of their own, start from `MsmChoice::new` too. Returns the choice, and the stickiness and
/// store nodes (the shape's, which the file may set).
pub(super) fn msm_choice(jar: &JarChoice, flags: ShapeArgs, sticky: bool, store_nodes: u8) -> Result<(MsmChoice, bool, u8), SpecError> {
    let choice = MsmChoice {
        session_manager: flags.session_manager,
        images: flags.images,
        registry: flags.registry,
        xstream_allow: flags.xstream_allow,
        locking_mode: flags.locking_mode,
        options: flags.options.into(),
        ..MsmChoice::new(jar.tomcat.clone(), jar.serializer, jar.store, flags.base_image, flags.maven_repo)
    };
    let Some(path) = flags.context_xml else { return Ok((choice, sticky, store_nodes)) };
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(&path).map_err(|e| SpecError::ContextXml { path: origin.clone(), why: format!("cannot read it: {e}") })?;
    TeamManager::parse(&text, &origin)?.apply(choice, sticky, store_nodes)
}

/// The Maven repository the jars come from, trusted as `--allow-http` says (plain http is
/// refused without it, and said aloud with it), as a fetcher into msmlab's cache.
pub(super) fn fetcher(repo: &str, allow_http: bool, progress: &Progress) -> Result<Fetcher, TrustError> {
    if let Some(warning) = trust::check_repository(repo, allow_http)? {
        progress.warn(warning);
    }
    Ok(Fetcher::new(repo, default_cache_dir()).allow_http(allow_http))
}

/// The user's webapp, read and checked before anything is created: a Maven WAR is first
/// fetched into the cache like the jars (`jars::war`, pinned), a path is read where it is.
/// `jakarta` names a Tomcat line of `jakarta.servlet`, where a `javax.servlet` webapp is refused.
pub(super) async fn read_webapp(spec: &WebappSpec, fetcher: &Fetcher, progress: &Progress, tomcat: &crate::labspec::TomcatLine, tomcat_converts: bool) -> Result<Webapp, VerbError> {
    let path = match &spec.source {
        WebappSource::Path(path) => path.clone(),
        WebappSource::Maven(war) => {
            let step = progress.step(format!("Fetch webapp {}", war.coords()));
            let fetched = step.check(crate::jars::war::fetch(fetcher, war).await)?;
            step.done(if fetched.downloaded { "downloaded, sha256 matches the pin" } else { "from the cache" });
            fetched.path
        }
    };
    Ok(webapp::load_for(spec, &path, tomcat, tomcat_converts)?)
}

/// Where a lab's nginx is published. A remote engine's loopback is not reachable from here, so
/// there it is published on every address of the engine's host, and reached at that host
/// (`lab::url::LabUrl`); `None`: the address asked for stands.
pub(super) fn remote_listen(engine: &Engine, listen: IpAddr, progress: &Progress) -> Option<IpAddr> {
    let host = engine.reach_host().filter(|_| listen.is_loopback())?;
    progress.warn(format!("the engine is remote ({}): nginx is published on all of its host's addresses and reached at {host}", engine.found_by()));
    Some(Ipv4Addr::UNSPECIFIED.into())
}

pub(super) async fn connect(globals: &Globals) -> Result<Engine, EngineError> {
    let engine = Engine::connect().await?;
    if globals.verbose > 0 {
        if let Ok(v) = engine.version().await {
            eprintln!("engine: Docker {} (API {}) at {}, found through {}", v.version, v.api_version, v.host, engine.found_by());
        }
    }
    Ok(engine)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::verb_error::Context;
    use crate::lab::LabError;

    fn lost() -> EngineError {
        EngineError::Lost { action: "inspect image", target: "x".into(), message: "connection reset".into() }
    }

    #[test]
    fn a_lost_engine_is_exit_status_3_however_deep_it_is_wrapped() {
        use crate::lab::errors::at;
        use crate::lab::ready::NotReady;
        let wrapped: Vec<VerbError> = vec![
            lost().into(),
            LabError::Engine(lost()).cleaned_up(None).into(),
            Err::<(), _>(at::<NotReady>("starting x")(NotReady::Engine(lost()))).context("msmlab up --name x did not complete").unwrap_err(),
        ];
        for f in wrapped {
            assert_eq!(f.status.code(), 3, "{:#}", f.error);
        }
        let taken = LabError::PortTaken { ip: std::net::Ipv4Addr::LOCALHOST.into(), port: 1, by: "x".into() };
        assert_eq!(VerbError::from(taken.cleaned_up(None)).status, ExitStatus::BadInput, "a refusal stays bad input after a rollback");
    }
}
