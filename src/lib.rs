//! msmlab: a memcached-session-manager lab on a Docker engine, in one command.
//!
//! Data flows one way: flags → `spec::LabSpec` → `plan::Plan` (lock, rendered files) →
//! `engine` (the only Docker code) → `lab` (what runs, found by label) → `verify` → `report`.
//! `docs/architecture.md` walks through it.

pub mod archive;
pub mod cli;
pub mod commands;
pub mod engine;
pub mod health;
pub mod images;
pub mod lab;
pub mod lock;
pub mod maven;
pub mod names;
pub mod plan;
pub mod policy;
pub mod pom;
pub mod progress;
pub mod ready;
pub mod render;
pub mod relock;
pub mod report;
pub mod resolve;
pub mod spec;
pub mod store;
pub mod support;
pub mod trust;
pub mod verify;
