//! Images: whether the engine has one, the base image pulled if missing, builds from an
//! in-memory context, pulls with progress, the registry asked through the engine, and the
//! layers a cut-off build left.

use std::collections::HashMap;
use std::time::Duration;

use bollard::body_full;
use bollard::query_parameters::{BuildImageOptionsBuilder, CreateImageOptionsBuilder, ListContainersOptionsBuilder, ListImagesOptionsBuilder};
use futures_util::StreamExt;

use super::connection::Engine;
use super::errors::{call, is_not_found, short, EngineError};
use crate::labspec::names::LAB_LABEL;

/// What a pull reports while it runs: bytes done and total over the layers seen so far.
#[derive(Debug, Clone, Default)]
pub struct PullProgress {
    pub layers: usize,
    pub layers_done: usize,
    pub current: u64,
    pub total: u64,
}

impl Engine {
    /// The id of a local image, or `None` when the engine does not have it.
    pub async fn image_id(&self, image: &str) -> Result<Option<String>, EngineError> {
        match self.docker.inspect_image(image).await {
            Ok(i) => Ok(i.id),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(call("inspect image", image)(e)),
        }
    }

    /// The id of the base image, pulled first if the engine lacks it.
    pub async fn ensure_base_image(&self, image: &str) -> Result<String, EngineError> {
        if let Some(id) = self.image_id(image).await? {
            return Ok(id);
        }
        let options = CreateImageOptionsBuilder::default().from_image(image).build();
        let mut pull = self.docker.create_image(Some(options), None, None);
        while let Some(step) = pull.next().await {
            if let Err(e) = step {
                return Err(EngineError::BaseImage { image: image.into(), message: short(&e) });
            }
        }
        self.image_id(image)
            .await?
            .ok_or_else(|| EngineError::BaseImage { image: image.into(), message: "the pull ended without the image".into() })
    }

    /// Builds an image from an in-memory tar context with the classic builder; `on_line`
    /// receives each line of the build's output as it comes.
    pub async fn build_image(
        &self,
        tag: &str,
        context: Vec<u8>,
        labels: &HashMap<String, String>,
        mut on_line: impl FnMut(&str),
    ) -> Result<(), EngineError> {
        let options = BuildImageOptionsBuilder::default().t(tag).rm(true).forcerm(true).labels(labels).build();
        let mut stream = self.docker.build_image(options, None, Some(body_full(context.into())));
        let mut log: Vec<String> = Vec::new();
        while let Some(item) = stream.next().await {
            let fail = |message: String, log: &[String]| EngineError::Build {
                tag: tag.into(),
                message,
                log: log[log.len().saturating_sub(15)..].join(""),
            };
            match item {
                Ok(info) => {
                    if let Some(line) = info.stream {
                        for l in line.lines().map(str::trim).filter(|l| !l.is_empty()) {
                            on_line(l);
                        }
                        log.push(line);
                    }
                    if let Some(detail) = info.error_detail {
                        return Err(fail(detail.message.unwrap_or_default(), &log));
                    }
                }
                Err(e) => return Err(fail(short(&e), &log)),
            }
        }
        Ok(())
    }

    /// Removes untagged images that carry `label`: the layers an interrupted or failed build
    /// left (msmlab's Dockerfiles label every layer). A build that was cut off is still being
    /// wound down by the engine for a moment: its step's container (which inherits the label)
    /// holds the last layer, so this waits, up to `settle`, until no such container is left.
    /// Returns how many images went.
    pub async fn prune_dangling_images(&self, label: &str, settle: Duration) -> Result<usize, EngineError> {
        let deadline = tokio::time::Instant::now() + settle;
        loop {
            let filters = HashMap::from([("label".to_string(), vec![label.to_string()])]);
            let options = ListContainersOptionsBuilder::default().all(true).filters(&filters).build();
            let listed = self.docker.list_containers(Some(options)).await.map_err(call("list build containers labelled", label.to_string()))?;
            // Lab containers inherit the image's label too; a build's own carry no lab.
            let building = listed.iter().filter(|c| !c.labels.as_ref().is_some_and(|l| l.contains_key(LAB_LABEL))).count();
            if building == 0 || tokio::time::Instant::now() >= deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let filters = HashMap::from([("dangling".to_string(), vec!["true".to_string()]), ("label".to_string(), vec![label.to_string()])]);
        let options = bollard::query_parameters::PruneImagesOptionsBuilder::default().filters(&filters).build();
        let pruned = self.docker.prune_images(Some(options)).await.map_err(call("prune images labelled", label.to_string()))?;
        Ok(pruned.images_deleted.map_or(0, |d| d.iter().filter(|i| i.deleted.is_some()).count()))
    }

    /// Tags of the local images carrying `label`.
    pub async fn images_with_label(&self, label: &str) -> Result<Vec<String>, EngineError> {
        let filters = HashMap::from([("label".to_string(), vec![label.to_string()])]);
        let options = ListImagesOptionsBuilder::default().filters(&filters).build();
        let list = self.docker.list_images(Some(options)).await.map_err(call("list images labelled", label))?;
        let mut tags: Vec<String> = list.into_iter().flat_map(|i| i.repo_tags).filter(|t| t != "<none>:<none>").collect();
        tags.sort();
        Ok(tags)
    }

    /// Asks the registry, through the engine, for an image's manifest: whether a registry
    /// answers for it, without pulling anything.
    pub async fn registry_has(&self, image: &str) -> Result<(), EngineError> {
        self.docker
            .inspect_registry_image(image, None)
            .await
            .map(|_| ())
            .map_err(|e| EngineError::Pull { image: image.into(), message: short(&e) })
    }

    /// Pulls an image, reporting progress; an image the engine has already is not pulled.
    pub async fn pull(&self, image: &str, mut progress: impl FnMut(&PullProgress)) -> Result<bool, EngineError> {
        if self.image_id(image).await?.is_some() {
            return Ok(false);
        }
        let options = CreateImageOptionsBuilder::default().from_image(image).build();
        let mut pull = self.docker.create_image(Some(options), None, None);
        let mut layers: HashMap<String, (u64, u64, bool)> = HashMap::new();
        while let Some(step) = pull.next().await {
            let info = step.map_err(|e| EngineError::Pull { image: image.into(), message: short(&e) })?;
            let (Some(id), Some(status)) = (info.id, info.status) else { continue };
            let layer = layers.entry(id).or_default();
            if let Some(d) = info.progress_detail {
                if status == "Downloading" {
                    layer.0 = d.current.unwrap_or(0).max(0) as u64;
                    layer.1 = d.total.unwrap_or(0).max(0) as u64;
                }
            }
            if matches!(status.as_str(), "Pull complete" | "Already exists" | "Download complete") {
                layer.0 = layer.1;
                layer.2 = status != "Download complete";
            }
            progress(&PullProgress {
                layers: layers.len(),
                layers_done: layers.values().filter(|l| l.2).count(),
                current: layers.values().map(|l| l.0).sum(),
                total: layers.values().map(|l| l.1).sum(),
            });
        }
        if self.image_id(image).await?.is_none() {
            return Err(EngineError::Pull { image: image.into(), message: "the pull ended without the image".into() });
        }
        Ok(true)
    }
}
