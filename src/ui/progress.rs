//! Step-by-step progress on stderr: a spinner per running step on a terminal, one plain line
//! per finished step otherwise (CI logs stay readable).

use std::cell::Cell;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::ui::term;

#[derive(Clone)]
pub struct Progress {
    multi: Option<MultiProgress>,
    quiet: bool,
}

impl Progress {
    /// Spinners only on a terminal (stdout and stderr) without `NO_COLOR`, and never when quiet.
    pub fn new(quiet: bool) -> Progress {
        let live = !quiet && term::live();
        let multi = live.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Progress { multi, quiet }
    }

    /// A warning line (`! …`), shown even when quiet: it is something the user must know.
    pub fn warn(&self, message: impl AsRef<str>) {
        let line = format!("! {}", message.as_ref());
        match &self.multi {
            Some(m) => {
                let _ = m.println(line);
            }
            None => eprintln!("{line}"),
        }
    }

    /// A line of what happens next, between steps (not shown when quiet).
    pub fn note(&self, message: impl AsRef<str>) {
        if self.quiet {
            return;
        }
        match &self.multi {
            Some(m) => {
                let _ = m.println(message.as_ref());
            }
            None => eprintln!("{}", message.as_ref()),
        }
    }

    pub fn step(&self, title: impl Into<String>) -> Step {
        let title = title.into();
        let bar = self.multi.as_ref().map(|m| {
            let bar = m.add(ProgressBar::new_spinner());
            bar.set_style(ProgressStyle::with_template("{spinner:.cyan} {prefix} {wide_msg:.dim}").expect("valid template"));
            bar.set_prefix(title.clone());
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        });
        Step { bar, title, started: Instant::now(), quiet: self.quiet, finished: Cell::new(false), failed: Cell::new(false) }
    }
}

pub struct Step {
    bar: Option<ProgressBar>,
    title: String,
    started: Instant,
    quiet: bool,
    finished: Cell<bool>,
    failed: Cell<bool>,
}

impl Step {
    /// What the step is doing right now (shown beside the spinner).
    pub fn update(&self, detail: impl Into<String>) {
        if let Some(bar) = &self.bar {
            bar.set_message(detail.into());
        }
    }

    /// A milestone of a long step (an image build's `Step 3/9 : RUN …`): beside the spinner on
    /// a terminal, and as its own indented line elsewhere, so a long wait never passes in
    /// silence in a CI log either.
    pub fn milestone(&self, text: impl Into<String>) {
        let text = text.into();
        match &self.bar {
            Some(bar) => bar.set_message(text),
            None if !self.quiet => eprintln!("  · {}: {text}", self.title),
            None => {}
        }
    }

    /// Passes a result through, remembering a failure: the step then ends marked failed,
    /// not merely stopped because another step failed.
    pub fn check<T, E>(&self, result: Result<T, E>) -> Result<T, E> {
        if result.is_err() {
            self.failed.set(true);
        }
        result
    }

    /// Marks the step done (once; later calls change nothing); returns how long it took.
    pub fn done(&self, detail: impl AsRef<str>) -> Duration {
        self.finish("✓", detail.as_ref())
    }

    /// Marks the step failed, with why (the error itself is printed once, at the end).
    pub fn fail(&self, detail: impl AsRef<str>) -> Duration {
        self.failed.set(true);
        self.finish("✗", detail.as_ref())
    }

    fn finish(&self, mark: &str, detail: &str) -> Duration {
        let took = self.started.elapsed();
        if self.finished.replace(true) {
            return took;
        }
        let sep = if detail.is_empty() { "" } else { ": " };
        let line = format!("{mark} {}{sep}{detail} ({:.1}s)", self.title, took.as_secs_f64());
        match &self.bar {
            Some(bar) => {
                bar.set_style(ProgressStyle::with_template("{msg}").expect("valid template"));
                bar.finish_with_message(line);
            }
            None if !self.quiet => eprintln!("{line}"),
            None => {}
        }
        took
    }
}

impl Drop for Step {
    /// A step dropped unfinished failed, or was stopped by another's failure or an interrupt;
    /// the error itself travels up and is printed once, at the end.
    fn drop(&mut self) {
        if !self.finished.get() {
            if self.failed.get() {
                self.finish("✗", "failed");
            } else {
                self.finish("-", "stopped");
            }
        }
    }
}
