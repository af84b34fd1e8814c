//! `msmlab bench`.

use crate::cli::verb_error::Context;

use super::{connect, fetcher, remote_listen, VerbError, Globals, Reply};
use crate::bench::{self, chart, load, BenchSpec, Payload};
use crate::cli::args::BenchArgs;
use crate::jars::lock::Lock;
use crate::plan::Plan;
use crate::report;
use crate::labspec::{ImageSource, LabShape, LabSpec, MsmChoice, Serializer};
use crate::ui::progress::Progress;

pub async fn run(args: BenchArgs, globals: &Globals) -> Result<Reply, VerbError> {
    let choice = MsmChoice {
        locking_mode: args.locking_mode,
        // The images msmlab builds: they carry the start-up tuning the bench overrides.
        images: ImageSource::Built,
        ..MsmChoice::new(args.tomcat, Serializer::Java, args.store, args.base_image, args.maven_repo)
    };
    let shape = LabShape {
        store_nodes: args.store_nodes,
        ..LabShape::new(args.name, args.jre, args.tomcats, args.port, args.java_opts)
    };
    let lab = LabSpec::new(choice, shape)?;
    let progress = Progress::new(globals.quiet);
    let fetcher = fetcher(&lab.msm.maven_repo, false, &progress)?;
    let serializers = bench::serializers(&args.serializers, &lab.msm.tomcat)?;
    let mut spec = BenchSpec {
        serializers,
        concurrency: args.concurrency,
        limit: match args.requests {
            Some(n) => load::Limit::Requests(n),
            None => load::Limit::Duration(args.duration),
        },
        warmup: args.warmup,
        payload: Payload { kb: args.payload_kb, attributes: args.payload_attributes, shape: args.payload_shape },
        compare_wrk: args.compare_wrk,
        lab,
    }
    .validate()?;
    let lock = Lock::bundled();
    for s in &spec.serializers {
        Plan::new(spec.lab_for(*s)?, &lock)?;
    }
    let engine = connect(globals).await?;
    if let Some(listen) = remote_listen(&engine, spec.lab.shape.listen, &progress) {
        spec.lab.shape.listen = listen;
    }
    let report = bench::run(&engine, &lock, &fetcher, &progress, &spec).await.context("msmlab bench did not complete")?;

    let dir = &args.out;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let json_path = dir.join("bench.json");
    std::fs::write(&json_path, report::bench_json(&report)).with_context(|| format!("writing {}", json_path.display()))?;
    let svg_path = dir.join("bench.svg");
    let svg = chart::svg(&report).context("drawing the chart")?;
    std::fs::write(&svg_path, svg).with_context(|| format!("writing {}", svg_path.display()))?;
    let png_path = dir.join("bench.png");
    let png = chart::png(&svg_path, &png_path).await;
    if args.output.json {
        println!("{}", report::bench_json(&report));
    } else {
        print!("{}", report::bench_text(&report));
        let png_note = if png { format!(", {}", png_path.display()) } else { String::new() };
        println!("wrote {}, {}{png_note}", json_path.display(), svg_path.display());
    }
    let failed = report.runs.iter().any(|r| r.requests == 0);
    Ok(if failed { Reply::No } else { Reply::Yes })
}
