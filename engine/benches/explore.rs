//! The explorer's speed: explored states per second, and the time of the default query (3
//! messages, 2 failures) for each preset. Run with `cargo bench -p delivery-lab-engine --bench explore`.
//!
//! This is a report, not a timed test: it prints the figures and never fails on speed.

use std::time::Instant;

use delivery_lab::{explore, ExploreQuery, Preset, Scenario};

fn main() {
    // Warm up once, then three rounds, so noise on a shared machine shows.
    let _ = explore(&Scenario::from_preset(Preset::AtMostOnce, 3, 1), ExploreQuery::default());
    for round in 1..=3 {
        let (mut states, mut total) = (0u64, 0f64);
        let mut line = Vec::new();
        for preset in Preset::ALL {
            let scenario = Scenario::from_preset(preset, 3, 1);
            let started = Instant::now();
            let report = explore(&scenario, ExploreQuery::default()).expect("valid query");
            let seconds = started.elapsed().as_secs_f64();
            states += report.states;
            total += seconds;
            line.push(format!("{preset} {:.0} ms ({} runs, {} states)", seconds * 1000.0, report.runs, report.states));
        }
        println!("round {round}: {:.0} states/s; default query: {}", states as f64 / total, line.join(", "));
    }
}
