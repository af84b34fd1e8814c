//! `--drill node`, on a swarm: the whole host that served the last request goes away (it is
//! drained, so Swarm stops its tasks and starts them on the other hosts, as it does for a
//! host that is lost). The session and its counter must carry on from the other hosts. The
//! host then comes back, and the Tomcats are spread over the hosts again.

use std::time::{Duration, Instant};

use crate::engine::swarm::SwarmState;
use crate::engine::Engine;
use crate::lab::ready::{self, TOMCAT_TIMEOUT};
use crate::labspec::names;
use crate::verify::judge::backends;
use crate::verify::walk::{self, Page, Target, Walker};

use super::steps::{finish, DrillVerdict, Log};
use super::toolkit::{after_restore, and, because, describe, id_change, kept, kept_state, no_session, open, relearn, AFTER_REQUESTS};

/// How long the Tomcats may take to run again elsewhere (a node may pull the image first).
const MOVE_TIMEOUT: Duration = Duration::from_secs(180);

/// Drains the host of the Tomcat that served the session, sends requests while it is gone,
/// then takes it back and spreads the Tomcats again.
pub(super) async fn run(engine: &Engine, target: &Target, page: &Page, log: &mut Log) -> (DrillVerdict, String) {
    let mut walker = Walker::new(target, page);
    let Some(before) = open(&mut walker, log).await else {
        return no_session();
    };
    let nodes = target.nodes();
    let Some((tomcat, host)) = before.backend.as_ref().and_then(|b| Some((b.clone(), nodes.get(b)?.clone()))) else {
        log.step("find the host of the Tomcat that served the last request", false, "no answer named a Tomcat of this lab");
        return (DrillVerdict::Failed, "the drill could not tell which host served the session".into());
    };
    // Taking away nginx's host or the store's would test them, not the Tomcats' failover.
    let mut others: Vec<String> = target.stores.iter().filter(|c| c.node.as_deref() == Some(host.as_str())).map(|c| c.name.clone()).collect();
    if target.nginx_node.as_deref() == Some(host.as_str()) {
        others.push(target.nginx.clone());
    }
    if !others.is_empty() {
        log.step(format!("find the host of {tomcat}"), false, format!("{host} also runs {}", others.join(", ")));
        return (DrillVerdict::Failed, format!("{host}, the host of {tomcat}, also runs {}: a swarm of 3 or more nodes keeps them apart", others.join(", ")));
    }
    let Some(node_id) = node_id(engine, &host).await else {
        log.step(format!("find node {host}"), false, "the swarm has no such node");
        return (DrillVerdict::Failed, format!("the drill could not find node {host}"));
    };

    let t = Instant::now();
    let drained = engine.set_availability(&node_id, Some(&target.lab)).await;
    let saw = drained.as_ref().map_or_else(|e| e.to_string(), |()| format!("Swarm stops its tasks and starts them elsewhere, as for a lost host (node label {})", crate::engine::swarm::DRAINED_LABEL));
    if !log.step(format!("drain {host}, the host of {tomcat}, which served the last request"), drained.is_ok(), saw) {
        return (DrillVerdict::Failed, format!("the drill could not drain {host}; nothing was changed"));
    }
    let moved = wait_for_tomcats(engine, target, |c| c.node.as_deref() != Some(host.as_str())).await;
    let summary = match moved {
        Err(why) => {
            log.step(format!("wait until every Tomcat runs on another host than {host}"), false, why.clone());
            format!("with {host} drained, the Tomcats did not run again elsewhere: {why}")
        }
        Ok(placed) => {
            log.step(format!("wait until every Tomcat runs on another host than {host}"), true, format!("{placed} ({:.1} s)", t.elapsed().as_secs_f64()));
            relearn(engine, target, &mut walker).await;
            let answers = walker.walk(AFTER_REQUESTS).await;
            let now = walk::target(engine, &target.lab).await.map(|t| t.nodes()).unwrap_or_default();
            let on_host: Vec<String> = backends(&answers).keys().filter(|b| now.get(*b).map(String::as_str) == Some(host.as_str())).cloned().collect();
            let verdict = kept(&before, &answers).and_then(|()| if on_host.is_empty() { Ok(()) } else { Err(format!("{} answered from the drained {host}", on_host.join(", "))) });
            let hosts: Vec<String> = backends(&answers).keys().map(|b| format!("{b} on {}", now.get(b).map_or("?", String::as_str))).collect();
            let change = id_change(&before, &answers);
            let ok = log.step(
                format!("send {AFTER_REQUESTS} requests with {host} gone"),
                verdict.is_ok(),
                format!("{}; {}{}{}", describe(&answers), hosts.join(", "), and(&change), because(&verdict)),
            );
            if ok {
                format!("with host {host} gone, {} carried on with the same session{}", hosts.join(" and "), kept_state(page))
            } else {
                format!("with host {host} gone, the session did not survive: {}", verdict.err().unwrap_or_default())
            }
        }
    };

    // Restore, whatever happened: the host comes back, and the Tomcats spread again.
    let restored = match bring_back(engine, target, &node_id).await {
        Ok(saw) => log.step(format!("take {host} back and spread the Tomcats over the hosts again"), true, saw),
        Err(why) => log.step(format!("take {host} back and spread the Tomcats over the hosts again"), false, why),
    };
    if restored {
        after_restore(engine, target, &mut walker, &before, log).await;
    }
    finish(log, summary, restored)
}

async fn node_id(engine: &Engine, hostname: &str) -> Option<String> {
    match engine.swarm().await.ok()? {
        SwarmState::Manager(s) => s.nodes.into_iter().find(|n| n.hostname == hostname).map(|n| n.id),
        _ => None,
    }
}

/// Waits until every Tomcat replica runs where `placed_well` says, and nginx reaches them all;
/// says where they run.
async fn wait_for_tomcats(engine: &Engine, target: &Target, placed_well: impl Fn(&crate::engine::ContainerInfo) -> bool) -> Result<String, String> {
    let deadline = Instant::now() + MOVE_TIMEOUT;
    let mut last = String::from("no answer yet");
    while Instant::now() < deadline {
        match walk::target(engine, &target.lab).await {
            Ok(now) if now.tomcats.iter().all(|t| t.state.is_running() && placed_well(t)) => {
                let names: Vec<String> = now.tomcats.iter().map(|t| t.name.clone()).collect();
                let url = now.url.page();
                ready::nginx(engine, &now.nginx, &url, &names, TOMCAT_TIMEOUT).await.map_err(|e| e.to_string().lines().next().unwrap_or_default().to_string())?;
                return Ok(now.tomcats.iter().map(|t| format!("{} on {}", t.name, t.node.as_deref().unwrap_or("?"))).collect::<Vec<_>>().join(", "));
            }
            Ok(now) => last = now.tomcats.iter().map(|t| format!("{} {} on {}", t.name, t.state, t.node.as_deref().unwrap_or("?"))).collect::<Vec<_>>().join(", "),
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Err(format!("after {} s: {last}", MOVE_TIMEOUT.as_secs()))
}

/// The drained node active again, and the Tomcats' service updated so that Swarm places its
/// tasks again (it does not move running tasks back by itself): spread over the hosts.
async fn bring_back(engine: &Engine, target: &Target, node_id: &str) -> Result<String, String> {
    engine.set_availability(node_id, None).await.map_err(|e| e.to_string())?;
    engine.force_update_service(&names::tomcat_service_name_of(&target.lab)).await.map_err(|e| e.to_string())?;
    let spread = target.nodes().values().collect::<std::collections::BTreeSet<_>>().len().min(target.tomcats.len());
    // The update replaces the tasks one by one; wait until it has, and they are spread again.
    let since = Instant::now();
    loop {
        let placed = wait_for_tomcats(engine, target, |_| true).await?;
        let now = walk::target(engine, &target.lab).await.map_err(|e| e.to_string())?;
        let hosts = now.nodes().values().collect::<std::collections::BTreeSet<_>>().len();
        if hosts >= spread && updated(engine, &target.lab).await {
            return Ok(format!("{placed} ({:.1} s)", since.elapsed().as_secs_f64()));
        }
        if since.elapsed() > MOVE_TIMEOUT {
            return Err(format!("the Tomcats run on {hosts} hosts, not {spread}, after {} s: {placed}", MOVE_TIMEOUT.as_secs()));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Whether the Tomcats' rolling update is over: no task of the service is still on its way.
async fn updated(engine: &Engine, lab: &str) -> bool {
    let Ok(tasks) = engine.tasks(&names::tomcat_service_name_of(lab)).await else { return false };
    tasks.iter().filter(|t| t.desired == "running").all(|t| t.is_running())
}

/// After an interrupt during the drill: the node this lab's drill drained (it carries the
/// drill's label) active again, and nothing else. Says what it did.
pub(super) async fn restore(engine: &Engine, lab: &str) -> String {
    let Ok(SwarmState::Manager(swarm)) = engine.swarm().await else {
        return format!("could not reach the swarm to restore lab {lab:?}; `docker node update --availability active` the drained node");
    };
    let mut back = Vec::new();
    for n in swarm.nodes.iter().filter(|n| n.drained_by.as_deref() == Some(lab)) {
        if engine.set_availability(&n.id, None).await.is_ok() {
            back.push(n.hostname.clone());
        }
    }
    let _ = engine.force_update_service(&names::tomcat_service_name_of(lab)).await;
    if back.is_empty() {
        "no node was drained".into()
    } else {
        format!("msmlab made {} active again and spread the Tomcats over the hosts", back.join(", "))
    }
}
