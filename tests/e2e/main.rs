//! The end-to-end tests: one test binary, one module per story (the file names say the story),
//! each running the real `msmlab` binary against the real engine. One binary compiles and links
//! `common` once instead of once per story, and its `one_lab_at_a_time` lock is one lock for
//! every story: a test that brings up a lab (or an engine of its own) holds it, so no two labs
//! share the 2 cores, while the tests that bring nothing up (refusals, help) run beside them.
//!
//! Kept apart, each a binary of its own: `layers` (reads `src/`, needs no engine),
//! `cli_conventions` and `exit_status` (need no engine), and `soak` (its leak check counts
//! every lab on the engine, so it runs alone).
//!
//! One story: `cargo test --test e2e drills::` (or a single test by its name).

#[path = "../common/mod.rs"]
mod common;

mod bench;
mod broken_labs;
mod compat;
mod concurrency;
mod config_file;
mod control_lab_fails;
mod doctor;
mod down_all;
mod drills;
mod engine_problems;
mod failed_up_leaves_nothing;
mod idempotence_and_exposure;
mod jakarta;
mod jars_and_lock;
mod labs_side_by_side;
mod matrix;
mod maven_webapp;
mod messages;
mod msm_options;
mod official_images;
mod remote_engine;
mod real_apps;
mod render_bundle;
mod session_probe;
mod smoke;
mod stock_deployment;
mod swarm;
mod up_verify_down;
mod walk;
mod webapp_javaee;
