//! What an action did: what changed, or why it was refused. A caller learns it from
//! [`Lab::apply`](super::Lab::apply) rather than checking the rules again or polling counters.

use std::fmt;

use delivery_lab::ConfigError;

/// What an action changed (several at once, or nothing: pausing a paused lab).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Changed {
    /// The scenario, and with it the whole run.
    pub run: bool,
    /// The world on screen: a step, a seek, a rewind.
    pub world: bool,
    /// The narration.
    pub narration: bool,
    /// Playing or paused.
    pub playing: bool,
}

/// Why an action was refused. The run is as it was; a failure's refusal is narrated, and a
/// configuration's is shown by the settings form.
#[derive(Clone, Debug, PartialEq)]
pub enum Refusal {
    /// The failure cannot be armed: the scenario loader's message (`Scenario::check_new_fault`),
    /// the same a file or a link gets.
    Fault(String),
    /// The failure struck already at this tick: it can be disarmed only before that.
    Struck { label: &'static str, tick: u64 },
    /// Kafka would refuse the configuration.
    Config(ConfigError),
    /// The step is outside the steps the timeline shows.
    OutsideSteps { step: usize, lo: usize, hi: usize },
}

impl Refusal {
    /// The narration's sentence for the refusal, if it has one.
    pub fn narration(&self) -> Option<String> {
        match self {
            Refusal::Fault(_) => Some(format!("Not armed: {self}.")),
            Refusal::Struck { .. } => Some(format!("{self}.")),
            Refusal::Config(_) | Refusal::OutsideSteps { .. } => None,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Fault(message) => f.write_str(message),
            Refusal::Struck { label, tick } => write!(f, "{label} already struck at t={tick}; go back before it to disarm it"),
            Refusal::Config(error) => write!(f, "{error}"),
            Refusal::OutsideSteps { step, lo, hi } => write!(f, "step {step} is outside this run's steps {lo} to {hi}"),
        }
    }
}

/// What [`Lab::apply`](super::Lab::apply) did. Not `must_use`: a click may ignore it, since the
/// page shows the lab's state either way.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Changed(Changed),
    Refused(Refusal),
}

impl Outcome {
    pub fn into_result(self) -> Result<Changed, Refusal> {
        match self {
            Outcome::Changed(changed) => Ok(changed),
            Outcome::Refused(refusal) => Err(refusal),
        }
    }

    pub fn refused(&self) -> Option<&Refusal> {
        match self {
            Outcome::Changed(_) => None,
            Outcome::Refused(refusal) => Some(refusal),
        }
    }
}
