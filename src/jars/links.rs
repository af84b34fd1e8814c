//! Do the converted jars link against a Tomcat release? Every field and method the jars'
//! classes refer to is looked up through the class hierarchy (the owner the bytecode names,
//! then its superclasses and, for methods, its interfaces), in the jars and the Tomcat's own.
//! Give the pool the JDK's classes too (its jmods): a search that reaches a class outside
//! the pool takes it as having the member (an optional dependency, or a JDK left out).
//!
//! A missing member is fatal when the code that uses it runs. This says which: a method is
//! taken as unreachable when nothing but the method itself calls a method of its name and
//! descriptor (Tomcat 10.1 never calls `changeSessionId(Session)`), or when the lab's Manager
//! class overrides it without calling it (Tomcat 11's `incrementSessionCounter()`).

use std::collections::HashMap;
use std::io::Read;

use serde::Serialize;

use crate::jars::classfile::{ClassFile, ClassFileError, Reference};

/// `java.lang.Object`'s methods, where every method search ends (it has no fields).
const OBJECT_METHODS: &[&str] = &["<init>", "getClass", "hashCode", "equals", "clone", "toString", "notify", "notifyAll", "wait", "finalize"];

/// Classes by internal name, each with whether it is one of the jars checked (not Tomcat's).
#[derive(Default)]
pub struct ClassPool {
    classes: HashMap<String, (ClassFile, bool)>,
}

/// A member some checked class uses that the hierarchy does not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    /// `owner.name:descriptor` as the bytecode names it.
    pub member: String,
    /// Where the hierarchy search ended without it.
    pub searched: Vec<String>,
    /// `class.method(descriptor)` whose code uses it.
    pub used_by: String,
    pub reachable: bool,
    pub why: String,
}

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkReport {
    /// References of the checked classes, resolved or not.
    pub references: usize,
    pub missing: Vec<Missing>,
}

impl LinkReport {
    pub fn fatal(&self) -> Vec<&Missing> {
        self.missing.iter().filter(|m| m.reachable).collect()
    }
}

impl ClassPool {
    /// Adds every class of a jar; `checked`: the jar is one whose references are checked.
    pub fn add_jar(&mut self, bytes: &[u8], checked: bool) -> Result<(), ClassFileError> {
        let fail = ClassFileError::new;
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| fail(e.to_string()))?;
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).map_err(|e| fail(e.to_string()))?;
            // Multi-release variants and module descriptors are not what the JVM links first.
            if !entry.name().ends_with(".class") || entry.name().starts_with("META-INF/") || entry.name().ends_with("module-info.class") {
                continue;
            }
            let mut data = Vec::new();
            entry.read_to_end(&mut data).map_err(|e| fail(e.to_string()))?;
            let class = ClassFile::parse(&data)?;
            self.classes.entry(class.name.clone()).or_insert((class, checked));
        }
        Ok(())
    }

    /// Looks a reference up from its owner; `Ok(())` when found or when the search reaches a
    /// class outside the pool (the JDK's), else the classes searched.
    fn resolve(&self, r: &Reference) -> Result<(), Vec<String>> {
        let mut searched = Vec::new();
        let mut pending = vec![r.owner.clone()];
        while let Some(name) = pending.pop() {
            if name.starts_with('[') {
                return Ok(()); // arrays: clone() and length
            }
            let Some((class, _)) = self.classes.get(&name) else {
                // Every hierarchy ends at Object, which the search knows; any other class
                // outside the pool is the JDK's, taken as having what is asked of it.
                if name != "java/lang/Object" || (!r.field && OBJECT_METHODS.contains(&r.name.as_str())) {
                    return Ok(());
                }
                continue;
            };
            let members = if r.field { &class.fields } else { &class.methods };
            if members.iter().any(|m| m.name == r.name && m.descriptor == r.descriptor) {
                return Ok(());
            }
            searched.push(name);
            pending.extend(class.super_name.iter().cloned());
            pending.extend(class.interfaces.iter().cloned());
        }
        Err(searched)
    }

    /// Checks every reference of the checked classes. `manager` is the Manager class the
    /// lab's `context.xml` names (`a/b/C`), whose overrides make the methods they replace
    /// unreachable.
    pub fn check(&self, manager: &str) -> LinkReport {
        let mut references = 0;
        let mut missing = Vec::new();
        let mut names: Vec<&String> = self.classes.iter().filter(|(_, (_, checked))| *checked).map(|(n, _)| n).collect();
        names.sort();
        for name in names {
            let (class, _) = &self.classes[name];
            references += class.references.len();
            for (i, r) in class.references.iter().enumerate() {
                let Err(searched) = self.resolve(r) else { continue };
                for method in class.methods.iter().filter(|m| m.uses.contains(&i)) {
                    let (reachable, why) = self.reachability(name, &method.name, &method.descriptor, manager);
                    missing.push(Missing {
                        member: format!("{}.{}:{}", r.owner, r.name, r.descriptor),
                        searched: searched.clone(),
                        used_by: format!("{name}.{}{}", method.name, method.descriptor),
                        reachable,
                        why,
                    });
                }
            }
        }
        LinkReport { references, missing }
    }

    /// Whether `class.method` can run, as far as calls by name say.
    fn reachability(&self, class: &str, method: &str, descriptor: &str, manager: &str) -> (bool, String) {
        if manager != class && self.extends(manager, class) {
            if let Some((m, _)) = self.classes.get(manager) {
                if let Some(own) = m.methods.iter().find(|x| x.name == method && x.descriptor == descriptor) {
                    let calls_super = own.uses.iter().any(|&u| m.references[u].name == method && m.references[u].descriptor == descriptor);
                    if !calls_super {
                        return (false, format!("{manager} overrides {method} without calling it"));
                    }
                }
            }
        }
        let callers: Vec<String> = self
            .classes
            .iter()
            .flat_map(|(n, (c, _))| {
                c.methods
                    .iter()
                    .filter(move |m| !(n == class && m.name == method && m.descriptor == descriptor))
                    .filter(move |m| m.uses.iter().any(|&u| c.references[u].name == method && c.references[u].descriptor == descriptor && !c.references[u].field))
                    .map(move |m| format!("{n}.{}", m.name))
            })
            .collect();
        match callers.first() {
            None => (false, format!("nothing calls {method}{descriptor} (neither Tomcat nor the jars)")),
            Some(first) => (true, format!("called by {first}{}", if callers.len() > 1 { format!(" and {} more", callers.len() - 1) } else { String::new() })),
        }
    }

    /// Whether `sub` is `sup` or extends it, within the pool.
    fn extends(&self, sub: &str, sup: &str) -> bool {
        let mut at = Some(sub.to_string());
        while let Some(name) = at {
            if name == sup {
                return true;
            }
            at = self.classes.get(&name).and_then(|(c, _)| c.super_name.clone());
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jars::classfile::Member;

    fn class(name: &str, sup: Option<&str>, fields: &[&str], methods: Vec<Member>, references: Vec<Reference>) -> ClassFile {
        ClassFile {
            name: name.into(),
            super_name: sup.map(String::from),
            interfaces: vec![],
            fields: fields.iter().map(|f| Member { name: (*f).into(), descriptor: "J".into(), access: 1, uses: vec![] }).collect(),
            methods,
            references,
        }
    }
    fn method(name: &str, uses: Vec<usize>) -> Member {
        Member { name: name.into(), descriptor: "()V".into(), access: 1, uses }
    }
    fn field_ref(owner: &str, name: &str) -> Reference {
        Reference { field: true, owner: owner.into(), name: name.into(), descriptor: "J".into() }
    }
    fn call(owner: &str, name: &str) -> Reference {
        Reference { field: false, owner: owner.into(), name: name.into(), descriptor: "()V".into() }
    }

    /// Tomcat 11 in miniature: `Base` lost its counter field; msm's `Msm` still adds to it
    /// in `inc`, which the service calls.
    fn pool(with_subclass: bool) -> ClassPool {
        let mut p = ClassPool::default();
        let add = |p: &mut ClassPool, c: ClassFile, checked: bool| {
            p.classes.insert(c.name.clone(), (c, checked));
        };
        add(&mut p, class("Base", Some("java/lang/Object"), &[], vec![], vec![]), false);
        add(&mut p, class("Msm", Some("Base"), &[], vec![method("inc", vec![0])], vec![field_ref("Msm", "counter")]), true);
        add(&mut p, class("Service", Some("java/lang/Object"), &[], vec![method("create", vec![0])], vec![call("Msm", "inc")]), true);
        if with_subclass {
            add(&mut p, class("Lab", Some("Msm"), &["mine"], vec![method("inc", vec![0])], vec![field_ref("Lab", "mine")]), true);
        }
        p
    }

    #[test]
    fn a_field_gone_from_the_hierarchy_is_found_through_the_class_that_names_it() {
        let report = pool(false).check("Msm");
        assert_eq!(report.missing.len(), 1);
        let m = &report.missing[0];
        assert_eq!((m.member.as_str(), m.searched.clone(), m.used_by.as_str()), ("Msm.counter:J", vec!["Msm".to_string(), "Base".into()], "Msm.inc()V"));
        assert!(m.reachable, "{}", m.why);
        assert_eq!(m.why, "called by Service.create");
    }

    #[test]
    fn an_override_that_does_not_call_it_makes_it_unreachable() {
        let report = pool(true).check("Lab");
        assert_eq!(report.fatal(), Vec::<&Missing>::new());
        assert_eq!(report.missing[0].why, "Lab overrides inc without calling it");
    }
}
