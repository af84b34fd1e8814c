//! Files in and out of containers, as tar archives through the API (never bind mounts, so a
//! remote engine works the same).

use bollard::body_full;
use bollard::query_parameters::{DownloadFromContainerOptionsBuilder, UploadToContainerOptionsBuilder};
use futures_util::StreamExt;

use super::connection::Engine;
use super::containers::ContainerSpec;
use super::errors::{call, EngineError};

impl Engine {
    /// Unpacks a tar archive into the container at `path` (works before the container starts).
    pub async fn upload(&self, container: &str, path: &str, tar: Vec<u8>) -> Result<(), EngineError> {
        let options = UploadToContainerOptionsBuilder::default().path(path).build();
        self.docker
            .upload_to_container(container, Some(options), body_full(tar.into()))
            .await
            .map_err(call("upload files to", format!("{container}:{path}")))
    }

    /// A file of an image as a tar, read from a container created (not started) from it: on a
    /// swarm, the files a lab's image carries, whichever node runs its task.
    pub async fn download_from_image(&self, image: &str, name: &str, path: &str) -> Result<Vec<u8>, EngineError> {
        let spec = ContainerSpec { name: name.into(), image: image.into(), network: "none".into(), ..Default::default() };
        let id = self.create_container(&spec).await?;
        let tar = self.download(&id, path).await;
        let _ = self.remove_container(&id).await;
        tar
    }

    /// A file or directory of a container (running or not), as a tar archive.
    pub async fn download(&self, container: &str, path: &str) -> Result<Vec<u8>, EngineError> {
        let options = DownloadFromContainerOptionsBuilder::default().path(path).build();
        let mut stream = self.docker.download_from_container(container, Some(options));
        let mut out = Vec::new();
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk.map_err(call("download files from", format!("{container}:{path}")))?);
        }
        Ok(out)
    }
}
