//! Reads the parts of a Maven POM that decide which jars an artifact needs at run time:
//! coordinates, parent, properties, dependencies and dependency management.
//!
//! Pure parsing and interpolation; fetching and the transitive walk live in `resolve`.

use std::collections::BTreeMap;
use crate::exit::{Classified, ExitStatus};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PomError {
    #[error("{origin} is not a readable POM: {message}")]
    Xml { origin: String, message: String },
    #[error("{origin}: <{what}> is missing")]
    Missing { origin: String, what: &'static str },
}

/// `groupId:artifactId`: what Maven keeps one version of.
pub type Key = (String, String);

/// One `<dependency>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub group: String,
    pub artifact: String,
    pub version: Option<String>,
    pub scope: Option<String>,
    pub kind: Option<String>,
    pub classifier: Option<String>,
    pub optional: bool,
    /// `groupId:artifactId` pairs; `*` matches anything.
    pub exclusions: Vec<Key>,
}

impl Dependency {
    pub fn key(&self) -> Key {
        (self.group.clone(), self.artifact.clone())
    }

    /// Needed at run time: compile or runtime scope, not optional, a plain jar.
    pub fn at_runtime(&self) -> bool {
        let scope = self.scope.as_deref().unwrap_or("compile");
        let kind = self.kind.as_deref().unwrap_or("jar");
        matches!(scope, "compile" | "runtime") && !self.optional && kind == "jar" && self.classifier.is_none()
    }
}

/// A POM as written, before its parent is merged in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pom {
    pub group: Option<String>,
    pub artifact: String,
    pub version: Option<String>,
    pub parent: Option<(String, String, String)>,
    pub properties: BTreeMap<String, String>,
    pub dependencies: Vec<Dependency>,
    pub managed: Vec<Dependency>,
}

fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children().find(|c| c.is_element() && c.tag_name().name() == name)
}

fn text(node: roxmltree::Node, name: &str) -> Option<String> {
    child(node, name).and_then(|c| c.text()).map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

fn dependencies(node: Option<roxmltree::Node>) -> Vec<Dependency> {
    let Some(node) = node else { return Vec::new() };
    node.children()
        .filter(|c| c.is_element() && c.tag_name().name() == "dependency")
        .filter_map(|d| {
            Some(Dependency {
                group: text(d, "groupId")?,
                artifact: text(d, "artifactId")?,
                version: text(d, "version"),
                scope: text(d, "scope"),
                kind: text(d, "type"),
                classifier: text(d, "classifier"),
                optional: text(d, "optional").as_deref() == Some("true"),
                exclusions: child(d, "exclusions")
                    .map(|ex| {
                        ex.children()
                            .filter(|e| e.is_element())
                            .filter_map(|e| Some((text(e, "groupId")?, text(e, "artifactId")?)))
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect()
}

impl Pom {
    /// `origin` (a URL) names the POM in errors.
    pub fn parse(xml: &str, origin: &str) -> Result<Pom, PomError> {
        let doc = roxmltree::Document::parse(xml).map_err(|e| PomError::Xml { origin: origin.into(), message: e.to_string() })?;
        let project = doc.root_element();
        if project.tag_name().name() != "project" {
            return Err(PomError::Xml { origin: origin.into(), message: format!("the root element is <{}>, not <project>", project.tag_name().name()) });
        }
        let parent = child(project, "parent").and_then(|p| Some((text(p, "groupId")?, text(p, "artifactId")?, text(p, "version")?)));
        let properties = child(project, "properties")
            .map(|p| {
                p.children()
                    .filter(|c| c.is_element())
                    .map(|c| (c.tag_name().name().to_string(), c.text().unwrap_or("").trim().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Pom {
            group: text(project, "groupId"),
            artifact: text(project, "artifactId").ok_or_else(|| PomError::Missing { origin: origin.into(), what: "artifactId" })?,
            version: text(project, "version"),
            parent,
            properties,
            dependencies: dependencies(child(project, "dependencies")),
            managed: dependencies(child(project, "dependencyManagement").and_then(|m| child(m, "dependencies"))),
        })
    }
}

/// A POM with its parents merged in and every `${…}` it can resolve replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectivePom {
    pub group: String,
    pub artifact: String,
    pub version: String,
    pub dependencies: Vec<Dependency>,
    /// Versions (and scopes) fixed by `<dependencyManagement>`, nearest POM first.
    pub managed: BTreeMap<Key, Dependency>,
}

impl EffectivePom {
    /// `chain` is the POM followed by its parent, grandparent and so on.
    pub fn merge(chain: &[Pom], origin: &str) -> Result<EffectivePom, PomError> {
        let pom = chain.first().ok_or(PomError::Missing { origin: origin.into(), what: "project" })?;
        let inherited = |f: fn(&Pom) -> Option<String>, from_parent: fn(&(String, String, String)) -> String| {
            chain.iter().find_map(|p| f(p).or_else(|| p.parent.as_ref().map(from_parent)))
        };
        let group = inherited(|p| p.group.clone(), |p| p.0.clone()).ok_or(PomError::Missing { origin: origin.into(), what: "groupId" })?;
        let version = inherited(|p| p.version.clone(), |p| p.2.clone()).ok_or(PomError::Missing { origin: origin.into(), what: "version" })?;

        // Properties: the child's win over its parents'.
        let mut props: BTreeMap<String, String> = BTreeMap::new();
        for p in chain.iter().rev() {
            props.extend(p.properties.clone());
        }
        for (k, v) in [("project.groupId", &group), ("project.version", &version), ("pom.version", &version), ("version", &version)] {
            props.insert(k.into(), v.clone());
        }
        props.insert("project.artifactId".into(), pom.artifact.clone());
        if let Some((g, _, v)) = &pom.parent {
            props.insert("project.parent.version".into(), v.clone());
            props.insert("project.parent.groupId".into(), g.clone());
        }
        let fix = |d: &Dependency| Dependency {
            group: interpolate(&d.group, &props),
            artifact: interpolate(&d.artifact, &props),
            version: d.version.as_deref().map(|v| interpolate(v, &props)),
            scope: d.scope.as_deref().map(|v| interpolate(v, &props)),
            ..d.clone()
        };
        // Dependencies declared in a parent are inherited (kryo declares its own in kryo-parent).
        let mut dependencies: Vec<Dependency> = Vec::new();
        for p in chain {
            for d in p.dependencies.iter().map(fix) {
                if !dependencies.iter().any(|k| k.key() == d.key()) {
                    dependencies.push(d);
                }
            }
        }
        let mut managed = BTreeMap::new();
        for p in chain {
            for d in &p.managed {
                let d = fix(d);
                managed.entry(d.key()).or_insert(d);
            }
        }
        // A dependency without version or scope takes them from dependency management
        // (xstream manages junit and jmock at test scope there).
        for d in &mut dependencies {
            if let Some(m) = managed.get(&d.key()) {
                d.version = d.version.take().or_else(|| m.version.clone());
                d.scope = d.scope.take().or_else(|| m.scope.clone());
            }
        }
        Ok(EffectivePom {
            group,
            version,
            artifact: pom.artifact.clone(),
            dependencies,
            managed,
        })
    }
}

/// Replaces `${name}` with its property, repeatedly (properties may refer to properties).
/// Unknown names are left as they are, so the caller can report them.
pub fn interpolate(s: &str, props: &BTreeMap<String, String>) -> String {
    let mut out = s.to_string();
    for _ in 0..8 {
        let Some(start) = out.find("${") else { break };
        let Some(len) = out[start..].find('}') else { break };
        let name = &out[start + 2..start + len];
        let Some(value) = props.get(name) else { break };
        out = format!("{}{}{}", &out[..start], value, &out[start + len + 1..]);
    }
    out
}

impl Classified for PomError {
    fn exit_status(&self) -> ExitStatus {
        ExitStatus::BadInput
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARENT: &str = r#"<project xmlns="http://maven.apache.org/POM/4.0.0">
      <groupId>org.example</groupId><artifactId>parent</artifactId><version>2.0</version>
      <properties><lib.version>1.5</lib.version><other>x</other></properties>
      <dependencyManagement><dependencies>
        <dependency><groupId>org.lib</groupId><artifactId>managed</artifactId><version>${lib.version}</version></dependency>
      </dependencies></dependencyManagement>
    </project>"#;

    const CHILD: &str = r#"<?xml version="1.0"?>
    <project xmlns="http://maven.apache.org/POM/4.0.0">
      <parent><groupId>org.example</groupId><artifactId>parent</artifactId><version>2.0</version></parent>
      <artifactId>child</artifactId>
      <properties><lib.version>1.6</lib.version></properties>
      <dependencies>
        <dependency><groupId>org.lib</groupId><artifactId>managed</artifactId></dependency>
        <dependency><groupId>${project.groupId}</groupId><artifactId>sibling</artifactId><version>${project.version}</version>
          <exclusions><exclusion><groupId>org.noise</groupId><artifactId>*</artifactId></exclusion></exclusions></dependency>
        <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4.12</version><scope>test</scope></dependency>
        <dependency><groupId>org.apache.tomcat</groupId><artifactId>catalina</artifactId><version>9</version><scope>provided</scope></dependency>
        <dependency><groupId>org.opt</groupId><artifactId>opt</artifactId><version>1</version><optional>true</optional></dependency>
      </dependencies>
    </project>"#;

    fn effective() -> EffectivePom {
        let chain = [Pom::parse(CHILD, "child.pom").unwrap(), Pom::parse(PARENT, "parent.pom").unwrap()];
        EffectivePom::merge(&chain, "child.pom").unwrap()
    }

    #[test]
    fn coordinates_are_inherited_from_the_parent() {
        let e = effective();
        assert_eq!((e.group.as_str(), e.artifact.as_str(), e.version.as_str()), ("org.example", "child", "2.0"));
    }

    #[test]
    fn properties_resolve_with_the_child_winning() {
        let e = effective();
        let sibling = &e.dependencies[1];
        assert_eq!((sibling.group.as_str(), sibling.version.as_deref()), ("org.example", Some("2.0")));
        assert_eq!(e.managed[&("org.lib".into(), "managed".into())].version.as_deref(), Some("1.6"));
        assert_eq!(sibling.exclusions, [("org.noise".to_string(), "*".to_string())]);
    }

    #[test]
    fn managed_scope_applies_where_the_dependency_gives_none() {
        let parent = PARENT.replace("<version>${lib.version}</version>", "<version>${lib.version}</version><scope>test</scope>");
        let chain = [Pom::parse(CHILD, "child.pom").unwrap(), Pom::parse(&parent, "parent.pom").unwrap()];
        let e = EffectivePom::merge(&chain, "child.pom").unwrap();
        assert_eq!(e.dependencies[0].scope.as_deref(), Some("test"));
        assert!(!e.dependencies[0].at_runtime());
    }

    #[test]
    fn only_runtime_dependencies_count() {
        let runtime: Vec<String> = effective().dependencies.iter().filter(|d| d.at_runtime()).map(|d| d.artifact.clone()).collect();
        assert_eq!(runtime, ["managed", "sibling"]);
    }

    #[test]
    fn garbage_is_an_error_naming_its_origin() {
        let err = Pom::parse("<html><body>Not Found</body></html>", "https://repo/x.pom").unwrap_err();
        assert!(err.to_string().starts_with("https://repo/x.pom is not a readable POM"), "{err}");
        assert!(Pom::parse("not xml", "o").is_err());
    }
}
