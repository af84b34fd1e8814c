//! Where `up`'s time went, and the floor no orchestration can beat.

use std::time::Duration;

/// How long `up` spent where. `start_to_ready` is `start` (until the engine has started every
/// container) plus `ready` (until every readiness probe passed).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Timings {
    pub fetch: Duration,
    pub images: Duration,
    pub create: Duration,
    pub start: Duration,
    pub ready: Duration,
    pub start_to_ready: Duration,
    pub total: Duration,
    pub floor: Floor,
}

/// What the containers themselves need, which no orchestration can beat: the slowest
/// Tomcat's own "Server startup in N ms" plus nginx's first proxied answer.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Floor {
    /// The largest "Server startup in N ms" the Tomcats logged (None if none could be read).
    pub slowest_tomcat_startup: Option<Duration>,
    /// How long the first request nginx proxied to a ready Tomcat took.
    pub nginx_first_answer: Duration,
}

impl Floor {
    pub fn total(&self) -> Option<Duration> {
        self.slowest_tomcat_startup.map(|t| t + self.nginx_first_answer)
    }
}

/// The milliseconds in Tomcat's startup line: `Server startup in [1234] milliseconds`
/// (8.5, 9) or `Server startup in 1234 ms` (7).
pub fn startup_millis(line: &str) -> Option<u64> {
    let rest = &line[line.find("Server startup in")? + "Server startup in".len()..];
    let digits: String = rest.trim_start_matches([' ', '[']).chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tomcat_startup_lines_of_every_line_give_their_milliseconds() {
        let t9 = "25-Nov-2026 17:40:01.123 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [1234] milliseconds";
        let t7 = "Nov 25, 2026 5:40:01 PM org.apache.catalina.startup.Catalina start\nINFO: Server startup in 987 ms";
        assert_eq!(startup_millis(t9), Some(1234));
        assert_eq!(startup_millis(t7), Some(987));
        assert_eq!(startup_millis("Server startup in"), None);
        assert_eq!(startup_millis("no such line"), None);
        let floor = Floor { slowest_tomcat_startup: Some(Duration::from_millis(1234)), nginx_first_answer: Duration::from_millis(16) };
        assert_eq!(floor.total(), Some(Duration::from_millis(1250)));
    }
}

