use std::time::Instant;
use delivery_lab::{explore, ExploreQuery, Preset, Scenario};
fn main() {
    for preset in Preset::ALL {
        let s = Scenario::from_preset(preset, 3, 1);
        let t = Instant::now();
        let r = explore(&s, ExploreQuery::default()).unwrap();
        let el = t.elapsed().as_secs_f64();
        println!("{preset}: {:.1} ms, {} runs, {} states, {:.0} states/s, truncated {}", el*1000.0, r.runs, r.states, r.states as f64/el, r.truncated_runs);
        print!("{}", r.to_text());
    }
}
