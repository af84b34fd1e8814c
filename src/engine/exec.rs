//! Commands run in containers: `exec` in a running one (an argv, bounded in time), and a
//! one-off container run to its end with files uploaded first.

use std::time::Duration;

use bollard::container::LogOutput;
use bollard::exec::{CreateExecOptions, StartExecResults};
use bollard::query_parameters::WaitContainerOptionsBuilder;
use futures_util::StreamExt;

use super::connection::Engine;
use super::containers::ContainerSpec;
use super::errors::{call, EngineError};

/// Longest a probe run with `exec` may take; probes answer in milliseconds when all is well.
const EXEC_TIMEOUT: Duration = Duration::from_secs(15);

/// What a command run in a container printed, and how it ended.
#[derive(Debug, Clone)]
pub struct ExecOutput {
    pub exit_code: i64,
    pub stdout: Vec<u8>,
}

impl Engine {
    /// Runs a command (an argv, never a shell string built from values) in a running container,
    /// for at most `EXEC_TIMEOUT`.
    pub async fn exec(&self, container: &str, cmd: &[&str]) -> Result<ExecOutput, EngineError> {
        tokio::time::timeout(EXEC_TIMEOUT, self.exec_unbounded(container, cmd)).await.unwrap_or_else(|_| {
            Err(EngineError::Call {
                action: "exec in",
                target: container.into(),
                message: format!("{:?} did not finish within {}s", cmd.first().unwrap_or(&""), EXEC_TIMEOUT.as_secs()),
            })
        })
    }

    async fn exec_unbounded(&self, container: &str, cmd: &[&str]) -> Result<ExecOutput, EngineError> {
        let options = CreateExecOptions {
            cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            ..Default::default()
        };
        let exec = self.docker.create_exec(container, options).await.map_err(call("exec in", container))?;
        let mut stdout = Vec::new();
        if let StartExecResults::Attached { mut output, .. } =
            self.docker.start_exec(&exec.id, None).await.map_err(call("exec in", container))?
        {
            while let Some(chunk) = output.next().await {
                if let LogOutput::StdOut { message } = chunk.map_err(call("exec in", container))? {
                    stdout.extend_from_slice(&message);
                }
            }
        }
        let inspect = self.docker.inspect_exec(&exec.id).await.map_err(call("exec in", container))?;
        Ok(ExecOutput { exit_code: inspect.exit_code.unwrap_or(-1), stdout })
    }

    /// Runs a one-off container to its end with `files` uploaded first (path, tar), and
    /// returns its exit code and output. The container is removed whatever happens.
    pub async fn run_to_end(&self, spec: &ContainerSpec, files: Vec<(&str, Vec<u8>)>, timeout: Duration) -> Result<(i64, String), EngineError> {
        let (code, output, _) = self.run_and_collect(spec, files, timeout, None).await?;
        Ok((code, output))
    }

    /// `run_to_end`, and when the container exited 0, `collect` (a path in it) as a tar.
    pub async fn run_and_collect(
        &self,
        spec: &ContainerSpec,
        files: Vec<(&str, Vec<u8>)>,
        timeout: Duration,
        collect: Option<&str>,
    ) -> Result<(i64, String, Option<Vec<u8>>), EngineError> {
        let id = self.create_container(spec).await?;
        let result = async {
            for (path, tar) in files {
                self.upload(&spec.name, path, tar).await?;
            }
            self.start(&spec.name).await?;
            let options = WaitContainerOptionsBuilder::default().condition("not-running").build();
            let mut wait = self.docker.wait_container(&spec.name, Some(options));
            let waited = tokio::time::timeout(timeout, wait.next()).await;
            let code = match waited {
                Err(_) => return Err(EngineError::Call { action: "wait for", target: spec.name.clone(), message: format!("still running after {}s", timeout.as_secs()) }),
                Ok(Some(Ok(r))) => r.status_code,
                // A non-zero exit arrives as an error from bollard; the state has the code.
                Ok(_) => self.state(&spec.name).await?.1,
            };
            let collected = match collect {
                Some(path) if code == 0 => Some(self.download(&spec.name, path).await?),
                _ => None,
            };
            Ok((code, self.logs_tail(&spec.name, 200).await, collected))
        }
        .await;
        let _ = self.remove_container(&id).await;
        result
    }
}
