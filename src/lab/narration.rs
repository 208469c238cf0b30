//! The narration: one sentence per event, the ready line, the end of the run in the ledger's counts.

use super::*;

/// How many recent sentences the narration keeps.
pub(super) const RECENT: usize = 6;

/// One sentence of narration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub tick: u64,
    pub text: String,
}

impl Lab {
    /// Says once, when the run has ended, what the ledger counts.
    pub(super) fn announce_end(&mut self) {
        if !self.finished() || self.end_announced {
            return;
        }
        self.end_announced = true;
        let sentence = self.ledger().end_sentence();
        self.say(sentence);
    }

    pub(super) fn say_ready(&mut self) {
        let armed = self.scenario.faults.len();
        let failures = match armed {
            0 => "No failure is armed".to_owned(),
            1 => "1 failure is armed".to_owned(),
            n => format!("{n} failures are armed"),
        };
        self.say(format!("Ready: {} messages. {failures}. Press play.", self.scenario.messages));
    }

    pub(super) fn say(&mut self, text: String) {
        let tick = self.world.now();
        self.push(Line { tick, text });
    }

    pub(super) fn push(&mut self, line: Line) {
        self.lines_said += 1;
        if self.recent.len() == RECENT {
            self.recent.pop_back();
        }
        self.recent.push_front(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use delivery_share::LinkState;

    #[test]
    fn a_run_the_bound_stops_is_announced_from_the_start_and_at_its_end_without_claiming_it_is_over() {
        let state = LinkState::from_fragment(
            "v=1&cfg.request.timeout.ms=1&cfg.max.in.flight.requests.per.connection=50&messages=200",
        )
        .unwrap();
        let mut lab = Lab::new(state.scenario);
        let banner = lab.bound_notice(false).expect("a banner before playback");
        assert!(banner.contains("does not finish"), "{banner}");
        lab.apply(Action::RunToEnd);
        assert!(lab.finished());
        let said = lab.recent().next().unwrap().text.clone();
        assert!(said.contains("did not finish") && said.contains("150 of 200 messages are unfinished"), "{said}");
        assert!(!said.contains("The run is over"), "{said}");
        assert!(Lab::default().bound_notice(false).is_none());
    }
}
