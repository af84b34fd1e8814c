//! The `store` check: the session is in the store node its id names, read over the store's
//! own protocol (`lab::store` chooses how to reach the node).

use crate::engine::Engine;
use crate::lab::store::{self, ProbeError};
use crate::labspec::names::Role;
use crate::verify::errors::VerifyError;
use crate::verify::judge::Check;
use crate::verify::walk::{Answer, Target};

/// Reads a session of the page at `url` from the store node its id names: `Ok((node, bytes))`,
/// or why it is not there. An engine that fails is an error, not a check that failed: it says nothing about
/// the lab.
pub async fn store_has(engine: &Engine, target: &Target, id: &str, url: &str) -> Result<Result<(String, u64), String>, VerifyError> {
    let Some(node) = target.store_for(id) else {
        return Ok(Err("the lab has no session store container".into()));
    };
    let (name, role) = (node.name.clone(), node.role.unwrap_or(Role::Memcached));
    if !node.state.is_running() {
        return Ok(Err(format!("{role} ({name}) is {}, so nothing can be stored there", node.state)));
    }
    // msm keys a session by its whole id, jvmRoute included, after the lab's storageKeyPrefix.
    let key = target.storage_key(id, url);
    let under = if key == id { String::new() } else { format!(" under key {key}") };
    Ok(match store::stored_size_of(engine, node, &key).await {
        Ok(Some(len)) => Ok((format!("{name}{under}"), len)),
        Ok(None) => Err(format!("session {id} is not in {role} ({name}){under}: nothing wrote it there")),
        Err(ProbeError::Engine(e)) if e.is_unreachable() => return Err(e.into()),
        // The engine answered but the exec failed: a store that stopped since the lab was
        // found is a failed check of the lab, not an engine error.
        Err(ProbeError::Engine(e)) => match engine.state(&name).await {
            Ok((state, exit_code)) if !state.is_running() => {
                Err(format!("{role} ({name}) is {state} (exit code {exit_code}): the session cannot be read"))
            }
            _ => return Err(e.into()),
        },
        Err(e) => Err(format!("could not read {role} ({name}): {e}")),
    })
}

pub async fn check_store(engine: &Engine, target: &Target, answers: &[Answer], url: &str) -> Result<Check, VerifyError> {
    let Some(id) = answers.iter().rev().find_map(|a| a.session_id.clone()) else {
        return Ok(Check::new("store", false, "no session id to look up".into()));
    };
    let role = target.store_for(&id).and_then(|n| n.role).unwrap_or(Role::Memcached);
    Ok(match store_has(engine, target, &id, url).await? {
        Ok((name, bytes)) => Check::new("store", true, format!("session {id} is in {role} ({name}), {bytes} bytes")),
        Err(why) => Check::new("store", false, why),
    })
}
