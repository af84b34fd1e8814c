//! `--webapp maven:GROUP:ARTIFACT:VERSION@sha256:HEX`: a WAR from a Maven repository, pinned
//! by its SHA-256. Parsed here without I/O; `jars::war` downloads it through the same checked
//! cache as the jars.
//!
//! One string, so it works as the `webapp` key of `msmlab.toml` as well as a flag. The pin is
//! parsed as optional so that a form without one can still be refused with the file's actual
//! SHA-256 in the message (the download is the only way to learn it).

use std::fmt;
use std::str::FromStr;

/// What starts the Maven form; anything else is a path.
pub const PREFIX: &str = "maven:";
const PIN: &str = "@sha256:";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid --webapp {given:?}: {why}; the Maven form is maven:GROUP:ARTIFACT:VERSION@sha256:HEX \
     (a war, e.g. maven:org.apache.wicket:wicket-examples:9.0.0@sha256:f877…), or give a path"
)]
pub struct MavenWarError {
    pub given: String,
    pub why: String,
}

/// A war artifact of a Maven repository, and the SHA-256 it must have.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MavenWar {
    pub group: String,
    pub artifact: String,
    pub version: String,
    /// Lowercase hex; `None` when the user left it out (refused once the file's hash is known).
    pub sha256: Option<String>,
}

impl MavenWar {
    /// Maven's `group:artifact:extension:version`, as `jars.lock` writes coordinates.
    pub fn coords(&self) -> String {
        format!("{}:{}:war:{}", self.group, self.artifact, self.version)
    }

    /// The same WAR pinned to `sha256`: what the user should have typed.
    pub fn pinned(&self, sha256: &str) -> MavenWar {
        MavenWar { sha256: Some(sha256.to_string()), ..self.clone() }
    }
}

impl FromStr for MavenWar {
    type Err = MavenWarError;
    fn from_str(s: &str) -> Result<MavenWar, MavenWarError> {
        let bad = |why: &str| MavenWarError { given: s.into(), why: why.into() };
        let rest = s.strip_prefix(PREFIX).ok_or_else(|| bad("it does not start with maven:"))?;
        let (coords, sha256) = match rest.split_once(PIN) {
            Some((coords, hex)) => (coords, Some(parse_sha256(hex).map_err(|why| bad(&why))?)),
            None if rest.contains('@') => return Err(bad("the pin after '@' must be sha256:HEX")),
            None => (rest, None),
        };
        let parts: Vec<&str> = coords.split(':').collect();
        let [group, artifact, version] = parts.as_slice() else {
            return Err(bad("it needs exactly GROUP:ARTIFACT:VERSION after maven:"));
        };
        // The same characters Maven coordinates have in jars.lock: they become a URL path and
        // a cache path, so nothing that could climb out of either.
        let safe = |p: &str| !p.is_empty() && p != "." && p != ".." && p.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        if let Some(part) = [group, artifact, version].into_iter().find(|p| !safe(p)) {
            return Err(bad(&format!("{part:?} is not a Maven coordinate (letters, digits, '.', '_' or '-')")));
        }
        Ok(MavenWar { group: group.to_string(), artifact: artifact.to_string(), version: version.to_string(), sha256 })
    }
}

fn parse_sha256(hex: &str) -> Result<String, String> {
    if hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(hex.to_ascii_lowercase())
    } else {
        Err(format!("{hex:?} is not a SHA-256 (64 hexadecimal digits)"))
    }
}

impl fmt::Display for MavenWar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX}{}:{}:{}", self.group, self.artifact, self.version)?;
        if let Some(hex) = &self.sha256 {
            write!(f, "{PIN}{hex}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "f877892fe9cce81038406f9b5ce031102d5905539e74aaff89e1484fd1b0c5ab";

    #[test]
    fn the_maven_form_parses_and_prints_back() {
        let text = format!("maven:org.apache.wicket:wicket-examples:9.0.0@sha256:{}", HEX.to_uppercase());
        let war: MavenWar = text.parse().unwrap();
        assert_eq!((war.group.as_str(), war.artifact.as_str(), war.version.as_str()), ("org.apache.wicket", "wicket-examples", "9.0.0"));
        assert_eq!(war.sha256.as_deref(), Some(HEX), "the pin is kept in lowercase");
        assert_eq!(war.coords(), "org.apache.wicket:wicket-examples:war:9.0.0");
        assert_eq!(war.to_string(), format!("maven:org.apache.wicket:wicket-examples:9.0.0@sha256:{HEX}"));
    }

    #[test]
    fn the_pin_may_be_missing_until_the_download_says_what_it_is() {
        let war: MavenWar = "maven:g:a:1.0".parse().unwrap();
        assert_eq!(war.sha256, None);
        assert_eq!(war.pinned(HEX).to_string(), format!("maven:g:a:1.0@sha256:{HEX}"));
    }

    #[test]
    fn malformed_maven_forms_are_refused_saying_why() {
        for (bad, why) in [
            ("maven:g:a", "exactly GROUP:ARTIFACT:VERSION"),
            ("maven:g:a:war:1.0", "exactly GROUP:ARTIFACT:VERSION"),
            ("maven:g::1.0", "is not a Maven coordinate"),
            ("maven:g:../a:1.0", "is not a Maven coordinate"),
            ("maven:g:a:1.0@sha256:abc", "is not a SHA-256"),
            ("maven:g:a:1.0@md5:abc", "must be sha256:HEX"),
            ("g:a:1.0", "does not start with maven:"),
        ] {
            let err = bad.parse::<MavenWar>().unwrap_err();
            assert!(err.to_string().contains(why), "{bad}: {err}");
            assert!(err.to_string().contains("maven:GROUP:ARTIFACT:VERSION@sha256:HEX"), "{err}");
        }
    }
}
