//! The few decisions about trust that are not a checksum: which transports a download may
//! use, and where the lab is reachable from. `docs/trust.md` explains the whole model.

use std::net::IpAddr;
use crate::exit::{Classified, ExitStatus};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TrustError {
    #[error(
        "--maven-repo {0} is plain http: anyone on the way can read and hold up the downloads \
         (jars.lock still checks every byte); give an https:// repository, or accept plain http with --allow-http"
    )]
    PlainHttp(String),
}

/// Plain `http://` repositories are refused unless the user opted in. Returns the warning to
/// show when they did.
pub fn check_repository(url: &str, allow_http: bool) -> Result<Option<String>, TrustError> {
    if !is_plain_http(url) {
        return Ok(None);
    }
    if !allow_http {
        return Err(TrustError::PlainHttp(url.to_string()));
    }
    Ok(Some(format!(
        "jars come over plain http from {url} (--allow-http); each is still checked against jars.lock before use"
    )))
}

pub fn is_plain_http(url: &str) -> bool {
    url.get(..7).is_some_and(|s| s.eq_ignore_ascii_case("http://"))
}

/// The warning for a lab published on anything but loopback: other machines can reach it,
/// and nothing in a lab asks who is calling.
pub fn listen_warning(lab: &str, listen: IpAddr, port: u16) -> Option<String> {
    if listen.is_loopback() {
        return None;
    }
    let reach = if listen.is_unspecified() { "every network this machine is on" } else { "the network of that address" };
    Some(format!(
        "lab {lab:?} publishes nginx on {}:{port} (--listen), reachable from {reach}; the lab has no authentication",
        match listen {
            IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        }
    ))
}

impl Classified for TrustError {
    fn exit_status(&self) -> ExitStatus {
        ExitStatus::BadInput
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_needs_the_opt_in_and_then_warns() {
        assert_eq!(check_repository("https://repo1.maven.org/maven2", false), Ok(None));
        let err = check_repository("http://mirror.local/maven2", false).unwrap_err();
        assert_eq!(err, TrustError::PlainHttp("http://mirror.local/maven2".into()));
        assert!(err.to_string().contains("--allow-http"), "{err}");
        assert!(check_repository("HTTP://mirror.local/maven2", false).is_err(), "the scheme is case-insensitive");
        let warning = check_repository("http://mirror.local/maven2", true).unwrap().unwrap();
        assert!(warning.contains("still checked against jars.lock"), "{warning}");
    }

    #[test]
    fn only_a_non_loopback_listen_address_warns() {
        assert_eq!(listen_warning("x", "127.0.0.1".parse().unwrap(), 1), None);
        assert_eq!(listen_warning("x", "::1".parse().unwrap(), 1), None);
        let w = listen_warning("x", "0.0.0.0".parse().unwrap(), 13355).unwrap();
        assert!(w.contains("0.0.0.0:13355") && w.contains("every network"), "{w}");
        assert!(listen_warning("x", "192.0.2.1".parse().unwrap(), 1).unwrap().contains("192.0.2.1:1"));
    }
}
