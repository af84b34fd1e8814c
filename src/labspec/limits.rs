//! How big a lab msmlab agrees to build, and how long its name may be: the shape checks them
//! and the error messages name them.

/// Largest lab msmlab agrees to build: each Tomcat is a JVM, and a 2-core machine with
/// 16 of them is already past the point where the lab says anything useful.
pub const MAX_TOMCATS: u8 = 16;
/// Longest lab name: it ends up in DNS names (`msmlab-<name>-memcached-1`), whose labels
/// may not exceed 63 characters.
pub const MAX_NAME_LEN: usize = 32;
/// Most store nodes: msm's failover needs two; a handful shows the node suffix moving.
pub const MAX_STORE_NODES: u8 = 8;
