//! Ctrl-C and SIGTERM, named, for every verb that must clean up before it stops (`up`'s
//! rollback, a drill's restore, a bench run's lab).

use tokio::signal::unix::{signal, Signal, SignalKind};

/// Both signals, watched from the moment this is made, so none that comes later is missed.
pub struct Interrupts {
    int: Signal,
    term: Signal,
}

impl Interrupts {
    pub fn watch() -> Interrupts {
        Interrupts {
            int: signal(SignalKind::interrupt()).expect("SIGINT can be watched"),
            term: signal(SignalKind::terminate()).expect("SIGTERM can be watched"),
        }
    }

    /// The next interrupt, named.
    pub async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.int.recv() => "Ctrl-C",
            _ = self.term.recv() => "SIGTERM",
        }
    }
}

/// Runs `work`, unless Ctrl-C or SIGTERM comes first: then `Err` names the signal.
pub async fn unless_interrupted<T>(work: impl std::future::Future<Output = T>) -> Result<T, &'static str> {
    let mut interrupts = Interrupts::watch();
    tokio::select! {
        done = work => Ok(done),
        signal = interrupts.next() => Err(signal),
    }
}
