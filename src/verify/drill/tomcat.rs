//! The `tomcat` drill: the Tomcat that served the session stops, and another carries it on.

use std::time::Instant;

use crate::engine::Engine;
use crate::verify::judge::backends;
use crate::verify::walk::{Page, Target, Walker};

use super::repair::bring_back_tomcats;
use super::steps::{finish, DrillVerdict, Log};
use super::toolkit::{after_restore, and, because, describe, id_change, kept, kept_state, no_session, open, AFTER_REQUESTS, STOP_GRACE};

/// `tomcat`: stop the Tomcat that served the last request; the next requests reach another
/// Tomcat with the same session and the counter intact; then start it again.
pub(super) async fn run(engine: &Engine, target: &Target, page: &Page, log: &mut Log) -> (DrillVerdict, String) {
    let mut walker = Walker::new(target, page);
    let Some(before) = open(&mut walker, log).await else {
        return no_session();
    };
    let Some(victim) = before.backend.clone().filter(|b| target.tomcats.iter().any(|t| &t.name == b)) else {
        log.step("find the Tomcat that served the last request", false, "no answer named a Tomcat of this lab");
        return (DrillVerdict::Failed, "the drill could not tell which Tomcat served the session".into());
    };
    let t = Instant::now();
    let stopped = match engine.stop(&victim, STOP_GRACE).await {
        Ok(()) => log.step(format!("stop {victim}, which served the last request"), true, format!("stopped in {:.1} s", t.elapsed().as_secs_f64())),
        Err(e) => log.step(format!("stop {victim}"), false, e.to_string()),
    };
    if !stopped {
        return (DrillVerdict::Failed, format!("the drill could not stop {victim}; nothing was changed"));
    }
    let summary = {
        let answers = walker.walk(AFTER_REQUESTS).await;
        let on_victim = answers.iter().filter(|a| a.backend.as_deref() == Some(victim.as_str())).count();
        let verdict = kept(&before, &answers).and_then(|()| {
            if on_victim > 0 {
                Err(format!("{on_victim} requests were answered by the stopped {victim}"))
            } else {
                Ok(())
            }
        });
        let change = id_change(&before, &answers);
        let ok = log.step(
            format!("send {AFTER_REQUESTS} requests with {victim} down"),
            verdict.is_ok(),
            format!("{}{}{}", describe(&answers), and(&change), because(&verdict)),
        );
        if ok {
            let to = backends(&answers).keys().cloned().collect::<Vec<_>>().join(", ");
            format!("with {victim} stopped, {to} carried on with the same session{}", kept_state(page))
        } else {
            format!("with {victim} stopped, the session did not survive: {}", verdict.err().unwrap_or_default())
        }
    };
    // Restore, whatever happened.
    let restored = bring_back_tomcats(engine, target, std::slice::from_ref(&victim), None, log).await;
    if restored {
        after_restore(engine, target, &mut walker, &before, log).await;
    }
    finish(log, summary, restored)
}
