//! The `concurrent` drill: rounds of parallel requests of one session, counting the updates
//! that were lost. Nothing is stopped, so there is nothing to restore.

use crate::engine::Engine;
use crate::verify::errors::VerifyError;
use crate::verify::judge::answered;
use crate::verify::overwrites::{self, Overwrite};
use crate::verify::probe;
use crate::verify::walk::{unix_now, Answer, Page, Target, Walker};

use super::steps::{DrillVerdict, Log};
use super::toolkit::{describe, no_session, open};

/// The concurrency drill: rounds of requests of one session sent at once (msm-facts §9 saw 7 of
/// 24 updates lost with 3 rounds of 8 and lockingMode none).
const CONCURRENT_ROUNDS: usize = 3;
const CONCURRENT_REQUESTS: usize = 8;

/// The rounds on the test page, which counts the session's updates, or on a page of the user's.
pub(super) async fn run(engine: &Engine, target: &Target, page: &Page, log: &mut Log) -> Result<(DrillVerdict, String), VerifyError> {
    if page.is_test() {
        Ok(on_test_page(engine, target, page, log).await)
    } else {
        on_users_page(engine, target, page, log).await
    }
}

/// Sends rounds of parallel requests of one session, each bumping the test page's counter, and
/// counts the updates that were lost: with `lockingMode none` (msm's default) in non-sticky
/// mode, each request loads the session, changes it and writes it back, and the last write
/// wins. Nothing is stopped, so there is nothing to restore.
async fn on_test_page(engine: &Engine, target: &Target, page: &Page, log: &mut Log) -> (DrillVerdict, String) {
    let since = unix_now();
    let mut walker = Walker::new(target, page);
    let Some(before) = open(&mut walker, log).await else {
        return no_session();
    };
    let start = before.counter.unwrap_or(0);
    let mut updates = 0;
    for round in 1..=CONCURRENT_ROUNDS {
        let answers = walker.burst(CONCURRENT_REQUESTS).await;
        let ok: Vec<&Answer> = answers.iter().filter(|a| answered(a)).collect();
        updates += ok.len();
        let mut counters: Vec<i64> = ok.iter().filter_map(|a| a.counter).collect();
        counters.sort_unstable();
        let same_session = ok.iter().all(|a| a.session_id == before.id);
        log.step(
            format!("round {round}: send {CONCURRENT_REQUESTS} requests of the session at once"),
            same_session,
            format!(
                "{} of {CONCURRENT_REQUESTS} answered, counters {}{}",
                ok.len(),
                counters.iter().map(i64::to_string).collect::<Vec<_>>().join(", "),
                if same_session { String::new() } else { "; some carried another session id".into() }
            ),
        );
    }
    let last = walker.walk(1).await;
    let Some(end) = last.first().filter(|a| answered(a)).and_then(|a| a.counter) else {
        log.step("read the counter", false, describe(&last));
        return (DrillVerdict::Failed, "the drill could not read the counter after the rounds".into());
    };
    // The last request bumps the counter too.
    let expected = start + updates as i64 + 1;
    let lost = (expected - end).max(0);
    log.step("read the counter", true, format!("{end}, expected {expected} ({start} + {updates} answered updates + this request)"));
    let mode = target.locking_mode();
    let total = CONCURRENT_ROUNDS * CONCURRENT_REQUESTS;
    if !log.all_ok() {
        return (DrillVerdict::Failed, "requests of one session did not all keep their session".into());
    }
    match (lost, mode.as_str()) {
        (0, _) => (DrillVerdict::Passed, format!("no update lost in {CONCURRENT_ROUNDS} rounds of {CONCURRENT_REQUESTS} parallel requests (lockingMode {mode})")),
        (n, "none") => (
            DrillVerdict::Finding,
            format!(
                "FINDING: {n} of {total} updates were lost with lockingMode none: parallel requests of one session each load it, \
                 change it and write it back, and the last write wins; --locking-mode all (or auto) makes them wait for each other"
            ),
        ),
        (n, _) => (DrillVerdict::Finding, format!("FINDING: {n} of {total} updates were lost although lockingMode is {mode}: {}", why_locked_lost(engine, target, since).await)),
    }
}

/// msm's log line when a request waited `operationTimeout` for a session's lock and went on
/// without it (msm's spelling).
const LOCK_TIMEOUT: &str = "when trying to aquire lock for session";

/// Why updates are lost although msm locks: msm 2.3.2 takes the lock in the store, but
/// requests on one Tomcat can share its in-memory session without it (msm issue #237, seen
/// on an idle machine), and a request that waits longer than `operationTimeout` for the lock
/// goes on without it, saying so in the log. Counts those log lines since `since`.
async fn why_locked_lost(engine: &Engine, target: &Target, since: i64) -> String {
    let mut timeouts = 0;
    for t in &target.tomcats {
        if let Ok(text) = engine.logs_since_of(t, since).await {
            timeouts += text.lines().filter(|l| l.contains(LOCK_TIMEOUT)).count();
        }
    }
    let logged = match timeouts {
        0 => "no request gave up waiting for the lock (msm logs that), so requests on one Tomcat shared its copy of the session without the lock".to_string(),
        n => format!("msm gave up waiting for the lock {n} times (\"Reached timeout when trying to aquire lock … Will use this session without this lock\": the wait is operationTimeout, 1000 ms by default; --operation-timeout raises it)"),
    };
    format!(
        "msm locks a session in the store, but two requests on one Tomcat can share its in-memory copy without the lock (msm issue #237), \
         and a request that waits longer than operationTimeout for the lock goes on without it; here {logged}"
    )
}

/// The same rounds on a page of the user's, which has no counter: the session probe reports
/// what each request found and left, and `overwrites` counts the changes another request's
/// write undid (a lower bound).
async fn on_users_page(engine: &Engine, target: &Target, page: &Page, log: &mut Log) -> Result<(DrillVerdict, String), VerifyError> {
    if !target.probed() {
        log.step("count lost updates", false, "a page of yours shows its session only through msmlab's session probe, which these official Tomcats lack (set up by an older msmlab)");
        return Ok((DrillVerdict::Failed, "the concurrency drill on --path needs the session probe: `msmlab up --recreate` with the same flags adds it, or use the test page".into()));
    }
    let since = unix_now();
    let mut walker = Walker::new(target, page);
    if open(&mut walker, log).await.is_none() {
        return Ok(no_session());
    }
    let mut rounds: Vec<Vec<usize>> = Vec::new();
    for round in 1..=CONCURRENT_ROUNDS {
        let answers = walker.burst(CONCURRENT_REQUESTS).await;
        let ok = answers.iter().filter(|a| answered(a)).count();
        log.step(format!("round {round}: send {CONCURRENT_REQUESTS} requests of the session at once"), ok > 0, format!("{ok} of {CONCURRENT_REQUESTS} answered"));
        rounds.push(answers.iter().filter(|a| answered(a)).map(|a| a.n).collect());
    }
    let sightings = probe::read(engine, &target.tomcats, &walker.tokens, since, walker.sent()).await?;
    let per_round: Vec<Vec<Overwrite>> =
        rounds.iter().map(|ns| overwrites::overwrites(&ns.iter().filter_map(|n| sightings.get(n)).collect::<Vec<_>>())).collect();
    let reported = rounds.iter().flatten().filter(|n| sightings.contains_key(n)).count();
    let sent: usize = rounds.iter().map(Vec::len).sum();
    let total = overwrites::total(&per_round);
    let said = |o: &Overwrite| format!("`{}` ({}) changed by {}, at least {} undone", o.attribute, o.class.as_deref().unwrap_or("null"), o.changed_by, o.lost);
    log.step(
        "read what each request found and left (session probe)",
        reported == sent,
        if total.is_empty() { format!("{reported} of {sent} requests reported; none changed an attribute") } else { format!("{reported} of {sent} requests reported; {}", total.iter().map(said).collect::<Vec<_>>().join("; ")) },
    );
    if !log.all_ok() {
        return Ok((DrillVerdict::Failed, "not every request of the rounds answered and was reported".into()));
    }
    if total.is_empty() {
        return Ok((DrillVerdict::Failed, format!("{} changed no session attribute, so there was no update to lose: give a --path that changes the session", page_path(page))));
    }
    let lost: usize = total.iter().map(|o| o.lost).sum();
    let changes: usize = total.iter().map(|o| o.changed_by).sum();
    let mode = target.locking_mode();
    let lost_in: Vec<String> = total.iter().filter(|o| o.lost > 0).map(|o| format!("`{}` {} of {}", o.attribute, o.lost, o.changed_by)).collect();
    Ok(match (lost, mode.as_str()) {
        (0, _) => {
            let names: Vec<String> = total.iter().map(|o| format!("`{}`", o.attribute)).collect();
            // A lower bound: with lockingMode none, 0 says only that no loss was seen.
            (DrillVerdict::Passed, format!("no lost change seen in {CONCURRENT_ROUNDS} rounds of {CONCURRENT_REQUESTS} parallel requests: {changes} changes to {} (lockingMode {mode}; the count is a lower bound)", names.join(", ")))
        }
        (n, "none") => (
            DrillVerdict::Finding,
            format!(
                "FINDING: at least {n} of {changes} changes were lost with lockingMode none ({}): parallel requests of one session each load it, \
                 change it and write it back, and the last write wins; --locking-mode all (or auto) makes them wait for each other",
                lost_in.join(", ")
            ),
        ),
        (n, _) => (
            DrillVerdict::Finding,
            format!("FINDING: at least {n} of {changes} changes were lost although lockingMode is {mode} ({}): {}", lost_in.join(", "), why_locked_lost(engine, target, since).await),
        ),
    })
}

fn page_path(page: &Page) -> String {
    match page {
        Page::User(p) => p.to_string(),
        Page::Test => "the test page".into(),
        Page::Flow(_) => page.flow_page().map_or_else(|| "the test page".into(), |p| format!("{p} (the flow's first repeated step)")),
    }
}
