//! What `up` does with a lab that exists already: leave a healthy one alone, refuse one made
//! with other settings, and clear away one that is broken or half made.
//!
//! The settings a lab was made with travel in a label (`io.msmlab.spec`, `lab::settings`) on
//! each container, so this needs no state file either.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::engine::Engine;
use crate::lab::found::Found;
use crate::lab::ready;
use crate::lab::settings::spec_label;
use crate::lab::url::LabUrl;
use crate::plan::Plan;

/// How long the health check of an existing lab may try to reach every Tomcat through nginx.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// An existing lab, judged against the plan of the `up` that found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Existing {
    /// Every container of the plan runs, made with the same settings, and nginx reaches every
    /// Tomcat through its test page at `url`.
    Healthy { url: LabUrl },
    /// It runs, but was made with other settings (what differs, in flag terms).
    Different(String),
    /// Something is missing, stopped or unanswering (what); its leftovers can go.
    Broken(String),
}

/// Judges what can be judged without traffic: which containers exist, run, and with which settings.
/// `None` means "complete and the same": only the probe through nginx is left to do.
pub fn judge(plan: &Plan, found: &Found) -> Option<Existing> {
    let want: BTreeSet<&str> = plan.nodes().map(|n| n.name.as_str()).collect();
    let have: BTreeSet<&str> = found.containers.iter().map(|c| c.name.as_str()).collect();
    let stopped: Vec<String> =
        found.containers.iter().filter(|c| !c.state.is_running()).map(|c| format!("{} is {}", c.name, c.state)).collect();
    let missing: Vec<&str> = want.difference(&have).copied().collect();
    let broken = |what: String| Some(Existing::Broken(what));
    if !stopped.is_empty() {
        return broken(stopped.join(", "));
    }
    if found.networks.is_empty() {
        return broken(format!("its network {} is missing", plan.network));
    }
    let specs: BTreeSet<Option<&str>> = found.containers.iter().map(|c| c.spec.as_deref()).collect();
    let wanted = spec_label(&plan.spec);
    match specs.into_iter().collect::<Vec<_>>().as_slice() {
        [Some(s)] if *s == wanted => {}
        [Some(s)] => return Some(Existing::Different(differences(s, &wanted))),
        [] => return broken("it has no containers".into()),
        _ => return broken("its containers were made by different runs, or by another msmlab version".into()),
    }
    if !missing.is_empty() {
        return broken(format!("{} missing", missing.join(", ")));
    }
    if !have.is_subset(&want) {
        let extra: Vec<&str> = have.difference(&want).copied().collect();
        return broken(format!("unexpected containers {}", extra.join(", ")));
    }
    None
}

/// `key: was → now` for each setting that differs, e.g. `tomcats: 2 → 3`.
fn differences(was: &str, now: &str) -> String {
    let parse = |s: &str| serde_json::from_str::<Map<String, Value>>(s).unwrap_or_default();
    let (was, now) = (parse(was), parse(now));
    let keys: BTreeSet<&String> = was.keys().chain(now.keys()).collect();
    let show = |v: Option<&Value>| match v {
        Some(Value::String(s)) if s.is_empty() => "\"\"".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) if a.is_empty() => "none".into(),
        Some(Value::Array(a)) => a.iter().map(|v| v.as_str().map_or(v.to_string(), str::to_string)).collect::<Vec<_>>().join(","),
        Some(Value::Null) => "none".into(),
        Some(v) => v.to_string(),
        None => "-".into(),
    };
    let diffs: Vec<String> = keys
        .into_iter()
        .filter(|k| was.get(*k) != now.get(*k))
        .map(|k| format!("{}: {} → {}", k.replace('_', "-"), show(was.get(k)), show(now.get(k))))
        .collect();
    if diffs.is_empty() {
        "settings from another msmlab version".into()
    } else {
        diffs.join(", ")
    }
}

/// Judges an existing lab, probing it through nginx when everything else looks right.
pub async fn check(engine: &Engine, plan: &Plan, found: &Found) -> Existing {
    if let Some(verdict) = judge(plan, found) {
        return verdict;
    }
    let tomcats: Vec<String> = plan.tomcats.iter().map(|t| t.name.clone()).collect();
    let port = found.containers.iter().find(|c| c.name == plan.nginx.name).and_then(|c| c.published_port).unwrap_or(plan.spec.shape.port);
    let url = LabUrl::on(engine, &plan.spec.shape.listen.to_string(), port);
    match ready::nginx(engine, &plan.nginx.name, &url.page(), &tomcats, PROBE_TIMEOUT).await {
        Ok(_) => Existing::Healthy { url },
        Err(e) => Existing::Broken(format!("nginx does not reach every Tomcat ({})", e.to_string().lines().next().unwrap_or(""))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{ContainerInfo, ContainerState, Resource};
    use crate::jars::lock::Lock;
    use crate::labspec::LabSpec;

    fn spec(tomcats: u8, port: u16) -> LabSpec {
        let mut spec = LabSpec::example();
        (spec.shape.name, spec.shape.tomcats, spec.shape.port) = ("idem".parse().unwrap(), tomcats, port);
        spec
    }

    fn plan(tomcats: u8, port: u16) -> Plan {
        Plan::new(spec(tomcats, port), &Lock::bundled()).unwrap()
    }

    /// The lab as the engine would list it after `up` of `made_by`.
    fn lab_of(made_by: &Plan) -> Found {
        let label = spec_label(&made_by.spec);
        Found {
            containers: made_by
                .nodes()
                .map(|n| ContainerInfo {
                    id: n.name.clone(),
                    name: n.name.clone(),
                    lab: "idem".into(),
                    role: Some(n.role),
                    index: n.index,
                    state: ContainerState::Running,
                    address: None,
                    published: None,
                    published_port: None,
                    spec: Some(label.clone()),
                    owner: None,
                    ..Default::default()
                })
                .collect(),
            networks: vec![Resource { id: "n".into(), name: made_by.network.clone(), lab: "idem".into(), owner: None }],
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_lab_with_the_same_settings_only_needs_the_probe() {
        assert_eq!(judge(&plan(2, 13440), &lab_of(&plan(2, 13440))), None);
    }

    #[test]
    fn the_repository_the_jars_came_from_does_not_make_another_lab() {
        let mut other = spec(2, 13440);
        other.msm.maven_repo = "https://mirror.example/maven2".into();
        assert_eq!(spec_label(&other), spec_label(&spec(2, 13440)));
    }

    #[test]
    fn a_lab_made_with_other_settings_says_which() {
        let verdict = judge(&plan(3, 13441), &lab_of(&plan(2, 13440)));
        assert_eq!(verdict, Some(Existing::Different("port: 13440 → 13441, tomcats: 2 → 3".into())));
        // Settings read as the flags are written, not as JSON.
        let mut tomcat8 = spec(2, 13440);
        tomcat8.msm.tomcat = "8".parse().unwrap();
        tomcat8.msm.xstream_allow = vec!["com.example.*".into()];
        assert_eq!(differences(&spec_label(&spec(2, 13440)), &spec_label(&tomcat8)), "tomcat: 9 → 8, xstream-allow: none → com.example.*");
    }

    #[test]
    fn a_stopped_or_missing_container_makes_a_broken_lab() {
        let p = plan(2, 13440);
        let mut found = lab_of(&p);
        found.containers[1].state = ContainerState::Exited;
        assert_eq!(judge(&p, &found), Some(Existing::Broken("msmlab-idem-tomcat-1 is exited".into())));

        let mut found = lab_of(&p);
        found.containers.retain(|c| c.name != "msmlab-idem-nginx-1");
        assert_eq!(judge(&p, &found), Some(Existing::Broken("msmlab-idem-nginx-1 missing".into())));

        let mut found = lab_of(&p);
        found.containers.clear();
        assert_eq!(judge(&p, &found), Some(Existing::Broken("it has no containers".into())));

        let mut found = lab_of(&p);
        found.networks.clear();
        assert!(matches!(judge(&p, &found), Some(Existing::Broken(w)) if w.contains("network msmlab-idem is missing")));
    }

    #[test]
    fn containers_without_the_settings_label_are_not_taken_for_this_lab() {
        let p = plan(2, 13440);
        let mut found = lab_of(&p);
        found.containers[0].spec = None;
        assert!(matches!(judge(&p, &found), Some(Existing::Broken(_))));
    }
}
