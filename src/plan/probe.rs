//! msmlab's session probe in a lab of official Tomcat images. msmlab's own image compiles it
//! at build time; an image msmlab only pulls gets it compiled once per Servlet API flavour
//! (`javax`, `jakarta`), cached by content, and uploaded as a jar into `lib/` with the other
//! files. This says what to compile, with which compiler, and under which key; no I/O
//! (`lab::probe` runs it).

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::plan::images::servlet_package;
use crate::templates::{self, RenderError};

/// The probe's jar in an official Tomcat's `lib/`.
pub const PROBE_JAR: &str = "msmlab-probe.jar";
/// `-source`/`-target`: every Tomcat line msm supports runs Java 8 or later.
pub const PROBE_JAVA: u8 = 8;
/// Where the compiler finds the sources and writes the classes, in its container.
pub const SOURCE_DIR: &str = "/tmp/build/src";
pub const CLASSES_DIR: &str = "/tmp/classes";

/// Which compiler, in which image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compiler {
    /// The Eclipse compiler Tomcat ships for JSPs (`lib/ecj-*.jar`), run by the official
    /// image's own Java against its own `servlet-api.jar`: nothing more to pull or build.
    Ecj,
    /// The javac module of msmlab's own Tomcat image of the line: Tomcat 8.5 ships ecj 4.6.3,
    /// which predates Java 9 and finds no JDK classes on the Java 11+ its images run.
    MsmlabJavac,
}

/// One compilation of the probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeBuild {
    /// The Servlet API's package root the sources were rendered with.
    pub servlet: &'static str,
    /// `(file name, rendered source)`, every `templates/probe/*.java`.
    pub sources: Vec<(String, String)>,
    pub compiler: Compiler,
    /// What the jar is made of (flavour, Java target, sources): its cache key, hex.
    pub key: String,
}

#[derive(Serialize)]
struct ProbeVars {
    servlet: &'static str,
}

impl ProbeBuild {
    /// The probe for an official image of Tomcat `tomcat_major` running Java `java`.
    pub fn new(tomcat_major: u8, java: u8) -> Result<ProbeBuild, RenderError> {
        let servlet = servlet_package(&tomcat_major.to_string());
        let sources = templates::probe_sources()
            .map(|t| Ok((t.trim_start_matches("probe/").to_string(), templates::render(t, ProbeVars { servlet })?)))
            .collect::<Result<Vec<_>, RenderError>>()?;
        let mut h = Sha256::new();
        h.update(servlet.as_bytes());
        h.update([0, PROBE_JAVA]);
        for (name, text) in &sources {
            h.update([0]);
            h.update(name.as_bytes());
            h.update([0]);
            h.update(text.as_bytes());
        }
        let compiler = if tomcat_major == 8 && java >= 9 { Compiler::MsmlabJavac } else { Compiler::Ecj };
        Ok(ProbeBuild { servlet, sources, compiler, key: hex::encode(h.finalize()) })
    }

    /// The jar's file name in the cache's `built/`.
    pub fn cache_name(&self) -> String {
        format!("probe-{}-{}.jar", self.servlet, &self.key[..16])
    }

    /// The compiler's command line, fixed text: the sources are whatever `SOURCE_DIR` holds,
    /// compiled against the Servlet API of the Tomcat at `home` alone. (javac: -source/-target,
    /// not --release, which reads the ct.sym Debian's JRE lacks.)
    pub fn command(&self, home: &str) -> Vec<String> {
        let java = PROBE_JAVA;
        let common = format!("-nowarn -encoding UTF-8 -cp {home}/lib/servlet-api.jar -d {CLASSES_DIR} {SOURCE_DIR}/*.java");
        let script = match self.compiler {
            Compiler::Ecj => format!(
                "set -- {home}/lib/ecj-*.jar; [ -f \"$1\" ] || {{ echo 'this Tomcat image has no lib/ecj-*.jar to compile with' >&2; exit 1; }}; \
                 exec java -cp \"$1\" org.eclipse.jdt.internal.compiler.batch.Main -source 1.{java} -target 1.{java} {common}"
            ),
            Compiler::MsmlabJavac => {
                format!("exec java -m jdk.compiler/com.sun.tools.javac.Main -source {java} -target {java} -Xlint:-options {common}")
            }
        };
        vec!["sh".into(), "-c".into(), script]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_flavour_is_rendered_from_every_probe_source_and_keyed_by_it() {
        let javax = ProbeBuild::new(9, 17).unwrap();
        let jakarta = ProbeBuild::new(10, 17).unwrap();
        assert_eq!((javax.servlet, jakarta.servlet), ("javax", "jakarta"));
        assert_eq!(javax.sources.len(), templates::probe_sources().count());
        assert!(javax.sources.iter().all(|(name, text)| name.ends_with(".java") && !name.contains('/') && !text.contains("{{")));
        assert!(javax.sources.iter().any(|(_, text)| text.contains("import javax.servlet.")));
        assert!(jakarta.sources.iter().any(|(_, text)| text.contains("import jakarta.servlet.")));
        // One jar per flavour, whatever the line or Java: 7, 8.5 and 9 share the javax one.
        assert_eq!(ProbeBuild::new(7, 8).unwrap().key, javax.key);
        assert_eq!(ProbeBuild::new(8, 21).unwrap().key, javax.key);
        assert_eq!(ProbeBuild::new(11, 21).unwrap().key, jakarta.key);
        assert_ne!(javax.key, jakarta.key);
        assert!(javax.cache_name().starts_with("probe-javax-") && javax.cache_name().ends_with(".jar"));
    }

    #[test]
    fn the_official_images_ecj_compiles_but_on_tomcat_8_5_with_java_9_or_later() {
        for (line, java) in [(7, 8), (9, 11), (9, 21), (10, 17), (11, 21)] {
            let build = ProbeBuild::new(line, java).unwrap();
            assert_eq!(build.compiler, Compiler::Ecj, "Tomcat {line} on Java {java}");
            let script = &build.command("/usr/local/tomcat")[2];
            assert!(script.contains("lib/ecj-*.jar") && script.contains("-source 1.8 -target 1.8"), "{script}");
            assert!(script.contains("-cp /usr/local/tomcat/lib/servlet-api.jar -d /tmp/classes /tmp/build/src/*.java"), "{script}");
        }
        let old = ProbeBuild::new(8, 17).unwrap();
        assert_eq!(old.compiler, Compiler::MsmlabJavac);
        assert!(old.command("/usr/local/tomcat")[2].starts_with("exec java -m jdk.compiler/com.sun.tools.javac.Main -source 8 -target 8"), "{:?}", old.command("/usr/local/tomcat"));
    }
}
