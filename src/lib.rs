//! msmlab: a memcached-session-manager lab on a Docker engine, in one command.
//!
//! Data flows one way: flags + msmlab.toml (`config`) → `spec::LabSpec` → `plan::Plan` (lock, rendered files) →
//! `engine` (the only Docker code) → `lab` (what runs, found by label) → `verify` → `report`.
//! `docs/architecture.md` walks through it.

pub mod archive;
pub mod bench;
pub mod bundle;
pub mod chart;
pub mod cli;
pub mod commands;
pub mod config;
pub mod doctor;
pub mod drill;
pub mod engine;
pub mod health;
pub mod images;
pub mod lab;
pub mod load;
pub mod lock;
pub mod logs;
pub mod maven;
pub mod names;
pub mod official;
pub mod plan;
pub mod policy;
pub mod pom;
pub mod progress;
pub mod ready;
pub mod relock;
pub mod render;
pub mod report;
pub mod resolve;
pub mod spec;
pub mod stats;
pub mod store;
pub mod support;
pub mod term;
pub mod trust;
pub mod verify;
pub mod webapp;
pub mod wrk;
