//! The `<Manager>` attributes the msm release in use really has, read from its jar: Tomcat
//! sets an attribute by calling the Manager's public `setX(value)`, so the setters of msm's
//! `MemcachedBackupSessionManager` (in the `memcached-session-manager-tcN` jar) are the list.
//! `--msm-option` and the unknown attributes of `--context-xml` are checked against it.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::exit::{Classified, ExitStatus};
use crate::jars::classfile::ClassFile;
use crate::jars::maven::Fetched;

/// msm's Manager, as a path in its jar.
pub const MANAGER_CLASS: &str = "de/javakaffee/web/msm/MemcachedBackupSessionManager.class";

/// The value type a setter takes, as Tomcat converts the attribute's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    Text,
    Int,
    Long,
    Boolean,
}

impl ValueType {
    fn from_descriptor(d: &str) -> Option<ValueType> {
        match d {
            "(Ljava/lang/String;)V" => Some(ValueType::Text),
            "(I)V" => Some(ValueType::Int),
            "(J)V" => Some(ValueType::Long),
            "(Z)V" => Some(ValueType::Boolean),
            _ => None,
        }
    }

    /// Why `value` is not one of these (Tomcat would log a warning and skip it), if it is not.
    fn refuse(self, value: &str) -> Option<&'static str> {
        match self {
            ValueType::Text => None,
            ValueType::Int => value.parse::<i32>().is_err().then_some("it takes a whole number (a Java int)"),
            ValueType::Long => value.parse::<i64>().is_err().then_some("it takes a whole number (a Java long)"),
            ValueType::Boolean => (value != "true" && value != "false").then_some("it takes true or false"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AttributeError {
    #[error("msm's Manager has no attribute {key:?} (read from {jar}); it has: {known}")]
    Unknown { key: String, jar: String, known: String },
    #[error("{key}={value:?}: {why}")]
    Value { key: String, value: String, why: &'static str },
    #[error("reading {class} from {jar}: {reason}")]
    Read { jar: PathBuf, class: &'static str, reason: String },
    #[error("the jar set has no msm Manager jar (memcached-session-manager-tcN) to check msm options against")]
    NoManagerJar,
}

impl Classified for AttributeError {
    fn exit_status(&self) -> ExitStatus {
        match self {
            AttributeError::Unknown { .. } | AttributeError::Value { .. } => ExitStatus::BadInput,
            AttributeError::Read { .. } | AttributeError::NoManagerJar => ExitStatus::Failed,
        }
    }
}

/// The attributes of one msm release's Manager.
#[derive(Debug, Clone)]
pub struct ManagerAttributes {
    /// The jar they were read from, for messages.
    pub jar: String,
    pub setters: BTreeMap<String, ValueType>,
}

impl ManagerAttributes {
    /// Reads the Manager class from the `memcached-session-manager-tcN` jar at `path`.
    pub fn read(path: &Path) -> Result<ManagerAttributes, AttributeError> {
        let fail = |reason: String| AttributeError::Read { jar: path.to_path_buf(), class: MANAGER_CLASS, reason };
        let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
        let mut archive = zip::ZipArchive::new(file).map_err(|e| fail(e.to_string()))?;
        let mut bytes = Vec::new();
        archive.by_name(MANAGER_CLASS).map_err(|e| fail(e.to_string()))?.read_to_end(&mut bytes).map_err(|e| fail(e.to_string()))?;
        let class = ClassFile::parse(&bytes).map_err(|e| fail(e.to_string()))?;
        let jar = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        Ok(ManagerAttributes { jar, setters: setters(&class) })
    }

    /// Reads them from the Manager jar among a lab's fetched jars.
    pub fn of_jars(jars: &[Fetched]) -> Result<ManagerAttributes, AttributeError> {
        let jar = jars
            .iter()
            .find(|f| f.artifact.coords.artifact.starts_with("memcached-session-manager-tc"))
            .ok_or(AttributeError::NoManagerJar)?;
        ManagerAttributes::read(&jar.path)
    }

    /// `key=value` is an attribute this Manager has, with a value of its type.
    pub fn check(&self, key: &str, value: &str) -> Result<(), AttributeError> {
        let Some(ty) = self.setters.get(key) else {
            // The attributes a flag of its own sets are not offered here.
            let managed = |k: &str| crate::labspec::MANAGED_ATTRIBUTES.iter().any(|(m, _)| *m == k);
            let known = self.setters.keys().filter(|k| !managed(k)).cloned().collect::<Vec<_>>().join(", ");
            return Err(AttributeError::Unknown { key: key.into(), jar: self.jar.clone(), known });
        };
        match ty.refuse(value) {
            Some(why) => Err(AttributeError::Value { key: key.into(), value: value.into(), why }),
            None => Ok(()),
        }
    }
}

/// Checks every `KEY=VALUE` of `options` against the Manager jar among `jars` (reading it only
/// when there is something to check).
pub fn check_options(options: &BTreeMap<String, String>, jars: &[Fetched]) -> Result<(), AttributeError> {
    if options.is_empty() {
        return Ok(());
    }
    let attributes = ManagerAttributes::of_jars(jars)?;
    options.iter().try_for_each(|(k, v)| attributes.check(k, v))
}

/// Public, non-static `setX(one value)` methods, as attribute names (`x`).
fn setters(class: &ClassFile) -> BTreeMap<String, ValueType> {
    class
        .methods
        .iter()
        .filter(|m| m.is_public() && !m.is_static())
        .filter_map(|m| {
            let rest = m.name.strip_prefix("set").filter(|r| r.starts_with(|c: char| c.is_ascii_uppercase()))?;
            let ty = ValueType::from_descriptor(&m.descriptor)?;
            let mut name = rest[..1].to_ascii_lowercase();
            name.push_str(&rest[1..]);
            Some((name, ty))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jars::classfile::{Member, ACC_PUBLIC, ACC_STATIC};

    fn class(methods: &[(&str, &str, u16)]) -> ClassFile {
        ClassFile {
            name: "M".into(),
            super_name: None,
            interfaces: vec![],
            fields: vec![],
            methods: methods.iter().map(|(n, d, a)| Member { name: (*n).into(), descriptor: (*d).into(), access: *a, uses: vec![] }).collect(),
            references: vec![],
        }
    }

    #[test]
    fn public_one_value_setters_are_the_attributes() {
        let c = class(&[
            ("setLockExpiration", "(I)V", ACC_PUBLIC),
            ("setUsername", "(Ljava/lang/String;)V", ACC_PUBLIC),
            ("setEnabled", "(Z)V", ACC_PUBLIC),
            ("setOperationTimeout", "(J)V", ACC_PUBLIC),
            ("setLockingMode", "(Lde/javakaffee/web/msm/LockingStrategy$LockingMode;Ljava/util/regex/Pattern;Z)V", ACC_PUBLIC),
            ("setHidden", "(I)V", 0),
            ("setStatic", "(I)V", ACC_PUBLIC | ACC_STATIC),
            ("settle", "(I)V", ACC_PUBLIC),
        ]);
        let names: Vec<_> = setters(&c).into_keys().collect();
        assert_eq!(names, ["enabled", "lockExpiration", "operationTimeout", "username"]);
    }

    #[test]
    fn a_value_of_the_wrong_type_is_refused_as_tomcat_would_skip_it() {
        let attrs = ManagerAttributes { jar: "tc9.jar".into(), setters: setters(&class(&[("setLockExpiration", "(I)V", ACC_PUBLIC), ("setEnabled", "(Z)V", ACC_PUBLIC)])) };
        assert!(attrs.check("lockExpiration", "7").is_ok());
        assert!(matches!(attrs.check("lockExpiration", "7s"), Err(AttributeError::Value { .. })));
        assert!(matches!(attrs.check("enabled", "yes"), Err(AttributeError::Value { .. })));
        let unknown = attrs.check("lockExpiry", "7").unwrap_err().to_string();
        assert_eq!(unknown, r#"msm's Manager has no attribute "lockExpiry" (read from tc9.jar); it has: enabled, lockExpiration"#);
    }
}
