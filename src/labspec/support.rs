//! What msmlab can build, and for everything it cannot, the reason in one line.
//!
//! The lock decides which jars exist; this table decides which combinations run. The
//! README's support table is checked against it by a test.

use crate::exit::{Classified, ExitStatus};
use crate::labspec::{ImageSource, Jre, LabSpec, Serializer, SessionManager, TomcatLine};

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum Unsupported {
    #[error(
        "Tomcat 6 cannot be built: Maven Central publishes no Apache Tomcat 6 distribution (the \
         org.apache.tomcat:tomcat artifacts start at 7.0.35), and Tomcat 6 predates the Java 11+ \
         runtimes msmlab offers; msm's tc6 jar exists, for servers you already run. Choose --tomcat 7, 8 or 9"
    )]
    Tomcat6,
    #[error(
        "Tomcat 8.0 is not offered: it reached end of life in 2018, and its last release (8.0.52) \
         predates Java 9 (its catalina.sh does not open java.util, which kryo needs on Java 17). \
         --tomcat 8 is 8.5, which msm's tc8 jar covers as well"
    )]
    Tomcat80,
    #[error("Tomcat {0} is older than anything memcached-session-manager supports (Tomcat 6 to 9); choose --tomcat 7, 8, 9, 10.1 or 11")]
    TooOld(u8),
    #[error(
        "Tomcat 10.0 is not offered: it reached end of life in 2022, and Maven Central's 10.x \
         distributions that msmlab pins are 10.1; --tomcat 10 is 10.1, which msm's converted jars run on"
    )]
    Tomcat100,
    #[error(
        "Tomcat 11 needs Java 17 or later (its jars are built for Java 17: \
         UnsupportedClassVersionError on Java 11); choose --jre 17 or --jre 21"
    )]
    Tomcat11Jre11,
    #[error(
        "--images official --sticky on Tomcat {0}: from Tomcat 10.1 on, the jvmRoute a sticky lab gives each Tomcat \
         is read from server.xml only, which msmlab sets in its own images but cannot in an image it only pulls; \
         leave out --images official or --sticky"
    )]
    StickyOfficialJakarta(String),
    #[error(
        "--serializer javolution: msm stopped publishing msm-javolution-serializer after 2.1.1, \
         and the javolution 5.4.3.1 it was built with was never on Maven Central (5.4.3 is, and \
         brings BigDecimal, Locale and URI values back wrong); choose java, kryo or xstream"
    )]
    Javolution,
    #[error(
        "--serializer flexjson: msm never published msm-flexjson-serializer for msm 2.x (the last is \
         1.8.3), and 1.8.3 fails with msm 2.3.2 at the first session backup (AbstractMethodError: \
         JSONTranscoder does not implement serializeAttributes(MemcachedBackupSession, ConcurrentMap)); \
         choose java, kryo or xstream"
    )]
    Flexjson,
}

/// What a serializer that runs still cannot do, said whenever it is chosen.
pub fn caveat(serializer: Serializer) -> Option<&'static str> {
    match serializer {
        Serializer::Xstream => Some(
            "--serializer xstream carries JDK types only: xstream 1.4.18+ reads back only the types on its allow-list, \
             which msm's xstream module never extends, so a session holding any class of your application's is lost \
             on the next Tomcat (ForbiddenClassException); name your classes with --xstream-allow 'com.example.**', \
             and `msmlab compat` shows what is lost on your webapp (docs/compat.md)",
        ),
        _ => None,
    }
}

/// `--serializers`: `all` (every serializer msm runs with this Tomcat) or a comma-separated
/// list, in the order given; `None` for a list that names nothing or something unknown. A
/// serializer msm cannot run is kept, for `check_combination` to refuse with its reason.
pub fn serializer_list(list: &str, tomcat: &TomcatLine) -> Option<Vec<Serializer>> {
    use clap::ValueEnum;
    if list.trim() == "all" {
        return Some(Serializer::ALL.into_iter().filter(|s| check_combination(tomcat, *s).is_ok()).collect());
    }
    let mut chosen = Vec::new();
    for name in list.split(',').map(str::trim) {
        let s = Serializer::from_str(name, true).ok()?;
        if !chosen.contains(&s) {
            chosen.push(s);
        }
    }
    (!chosen.is_empty()).then_some(chosen)
}

/// Refuses what cannot run, whatever the lock holds.
pub fn check(spec: &LabSpec) -> Result<(), Unsupported> {
    check_combination(&spec.msm.tomcat, spec.msm.serializer)?;
    check_jre(&spec.msm.tomcat, spec.shape.jre)?;
    if spec.msm.images == ImageSource::Official && spec.msm.session_manager == SessionManager::Msm && spec.shape.sticky && spec.msm.tomcat.jakarta() {
        return Err(Unsupported::StickyOfficialJakarta(spec.msm.tomcat.to_string()));
    }
    Ok(())
}

/// Every line msmlab pins starts on every JRE it offers (11, 17, 21; the matrix test brings
/// each up), except Tomcat 11, built for Java 17.
pub fn check_jre(tomcat: &TomcatLine, jre: Jre) -> Result<(), Unsupported> {
    if tomcat.major() >= 11 && jre == Jre::Jre11 {
        return Err(Unsupported::Tomcat11Jre11);
    }
    Ok(())
}

pub fn check_combination(tomcat: &TomcatLine, serializer: Serializer) -> Result<(), Unsupported> {
    match tomcat.major() {
        6 => return Err(Unsupported::Tomcat6),
        m if m < 6 => return Err(Unsupported::TooOld(m)),
        8 if tomcat.minor() == Some(0) => return Err(Unsupported::Tomcat80),
        10 if tomcat.minor() == Some(0) => return Err(Unsupported::Tomcat100),
        _ => {}
    }
    match serializer {
        Serializer::Javolution => return Err(Unsupported::Javolution),
        Serializer::Flexjson => return Err(Unsupported::Flexjson),
        _ => {}
    }
    Ok(())
}

impl Classified for Unsupported {
    fn exit_status(&self) -> ExitStatus {
        ExitStatus::BadInput
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(s: &str) -> TomcatLine {
        s.parse().unwrap()
    }

    /// The README's support table says what this module and the lock say.
    #[test]
    fn the_readme_support_table_matches_the_code() {
        let readme = include_str!("../../README.md");
        let lock = crate::jars::lock::Lock::bundled();
        let serializers: Vec<String> = Serializer::ALL
            .iter()
            .filter(|s| check_combination(&line("9"), **s).is_ok())
            // A serializer with a caveat carries the footnote mark that explains it.
            .map(|s| if caveat(*s).is_some() { format!("{}¹", s.lock_key()) } else { s.lock_key().to_string() })
            .collect();
        let jres: Vec<String> = crate::labspec::Jre::ALL.iter().map(|j| j.to_string()).collect();
        for major in lock.tomcat_lines() {
            let release = &lock.tomcat[&major].distribution.version;
            let row = readme
                .lines()
                .find(|l| l.starts_with(&format!("| {major} ")))
                .unwrap_or_else(|| panic!("README has no support row for Tomcat {major}"));
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            assert_eq!(cells[2], release, "{row}");
            let policy = crate::jars::policy::TOMCAT_LINES.iter().find(|l| l.major == major).unwrap();
            let jar = match (policy.jakarta, major) {
                (false, _) => format!("`{}`", policy.msm_jar),
                (true, 11..) => format!("`{}`, converted², msmlab's Manager³", policy.msm_jar),
                (true, _) => format!("`{}`, converted²", policy.msm_jar),
            };
            assert_eq!(cells[3], jar, "{row}");
            assert_eq!(cells[4], serializers.join(", "), "{row}");
            let tomcat = line(&major.to_string());
            let jres: Vec<&String> = jres.iter().zip(crate::labspec::Jre::ALL).filter(|(_, j)| check_jre(&tomcat, *j).is_ok()).map(|(s, _)| s).collect();
            assert_eq!(cells[6], jres.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "), "{row}");
            assert!(check_combination(&line(&major.to_string()), Serializer::Java).is_ok());
        }
        for refused in ["| 6 | refused", "| 10.0 | refused", "| 12 and later | refused"] {
            assert!(readme.contains(refused), "README should say {refused:?}");
        }
    }

    #[test]
    fn tomcat_6_is_refused_with_the_reason() {
        let err = check_combination(&line("6"), Serializer::Java).unwrap_err();
        assert_eq!(err, Unsupported::Tomcat6);
        assert!(err.to_string().contains("no Apache Tomcat 6 distribution"), "{err}");
        assert_eq!(check_combination(&line("5.5"), Serializer::Java), Err(Unsupported::TooOld(5)));
        assert_eq!(check_combination(&line("8.0.52"), Serializer::Java), Err(Unsupported::Tomcat80));
        assert!(check_combination(&line("8.5"), Serializer::Java).is_ok());
    }

    #[test]
    fn flexjson_is_refused_with_the_reason() {
        let err = check_combination(&line("9"), Serializer::Flexjson).unwrap_err();
        assert!(err.to_string().contains("AbstractMethodError"), "{err}");
    }

    #[test]
    fn javolution_is_refused_with_the_reason() {
        let err = check_combination(&line("9"), Serializer::Javolution).unwrap_err();
        assert!(err.to_string().contains("after 2.1.1"), "{err}");
    }
}
