//! Renders scoring output for people: ranking tables, charts, notices and the annual report.
//!
//! The renderers arrive with the reports issue; until then this crate only holds the
//! workspace's place for them, so that the dependency direction api → reports → scoring is
//! fixed from the start.
