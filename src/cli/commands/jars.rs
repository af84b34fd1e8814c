//! `msmlab jars`.

use crate::cli::verb_error::Context;

use super::{connect, fetcher, load_lock, VerbError, Globals, Reply};
use crate::lab::{jakarta, provision};
use crate::report::BuiltJar;
use sha2::Digest;
use crate::cli::args::{JarChoice, JarsArgs};
use crate::jars::maven::sha256_file;
use crate::plan::PlanError;
use crate::report;
use crate::labspec::support;
use crate::ui::progress::Progress;

pub async fn run(args: JarsArgs, globals: &Globals) -> Result<Reply, VerbError> {
    let JarChoice { tomcat, serializer, store, lockfile } = &args.choice;
    let lock = load_lock(lockfile.as_deref())?;
    support::check_combination(tomcat, *serializer)?;
    let set = lock.select(tomcat, *serializer, *store, true).map_err(PlanError::from)?;
    let mut built_bytes: Vec<(String, Vec<u8>)> = Vec::new();
    let progress = Progress::new(globals.quiet);
    let fetcher = fetcher(&args.maven_repo, args.allow_http, &progress)?;
    let mut cached = Vec::new();
    for a in set.all() {
        let path = fetcher.path(a);
        let ok = sha256_file(&path).await.with_context(|| format!("reading {}", path.display()))?.as_deref() == Some(a.sha256.as_str());
        cached.push(ok);
    }
    // On Tomcat 10.1 and 11 what goes into lib/ is made on the engine: the jars converted to
    // jakarta.servlet, and on 11 msmlab's Manager (cached after the first time).
    let mut lib = None;
    let (mut converted, mut built) = (Vec::new(), Vec::new());
    if set.migration.is_some() {
        // distribution, lib jars, tool (`JarSet::all`)
        let fetched = fetcher.fetch_all(&set.all().cloned().collect::<Vec<_>>()).await.context("fetching the jars")?;
        let (distribution, rest) = fetched.split_first().expect("a jar set has a distribution");
        let (tool, lib_jars) = rest.split_last().expect("a Jakarta line has the migration tool");
        let engine = connect(globals).await?;
        let image = provision::tomcat_image(&engine, crate::labspec::Jre::Jre17, distribution, &progress).await?;
        let made = jakarta::for_servers(&engine, tomcat.major(), &image, lib_jars, tool, &progress)
            .await
            .context("converting msm's jars for jakarta.servlet")?;
        built = made.built.iter().map(|(file, bytes)| BuiltJar {
            file: file.clone(),
            size: bytes.len() as u64,
            sha256: hex::encode(sha2::Sha256::digest(bytes)),
            note: "msmlab's Manager for Tomcat 11 (docs/jakarta.md): context.xml names it".into(),
        }).collect();
        (lib, converted) = (Some(made.lib), made.converted);
        built_bytes = made.built;
    }
    let listing = report::JarListing::new(tomcat, *serializer, *store, &set, &cached, &converted, built);
    report::emit(args.output.json, &listing, report::JarListing::text);
    if let Some(dir) = &args.copy_to {
        let fetched = match lib {
            Some(lib) => lib,
            None => fetcher.fetch_all(&set.lib).await.context("fetching the jars")?,
        };
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for f in &fetched {
            let to = dir.join(f.artifact.coords.file_name());
            std::fs::copy(&f.path, &to).with_context(|| format!("copying {} to {}", f.path.display(), to.display()))?;
        }
        for (file, bytes) in &built_bytes {
            let to = dir.join(file);
            std::fs::write(&to, bytes).with_context(|| format!("writing {}", to.display()))?;
        }
        let what = if converted.is_empty() { "verified jars".to_string() } else { format!("jars ({} converted to jakarta.servlet)", converted.len()) };
        eprintln!("copied {} {what} to {}", fetched.len() + built_bytes.len(), dir.display());
    }
    Ok(Reply::Yes)
}
