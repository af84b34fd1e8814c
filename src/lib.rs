//! msmlab: a memcached-session-manager lab on a Docker engine, in one command.
//!
//! Data flows one way, and each folder is one step of it; a module imports only from its own
//! layer or the layers below, never in a circle (`tests/layers.rs` keeps it so):
//!
//! ```text
//! cli → report → verify | bench | bundle | doctor → lab → engine → plan → jars → labspec
//!                        (exit, templates and ui are leaves anyone may use)
//! ```
//!
//! `docs/architecture.md` walks through it.

pub mod bench;
pub mod bundle;
pub mod cli;
pub mod compat;
pub mod doctor;
pub mod engine;
pub mod exit;
pub mod jars;
pub mod lab;
pub mod labspec;
pub mod plan;
pub mod report;
pub mod templates;
pub mod ui;
pub mod verify;
