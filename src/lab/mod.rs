//! A lab as it exists on the engine. `up` brings one up from a `Plan`: `preflight` first,
//! then `provision` (images built or pulled), then the containers, each awaited by `ready`.
//! `found` finds a lab again by label and removes it; `health` judges one that exists
//! already; `webapp_check` asks whether the user's webapp answers in it; `logs` and `store`
//! read what runs; `timings` says where `up`'s time went and `errors` which step failed.
//! Nothing is remembered between commands.

pub mod errors;
pub mod found;
pub mod health;
pub mod jakarta;
pub mod logs;
pub mod preflight;
pub mod probe;
pub mod provision;
pub mod ready;
pub mod settings;
pub mod store;
pub mod swarm;
pub mod throwaway;
pub mod timings;
pub mod tomcat;
pub mod up;
pub mod url;
pub mod webapp_check;

pub use errors::LabError;
pub use found::{down, down_all, find, Found};
pub use throwaway::{throwaway, Throwaway};
pub use timings::Timings;
pub use up::{up, UpOutcome};
pub use url::LabUrl;
