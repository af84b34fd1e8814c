//! `msmlab status`.

use super::{connect, Globals, VerbError, Reply};
use crate::cli::args::StatusArgs;
use crate::engine::swarm::SwarmState;
use crate::report;

pub async fn run(args: StatusArgs, globals: &Globals) -> Result<Reply, VerbError> {
    let engine = connect(globals).await?;
    let lab = args.lab.name.as_str();
    let found = crate::lab::find(&engine, lab).await?;
    // On a swarm, the nodes the lab's tasks run on.
    let nodes = match (found.services.is_empty(), engine.swarm().await?) {
        (false, SwarmState::Manager(swarm)) => swarm.nodes,
        _ => Vec::new(),
    };
    let status = report::Status { lab, exists: !found.is_empty(), containers: &found.containers, services: &found.services, nodes: &nodes };
    report::emit(args.output.json, &status, report::status_text);
    Ok(Reply::Yes)
}
