//! `msmlab jars`.

use crate::cli::failure::Context;

use super::{fetcher, load_lock, Failure, Globals, Outcome};
use crate::cli::args::{JarChoice, JarsArgs};
use crate::jars::maven::sha256_file;
use crate::plan::PlanError;
use crate::report;
use crate::spec::support;
use crate::ui::progress::Progress;

pub async fn run(args: JarsArgs, _globals: &Globals) -> Result<Outcome, Failure> {
    let JarChoice { tomcat, serializer, store, lockfile } = &args.choice;
    let lock = load_lock(lockfile.as_deref())?;
    support::check_combination(tomcat, *serializer)?;
    let set = lock.select(tomcat, *serializer, *store, true).map_err(PlanError::from)?;
    let fetcher = fetcher(&args.maven_repo, args.allow_http, &Progress::new(false))?;
    let mut cached = Vec::new();
    for a in set.all() {
        let path = fetcher.path(a);
        let ok = sha256_file(&path).await.with_context(|| format!("reading {}", path.display()))?.as_deref() == Some(a.sha256.as_str());
        cached.push(ok);
    }
    let listing = report::JarListing::new(tomcat, *serializer, *store, &set, &cached);
    report::emit(args.output.json, &listing, report::JarListing::text);
    if let Some(dir) = &args.copy_to {
        let fetched = fetcher.fetch_all(&set.lib).await.context("fetching the jars")?;
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for f in &fetched {
            let to = dir.join(f.artifact.coords.file_name());
            std::fs::copy(&f.path, &to).with_context(|| format!("copying {} to {}", f.path.display(), to.display()))?;
        }
        eprintln!("copied {} verified jars to {}", fetched.len(), dir.display());
    }
    Ok(Outcome::Success)
}
