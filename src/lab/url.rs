//! Where a lab is reached from here: the one rule every verb uses (`up`, `verify`, `bench`,
//! `compat`, `smoke`), so that a printed URL and the URL msmlab sends requests to never differ.
//!
//! nginx is published on an address of the engine's host. A remote engine's host (or
//! `MSMLAB_HOST_OVERRIDE`) is where that port is reached; a local engine's port is reached at
//! the address it is published on, through loopback when that means "every interface".

use crate::engine::Engine;
use crate::plan::{Plan, TEST_PAGE_PATH};

/// The origin of a lab's nginx as reached from here, e.g. `http://127.0.0.1:13355`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabUrl {
    origin: String,
}

impl LabUrl {
    /// The lab whose nginx the engine publishes on `published:port` (`published` an address,
    /// empty when unknown).
    pub fn on(engine: &Engine, published: &str, port: u16) -> LabUrl {
        LabUrl::reached(engine.reach_host().as_deref(), published, port)
    }

    /// The rule itself, without an engine: `reach` is the engine's `reach_host`.
    pub fn reached(reach: Option<&str>, published: &str, port: u16) -> LabUrl {
        let host = reach.unwrap_or(published);
        let host = match host.parse::<std::net::IpAddr>() {
            Ok(ip) if ip.is_unspecified() => "127.0.0.1".to_string(),
            Ok(std::net::IpAddr::V6(ip)) => format!("[{ip}]"),
            Ok(ip) => ip.to_string(),
            // A host name, such as a remote engine's.
            Err(_) if !host.is_empty() => host.to_string(),
            Err(_) => "127.0.0.1".to_string(),
        };
        LabUrl { origin: format!("http://{host}:{port}") }
    }

    /// `http://host:port`, without a path.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// A path on the lab's nginx (`path` starts with `/`).
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// msmlab's test page.
    pub fn page(&self) -> String {
        self.at(TEST_PAGE_PATH)
    }

    /// The user's webapp beside the test page, if the plan deploys one.
    pub fn webapp(&self, plan: &Plan) -> Option<String> {
        plan.webapp.as_ref().map(|w| self.at(&w.context_path.url_path()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_engine_is_reached_where_it_publishes() {
        assert_eq!(LabUrl::reached(None, "127.0.0.1", 13355).page(), "http://127.0.0.1:13355/ShareSession/ShowSession");
        assert_eq!(LabUrl::reached(None, "192.0.2.7", 1).page(), "http://192.0.2.7:1/ShareSession/ShowSession");
        assert_eq!(LabUrl::reached(None, "::1", 1).page(), "http://[::1]:1/ShareSession/ShowSession");
        // Unknown: loopback, as the engine publishes by default.
        assert_eq!(LabUrl::reached(None, "", 1).origin(), "http://127.0.0.1:1");
    }

    #[test]
    fn every_interface_is_reached_through_loopback() {
        assert_eq!(LabUrl::reached(None, "0.0.0.0", 1).page(), "http://127.0.0.1:1/ShareSession/ShowSession");
        assert_eq!(LabUrl::reached(None, "::", 1).page(), "http://127.0.0.1:1/ShareSession/ShowSession");
    }

    #[test]
    fn a_remote_engine_is_reached_at_its_host_or_the_override() {
        // `up` publishes on every address of a remote engine's host; `reach` is that host
        // (`Endpoint::reach_host`, which is `MSMLAB_HOST_OVERRIDE` when it is set).
        assert_eq!(LabUrl::reached(Some("10.0.0.5"), "0.0.0.0", 13355).origin(), "http://10.0.0.5:13355");
        assert_eq!(LabUrl::reached(Some("docker"), "0.0.0.0", 13355).origin(), "http://docker:13355");
        assert_eq!(LabUrl::reached(Some("fd00::5"), "0.0.0.0", 1).origin(), "http://[fd00::5]:1");
        assert_eq!(LabUrl::reached(Some("192.0.2.7"), "127.0.0.1", 1).origin(), "http://192.0.2.7:1");
    }

    #[test]
    fn paths_and_the_users_webapp_sit_on_the_same_origin() {
        use crate::jars::lock::Lock;
        use crate::labspec::webapp::{ContextPath, Webapp};
        use crate::labspec::LabSpec;
        let url = LabUrl::reached(None, "127.0.0.1", 13355);
        assert_eq!(url.at("/msmlab/static"), "http://127.0.0.1:13355/msmlab/static");
        let plan = Plan::new(LabSpec::example(), &Lock::bundled()).unwrap();
        assert_eq!(url.webapp(&plan), None);
        let my = Webapp { source: "my.war".into(), context_path: "/my".parse::<ContextPath>().unwrap(), files: Vec::new() };
        assert_eq!(url.webapp(&plan.with_webapp(Some(my))).as_deref(), Some("http://127.0.0.1:13355/my/"));
    }
}
