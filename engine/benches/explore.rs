//! The explorer's speed: explored states per second over the four presets' default queries (3
//! messages, 2 failures), and each preset's default query time. Run with `make bench`
//! (`cargo bench -p delivery-lab-engine --bench explore` for this one alone).
//!
//! Each figure is the median of several rounds with their spread. This is a report, not a timed
//! test: it prints the figures and never fails on speed.

mod common;

use std::time::Instant;

use delivery_lab::{explore, ExploreQuery, Preset, Scenario};

fn main() {
    // A round times each preset's default query on its own: (seconds, states, runs) per preset.
    let rounds = common::rounds(|| {
        Preset::ALL.map(|preset| {
            let scenario = Scenario::from_preset(preset, 3, 1);
            let started = Instant::now();
            let report = explore(&scenario, ExploreQuery::default()).expect("valid query");
            (started.elapsed().as_secs_f64(), report.states, report.runs)
        })
    });
    let states_per_second = |queries: &[(f64, u64, u64); 4]| {
        queries.iter().map(|q| q.1).sum::<u64>() as f64 / queries.iter().map(|q| q.0).sum::<f64>()
    };
    common::report(
        "explorer, the four default queries (3 messages, 2 failures)",
        "states/s",
        rounds.iter().map(|(_, queries)| states_per_second(queries)).collect(),
    );
    for (i, preset) in Preset::ALL.into_iter().enumerate() {
        let (_, states, runs) = rounds[0].1[i];
        let (runs, states) = (common::thousands(runs), common::thousands(states));
        common::report(
            &format!("explorer, default query {preset} ({runs} runs, {states} states)"),
            "ms",
            rounds.iter().map(|(_, queries)| queries[i].0 * 1000.0).collect(),
        );
    }
}
