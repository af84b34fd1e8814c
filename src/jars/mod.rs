//! The jars a lab needs, pinned and verified: `jars.lock` (`lock`), the policy that says which
//! artifacts each Tomcat line, serializer and store take (`policy`), downloads checked against
//! the lock into the cache (`maven`), and `msmlab lock`'s re-resolution from the real POMs
//! (`pom`, `resolve`, `relock`).

pub mod attributes;
pub mod classfile;
pub mod jakarta;
pub mod links;
pub mod lock;
pub mod maven;
pub mod policy;
pub mod pom;
pub mod relock;
pub mod war;
pub mod resolve;
