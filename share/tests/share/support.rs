//! Shared fixtures.

/// A modest, reproducible proptest run, as the engine's tests configure it: 256 cases from a
/// fixed seed unless PROPTEST_RNG_SEED asks for another.
pub fn proptest_config(seed: u64) -> proptest::test_runner::Config {
    use proptest::test_runner::{Config, RngSeed};
    let mut config = Config { cases: 256, failure_persistence: None, ..Config::default() };
    if config.rng_seed == RngSeed::Random {
        config.rng_seed = RngSeed::Fixed(seed);
    }
    config
}
