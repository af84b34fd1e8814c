//! msmlab's exit statuses: one rule for every verb, owned by the errors themselves.
//!
//! Each error type says which class it is (`Classified`); the edge (`cli`) turns the class
//! into the process's status. An error type without a class does not compile where it
//! reaches the edge, so none can fall into a wrong status by default.
//!
//! | status | meaning |
//! |---|---|
//! | 0 | the answer is yes: shared, up, done |
//! | 1 | the answer is no: a check or drill failed |
//! | 2 | bad input or usage: a flag, a file, a name or port that is taken |
//! | 3 | the tool or its environment could not do the job: no engine, a build or a start failed, a repository unreachable |
//! | 130 | interrupted by Ctrl-C or SIGTERM |

/// The class of a result, and so the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: the answer is yes.
    Yes,
    /// 1: the answer is no.
    No,
    /// 2: bad input or usage.
    BadInput,
    /// 3: the tool or its environment could not do the job.
    Failed,
    /// 130: interrupted.
    Interrupted,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Yes => 0,
            ExitStatus::No => 1,
            ExitStatus::BadInput => 2,
            ExitStatus::Failed => 3,
            ExitStatus::Interrupted => 130,
        }
    }
}

/// An error that knows which class it is.
pub trait Classified {
    fn exit_status(&self) -> ExitStatus;
}

/// Reading or writing a file msmlab itself chose, or a pipe: the environment failed.
impl Classified for std::io::Error {
    fn exit_status(&self) -> ExitStatus {
        ExitStatus::Failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_of_statuses() {
        let all = [ExitStatus::Yes, ExitStatus::No, ExitStatus::BadInput, ExitStatus::Failed, ExitStatus::Interrupted];
        assert_eq!(all.map(ExitStatus::code), [0, 1, 2, 3, 130]);
    }
}
