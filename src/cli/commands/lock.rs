//! `msmlab lock`.

use crate::cli::verb_error::Context;

use super::{fetcher, VerbError, Reply};
use crate::cli::args::LockArgs;
use crate::jars::lock::{Lock, LockError};
use crate::jars::relock;
use crate::report;
use crate::ui::progress::Progress;

pub async fn run(args: LockArgs) -> Result<Reply, VerbError> {
    let path = &args.lockfile;
    let origin = path.display().to_string();
    let old_text = match std::fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => return Err(LockError::Read { path: origin, source }.into()),
    };
    let previous = old_text.as_deref().map(|t| Lock::parse(t, &origin)).transpose()?;
    let fetcher = fetcher(&args.maven_repo, args.allow_http, &Progress::new(false))?;
    eprintln!("resolving the policy (src/jars/policy.rs) against {} …", args.maven_repo);
    let releases = relock::Releases { upgrade: args.upgrade, pin: args.tomcat_releases.clone() };
    let relocked = relock::relock(&fetcher, previous.as_ref(), &releases)
        .await
        .with_context(|| format!("re-resolving {origin} from {}", args.maven_repo))?;
    let text = relocked.lock.to_text().context("writing the lock")?;
    let same = old_text.as_deref() == Some(text.as_str());
    print!("{}", report::relock_text(&origin, &relocked, same));
    if args.check {
        return Ok(if same { Reply::Yes } else { Reply::No });
    }
    if !same {
        std::fs::write(path, &text).with_context(|| format!("writing {origin}"))?;
        println!("wrote {origin}");
    }
    Ok(Reply::Yes)
}
