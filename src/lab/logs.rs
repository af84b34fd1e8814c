//! `msmlab logs`: the lab's container logs, each line prefixed by its container, merged in
//! time order (or followed live); and `--export DIR`, the bundle for a bug report.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use serde::Serialize;

use crate::engine::{ContainerInfo, Engine, EngineError, LogLine};
use crate::exit::{Classified, ExitStatus};
use crate::plan::CATALINA_HOME;
use crate::labspec::names::{Role, NGINX_PORT};

#[derive(Debug, thiserror::Error)]
pub enum LogsError {
    #[error("no lab named {0:?} is there; start one with `msmlab up --name {0}`")]
    NoLab(String),
    #[error("lab {lab:?} has no container {which:?}; it has: {have} (or give a role: tomcat, nginx, memcached)")]
    NoContainer { lab: String, which: String, have: String },
    #[error("--since {0:?}: give a duration such as 30s, 5m, 2h or 1d, or a Unix time in seconds")]
    Since(String),
    #[error("cannot write {path}")]
    Write { path: String, source: std::io::Error },
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// `--since`: a duration back from `now` (`90s`, `5m`, `2h`, `1d`) or Unix seconds.
pub fn parse_since(s: &str, now: SystemTime) -> Result<i64, LogsError> {
    let bad = || LogsError::Since(s.to_string());
    let now = now.duration_since(UNIX_EPOCH).map_err(|_| bad())?.as_secs() as i64;
    if let Ok(t) = s.parse::<i64>() {
        return if t > 0 { Ok(t) } else { Err(bad()) };
    }
    let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (n, unit) = s.split_at(split);
    let n: i64 = n.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86400,
        _ => return Err(bad()),
    };
    Ok((now - seconds).max(1))
}

/// The containers `which` names: a role, a container's short name (`tomcat-2`) or its full name.
pub fn select(lab: &str, containers: &[ContainerInfo], which: Option<&str>) -> Result<Vec<ContainerInfo>, LogsError> {
    if containers.is_empty() {
        return Err(LogsError::NoLab(lab.into()));
    }
    let Some(which) = which else { return Ok(containers.to_vec()) };
    let prefix = format!("msmlab-{lab}-");
    let chosen: Vec<ContainerInfo> = containers
        .iter()
        .filter(|c| {
            Role::parse(which).is_some_and(|r| c.role == Some(r)) || c.name == which || c.name.strip_prefix(&prefix) == Some(which)
        })
        .cloned()
        .collect();
    if chosen.is_empty() {
        let have = containers.iter().map(|c| c.name.strip_prefix(&prefix).unwrap_or(&c.name).to_string()).collect::<Vec<_>>().join(", ");
        return Err(LogsError::NoContainer { lab: lab.into(), which: which.into(), have });
    }
    Ok(chosen)
}

/// An RFC 3339 timestamp as Docker writes it (fraction trimmed of trailing zeros), made
/// comparable as text: the fraction padded to nine digits.
pub fn sort_key(timestamp: &str) -> String {
    let t = timestamp.trim_end_matches('Z');
    match t.split_once('.') {
        Some((secs, frac)) => format!("{secs}.{frac:0<9}"),
        None => format!("{t}.000000000"),
    }
}

/// One line for the screen: `name | text`, the name padded and, on a colour terminal, coloured.
fn prefixed(name: &str, width: usize, colour: Option<usize>, text: &str) -> String {
    let padded = format!("{name:<width$}");
    match colour {
        Some(i) => {
            const COLOURS: [u8; 6] = [36, 33, 32, 35, 34, 31];
            format!("\x1b[{}m{padded} |\x1b[0m {text}", COLOURS[i % COLOURS.len()])
        }
        None => format!("{padded} | {text}"),
    }
}

/// Prints the logs of `containers`: merged in time order, or followed until Ctrl-C.
pub async fn show(engine: &Engine, containers: &[ContainerInfo], follow: bool, since: i64, tail: Option<u32>, colour: bool) -> Result<(), LogsError> {
    let width = containers.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let style = |i: usize| colour.then_some(i);
    if follow {
        let streams = containers.iter().enumerate().map(|(i, c)| {
            let name = c.name.clone();
            engine.log_lines_of(c, true, since, tail, false).map(move |l| (i, name.clone(), l))
        });
        let mut merged = futures_util::stream::select_all(streams);
        loop {
            tokio::select! {
                next = merged.next() => match next {
                    Some((i, name, line)) => println!("{}", prefixed(&name, width, style(i), &line?.text)),
                    None => return Ok(()),
                },
                _ = tokio::signal::ctrl_c() => return Ok(()),
            }
        }
    }
    let mut all: Vec<(String, usize, String)> = Vec::new();
    for (i, c) in containers.iter().enumerate() {
        for line in collect(engine, c, since, tail, true).await? {
            let (ts, text) = line.text.split_once(' ').unwrap_or((line.text.as_str(), ""));
            all.push((sort_key(ts), i, text.to_string()));
        }
    }
    // Stable: lines of one container with the same timestamp keep their order.
    all.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::new();
    for (_, i, text) in all {
        out.push_str(&prefixed(&containers[i].name, width, style(i), &text));
        out.push('\n');
    }
    print!("{out}");
    Ok(())
}

async fn collect(engine: &Engine, container: &ContainerInfo, since: i64, tail: Option<u32>, timestamps: bool) -> Result<Vec<LogLine>, LogsError> {
    let mut lines = Vec::new();
    let mut stream = engine.log_lines_of(container, false, since, tail, timestamps);
    while let Some(line) = stream.next().await {
        lines.push(line?);
    }
    Ok(lines)
}

/// What `--export` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Export {
    pub dir: PathBuf,
    pub files: Vec<String>,
}

/// The rendered files each role received, as paths inside its container.
fn configs_of(role: Option<Role>) -> Vec<String> {
    match role {
        Some(Role::Tomcat) => vec![format!("{CATALINA_HOME}/conf/context.xml")],
        Some(Role::Nginx) => vec!["/etc/nginx/nginx.conf".to_string()],
        _ => Vec::new(),
    }
}

/// Writes every container's log (with timestamps), the rendered configs as the containers hold
/// them, and `status.json` into `dir`.
pub async fn export(engine: &Engine, lab: &str, containers: &[ContainerInfo], status_json: &str, dir: &Path) -> Result<Export, LogsError> {
    let write = |path: &Path, data: &[u8]| -> Result<(), LogsError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| LogsError::Write { path: parent.display().to_string(), source })?;
        }
        std::fs::write(path, data).map_err(|source| LogsError::Write { path: path.display().to_string(), source })
    };
    let mut files = Vec::new();
    let mut record = |rel: String, data: &[u8]| -> Result<(), LogsError> {
        write(&dir.join(&rel), data)?;
        files.push(rel);
        Ok(())
    };
    record("status.json".into(), status_json.as_bytes())?;
    for c in containers {
        let lines = collect(engine, c, 0, None, true).await?;
        let text: String = lines.iter().map(|l| format!("{}{}\n", if l.stderr { "E " } else { "O " }, l.text)).collect();
        record(format!("logs/{}.log", c.name), text.as_bytes())?;
        for path in configs_of(c.role) {
            // On a swarm the task may run on another node: its image carries the same files.
            let tar = match (&c.task, &c.image) {
                (Some(_), Some(image)) => engine.download_from_image(image, &format!("{}-export-{}", c.name, std::process::id()), &path).await?,
                _ => engine.download(&c.name, &path).await?,
            };
            let mut archive = tar::Archive::new(tar.as_slice());
            let entries = archive.entries().map_err(|source| LogsError::Write { path: path.clone(), source })?;
            for entry in entries {
                let mut entry = entry.map_err(|source| LogsError::Write { path: path.clone(), source })?;
                let mut data = Vec::new();
                std::io::Read::read_to_end(&mut entry, &mut data).map_err(|source| LogsError::Write { path: path.clone(), source })?;
                let name = Path::new(&path).file_name().expect("config paths name a file").to_string_lossy().into_owned();
                record(format!("configs/{}/{name}", c.name), &data)?;
            }
        }
    }
    let about = format!(
        "msmlab {} export of lab {lab:?}\nlogs/: each container's output, lines marked O (stdout) or E (stderr), with the engine's timestamps\n\
         configs/: the rendered files as the containers hold them (nginx listens on {NGINX_PORT} inside its container)\n\
         status.json: `msmlab status --json` at the time of the export\n",
        env!("CARGO_PKG_VERSION")
    );
    record("README.txt".into(), about.as_bytes())?;
    Ok(Export { dir: dir.to_path_buf(), files })
}

impl Classified for LogsError {
    fn exit_status(&self) -> ExitStatus {
        match self {
            LogsError::NoLab(_) | LogsError::NoContainer { .. } | LogsError::Since(_) => ExitStatus::BadInput,
            LogsError::Write { .. } => ExitStatus::Failed,
            LogsError::Engine(e) => e.exit_status(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn c(name: &str, role: Role) -> ContainerInfo {
        ContainerInfo {
            id: name.into(),
            name: name.into(),
            role: Some(role),
            index: 1,
            lab: "dev".into(),
            state: crate::engine::ContainerState::Running,
            address: None,
            published: None,
            published_port: None,
            spec: None,
            owner: None,
            ..Default::default()
        }
    }

    #[test]
    fn since_takes_durations_and_unix_times() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(parse_since("30s", now).unwrap(), 999_970);
        assert_eq!(parse_since("5m", now).unwrap(), 999_700);
        assert_eq!(parse_since("2h", now).unwrap(), 992_800);
        assert_eq!(parse_since("1d", now).unwrap(), 913_600);
        assert_eq!(parse_since("1700000000", now).unwrap(), 1_700_000_000);
        for bad in ["", "0", "m", "5w", "-5m", "five minutes"] {
            assert!(parse_since(bad, now).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_role_a_short_name_or_a_full_name_selects_containers() {
        let all = vec![c("msmlab-dev-memcached-1", Role::Memcached), c("msmlab-dev-tomcat-1", Role::Tomcat), c("msmlab-dev-tomcat-2", Role::Tomcat)];
        let names = |w: Option<&str>| select("dev", &all, w).unwrap().into_iter().map(|c| c.name).collect::<Vec<_>>();
        assert_eq!(names(None).len(), 3);
        assert_eq!(names(Some("tomcat")), ["msmlab-dev-tomcat-1", "msmlab-dev-tomcat-2"]);
        assert_eq!(names(Some("tomcat-2")), ["msmlab-dev-tomcat-2"]);
        assert_eq!(names(Some("msmlab-dev-memcached-1")), ["msmlab-dev-memcached-1"]);
        let err = select("dev", &all, Some("tomcat-9")).unwrap_err().to_string();
        assert!(err.contains("has no container \"tomcat-9\"; it has: memcached-1, tomcat-1, tomcat-2"), "{err}");
        assert!(matches!(select("dev", &[], None), Err(LogsError::NoLab(_))));
    }

    #[test]
    fn docker_timestamps_sort_in_time_order() {
        let mut ts = ["2026-11-25T17:00:00.5Z", "2026-11-25T17:00:00.123456789Z", "2026-11-25T17:00:00.12Z", "2026-11-25T16:59:59Z"];
        ts.sort_by_key(|t| sort_key(t));
        assert_eq!(ts, ["2026-11-25T16:59:59Z", "2026-11-25T17:00:00.12Z", "2026-11-25T17:00:00.123456789Z", "2026-11-25T17:00:00.5Z"]);
    }

    #[test]
    fn lines_are_prefixed_and_coloured_only_when_asked() {
        assert_eq!(prefixed("tc-1", 6, None, "hello"), "tc-1   | hello");
        assert!(prefixed("tc-1", 4, Some(0), "hello").starts_with("\x1b[36mtc-1 |\x1b[0m"));
    }
}
