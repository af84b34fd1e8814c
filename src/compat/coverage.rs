//! What a compat walk covered: which Tomcats served each step, how many hand-overs went from
//! one Tomcat to another (the only ones that show the store carried anything), and whether the
//! walk stopped at its request limit before every Tomcat served every step twice.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::verify::flow::{FlowStep, Schedule, MAX_REQUESTS, SERVES_EACH};
use crate::verify::probe::Sighting;

/// One repeated step and the Tomcats that served it (its first request's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StepCoverage {
    pub step: String,
    pub served_by: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Requests sent, redirect hops included.
    pub requests: usize,
    pub tomcats: usize,
    pub steps: Vec<StepCoverage>,
    /// Hand-overs compared (a request that left a session, and the next one).
    pub handovers: usize,
    /// Of those, the ones where the next request was served by another Tomcat.
    pub across: usize,
    /// The walk ended at `limit` requests with coverage still missing.
    pub stopped_at_limit: bool,
    pub limit: usize,
}

impl Coverage {
    /// `repeated` are the flow's repeated steps, in the schedule's order.
    pub fn of(requests: usize, tomcats: usize, repeated: &[&FlowStep], schedule: &Schedule, numbers: &[usize], sightings: &HashMap<usize, Sighting>) -> Coverage {
        let (handovers, across) = handovers(numbers, sightings);
        Coverage {
            requests,
            tomcats,
            steps: repeated.iter().enumerate().map(|(i, s)| StepCoverage { step: s.describe(), served_by: schedule.served_by(i) }).collect(),
            handovers,
            across,
            stopped_at_limit: schedule.stopped_at_limit(),
            limit: MAX_REQUESTS,
        }
    }

    /// `walked 12 requests: each Tomcat served each step twice; 11 hand-overs, 11 between two Tomcats`.
    pub fn sentence(&self) -> String {
        let handed = match self.across {
            0 => format!("{} hand-overs, none between two Tomcats: nothing was shown to cross Tomcats", self.handovers),
            n => format!("{} hand-overs, {n} between two Tomcats", self.handovers),
        };
        if !self.stopped_at_limit {
            return format!("walked {} requests: each Tomcat served each step twice; {handed}", self.requests);
        }
        let short: Vec<String> = self
            .steps
            .iter()
            .filter(|s| s.served_by.values().filter(|n| **n >= SERVES_EACH).count() < self.tomcats)
            .map(|s| {
                let by: Vec<String> = s.served_by.iter().map(|(t, n)| format!("{t} ({n})")).collect();
                format!("{} served by {}", s.step, if by.is_empty() { "no Tomcat".into() } else { by.join(", ") })
            })
            .collect();
        format!(
            "walked {} requests and stopped at its limit of {}, short of each of {} Tomcats serving each step twice: {}; {handed}",
            self.requests,
            self.limit,
            self.tomcats,
            short.join("; ")
        )
    }
}

/// Hand-overs as `verify::state` compares them (consecutive requests both reported, the first
/// leaving a session), and how many of them went to another Tomcat.
pub fn handovers(numbers: &[usize], sightings: &HashMap<usize, Sighting>) -> (usize, usize) {
    let (mut all, mut across) = (0, 0);
    for pair in numbers.windows(2) {
        let (Some(prev), Some(next)) = (sightings.get(&pair[0]), sightings.get(&pair[1])) else { continue };
        if prev.after.is_none() {
            continue;
        }
        all += 1;
        if prev.tomcat != next.tomcat {
            across += 1;
        }
    }
    (all, across)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::probe::SessionView;

    fn seen(tomcat: &str, after: bool) -> Sighting {
        let view = Some(SessionView { id: "S".into(), attributes: Vec::new() });
        Sighting { tomcat: tomcat.into(), context: "/s".into(), before: view.clone(), after: if after { view } else { None } }
    }

    #[test]
    fn only_hand_overs_to_another_tomcat_count_as_across() {
        let s = HashMap::from([(1, seen("tc-1", true)), (2, seen("tc-1", true)), (3, seen("tc-2", true)), (4, seen("tc-1", false)), (5, seen("tc-2", true))]);
        // 1→2 same Tomcat, 2→3 across, 3→4 across, 4 left nothing, 5→6 unreported.
        assert_eq!(handovers(&[1, 2, 3, 4, 5, 6], &s), (3, 2));
    }

    #[test]
    fn the_sentence_says_what_was_covered_and_where_the_limit_stopped_the_walk() {
        let step = |served: &[(&str, usize)]| StepCoverage { step: "GET /a".into(), served_by: served.iter().map(|(t, n)| (t.to_string(), *n)).collect() };
        let mut c = Coverage { requests: 8, tomcats: 2, steps: vec![step(&[("tc-1", 4), ("tc-2", 4)])], handovers: 7, across: 7, stopped_at_limit: false, limit: 400 };
        assert_eq!(c.sentence(), "walked 8 requests: each Tomcat served each step twice; 7 hand-overs, 7 between two Tomcats");
        c = Coverage { requests: 400, steps: vec![step(&[("tc-1", 200)])], handovers: 399, across: 0, stopped_at_limit: true, ..c };
        assert_eq!(
            c.sentence(),
            "walked 400 requests and stopped at its limit of 400, short of each of 2 Tomcats serving each step twice: GET /a served by tc-1 (200); 399 hand-overs, none between two Tomcats: nothing was shown to cross Tomcats"
        );
    }
}
