//! Turns results into what people and machines read: human text or JSON on stdout (`emit`
//! prints one or the other), and verify's JUnit XML. One file per subject. (`msmlab logs`
//! streams the containers' own lines as they come: `lab::logs`.)

mod bench;
mod checks;
mod compat;
mod jars;
mod junit;
mod lab;
mod verdict;

use serde::Serialize;

pub use bench::{bench_json, bench_text};
pub use checks::{doctor_text, rendered_text};
pub use compat::compat_text;
pub use jars::{relock_text, BuiltJar, JarListing, ListedJar};
pub use junit::verdict_junit;
pub use lab::{
    already_up_text, down_all_text, down_text, export_text, status_json, status_text, up_text, up_timings_text, webapp_check_text, AlreadyUpReport, DownReport,
    FloorJson, Status, TimingsJson, UpReport,
};
pub use verdict::{drill_text, verdict_json, verdict_text};

/// Prints a verb's result on stdout: one pretty JSON document with `--json`, else the text.
/// Every reporting verb goes through here, so the two forms never drift apart in where
/// they go; progress and errors stay on stderr.
pub fn emit<T: Serialize + ?Sized>(json: bool, value: &T, text: impl FnOnce(&T) -> String) {
    if json {
        println!("{}", serde_json::to_string_pretty(value).expect("results serialize"));
    } else {
        print!("{}", text(value));
    }
}
