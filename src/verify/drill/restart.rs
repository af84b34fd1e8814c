//! The `restart` drill: every Tomcat restarts at once, and the session comes back from the store.

use std::time::Instant;

use crate::engine::Engine;
use crate::lab::ready::{self, TOMCAT_TIMEOUT};
use crate::verify::walk::{unix_now, Page, Target, Walker};

use super::repair::reach_all;
use super::steps::{finish, DrillVerdict, Log};
use super::toolkit::{because, describe, kept, kept_state, no_session, open, relearn, AFTER_REQUESTS, STOP_GRACE};

/// `restart`: restart every Tomcat at once; the session survives.
pub(super) async fn run(engine: &Engine, target: &Target, page: &Page, log: &mut Log) -> (DrillVerdict, String) {
    let mut walker = Walker::new(target, page);
    let Some(before) = open(&mut walker, log).await else {
        return no_session();
    };
    let names: Vec<String> = target.tomcats.iter().map(|t| t.name.clone()).collect();
    let since = unix_now();
    let t = Instant::now();
    let restarts = futures_util::future::join_all(names.iter().map(|n| engine.restart(n, STOP_GRACE))).await;
    let restarted = match restarts.into_iter().find_map(Result::err) {
        None => log.step(format!("restart all {} Tomcats at once", names.len()), true, format!("the engine restarted them in {:.1} s", t.elapsed().as_secs_f64())),
        Some(e) => log.step(format!("restart all {} Tomcats at once", names.len()), false, e.to_string()),
    };
    // The Tomcats were restarted, not stopped: wait for them (their startup lines since `since`).
    let back = {
        let waits = futures_util::future::join_all(names.iter().map(|n| ready::tomcat_since(engine, n, since, TOMCAT_TIMEOUT))).await;
        match waits.into_iter().find_map(Result::err) {
            None => log.step("wait until every Tomcat serves the test page", true, format!("all {} back after {:.1} s", names.len(), t.elapsed().as_secs_f64())),
            Some(e) => log.step("wait until every Tomcat serves the test page", false, e.to_string()),
        }
    };
    let reached = back && reach_all(engine, target, log).await;
    let mut summary = "the Tomcats did not come back".to_string();
    if restarted && reached {
        relearn(engine, target, &mut walker).await;
        let answers = walker.walk(AFTER_REQUESTS).await;
        let verdict = kept(&before, &answers);
        let ok = log.step(
            format!("send {AFTER_REQUESTS} requests after the restart"),
            verdict.is_ok(),
            format!("{}{}", describe(&answers), because(&verdict)),
        );
        summary = if ok {
            format!("after all {} Tomcats restarted at once, the session came back from the store{}", names.len(), kept_state(page))
        } else {
            format!("after all Tomcats restarted, the session did not survive: {}", verdict.err().unwrap_or_default())
        };
    }
    finish(log, summary, reached)
}
