//! The edge: the command line (`args`), `msmlab.toml` (`config`), how an error leaves a verb
//! with its exit status (`verb_error`), and one file per verb (`commands`), each turning parsed
//! flags into library calls and output.

pub mod args;
pub mod commands;
pub mod config;
pub mod verb_error;
