//! The `store` drill: the cache node that holds the session stops. msm must move the session
//! to another node; with a single node, the drill says what a user loses.

use std::time::{Duration, Instant};

use crate::engine::Engine;
use crate::labspec::names::Role;
use crate::verify::judge::answered;
use crate::verify::session_id::SessionId;
use crate::verify::walk::{unix_now, Page, Target, Walker};

use super::repair::restore_store;
use super::steps::{finish, DrillVerdict, Log};
use super::toolkit::{and, because, describe, id_change, kept, kept_state, last, no_session, open, Seen, AFTER_REQUESTS, STOP_GRACE};

/// After a cache node dies, msm's client notices on its next operation; a request already in
/// flight (or sent at once) can lose the session (msm-facts, "Failover as it really behaves").
/// The drill lets the Tomcats notice first, as an operator's next user would arrive later.
const STORE_SETTLE: Duration = Duration::from_secs(2);

/// `store`: stop the cache node that holds the session. With two or more nodes msm moves the
/// session to another node (the id's node suffix changes) and the counter is intact. With one
/// node there is nowhere to go: the drill reports what a user loses.
pub(super) async fn run(engine: &Engine, target: &Target, page: &Page, log: &mut Log) -> (DrillVerdict, String) {
    let mut walker = Walker::new(target, page);
    let Some(before) = open(&mut walker, log).await else {
        return no_session();
    };
    let id = before.id.clone().unwrap_or_default();
    let Some((name, role)) = target.store_for(&id).map(|m| (m.name.clone(), m.role.unwrap_or(Role::Memcached))) else {
        log.step("find the cache node that holds the session", false, "the lab has no session store container");
        return (DrillVerdict::Failed, "the lab has no cache node".into());
    };
    let node = StoppedNode { name, role, nodes: target.stores.len(), since: unix_now() };
    let t = Instant::now();
    let stopped = match engine.stop(&node.name, STOP_GRACE).await {
        Ok(()) => log.step(
            format!("stop {}, the cache node that holds session {id}", node.name),
            true,
            format!("stopped in {:.1} s; {} of {} cache nodes left", t.elapsed().as_secs_f64(), node.nodes - 1, node.nodes),
        ),
        Err(e) => log.step(format!("stop {}", node.name), false, e.to_string()),
    };
    if !stopped {
        return (DrillVerdict::Failed, format!("the drill could not stop {}; nothing was changed", node.name));
    }
    let while_down = while_store_down(engine, target, page, &mut walker, &before, &node, log).await;
    // Restore: the node first, then make sure msm stores sessions again.
    let restored = restore_store(engine, target, node.role, &node.name, log).await;
    match while_down {
        WhileDown::Finding(summary) | WhileDown::Judged(summary) if !restored => (DrillVerdict::Failed, format!("{summary}; the lab was not restored")),
        WhileDown::Finding(summary) => (DrillVerdict::Finding, summary),
        WhileDown::Judged(summary) => finish(log, summary, true),
    }
}

/// The cache node a store drill stopped.
struct StoppedNode {
    name: String,
    role: Role,
    /// Cache nodes in the lab, this one included.
    nodes: usize,
    /// When the drill stopped it (Unix seconds), for the Tomcats' logs.
    since: i64,
}

/// What the requests sent while a cache node was down showed.
enum WhileDown {
    /// With a single node, what happens is a property of the setup, not a fault.
    Finding(String),
    /// Judged by the steps logged: passed if every one was ok.
    Judged(String),
}

/// Sends requests with the cache node down: with two or more nodes msm must move the session
/// and keep its state; with one, the drill reports what a user loses.
async fn while_store_down(engine: &Engine, target: &Target, page: &Page, walker: &mut Walker, before: &Seen, node: &StoppedNode, log: &mut Log) -> WhileDown {
    tokio::time::sleep(STORE_SETTLE).await;
    log.step(
        format!("wait {} s", STORE_SETTLE.as_secs()),
        true,
        "msm's store client notices a dead node on its next operation; a request sent at the very moment of the failure can lose the session (msm's own behaviour)",
    );
    let answers = walker.walk(AFTER_REQUESTS).await;
    let verdict = kept(before, &answers);
    let change = id_change(before, &answers);
    let relocation = relocated_in_logs(engine, target, node.since).await;
    let saw = format!(
        "{}{}{}{}",
        describe(&answers),
        and(&change),
        because(&verdict),
        relocation.map_or(String::new(), |l| format!("; Tomcat log: {l}")),
    );
    if node.nodes == 1 {
        // msm talks to one Redis node only; memcached nodes can be several.
        let remedy = if node.role == Role::Redis {
            "msm uses a single Redis node; memcached with --store-nodes 2 lets msm move sessions"
        } else {
            "run two or more nodes (--store-nodes 2) so msm can move sessions"
        };
        let served = answers.iter().filter(|a| answered(a)).count();
        log.step(format!("send {AFTER_REQUESTS} requests with the only cache node down"), true, saw);
        return WhileDown::Finding(match verdict {
            Err(lost) => format!(
                "FINDING: with one cache node, a store outage loses the session: {lost} ({served} of {AFTER_REQUESTS} requests answered); {remedy}"
            ),
            Ok(()) => format!(
                "FINDING: with its only cache node down, the session survived ({served} of {AFTER_REQUESTS} requests answered) \
                 only in Tomcat's memory: a Tomcat failure now would lose it; {remedy}"
            ),
        });
    }
    let id = before.id.as_deref().unwrap_or_default();
    let moved = last(&answers).id.as_deref().map(|a| SessionId::parse(a).node) != Some(SessionId::parse(id).node);
    let why = match (&verdict, moved) {
        (Err(e), _) => e.clone(),
        (Ok(()), false) => "the session id still names the stopped node".into(),
        (Ok(()), true) => String::new(),
    };
    let ok = verdict.is_ok() && moved;
    let name = &node.name;
    log.step(format!("send {AFTER_REQUESTS} requests with {name} down"), ok, if ok { saw } else { format!("{saw}: {why}") });
    WhileDown::Judged(if ok {
        format!("msm moved the session off the stopped {name} ({change}){}", kept_state(page))
    } else {
        format!("with {name} stopped, msm did not keep the session: {why}")
    })
}

/// The first "relocated" line msm logged since `since`, as evidence that it moved a session.
async fn relocated_in_logs(engine: &Engine, target: &Target, since: i64) -> Option<String> {
    for t in &target.tomcats {
        if let Ok(text) = engine.logs_since_of(t, since).await {
            if let Some(line) = text.lines().find(|l| l.contains("relocated")) {
                let line = line.trim();
                let at = line.find("de.javakaffee").unwrap_or(0);
                return Some(format!("{} ({})", &line[at..], t.name));
            }
        }
    }
    None
}
