//! A lab on Docker Swarm (`msmlab up --swarm`, `docs/scaling.md`): the same plan deployed as
//! services over the nodes of the swarm the engine manages. `layout` decides where each runs,
//! `deploy` builds, pushes and creates them, `tasks` reads them back as the lab's containers.

pub mod deploy;
pub mod layout;
pub mod tasks;
