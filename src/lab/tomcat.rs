//! A Tomcat asked over HTTP from inside its container, as `store` asks the store: bash's
//! `/dev/tcp` to the connector needs no published port, so a remote engine works the same.
//! Readiness asks for the probe page's status line; the store drill's repair asks each Tomcat
//! for a new session.

use crate::engine::{Engine, EngineError};

/// How much of the reply a request reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// The first bytes only (`HTTP/1.1 200` is 12): no wait for the body.
    Head(usize),
    /// The whole reply, headers included, until Tomcat closes the connection.
    Whole,
}

/// The fixed script of a request: the path arrives as `$0` and the command that reads the
/// reply as `$@`, never spliced into the script.
const SCRIPT: &str = r#"exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$0" >&3 && timeout 5 "$@" <&3"#;

/// The argv of a request for `path`.
fn argv(path: &str, read: Read) -> Vec<String> {
    let reader = match read {
        Read::Head(n) => vec!["head".to_string(), "-c".to_string(), n.to_string()],
        Read::Whole => vec!["cat".to_string()],
    };
    ["bash", "-c", SCRIPT, path].into_iter().map(String::from).chain(reader).collect()
}

/// Sends `GET path` (HTTP/1.0) to the Tomcat in `container` from inside it; what it read of
/// the reply, as text. A Tomcat that does not answer gives an empty reply, not an error: only
/// an engine that fails the exec is one.
pub async fn get(engine: &Engine, container: &str, path: &str, read: Read) -> Result<String, EngineError> {
    let argv = argv(path, read);
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let out = engine.exec(container, &argv).await?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The session id a reply's `Set-Cookie: JSESSIONID=…` header hands out, if any.
pub fn session_cookie(reply: &str) -> Option<&str> {
    reply.lines().find_map(|l| l.strip_prefix("Set-Cookie: JSESSIONID=")).and_then(|v| v.split(';').next())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_and_the_reader_are_arguments_of_a_fixed_script() {
        assert_eq!(argv("/a?probe=1", Read::Head(12)), ["bash", "-c", SCRIPT, "/a?probe=1", "head", "-c", "12"]);
        assert_eq!(argv("/$(reboot)", Read::Whole), ["bash", "-c", SCRIPT, "/$(reboot)", "cat"]);
        // The same script against stdout instead of Tomcat: the request bytes, the path as given.
        let local = SCRIPT.replace("exec 3<>/dev/tcp/127.0.0.1/8080 && ", "exec 3>&1 && ").replace(r#" && timeout 5 "$@" <&3"#, "");
        let out = std::process::Command::new("bash").args(["-c", &local, "/x/$(id)?p=1%s"]).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "GET /x/$(id)?p=1%s HTTP/1.0\r\nHost: localhost\r\n\r\n");
    }

    #[test]
    fn a_reply_gives_its_session_cookie() {
        let reply = "HTTP/1.1 200 \r\nSet-Cookie: JSESSIONID=4D23-n1.tomcat1; Path=/ShareSession; HttpOnly\r\nContent-Type: text/html\r\n\r\nbody";
        assert_eq!(session_cookie(reply), Some("4D23-n1.tomcat1"));
        assert_eq!(session_cookie("HTTP/1.1 200 \r\n\r\n"), None);
        assert_eq!(session_cookie(""), None);
    }
}
