//! The only module that talks to the Docker engine.
//!
//! It offers a few verbs in lab terms (ensure an image, create a network, create a container
//! with files uploaded, find what carries a label, remove it) and turns every failed call into
//! an error that names what failed. Files reach containers as tar uploads through the API,
//! never through bind mounts, so a remote `DOCKER_HOST` works the same.
//!
//! One `Engine` handle (`connection`), its methods split by what they manage, each file an
//! `impl Engine` block of its own. This file only hands their names on, so the files import
//! one another and never this one.

pub mod connection;
pub mod containers;
pub mod endpoint;
pub mod errors;
pub mod exec;
pub mod files;
pub mod images;
mod labels;
pub mod logs;
pub mod networks;
pub mod registry;
pub mod swarm;

pub use connection::{Engine, EngineVersion};
pub use containers::{ContainerInfo, ContainerSpec, ContainerState, NameKind, Privileges};
pub use errors::{EngineError, MIN_API};
pub use exec::ExecOutput;
pub use images::PullProgress;
pub use logs::LogLine;
pub use networks::Resource;
