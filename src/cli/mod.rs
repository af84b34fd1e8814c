//! The edge: the command line (`args`), `msmlab.toml` (`config`), and one file per verb
//! (`commands`), each turning parsed flags into library calls and output.

pub mod args;
pub mod commands;
pub mod config;
pub mod failure;
