//! trawl finds personal data where it should not be.
//!
//! The pipeline follows the data: [`walk`] finds files, [`extract`] turns each
//! format into located text, [`detect`] runs every detector over that text in
//! two passes (patterns, word lists), [`classify`] judges each record against the policy, and [`report`] writes findings
//! deterministically (JSON, CSV, the HTML report, manifests). [`scan`] wires
//! the stages together; [`audit`] reruns a scan and proves it unchanged.

pub mod audit;
pub mod classify;
pub mod detect;
pub mod digest;
pub mod eval;
pub mod extract;
pub mod nightly;
pub mod report;
pub mod scan;
pub mod state;
pub mod synth;
pub mod walk;
