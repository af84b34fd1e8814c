//! The lab on Docker Swarm, across hosts: `scripts/swarm-bed.sh up` makes a swarm of three
//! Docker-in-Docker nodes and a registry they all trust (`docs/scaling.md`), and then, as a
//! user would:
//!
//! ```text
//! eval "$(scripts/swarm-bed.sh up)"            # DOCKER_HOST=<manager>, MSMLAB_PUSH_TO=<registry>
//! msmlab up --swarm                            # pushes the lab's images, deploys its services
//! msmlab verify --drill node                   # Tomcats on two hosts; a host goes, the session stays
//! msmlab down                                  # services, network, image tags, pushed images: gone
//! ```

use crate::common::*;

use std::process::Command;

/// The test bed, torn down when dropped (`scripts/swarm-bed.sh down`).
struct Bed {
    docker_host: String,
    push_to: String,
}

impl Bed {
    fn up(images: &[String]) -> Bed {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/swarm-bed.sh");
        let mut cmd = Command::new("bash");
        cmd.arg(script).arg("up");
        for i in images {
            cmd.args(["--load", i]);
        }
        let out = cmd.env_remove("DOCKER_HOST").output().expect("bash runs");
        assert!(out.status.success(), "swarm-bed.sh up failed:\n{}", String::from_utf8_lossy(&out.stderr));
        let exports = String::from_utf8_lossy(&out.stdout).to_string();
        let value = |key: &str| {
            exports.lines().find_map(|l| l.strip_prefix(&format!("export {key}="))).map(str::to_string).unwrap_or_else(|| panic!("no {key} in {exports}"))
        };
        Bed { docker_host: value("DOCKER_HOST"), push_to: value("MSMLAB_PUSH_TO") }
    }

    fn docker(&self, args: &[&str]) -> String {
        let out = Command::new("docker").args(["-H", &self.docker_host]).args(args).output().expect("the docker CLI runs");
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    /// The tags the registry holds for a repository (none when it has none, or not the repository).
    fn registry_tags(&self, repo: &str) -> Vec<String> {
        let url = format!("http://{}/v2/{repo}/tags/list", self.push_to);
        let out = Command::new("curl").args(["-s", &url]).output().expect("curl runs");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        v["tags"].as_array().map(|t| t.iter().filter_map(|t| t.as_str().map(str::to_string)).collect()).unwrap_or_default()
    }
}

impl Drop for Bed {
    fn drop(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/swarm-bed.sh");
        let _ = Command::new("bash").args([script, "down"]).env_remove("DOCKER_HOST").output();
    }
}

#[test]
fn a_lab_on_a_three_node_swarm_shares_sessions_across_hosts_and_survives_the_loss_of_one() {
    let _serial = one_lab_at_a_time();
    // The lab's images as this machine's engine has them, handed to the manager, so that
    // nothing is built there (the lab's own images, with its files, are).
    let bed = Bed::up(&dind::lab_images("e2e-swarm-seed"));
    let manager = [("DOCKER_HOST", bed.docker_host.as_str())];
    let with_registry = [("DOCKER_HOST", bed.docker_host.as_str()), ("MSMLAB_PUSH_TO", bed.push_to.as_str())];

    // Three nodes pull from a registry: without one, up refuses and says what to do.
    let out = msmlab_with(&["up", "--swarm", "--name", "e2e-swarm", "--port", "13521"], &manager);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("the swarm has 3 nodes, and each pulls the lab's images from a registry: give one with --push-to HOST:PORT"), "{}", stderr(&out));

    let up = msmlab_with(&["up", "--swarm", "--name", "e2e-swarm", "--port", "13521", "--json"], &with_registry);
    assert_eq!(up.status.code(), Some(0));
    let up = json(&up);
    assert!(up["url"].as_str().unwrap().starts_with(&format!("http://{}:13521/", bed.docker_host.trim_start_matches("tcp://").split(':').next().unwrap())), "{up}");

    // A second up finds it up and healthy, and leaves it alone.
    let again = msmlab_with(&["up", "--swarm", "--name", "e2e-swarm", "--port", "13521", "--json"], &with_registry);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(json(&again)["already_up"], true);

    // status: the services, each replica's task and node, and the swarm's nodes.
    let status = json(&msmlab_with(&["status", "--name", "e2e-swarm", "--json"], &manager));
    let services: Vec<&str> = status["services"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(services, ["msmlab-e2e-swarm-memcached-1", "msmlab-e2e-swarm-tomcat", "msmlab-e2e-swarm-nginx-1"], "{status}");
    assert_eq!(status["nodes"].as_array().unwrap().len(), 3, "{status}");
    let tomcat_hosts: std::collections::BTreeSet<&str> = status["containers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["role"] == "tomcat")
        .map(|c| c["node"].as_str().unwrap())
        .collect();
    // Off the host of nginx and the store (the manager), one on each worker.
    assert_eq!(tomcat_hosts.into_iter().collect::<Vec<_>>(), ["msmlab-bed-node-2", "msmlab-bed-node-3"], "{status}");

    // verify works as on one engine, and says the host of each Tomcat; the node drill drains
    // the host that served the last request, and the session and its counter carry on.
    let out = msmlab_with(&["verify", "--name", "e2e-swarm", "--drill", "node", "--json"], &manager);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(failed_checks(&v), Vec::<String>::new(), "{v}");
    let backends = check_detail(&v, "backends");
    assert!(backends.contains("on 2 hosts: msmlab-e2e-swarm-tomcat-1 on msmlab-bed-node-"), "{backends}");
    let drill = v["drills"].as_array().unwrap().iter().find(|d| d["drill"] == "node").unwrap();
    assert_eq!(drill["outcome"], "passed", "{drill}");
    assert!(drill["summary"].as_str().unwrap().contains("gone, ") && drill["summary"].as_str().unwrap().ends_with("carried on with the same session, its visit counter intact"), "{drill}");
    // The host came back, and nothing is left drained.
    assert!(!bed.docker(&["node", "ls", "--format", "{{.Availability}}"]).contains("Drain"));

    // The drills of a single engine stop containers; on a swarm they are refused.
    let out = msmlab_with(&["verify", "--name", "e2e-swarm", "--drill", "tomcat"], &manager);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--drill node takes a whole host away"), "{}", stderr(&out));

    // logs --export reads each task's log through the manager, and its configs from the lab's
    // image, whichever node runs it.
    let dir = tempfile::tempdir().unwrap();
    let export = msmlab_with(&["logs", "--name", "e2e-swarm", "--export", dir.path().to_str().unwrap()], &manager);
    assert_eq!(export.status.code(), Some(0));
    let context = std::fs::read_to_string(dir.path().join("configs/msmlab-e2e-swarm-tomcat-1/context.xml")).unwrap();
    assert!(context.contains("n1:msmlab-e2e-swarm-memcached-1:11211"), "{context}");
    let nginx = std::fs::read_to_string(dir.path().join("configs/msmlab-e2e-swarm-nginx-1/nginx.conf")).unwrap();
    assert!(nginx.contains("resolver 127.0.0.11 valid=2s") && nginx.contains("set $tomcats msmlab-e2e-swarm-tomcat:8080;"), "{nginx}");
    let log = std::fs::read_to_string(dir.path().join("logs/msmlab-e2e-swarm-tomcat-2.log")).unwrap();
    assert!(log.contains("Server startup in"), "{log}");

    let down = msmlab_with(&["down", "--name", "e2e-swarm"], &manager);
    assert_eq!(down.status.code(), Some(0));
    assert!(stdout(&down).contains("3 services") && stdout(&down).contains("3 pushed images from the registry"), "{}", stdout(&down));
    assert_eq!(bed.docker(&["service", "ls", "-q"]).trim(), "");
    assert!(!bed.docker(&["network", "ls", "--format", "{{.Name}}"]).contains("msmlab-e2e-swarm"));
    assert!(!bed.docker(&["image", "ls", "--format", "{{.Repository}}"]).contains("msmlab-lab-e2e-swarm"));
    for role in ["tomcat", "nginx", "memcached"] {
        assert_eq!(bed.registry_tags(&format!("msmlab-lab-e2e-swarm-{role}")), Vec::<String>::new(), "{role}");
    }
    // The base images the bed was given stay.
    assert!(bed.docker(&["image", "ls", "--format", "{{.Repository}}"]).contains("msmlab-tomcat"));
}

#[test]
fn swarm_flags_are_checked_before_anything_is_made() {
    // The machine's engine is no swarm: up says how to make one.
    let out = msmlab(&["up", "--swarm", "--name", "e2e-swarm-no", "--port", "13522"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is not part of a swarm") && stderr(&out).contains("docker swarm init"), "{}", stderr(&out));
    let out = msmlab(&["up", "--swarm", "--sticky", "--name", "e2e-swarm-no"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("a lab on a swarm cannot take --sticky"), "{}", stderr(&out));
    let out = msmlab(&["up", "--push-to", "registry.example:5000", "--name", "e2e-swarm-no"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("add --swarm"), "{}", stderr(&out));
    assert_eq!(labelled("e2e-swarm-no"), Vec::<String>::new());
}
