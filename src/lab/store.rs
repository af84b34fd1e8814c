//! Reads the session store over its own protocol, to see what msm really wrote.
//!
//! The store is not published on the host, so its protocol is spoken from inside the store's
//! container, through the engine's exec (a remote engine works too): memcached's text
//! protocol over bash's `/dev/tcp`, Redis through its own `redis-cli`. Keys are passed as
//! arguments, never spliced into a script. The answers are parsed here.

use crate::engine::{ContainerInfo, ContainerSpec, Engine, EngineError};
use crate::labspec::names;
use crate::exit::{Classified, ExitStatus};
use crate::labspec::names::Role;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StoreError {
    #[error("{0:?} is not a memcached key (1 to 250 bytes, no spaces or control characters)")]
    BadKey(String),
    #[error("memcached answered something that is not a `get` reply: {0:?}")]
    Reply(String),
    #[error("redis-cli answered {0:?}, not what was asked")]
    RedisReply(String),
}

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("could not talk to the store in {container}: exit code {exit_code}")]
    Connect { container: String, exit_code: i64 },
}

pub fn check_key(key: &str) -> Result<(), StoreError> {
    let ok = !key.is_empty() && key.len() <= 250 && key.bytes().all(|b| b > b' ' && b != 0x7f);
    if ok {
        Ok(())
    } else {
        Err(StoreError::BadKey(key.to_string()))
    }
}

/// Parses the reply to `get <key>`: the value's bytes, or `None` when there is none.
pub fn parse_get(reply: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
    let bad = || StoreError::Reply(String::from_utf8_lossy(&reply[..reply.len().min(80)]).into_owned());
    if reply.starts_with(b"END\r\n") {
        return Ok(None);
    }
    let header_end = reply.windows(2).position(|w| w == b"\r\n").ok_or_else(bad)?;
    let header = std::str::from_utf8(&reply[..header_end]).map_err(|_| bad())?;
    // VALUE <key> <flags> <bytes> [<cas>]
    let fields: Vec<&str> = header.split(' ').collect();
    if fields.len() < 4 || fields[0] != "VALUE" {
        return Err(bad());
    }
    let len: usize = fields[3].parse().map_err(|_| bad())?;
    let start = header_end + 2;
    let data = reply.get(start..start + len).ok_or_else(bad)?;
    if reply.get(start + len..start + len + 2) != Some(b"\r\n") {
        return Err(bad());
    }
    Ok(Some(data.to_vec()))
}

/// One memcached text-protocol exchange from inside `container`: `request` is a printf
/// format, `args` fill its `%s` as separate arguments. memcached closes the connection after
/// the `quit` that follows, which ends the reply.
async fn exchange(engine: &Engine, container: &str, request: &str, args: &[&str]) -> Result<Vec<u8>, ProbeError> {
    let cmd = exchange_argv(request, args);
    let out = engine.exec(container, &cmd).await?;
    if out.exit_code != 0 {
        return Err(ProbeError::Connect { container: container.into(), exit_code: out.exit_code });
    }
    Ok(out.stdout)
}

/// The fixed script of an exchange: values only ever arrive as its positional arguments.
const SCRIPT: &str = r#"exec 3<>/dev/tcp/127.0.0.1/11211 && printf "$0" "$@" >&3 && printf 'quit\r\n' >&3 && timeout 5 cat <&3"#;

/// The argv of an exchange: `bash -c SCRIPT request args…`. The script never changes; the
/// request (a constant of this module) and the values are separate arguments.
fn exchange_argv<'a>(request: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let mut cmd = vec!["bash", "-c", SCRIPT, request];
    cmd.extend_from_slice(args);
    cmd
}

/// memcached's `version` answer, e.g. `VERSION 1.6.18`.
pub async fn memcached_version(engine: &Engine, container: &str) -> Result<String, ProbeError> {
    let reply = exchange(engine, container, "version\r\n", &[]).await?;
    let text = String::from_utf8_lossy(&reply).trim().to_string();
    if text.starts_with("VERSION ") {
        Ok(text)
    } else {
        Err(StoreError::Reply(text).into())
    }
}

/// `get <key>` on the memcached in `container`.
pub async fn memcached_get(engine: &Engine, container: &str, key: &str) -> Result<Option<Vec<u8>>, ProbeError> {
    check_key(key)?;
    Ok(parse_get(&exchange(engine, container, "get %s\r\n", &[key]).await?)?)
}

/// One `redis-cli` command in `container`, each word a separate argument; its `--raw` answer.
async fn redis_cli(engine: &Engine, container: &str, args: &[&str]) -> Result<String, ProbeError> {
    let mut cmd = vec!["redis-cli", "-p", "6379", "--raw"];
    cmd.extend_from_slice(args);
    let out = engine.exec(container, &cmd).await?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if out.exit_code != 0 || text.starts_with("Could not connect") {
        return Err(ProbeError::Connect { container: container.into(), exit_code: out.exit_code });
    }
    Ok(text)
}

/// Redis's version from `INFO server`, e.g. `redis 7.0.15`.
pub async fn redis_version(engine: &Engine, container: &str) -> Result<String, ProbeError> {
    let info = redis_cli(engine, container, &["INFO", "server"]).await?;
    parse_redis_version(&info).map(|v| format!("redis {v}")).ok_or_else(|| StoreError::RedisReply(info.chars().take(80).collect()).into())
}

pub fn parse_redis_version(info: &str) -> Option<&str> {
    info.lines().find_map(|l| l.trim().strip_prefix("redis_version:"))
}

/// The size of the value under `key` in Redis, or `None` when there is none.
pub async fn redis_strlen(engine: &Engine, container: &str, key: &str) -> Result<Option<u64>, ProbeError> {
    check_key(key)?;
    let reply = redis_cli(engine, container, &["STRLEN", key]).await?;
    Ok(parse_strlen(&reply)?)
}

/// Parses Redis's answer to `STRLEN`: 0 is a key that holds nothing.
fn parse_strlen(reply: &str) -> Result<Option<u64>, StoreError> {
    match reply.parse::<u64>() {
        Ok(0) => Ok(None),
        Ok(n) => Ok(Some(n)),
        Err(_) => Err(StoreError::RedisReply(reply.into())),
    }
}

/// The size of what `role`'s store in `container` holds under `key` (msm's session id), or
/// `None` when it holds nothing: memcached's `get`, Redis's `STRLEN`.
pub async fn stored_size(engine: &Engine, role: Role, container: &str, key: &str) -> Result<Option<u64>, ProbeError> {
    match role {
        Role::Redis => redis_strlen(engine, container, key).await,
        _ => Ok(memcached_get(engine, container, key).await?.map(|v| v.len() as u64)),
    }
}

/// The size of what the store node `node` holds under `key`, or `None`: asked from inside its
/// container, or on a swarm, where the node may run out of reach of `exec`, from a one-off
/// container on the lab's network (as `Engine::logs_since_of` chooses for logs).
pub async fn stored_size_of(engine: &Engine, node: &ContainerInfo, key: &str) -> Result<Option<u64>, ProbeError> {
    match node.task {
        Some(_) => stored_size_of_task(engine, node, key).await,
        None => stored_size(engine, node.role.unwrap_or(Role::Memcached), &node.name, key).await,
    }
}

/// On a swarm a store node may run on any host, out of reach of the manager's `exec`: a
/// one-off container of the store's image on the lab's (attachable) network asks it by its
/// service name instead. memcached's reply is cut to its header line, which has the size.
const REMOTE_SCRIPT: &str = r#"exec 3<>/dev/tcp/$MSMLAB_STORE/11211 && printf "$0" "$@" >&3 && printf 'quit\r\n' >&3 && timeout 5 head -c 400 <&3 | head -n 1"#;

/// The size of what the store node `node` (a swarm task: its service name is its DNS name on
/// the lab network) holds under `key`, or `None`.
async fn stored_size_of_task(engine: &Engine, node: &ContainerInfo, key: &str) -> Result<Option<u64>, ProbeError> {
    check_key(key)?;
    let role = node.role.unwrap_or(Role::Memcached);
    let cmd: Vec<String> = match role {
        Role::Redis => ["redis-cli", "-h", &node.name, "-p", "6379", "--raw", "STRLEN", key].map(String::from).to_vec(),
        _ => ["bash", "-c", REMOTE_SCRIPT, "get %s\r\n", key].map(String::from).to_vec(),
    };
    let spec = ContainerSpec {
        name: format!("{}-probe-{}", node.name, std::process::id()),
        image: node.image.clone().unwrap_or_default(),
        network: names::network_name(&node.lab),
        env: vec![format!("MSMLAB_STORE={}", node.name)],
        cmd: Some(cmd),
        ..Default::default()
    };
    let (code, out) = engine.run_to_end(&spec, Vec::new(), std::time::Duration::from_secs(30)).await?;
    let reply = out.trim();
    if code != 0 {
        return Err(ProbeError::Connect { container: node.name.clone(), exit_code: code });
    }
    match role {
        Role::Redis => parse_strlen(reply).map_err(ProbeError::from),
        _ => parse_get_header(reply).map_err(ProbeError::from),
    }
}

/// The size a `get` reply's first line announces (`VALUE <key> <flags> <bytes>`), `None` for `END`.
pub fn parse_get_header(line: &str) -> Result<Option<u64>, StoreError> {
    let line = line.trim_end();
    if line == "END" {
        return Ok(None);
    }
    let fields: Vec<&str> = line.split(' ').collect();
    match fields.as_slice() {
        ["VALUE", _, _, bytes, ..] => bytes.parse().map(Some).map_err(|_| StoreError::Reply(line.into())),
        _ => Err(StoreError::Reply(line.chars().take(80).collect())),
    }
}

impl Classified for ProbeError {
    fn exit_status(&self) -> ExitStatus {
        match self {
            ProbeError::Engine(e) => e.exit_status(),
            ProbeError::Store(_) | ProbeError::Connect { .. } => ExitStatus::Failed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_get_header_gives_the_size() {
        assert_eq!(parse_get_header("VALUE 4D23-n1 0 188\r"), Ok(Some(188)));
        assert_eq!(parse_get_header("END"), Ok(None));
        assert!(parse_get_header("ERROR").is_err());
    }

    #[test]
    fn a_stored_value_is_returned_whole() {
        let reply = b"VALUE 4D23-n1 0 5\r\nab\r\nc\r\nEND\r\n";
        assert_eq!(parse_get(reply), Ok(Some(b"ab\r\nc".to_vec())));
    }

    #[test]
    fn a_missing_key_is_none() {
        assert_eq!(parse_get(b"END\r\n"), Ok(None));
    }

    #[test]
    fn truncated_or_foreign_replies_are_errors() {
        assert!(parse_get(b"VALUE k 0 20\r\nshort\r\nEND\r\n").is_err());
        assert!(parse_get(b"ERROR\r\n").is_err());
        assert!(parse_get(b"").is_err());
    }

    #[test]
    fn values_reach_bash_as_arguments_never_as_script() {
        let hostile = "$(touch /tmp/pwned)";
        let argv = exchange_argv("get %s\r\n", &[hostile]);
        assert_eq!(argv, ["bash", "-c", SCRIPT, "get %s\r\n", hostile]);
        assert!(!SCRIPT.contains(hostile));
        // Run the same pattern locally, writing to stdout instead of memcached: bash prints
        // the value and runs nothing in it.
        let local = SCRIPT.replace("exec 3<>/dev/tcp/127.0.0.1/11211 && ", "exec 3>&1 && ").replace(" && timeout 5 cat <&3", "");
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("pwned");
        let hostile = format!("$(touch {})`touch {}`", marker.display(), marker.display());
        let out = std::process::Command::new("bash").args(["-c", &local, "get %s\r\n", &hostile]).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), format!("get {hostile}\r\nquit\r\n"));
        assert!(!marker.exists(), "the value was executed");
    }

    #[test]
    fn redis_strlen_gives_the_size_and_zero_is_nothing() {
        assert_eq!(parse_strlen("188"), Ok(Some(188)));
        assert_eq!(parse_strlen("0"), Ok(None));
        assert_eq!(parse_strlen("ERR wrong type"), Err(StoreError::RedisReply("ERR wrong type".into())));
    }

    #[test]
    fn redis_info_gives_the_version() {
        assert_eq!(parse_redis_version("# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:0\r\n"), Some("7.0.15"));
        assert_eq!(parse_redis_version("ERR"), None);
    }

    #[test]
    fn keys_that_could_inject_commands_are_refused() {
        assert!(check_key("ABCDEF0123-n1").is_ok());
        for bad in ["", "a b", "a\r\nflush_all", &"k".repeat(251)] {
            assert_eq!(check_key(bad), Err(StoreError::BadKey(bad.to_string())));
        }
    }
}
