//! What the engine's benches share: several timed rounds after a warm-up, reported as one line with
//! the median and the spread (lowest and highest round), so noise on a shared two-core machine shows
//! without a screenful of rounds. The engine reads no clock; only the benches do.

use std::time::Instant;

/// Timed rounds per measurement, after one untimed warm-up round.
pub const ROUNDS: usize = 5;

/// Runs `round` once to warm up, then [`ROUNDS`] times, and returns each timed round's seconds with
/// what the round returned (the work it did: events, states, runs).
pub fn rounds<T>(mut round: impl FnMut() -> T) -> Vec<(f64, T)> {
    let _ = round();
    (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            let work = round();
            (started.elapsed().as_secs_f64(), work)
        })
        .collect()
}

/// One line: `label: median X unit (5 rounds: lowest-highest, spread ±P% of the median)`.
pub fn report(label: &str, unit: &str, mut values: Vec<f64>) {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let median = if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    };
    let (low, high) = (values[0], values[n - 1]);
    let spread = 100.0 * (high - low) / 2.0 / median;
    println!(
        "{label}: median {} {unit} ({n} rounds: {}-{}, ±{spread:.0}%)",
        figure(median),
        figure(low),
        figure(high)
    );
}

/// Three significant figures at most, with thousands separators: `4,140,000`, `38.2`, `0.41`.
fn figure(value: f64) -> String {
    if value >= 1000.0 {
        let whole = value.round() as u64;
        let unit = 10u64.pow(whole.ilog10() - 2);
        thousands((whole + unit / 2) / unit * unit)
    } else if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// A count with thousands separators: `2,017,200`.
pub fn thousands(n: impl Into<u64>) -> String {
    let text = n.into().to_string();
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i > 0 && (text.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
