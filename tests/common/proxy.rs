//! A stand-in for the Docker engine's socket that the tests control: it forwards every
//! connection to the real engine (`/var/run/docker.sock`) until told to `cut`, which drops
//! every open connection and refuses new ones until `restore`. msmlab talks to it through
//! `DOCKER_HOST`, so the shared engine itself is never stopped.

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

const ENGINE: &str = "/var/run/docker.sock";

#[derive(Default)]
struct State {
    cut: AtomicBool,
    open: Mutex<Vec<UnixStream>>,
    refused: AtomicUsize,
}

#[derive(Clone)]
pub struct EngineProxy {
    path: PathBuf,
    state: Arc<State>,
    _dir: Arc<tempfile::TempDir>,
}

impl EngineProxy {
    pub fn start() -> EngineProxy {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("docker.sock");
        let listener = UnixListener::bind(&path).expect("the proxy socket binds");
        let state = Arc::new(State::default());
        let s = state.clone();
        thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if s.cut.load(Ordering::SeqCst) {
                    s.refused.fetch_add(1, Ordering::SeqCst);
                    drop(client);
                    continue;
                }
                let Ok(engine) = UnixStream::connect(ENGINE) else { continue };
                {
                    let mut open = s.open.lock().unwrap();
                    open.push(client.try_clone().unwrap());
                    open.push(engine.try_clone().unwrap());
                }
                pipe(client.try_clone().unwrap(), engine.try_clone().unwrap());
                pipe(engine, client);
            }
        });
        EngineProxy { path, state, _dir: Arc::new(dir) }
    }

    /// The `DOCKER_HOST` value that reaches the engine through this proxy.
    pub fn docker_host(&self) -> String {
        format!("unix://{}", self.path.display())
    }

    /// The engine becomes unreachable: open connections are cut, new ones refused.
    pub fn cut(&self) {
        self.state.cut.store(true, Ordering::SeqCst);
        for s in self.state.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }

    /// The engine answers again.
    pub fn restore(&self) {
        self.state.cut.store(false, Ordering::SeqCst);
    }

    /// Connections refused while cut.
    pub fn refused(&self) -> usize {
        self.state.refused.load(Ordering::SeqCst)
    }
}

/// Copies one direction of a connection until either side closes.
fn pipe(mut from: UnixStream, mut to: UnixStream) {
    thread::spawn(move || {
        let mut buf = [0u8; 16384];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(std::net::Shutdown::Write);
    });
}
