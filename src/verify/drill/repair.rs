//! Putting the lab back after a drill: Tomcats started and awaited, nginx reloaded until it
//! reaches them all, a store node started until msm stores sessions in it again; and after an
//! interrupt, every stopped part of the lab.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::engine::Engine;
use crate::lab::ready::{self, NGINX_TIMEOUT, TOMCAT_TIMEOUT};
use crate::lab::tomcat::{self, Read};
use crate::labspec::names::Role;
use crate::plan::TEST_PAGE_PATH;
use crate::verify::store_check::store_has;
use crate::verify::walk::{self, unix_now, Target};

use super::steps::Log;
use super::toolkit::STOP_GRACE;

/// How long the restore of a store waits for msm to store sessions again before it restarts
/// the Tomcats (spymemcached reconnects on its own, with a back-off).
const STORE_RECONNECT: Duration = Duration::from_secs(40);
/// How long nginx's master may take to re-read its configuration (it resolves every Tomcat's
/// name again, through the engine's DNS) and start a new worker.
const NGINX_RELOAD: Duration = Duration::from_secs(30);

/// Brings Tomcats back: starts them (or, with `restarted_since`, waits for the ones restarted
/// since then), waits until they serve the test page, reloads nginx and waits until it reaches
/// every Tomcat again.
pub(super) async fn bring_back_tomcats(engine: &Engine, target: &Target, names: &[String], restarted_since: Option<i64>, log: &mut Log) -> bool {
    let start = restarted_since.is_none();
    let since = restarted_since.unwrap_or_else(unix_now);
    let started = Instant::now();
    let action = if start { format!("start {} again", names.join(", ")) } else { format!("wait for {}", names.join(", ")) };
    if start {
        for n in names {
            if let Err(e) = engine.start(n).await {
                return log.step(action, false, e.to_string());
            }
        }
    }
    let waits = futures_util::future::join_all(names.iter().map(|n| ready::tomcat_since(engine, n, since, TOMCAT_TIMEOUT))).await;
    if let Some(Err(e)) = waits.into_iter().find(Result::is_err) {
        return log.step(action, false, e.to_string());
    }
    log.step(action, true, format!("serving the test page again after {:.1} s", started.elapsed().as_secs_f64()));
    reach_all(engine, target, log).await
}

/// nginx reaches every Tomcat again. nginx is reloaded first: it resolves the Tomcats' names
/// again (a Tomcat may come back on a new address), and it forgets that it saw a Tomcat fail
/// (for `fail_timeout`, 10 s, it would keep a session's owner aside, and in sticky mode
/// another Tomcat would take the session over).
pub(super) async fn reach_all(engine: &Engine, target: &Target, log: &mut Log) -> bool {
    let started = Instant::now();
    let action = "reload nginx and check that it reaches every Tomcat";
    if let Err(e) = reload_nginx(engine, &target.nginx).await {
        return log.step(action, false, e);
    }
    let names: Vec<String> = target.tomcats.iter().map(|t| t.name.clone()).collect();
    match ready::nginx(engine, &target.nginx, &target.url.page(), &names, NGINX_TIMEOUT).await {
        Ok(_) => log.step(action, true, format!("all {} Tomcats answered through nginx after {:.1} s", names.len(), started.elapsed().as_secs_f64())),
        Err(e) => log.step(action, false, e.to_string()),
    }
}

/// Reloads nginx and waits until it runs a new worker, so that no request after this meets
/// the old worker's view of the Tomcats.
async fn reload_nginx(engine: &Engine, nginx: &str) -> Result<(), String> {
    // nginx's processes other than the master, by pid (read from /proc: the image has no ps).
    const WORKERS: &str = r#"m=$(cat /tmp/nginx.pid); for p in /proc/[0-9]*; do n=${p#/proc/}; [ "$n" != "$m" ] && [ "$(cat $p/comm 2>/dev/null)" = nginx ] && echo $n; done; true"#;
    let workers = |out: crate::engine::ExecOutput| -> BTreeSet<String> { String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect() };
    let before = workers(engine.exec(nginx, &["bash", "-c", WORKERS]).await.map_err(|e| e.to_string())?);
    let out = engine.exec(nginx, &["nginx", "-s", "reload"]).await.map_err(|e| e.to_string())?;
    if out.exit_code != 0 {
        return Err(format!("`nginx -s reload` in {nginx} exited with {}", out.exit_code));
    }
    let started = Instant::now();
    while started.elapsed() < NGINX_RELOAD {
        let now = workers(engine.exec(nginx, &["bash", "-c", WORKERS]).await.map_err(|e| e.to_string())?);
        // A new worker means the master re-read its configuration and told the old one to
        // stop accepting connections (the walker opens a new connection for every request).
        if now.difference(&before).next().is_some() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("nginx in {nginx} started no new worker within {} s of `nginx -s reload`: {}", NGINX_RELOAD.as_secs(), engine.logs_tail(nginx, 10).await))
}

/// Every Tomcat stores a new session again. Each is asked directly (from inside its container,
/// as nginx would route only to some of them in sticky mode): msm marks a node it saw fail as
/// unavailable and looks again only when a request needs it, so a Tomcat that had no traffic
/// during the outage can still be handing out sessions that are never stored.
async fn every_tomcat_stores(engine: &Engine, target: &Target) -> Result<String, String> {
    let target = walk::target(engine, &target.lab).await.map_err(|e| e.to_string())?;
    let mut stored = Vec::new();
    for t in &target.tomcats {
        let reply = tomcat::get(engine, &t.name, TEST_PAGE_PATH, Read::Whole).await.map_err(|e| e.to_string())?;
        let id = tomcat::session_cookie(&reply).ok_or_else(|| format!("{} gave no session: {:?}", t.name, reply.lines().next().unwrap_or("")))?;
        match store_has(engine, &target, id, TEST_PAGE_PATH).await {
            Ok(Ok((node, _))) => stored.push(format!("{} → {node}", t.name)),
            Ok(Err(why)) => return Err(format!("{}: {why}", t.name)),
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(format!("a new session from each Tomcat is in the store ({})", stored.join(", ")))
}

/// Starts the store node the drill stopped, waits until msm stores sessions again, and
/// restarts the Tomcats if their store client gave up on the node.
pub(super) async fn restore_store(engine: &Engine, target: &Target, role: Role, node: &str, log: &mut Log) -> bool {
    let t = Instant::now();
    if let Err(e) = engine.start(node).await {
        return log.step(format!("start {node} again"), false, e.to_string());
    }
    match ready::store(engine, role, node, Duration::from_secs(30)).await {
        Ok(v) => log.step(format!("start {node} again"), true, format!("answers `version` ({}) after {:.1} s", v.to_lowercase(), t.elapsed().as_secs_f64())),
        Err(e) => return log.step(format!("start {node} again"), false, e.to_string()),
    };
    // msm's client reconnects by itself, with a back-off: wait until new sessions are stored.
    let t = Instant::now();
    let mut last = String::new();
    while t.elapsed() < STORE_RECONNECT {
        match every_tomcat_stores(engine, target).await {
            Ok(saw) => {
                return log.step("check that msm stores sessions again", true, format!("{saw}, {:.1} s after the node came back", t.elapsed().as_secs_f64()));
            }
            Err(why) => last = why,
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    log.step("check that msm stores sessions again", false, format!("not within {} s: {last}", STORE_RECONNECT.as_secs()));
    // The Tomcats' store client gave up on the node: restart them, as an operator would.
    let names: Vec<String> = target.tomcats.iter().map(|t| t.name.clone()).collect();
    let since = unix_now();
    for n in &names {
        if let Err(e) = engine.restart(n, STOP_GRACE).await {
            return log.step(format!("restart {n}"), false, e.to_string());
        }
    }
    if !bring_back_tomcats(engine, target, &names, Some(since), log).await {
        return false;
    }
    match every_tomcat_stores(engine, target).await {
        Ok(saw) => log.step("check that msm stores sessions again", true, saw),
        Err(why) => log.step("check that msm stores sessions again", false, why),
    }
}

/// Puts a lab back after an interrupted drill: starts every stopped store node, then every
/// stopped Tomcat (msm needs its store when Tomcat starts), waits for them, reloads nginx.
/// Says what it did.
pub(super) async fn restore_all(engine: &Engine, lab: &str) -> String {
    let target = match walk::target(engine, lab).await {
        Ok(t) => t,
        Err(e) => return format!("could not restore the lab ({e}); `msmlab down --name {lab}` and `up` again"),
    };
    let mut started = Vec::new();
    for s in target.stores.iter().filter(|c| !c.state.is_running()) {
        let role = s.role.unwrap_or(Role::Memcached);
        let ok = engine.start(&s.name).await.is_ok() && ready::store(engine, role, &s.name, Duration::from_secs(30)).await.is_ok();
        if !ok {
            return format!("could not start {} again; `msmlab down --name {lab}` and `up` again", s.name);
        }
        started.push(s.name.clone());
    }
    let since = unix_now();
    let tomcats: Vec<&str> = target.tomcats.iter().filter(|c| !c.state.is_running()).map(|c| c.name.as_str()).collect();
    for t in &tomcats {
        let ok = engine.start(t).await.is_ok() && ready::tomcat_since(engine, t, since, TOMCAT_TIMEOUT).await.is_ok();
        if !ok {
            return format!("could not start {t} again; `msmlab down --name {lab}` and `up` again");
        }
        started.push(t.to_string());
    }
    if let Err(e) = reload_nginx(engine, &target.nginx).await {
        return format!("could not reload nginx ({e})");
    }
    if started.is_empty() {
        "the lab was complete; nginx was reloaded".into()
    } else {
        format!("msmlab started {} again and reloaded nginx", started.join(", "))
    }
}
