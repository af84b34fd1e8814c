//! The house rule of `src/`: data flows one way, and so do imports. Each top-level module
//! (a folder or a file) sits on a layer, and imports only from its own layer or below:
//!
//! ```text
//! cli → report → verify | bench | bundle | doctor → lab → engine → plan → jars → labspec
//!                      (exit, templates and ui are leaves anyone may use)
//! ```
//!
//! This reads every `crate::…` and `super::…` path in `src/` (test modules left out: a test
//! may reach anywhere), and fails on an import that runs up a layer or on a circle of files,
//! naming the files and the path. `docs/architecture.md` draws the same picture.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each top-level module's layer; higher imports lower. A new module must be placed here.
const LAYERS: &[(&str, u8)] = &[
    ("exit", 0),
    ("templates", 0),
    ("ui", 0),
    ("labspec", 1),
    ("jars", 2),
    ("plan", 3),
    ("engine", 4),
    ("lab", 5),
    ("verify", 6),
    ("bench", 6),
    ("compat", 6),
    ("bundle", 6),
    ("doctor", 6),
    ("report", 7),
    ("cli", 8),
];

/// One source file: its module path (`lab::up`, `lab` for `lab/mod.rs`) and its code.
struct Source {
    module: String,
    file: String,
    code: String,
}

/// An import of one file: the module it reaches and the path as written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Import {
    from: String,
    to: String,
    path: String,
}

fn read_tree(src: &Path) -> Vec<Source> {
    let mut out = Vec::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            // The crate root and the binary are not modules of a layer.
            if parts == ["lib"] || parts == ["main"] {
                continue;
            }
            out.push(Source { module: parts.join("::"), file: format!("src/{}", rel.with_extension("rs").display()), code: std::fs::read_to_string(&path).unwrap() });
        }
    }
    out.sort_by(|a, b| a.module.cmp(&b.module));
    out
}

/// The code without comment lines and without its test module (`#[cfg(test)]` then `mod`).
fn code_of(code: &str) -> String {
    let lines: Vec<&str> = code.lines().collect();
    let mut kept = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        if t == "#[cfg(test)]" && lines.get(i + 1).is_some_and(|next| next.trim_start().starts_with("mod ")) {
            break;
        }
        if !t.starts_with("//") {
            kept.push(*line);
        }
    }
    kept.join("\n")
}

/// Every module path the code names, braces expanded: `crate::plan::{official, Plan}` gives
/// `plan::official` and `plan::Plan`. `super::x` is resolved against `module`.
fn paths_in(module: &str, code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    for prefix in ["crate::", "super::"] {
        let mut at = 0;
        while let Some(found) = code[at..].find(prefix) {
            let start = at + found;
            at = start + prefix.len();
            // `foo_crate::`, `msmlab::…` inside a word is not this crate.
            if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
                continue;
            }
            let base = if prefix == "crate::" {
                String::new()
            } else {
                // `super` is the parent module, whether this one is a file or a folder's `mod.rs`.
                let mut parts: Vec<&str> = module.split("::").collect();
                parts.pop();
                parts.join("::")
            };
            let rest = &code[at..];
            let head: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
            let head = head.trim_end_matches(':');
            let join = |tail: &str| [base.as_str(), tail].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join("::");
            let after = &rest[head.len()..];
            if let Some(group) = after.strip_prefix("::{").or_else(|| if head.is_empty() { after.strip_prefix('{') } else { None }) {
                let inner = &group[..group.find('}').unwrap_or(group.len())];
                for item in inner.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    let item = item.split(" as ").next().unwrap().trim();
                    let item = if item == "self" { String::new() } else { item.to_string() };
                    let tail = [head, item.as_str()].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join("::");
                    out.push(join(&tail));
                }
            } else {
                out.push(join(head));
            }
        }
    }
    // A relative `use child::…` (a folder's `mod.rs` handing on its children's names).
    for line in code.lines() {
        let t = line.trim_start();
        let t = t.strip_prefix("pub(crate) ").or_else(|| t.strip_prefix("pub(super) ")).or_else(|| t.strip_prefix("pub ")).unwrap_or(t);
        if let Some(path) = t.strip_prefix("use ") {
            let first = path.split("::").next().unwrap_or("");
            if !["crate", "super", "self", "std", "core"].contains(&first) && first.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                let path = path.trim_end_matches(';');
                let head: String = path.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
                out.push(format!("{module}::{}", head.trim_end_matches(':')));
            }
        }
    }
    out
}

/// The module a path reaches: its longest prefix that is a module of the tree.
fn resolve<'a>(path: &str, modules: &'a BTreeSet<String>) -> Option<&'a String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len()).rev().find_map(|n| modules.get(&parts[..n].join("::")))
}

fn imports(sources: &[Source]) -> Vec<Import> {
    let modules: BTreeSet<String> = sources.iter().map(|s| s.module.clone()).collect();
    let mut out = BTreeSet::new();
    for s in sources {
        for path in paths_in(&s.module, &code_of(&s.code)) {
            if let Some(to) = resolve(&path, &modules) {
                if *to != s.module {
                    out.insert(Import { from: s.module.clone(), to: to.clone(), path });
                }
            }
        }
    }
    out.into_iter().collect()
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap()
}

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(name, _)| *name == top(module)).map(|(_, l)| *l)
}

/// Imports that run up a layer, and modules on no layer, as sentences.
fn upward(imports: &[Import], sources: &[Source]) -> Vec<String> {
    let mut problems = Vec::new();
    for s in sources {
        if layer(&s.module).is_none() {
            problems.push(format!("{} ({}) is on no layer: place `{}` in LAYERS (tests/layers.rs) and docs/architecture.md", s.module, s.file, top(&s.module)));
        }
    }
    for i in imports {
        if let (Some(from), Some(to)) = (layer(&i.from), layer(&i.to)) {
            if to > from {
                problems.push(format!("{} (layer {from}) imports {} (layer {to}) through `{}`: a lower layer never imports a higher one", i.from, i.to, i.path));
            }
        }
    }
    problems
}

/// Every circle of modules (strongly connected, more than one), each with the imports that tie it.
fn circles(imports: &[Import]) -> Vec<String> {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for i in imports {
        graph.entry(&i.from).or_default().insert(&i.to);
        graph.entry(&i.to).or_default();
    }
    // Kosaraju: order by finish time, then walk the reversed graph.
    fn finish<'a>(n: &'a str, g: &BTreeMap<&'a str, BTreeSet<&'a str>>, seen: &mut BTreeSet<&'a str>, order: &mut Vec<&'a str>) {
        if !seen.insert(n) {
            return;
        }
        for m in &g[n] {
            finish(m, g, seen, order);
        }
        order.push(n);
    }
    let mut seen = BTreeSet::new();
    let mut order = Vec::new();
    for n in graph.keys() {
        finish(n, &graph, &mut seen, &mut order);
    }
    let mut reversed: BTreeMap<&str, BTreeSet<&str>> = graph.keys().map(|k| (*k, BTreeSet::new())).collect();
    for (from, tos) in &graph {
        for to in tos {
            reversed.get_mut(to).unwrap().insert(from);
        }
    }
    let mut assigned = BTreeSet::new();
    let mut out = Vec::new();
    for n in order.into_iter().rev() {
        let mut component = BTreeSet::new();
        finish(n, &reversed, &mut assigned, &mut Vec::new());
        // What this walk newly reached is the component.
        for m in assigned.iter() {
            if !out.iter().any(|c: &BTreeSet<&str>| c.contains(m)) {
                component.insert(*m);
            }
        }
        if !component.is_empty() {
            out.push(component);
        }
    }
    out.into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            let ties: Vec<String> = imports.iter().filter(|i| c.contains(i.from.as_str()) && c.contains(i.to.as_str())).map(|i| format!("{} -> {} (`{}`)", i.from, i.to, i.path)).collect();
            format!("circle of {}: {}", c.iter().copied().collect::<Vec<_>>().join(", "), ties.join("; "))
        })
        .collect()
}

fn tree() -> Vec<Source> {
    read_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

#[test]
fn no_module_imports_from_a_higher_layer() {
    let sources = tree();
    let problems = upward(&imports(&sources), &sources);
    assert!(problems.is_empty(), "imports against the flow:\n{}", problems.join("\n"));
}

#[test]
fn no_circle_of_imports_among_files_or_layers() {
    let sources = tree();
    let imports = imports(&sources);
    let files = circles(&imports);
    assert!(files.is_empty(), "{}", files.join("\n"));
    // The same between top-level modules: two folders of one layer may not lean on each other.
    let tops: Vec<Import> = imports.iter().filter(|i| top(&i.from) != top(&i.to)).map(|i| Import { from: top(&i.from).into(), to: top(&i.to).into(), path: i.path.clone() }).collect();
    let folders = circles(&tops);
    assert!(folders.is_empty(), "{}", folders.join("\n"));
}

#[test]
fn the_check_finds_an_upward_import_and_a_circle_in_a_made_up_tree() {
    let source = |module: &str, file: &str, code: &str| Source { module: module.into(), file: file.into(), code: code.into() };
    let sources = vec![
        source("labspec", "src/labspec/mod.rs", "use crate::lab::up::up;\n"),
        source("lab", "src/lab/mod.rs", "pub use found::Found;\n"),
        source("lab::found", "src/lab/found.rs", "use crate::lab::{self, up};\n#[cfg(test)]\nmod tests { use crate::cli::X; }\n"),
        source("lab::up", "src/lab/up.rs", "// crate::cli in a comment is no import\nuse super::found::Found;\n"),
        source("cli", "src/cli/mod.rs", ""),
        source("nowhere", "src/nowhere.rs", ""),
    ];
    let imports = imports(&sources);
    let upward = upward(&imports, &sources);
    assert_eq!(upward.len(), 2, "{upward:?}");
    assert!(upward[0].starts_with("nowhere (src/nowhere.rs) is on no layer"), "{upward:?}");
    assert!(upward[1].starts_with("labspec (layer 1) imports lab::up (layer 5) through `lab::up::up`"), "{upward:?}");
    let circles = circles(&imports);
    assert_eq!(circles.len(), 1, "{circles:?}");
    assert!(circles[0].starts_with("circle of lab, lab::found, lab::up:"), "{circles:?}");
    assert!(circles[0].contains("lab::up -> lab::found (`lab::found::Found`)"), "super:: is resolved: {circles:?}");
    assert!(!imports.iter().any(|i| i.to == "cli"), "comments and test modules are not imports: {imports:?}");
}
