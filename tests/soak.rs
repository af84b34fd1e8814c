//! The soak test: cycles of `up` / `verify` / `down` with random faults, then proof that
//! nothing was left behind: no resource with an msmlab label, no cache file that fails its
//! checksum, no partial download.
//!
//! Faults, in a seeded random order (every kind once per block of five cycles):
//! - `interrupt`: Ctrl-C or SIGTERM during `up`, at a random step;
//! - `kill`: a Tomcat or memcached killed while `verify` runs;
//! - `engine`: the engine unreachable for 0.2 to 3 s during `up` (through a proxy socket; the
//!   shared engine itself is never touched), after which the next `up` must succeed;
//! - `corrupt`: a jar in the cache overwritten before `up`, which must notice and fetch it again;
//! - `none`: a plain cycle.
//!
//! Knobs (environment): `MSMLAB_SOAK_CYCLES` (default 3, what CI runs), `MSMLAB_SOAK_SEED`
//! (default: from the clock; always printed, so a failure can be replayed),
//! `MSMLAB_SOAK_MINUTES` (default 20: no cycle starts after that), `MSMLAB_SOAK_GLOBAL=1` (the
//! leak check covers every msmlab lab on the engine that was not there before it started, not
//! only the soak's; CI sets it, as this binary runs alone there). The figures go to stderr and to `target/soak-report.txt`.
//!
//! The soak is a test binary of its own, apart from the end-to-end binary (`tests/e2e/`): cargo
//! runs test binaries one after another, so nothing else brings a lab up while it runs, and the
//! global leak check counts the soak's leaks only.

// The end-to-end tests' helpers, of which the soak uses a part.
#[allow(dead_code)]
mod common;
use common::proxy::EngineProxy;
use common::*;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LAB: &str = "e2e-soak";
const PORT: &str = "13450";

/// splitmix64: small, seedable, good enough to pick faults.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fault {
    Interrupt,
    Kill,
    Engine,
    Corrupt,
    None,
}

const FAULTS: [Fault; 5] = [Fault::Interrupt, Fault::Kill, Fault::Engine, Fault::Corrupt, Fault::None];

/// Where a fault during `up` strikes: right after one of these progress lines.
const UP_STEPS: [&str; 4] = ["✓ Fetch jars", "✓ Create network", "✓ Start msmlab-e2e-soak-memcached-1", "✓ Start msmlab-e2e-soak-tomcat-"];

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Soak {
    proxy: EngineProxy,
    cache: PathBuf,
    rng: Rng,
    /// Outcomes by fault kind, e.g. "interrupt: exit 130 after ✓ Create network".
    log: Vec<String>,
    injected: BTreeMap<&'static str, usize>,
    slowest_cleanup: (Duration, String),
    /// Non-fault verdicts that needed a second try (see `verify_ok`).
    verify_retries: Vec<String>,
}

impl Soak {
    fn env(&self) -> Vec<(&'static str, String)> {
        vec![("DOCKER_HOST", self.proxy.docker_host()), ("MSMLAB_CACHE_DIR", self.cache.display().to_string()), ("NO_COLOR", "1".into())]
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        let env = self.env();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        msmlab_with(args, &env)
    }

    fn spawn(&self, args: &[&str]) -> std::process::Child {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_msmlab"));
        cmd.args(args).envs(self.env()).stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd.spawn().unwrap()
    }

    fn cleanup_took(&mut self, took: Duration, what: String) {
        if took > self.slowest_cleanup.0 {
            self.slowest_cleanup = (took, what);
        }
    }

    fn up(&self) -> std::process::Output {
        self.run(&["up", "--name", LAB, "--port", PORT])
    }

    fn up_ok(&self) {
        let up = self.up();
        assert_eq!(up.status.code(), Some(0), "up: {}", stderr(&up));
    }

    /// verify passes. A failed verdict (exit 1) gets one more try: on a loaded machine msm can
    /// miss its `sessionBackupTimeout` now and then and drop a session, which says nothing
    /// about what this test is about. The retry is counted and shown in the report; a lab that
    /// really does not work fails both times.
    fn verify_ok(&mut self, n: u64) {
        let v = self.run(&["verify", "--name", LAB]);
        if v.status.code() == Some(1) {
            let verdict = stdout(&v).lines().last().unwrap_or("").to_string();
            let again = self.run(&["verify", "--name", LAB]);
            assert_eq!(again.status.code(), Some(0), "verify failed twice: {}\n{}", stdout(&v), stdout(&again));
            self.verify_retries.push(format!("cycle {n}: {verdict}, passed on the second try"));
            return;
        }
        assert_eq!(v.status.code(), Some(0), "verify: {}{}", stdout(&v), stderr(&v));
    }

    /// Runs `up`, calling `strike` after the progress line `step`; returns the exit code, the
    /// time from the strike to the end, and stderr.
    fn up_with(&mut self, step: &str, strike: impl FnOnce(u32)) -> (Option<i32>, Option<Duration>, String) {
        let mut up = self.spawn(&["up", "--name", LAB, "--port", PORT]);
        let pid = up.id();
        let mut strike = Some(strike);
        let mut struck_at = None;
        let mut seen = Vec::new();
        for line in BufReader::new(up.stderr.take().unwrap()).lines() {
            let line = line.unwrap();
            if line.starts_with(step) {
                if let Some(s) = strike.take() {
                    struck_at = Some(Instant::now());
                    s(pid);
                }
            }
            seen.push(line);
        }
        let code = up.wait().unwrap().code();
        (code, struck_at.map(|t| t.elapsed()), seen.join("\n"))
    }

    fn cycle(&mut self, n: u64, fault: Fault) {
        match fault {
            Fault::None => {
                self.up_ok();
                self.verify_ok(n);
                self.log.push(format!("cycle {n}: none: up, verify passed"));
            }
            Fault::Interrupt => {
                let step = *self.rng.pick(&UP_STEPS);
                let signal = *self.rng.pick(&["-INT", "-TERM"]);
                let (code, took, err) = self.up_with(step, |pid| {
                    assert!(Command::new("kill").args([signal, &pid.to_string()]).status().unwrap().success());
                });
                let leftovers = labelled(LAB);
                match code {
                    Some(130) => {
                        *self.injected.entry("interrupt").or_default() += 1;
                        assert_eq!(leftovers, Vec::<String>::new(), "the interrupted up left resources: {err}");
                        let took = took.unwrap();
                        self.cleanup_took(took, format!("cycle {n}: rollback after {signal} at {step:?}"));
                        self.log.push(format!("cycle {n}: interrupt: {signal} after {step:?}: exit 130, rolled back in {:.1}s", took.as_secs_f64()));
                    }
                    // The signal came after `up` had finished its work: a lab that is up.
                    Some(0) => self.log.push(format!("cycle {n}: interrupt: {signal} after {step:?} came too late, up had finished")),
                    other => panic!("an interrupted up ended with {other:?}: {err}"),
                }
            }
            Fault::Kill => {
                self.up_ok();
                let victim = format!("msmlab-{LAB}-{}", self.rng.pick(&["tomcat-1", "tomcat-2", "memcached-1"]));
                // 300 requests take a second or more: the kill lands while they run.
                let delay = Duration::from_millis(50 + self.rng.below(400));
                let verify = self.spawn(&["verify", "--name", LAB, "--requests", "300"]);
                std::thread::sleep(delay);
                let killed = docker_ok(&["kill", &victim]);
                let out = verify.wait_with_output().unwrap();
                let code = out.status.code();
                // A verdict either way (a failover can keep the session), never an error or a hang.
                assert!(matches!(code, Some(0 | 1)), "verify with {victim} killed ended with {code:?}: {}", String::from_utf8_lossy(&out.stderr));
                *self.injected.entry("kill").or_default() += usize::from(killed);
                let verdict = String::from_utf8_lossy(&out.stdout).lines().last().unwrap_or("").to_string();
                self.log.push(format!("cycle {n}: kill: {victim} after {}ms: verify exit {code:?} ({verdict})", delay.as_millis()));
            }
            Fault::Engine => {
                let step = *self.rng.pick(&UP_STEPS);
                let away = Duration::from_millis(200 + self.rng.below(2800));
                let proxy = self.proxy.clone();
                let (code, _, err) = self.up_with(step, move |_| {
                    proxy.cut();
                    std::thread::spawn(move || {
                        std::thread::sleep(away);
                        proxy.restore();
                    });
                });
                // Whatever happened, the engine is back now (the restore may still be pending).
                std::thread::sleep(away);
                self.proxy.restore();
                *self.injected.entry("engine").or_default() += 1;
                let first = match code {
                    Some(0) => "up still succeeded".to_string(),
                    Some(c) => {
                        let error = err.lines().find(|l| l.starts_with("error:")).unwrap_or("").to_string();
                        assert!(!error.is_empty() && err.ends_with(&error), "one error line, at the end: {err}");
                        assert_eq!(c, 3, "an engine that went away is exit status 3: {err}");
                        format!("up exit {c} ({})", if error.contains("lost the Docker engine") { "lost the engine" } else { &error })
                    }
                    None => panic!("up was killed: {err}"),
                };
                // The next up recovers, whatever the first left.
                let again = self.up();
                assert_eq!(again.status.code(), Some(0), "the up after the engine came back: {}", stderr(&again));
                let how = if stdout(&again).contains("already up") {
                    "already up"
                } else if stderr(&again).contains("Remove the existing lab") {
                    "cleared leftovers and rebuilt"
                } else {
                    "built"
                };
                self.verify_ok(n);
                self.log.push(format!("cycle {n}: engine: away {}ms after {step:?}: {first}; next up: {how}; verify passed", away.as_millis()));
            }
            Fault::Corrupt => {
                let jar = corruptible(&self.cache);
                let victim = self.rng.pick(&jar).clone();
                std::fs::write(&victim, b"<html>bit rot</html>").unwrap();
                *self.injected.entry("corrupt").or_default() += 1;
                let up = self.up();
                assert_eq!(up.status.code(), Some(0), "{}", stderr(&up));
                let name = victim.file_name().unwrap().to_string_lossy().to_string();
                assert!(stderr(&up).contains("failed its checksum") && stderr(&up).contains(&name), "the corruption is reported: {}", stderr(&up));
                self.verify_ok(n);
                self.log.push(format!("cycle {n}: corrupt: {name} overwritten: reported, fetched again, verify passed"));
            }
        }
        let started = Instant::now();
        let down = self.run(&["down", "--name", LAB]);
        let took = started.elapsed();
        assert_eq!(down.status.code(), Some(0), "down: {}", stderr(&down));
        assert_eq!(labelled(LAB), Vec::<String>::new(), "down left resources after cycle {n}");
        self.cleanup_took(took, format!("cycle {n}: down after {fault:?}"));
    }
}

/// The jars the soak's lab puts in Tomcat's `lib/` (small, quick to fetch again; the Tomcat
/// archive is not touched).
fn corruptible(cache: &Path) -> Vec<PathBuf> {
    let lock = msmlab::jars::lock::Lock::bundled();
    let set = lock.select(&"9".parse().unwrap(), msmlab::labspec::Serializer::Java, msmlab::labspec::Store::Memcached, true).unwrap();
    set.lib.iter().map(|a| cache.join("maven").join(a.coords.repo_path())).collect()
}

/// Every file in the cache, checked against jars.lock: problems found (unknown files, partial
/// downloads, checksum failures).
fn cache_problems(cache: &Path) -> (usize, Vec<String>) {
    use sha2::{Digest, Sha256};
    let pinned = pinned(cache);
    let files = files_under(&cache.join("maven"));
    let mut problems = Vec::new();
    for f in &files {
        match pinned.get(f) {
            None => problems.push(format!("{}: not a pinned artifact (a partial download?)", f.display())),
            Some(sha) => {
                let actual = hex::encode(Sha256::digest(std::fs::read(f).unwrap()));
                if &actual != sha {
                    problems.push(format!("{}: sha256 {actual}, jars.lock pins {sha}", f.display()));
                }
            }
        }
    }
    (files.len(), problems)
}

/// Where each artifact of jars.lock lives in `cache`, with its pinned SHA-256 (read from the
/// lock's text, independently of msmlab's parser).
fn pinned(cache: &Path) -> BTreeMap<PathBuf, String> {
    let lock: toml::Value = toml::from_str(msmlab::jars::lock::BUNDLED).unwrap();
    lock["artifact"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let coords = msmlab::jars::lock::Coords::parse(a["coords"].as_str().unwrap()).unwrap();
            (cache.join("maven").join(coords.repo_path()), a["sha256"].as_str().unwrap().to_lowercase())
        })
        .collect()
}

/// Fills the soak's cache from the user's, so a first run does not download what is there.
fn seed_cache(cache: &Path) {
    let user = msmlab::jars::maven::default_cache_dir().join("maven");
    if cache.join("maven").exists() || !user.exists() {
        return;
    }
    let pinned = pinned(cache);
    for f in files_under(&user) {
        let to = cache.join("maven").join(f.strip_prefix(&user).unwrap());
        if !pinned.contains_key(&to) {
            continue;
        }
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&f, &to).unwrap();
    }
}

/// Names of every container, network and volume of any msmlab lab.
fn labelled_any() -> Vec<String> {
    labelled_by("label=io.msmlab.lab")
}

#[test]
fn cycles_of_up_verify_down_with_faults_leave_nothing_behind() {
    let cycles = env_num("MSMLAB_SOAK_CYCLES", 3);
    let minutes = env_num("MSMLAB_SOAK_MINUTES", 20);
    let seed = env_num("MSMLAB_SOAK_SEED", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64);
    let global = std::env::var("MSMLAB_SOAK_GLOBAL").is_ok_and(|v| v == "1");
    // Labs that were there before (CI's quickstart lab) are not the soak's leaks.
    let before = if global { labelled_any() } else { Vec::new() };
    eprintln!("soak: {cycles} cycles, seed {seed} (replay with MSMLAB_SOAK_SEED={seed}), at most {minutes} min");

    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("soak-cache");
    seed_cache(&cache);
    let _cleanup = Lab::claim(LAB);
    let mut soak = Soak {
        proxy: EngineProxy::start(),
        cache: cache.clone(),
        rng: Rng(seed),
        log: Vec::new(),
        injected: BTreeMap::new(),
        slowest_cleanup: (Duration::ZERO, String::new()),
        verify_retries: Vec::new(),
    };
    let started = Instant::now();
    let mut order: Vec<Fault> = Vec::new();
    let mut done = 0;
    for n in 1..=cycles {
        if started.elapsed() > Duration::from_secs(minutes * 60) {
            eprintln!("soak: time bound of {minutes} min reached after {done} cycles");
            break;
        }
        if order.is_empty() {
            // A shuffled block of every kind, so even 3 cycles see 3 different faults.
            order = FAULTS.to_vec();
            for i in (1..order.len()).rev() {
                let j = soak.rng.below(i as u64 + 1) as usize;
                order.swap(i, j);
            }
        }
        let fault = order.pop().unwrap();
        let t = Instant::now();
        soak.cycle(n, fault);
        done += 1;
        eprintln!("soak: {} ({:.1}s)", soak.log.last().unwrap(), t.elapsed().as_secs_f64());
    }

    let leaked: Vec<String> = if global { labelled_any().into_iter().filter(|n| !before.contains(n)).collect() } else { labelled(LAB) };
    let (cache_files, cache_bad) = cache_problems(&cache);
    let report = format!(
        "soak report\n  seed {seed}\n  cycles {done} of {cycles} in {:.0}s\n  faults injected: {}\n  leaked resources ({}): {}\n  \
         cache: {cache_files} files, {} failing their checksum or unknown\n  slowest cleanup: {:.1}s ({})\n  \
         verify needed a second try: {}\n  cycles:\n    {}\n",
        started.elapsed().as_secs_f64(),
        soak.injected.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", "),
        if global { "every msmlab label" } else { "label io.msmlab.lab=e2e-soak" },
        leaked.len(),
        cache_bad.len(),
        soak.slowest_cleanup.0.as_secs_f64(),
        soak.slowest_cleanup.1,
        if soak.verify_retries.is_empty() { "never".to_string() } else { soak.verify_retries.join("; ") },
        soak.log.join("\n    "),
    );
    eprint!("{report}");
    let _ = std::fs::write(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../soak-report.txt"), &report);
    assert!(done >= 1, "no cycle ran");
    assert_eq!(leaked, Vec::<String>::new(), "resources with an msmlab label remain");
    assert_eq!(cache_bad, Vec::<String>::new(), "the cache holds files that fail their checksum");
}
