//! Failures armed or disarmed on a run: before it starts they change the scenario; past its start they
//! fork a new future from the current step, which can be undone.

use super::*;

/// How many forks can be undone.
const MAX_FUTURES: usize = 8;

impl Lab {
    pub(super) fn toggle_fault(&mut self, spec: FaultSpec) -> Result<(), Refusal> {
        self.check_arm(spec).map_err(Refusal::Fault)?;
        if self.steps == 0 {
            if let Some(i) = self.scenario.faults.iter().position(|armed| *armed == spec) {
                self.scenario.faults.remove(i);
            } else {
                self.scenario.faults.push(spec);
            }
            self.futures.clear();
            self.load();
            return Ok(());
        }
        self.fork(spec)
    }

    /// Changes the failure schedule from the current step on, leaving the past as it was: a new
    /// failure is armed from the next tick (so nothing already played can match it), and only a
    /// failure that has not struck yet can be disarmed.
    fn fork(&mut self, spec: FaultSpec) -> Result<(), Refusal> {
        let step = self.steps;
        let mut next = self.scenario.clone();
        let change = if let Some(i) = next.faults.iter().position(|armed| *armed == spec) {
            let struck = self.world.faults().iter().find(|armed| armed.spec == spec).and_then(|armed| armed.struck);
            if let Some(event) = struck.and_then(|id| self.world.events().get(id.0 as usize)) {
                return Err(Refusal::Struck { label: spec.fault.label(), tick: event.tick });
            }
            next.faults.remove(i);
            format!("{} disarmed", spec.fault.label())
        } else {
            // Aimed at a message whose moment has not come yet, the failure keeps its aim; that is
            // so exactly when the run with it armed from the start has the same past as this one.
            // So does a failure counted from the start (`*n`) or a window, when the past is the same.
            let mut aimed = next.clone();
            aimed.faults.push(spec);
            let keeps_aim = !matches!(spec.trigger, Trigger::Next | Trigger::AtTick(_));
            let from = self.world.now() + 1;
            if keeps_aim && self.same_past(&aimed, step) {
                next = aimed;
                // In words, not the link's slug ("drop-ack:m2").
                format!("{} {} armed", spec.fault.label(), spec.trigger.words())
            } else {
                let armed = match spec.trigger {
                    Trigger::Next | Trigger::AtTick(_) | Trigger::Message(_) => FaultSpec { fault: spec.fault, trigger: Trigger::AtTick(from) },
                    Trigger::Window(start, to) if to > from => FaultSpec { fault: spec.fault, trigger: Trigger::Window(start.max(from), to) },
                    _ => {
                        return Err(Refusal::Fault(format!(
                            "{} {}: that moment has passed in this run; arm it before the run starts",
                            spec.fault.label(),
                            spec.trigger.words()
                        )))
                    }
                };
                if let Err(message) = next.check_new_fault(armed) {
                    return Err(Refusal::Fault(message));
                }
                next.faults.push(armed);
                match armed.trigger {
                    Trigger::Window(..) => format!("{} {} armed (the window starts now)", spec.fault.label(), armed.trigger.words()),
                    _ => format!("{} armed from t={from} (its first moment for that message has passed)", spec.fault.label()),
                }
            }
        };
        if self.futures.len() == MAX_FUTURES {
            self.futures.remove(0);
        }
        self.futures.push(std::mem::replace(&mut self.scenario, next));
        self.replay_from_start_to(step);
        self.say(format!("Forked at step {step}: {change}. Play to see the new future."));
        Ok(())
    }

    /// Whether `scenario`'s run is, for its first `steps` steps, the run on screen.
    fn same_past(&self, scenario: &Scenario, steps: usize) -> bool {
        let Ok(mut world) = World::new(scenario) else { return false };
        for _ in 0..steps {
            if world.step().is_none() {
                break;
            }
        }
        // The logs themselves, not their hashes: the hash formats every event with `Debug`, which
        // would link every event type's `Debug` into the page.
        world.events() == self.world.events()
    }

    pub(super) fn restore_future(&mut self) {
        let Some(previous) = self.futures.pop() else { return };
        let step = self.steps;
        self.scenario = previous;
        self.replay_from_start_to(step);
        self.say(format!("The previous future is back, at step {step}."));
    }

    /// Loads the (changed) scenario and goes to `steps` steps of its run.
    pub(super) fn replay_from_start_to(&mut self, steps: usize) {
        self.load();
        self.replay_to(steps);
    }

    pub(super) fn set_config(&mut self, config: Config) -> Result<(), Refusal> {
        self.config_requests += 1;
        match config.resolve() {
            Ok(_) => {
                self.scenario.preset = Preset::ALL.into_iter().find(|p| p.config() == config);
                self.scenario.config = config;
                self.config_error = None;
                self.load();
                Ok(())
            }
            // Kafka would throw a ConfigException: keep the last valid run and say why.
            Err(error) => {
                self.config_error = Some(error.clone());
                Err(Refusal::Config(error))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::testing::*;
    use delivery_lab::{Fault, Scenario, Preset, MAX_TICK};
    use delivery_share::LinkState;

    #[test]
    fn a_click_or_host_command_is_refused_what_a_file_or_link_would_refuse_with_the_same_message() {
        // Issue 11, item 2: `disk-lost@999999999` from a host page was armed and the run then
        // exported a link the lab itself refused.
        let spec: FaultSpec = "disk-lost@999999999".parse().unwrap();
        let file = Scenario::from_json(r#"{"version":1,"messages":3,"faults":["disk-lost@999999999"]}"#).unwrap_err();
        for steps in [0, 5] {
            let mut lab = Lab::default();
            lab.apply(Action::Seek(steps));
            let refused = lab.check_arm(spec).unwrap_err();
            assert!(refused.ends_with(&file.message), "{refused} / {}", file.message);
            let before = lab.scenario().clone();
            lab.apply(Action::Arm(spec));
            lab.apply(Action::ToggleFault(spec));
            assert_eq!(lab.scenario(), &before, "nothing armed");
            assert!(lab.recent().next().is_some_and(|line| line.text.contains(&file.message)));
            assert!(LinkState::for_scenario(lab.scenario().clone()).to_fragment().len() < 100);
        }
        // A failure armed mid-run at the last tick it may name is fine; one tick later is not.
        let mut lab = Lab::default();
        assert!(lab.check_arm(FaultSpec { fault: Fault::DiskLost, trigger: Trigger::AtTick(MAX_TICK) }).is_ok());
        lab.apply(Action::SetMessages(2));
        assert!(lab.check_arm("drop-ack:m3".parse().unwrap()).unwrap_err().contains("names m3 but the scenario has 2 messages"));
    }

    #[test]
    fn a_failure_armed_mid_run_keeps_its_message_while_that_messages_moment_is_ahead() {
        let mut lab = Lab::default();
        for _ in 0..3 {
            lab.apply(Action::StepForward);
        }
        let spec: FaultSpec = "drop-ack:m3".parse().unwrap();
        lab.apply(Action::Arm(spec));
        assert_eq!(lab.scenario().faults, vec![spec], "the failure is still aimed at m3");
        lab.apply(Action::Arm(spec));
        assert_eq!(lab.scenario().faults.len(), 1, "arming it again adds nothing");
        lab.apply(Action::RunToEnd);
        // The same schedule armed from the start gives the same verdicts: m3's ACK was the one lost.
        assert_eq!(verdicts(&lab), engine_verdicts(&Scenario::from_preset(Preset::AtLeastOnce, 3, 1).with_fault(spec)));
    }

    #[test]
    fn a_window_armed_mid_run_starts_now_and_an_attempt_whose_moment_passed_is_refused() {
        // Past m1's ACK: the window armed from the start would have struck it, so it starts now.
        let mut lab = Lab::default();
        lab.apply(Action::Seek(40));
        assert!(lab.world().events().iter().any(|e| matches!(e.kind, delivery_lab::EventKind::ProducerAcked { .. })));
        let now = lab.world().now();
        let past: Vec<String> = lab.world().events().iter().map(|e| e.describe()).collect();
        lab.apply(Action::Arm("drop-ack@0..9000".parse().unwrap()));
        assert_eq!(
            lab.scenario().faults,
            vec![FaultSpec { fault: Fault::DropAck, trigger: Trigger::Window(now + 1, 9000) }],
            "a window cannot reach back into what was played"
        );
        let replayed: Vec<String> = lab.world().events().iter().map(|e| e.describe()).collect();
        assert_eq!(replayed, past);
        // m1's first attempt left at the start: a failure of that attempt cannot be armed now.
        let mut lab = Lab::default();
        lab.apply(Action::Seek(10));
        lab.apply(Action::Arm("drop-produce-request:m1#1".parse().unwrap()));
        assert!(lab.scenario().faults.is_empty());
        assert!(lab.narration().contains("that moment has passed"), "{}", lab.narration());
    }

    #[test]
    fn load_replaces_the_scenario_and_arm_never_disarms() {
        let mut lab = Lab::default();
        let scenario = Scenario::from_preset(Preset::AtMostOnce, 3, 9);
        lab.apply(Action::Load(Box::new(scenario.clone())));
        assert_eq!(lab.scenario(), &scenario);
        assert_eq!(lab.steps(), 0);
        let spec: FaultSpec = "drop-ack:m2".parse().unwrap();
        lab.apply(Action::Arm(spec));
        lab.apply(Action::Arm(spec));
        assert_eq!(lab.scenario().faults, vec![spec], "arming twice keeps one armed failure");
        assert!(lab.narration().contains("armed already"));
    }

    #[test]
    fn a_fork_keeps_the_past_changes_the_future_and_can_be_undone() {
        let mut lab = Lab::default();
        lab.apply(Action::Seek(10));
        let past: Vec<String> = lab.world().events().iter().map(|e| e.describe()).collect();
        let before = {
            let mut copy = Lab::default();
            copy.apply(Action::RunToEnd);
            copy.world().event_log_hash()
        };
        lab.apply(Action::ToggleFault(FaultSpec { fault: Fault::DropAck, trigger: Trigger::Next }));
        assert_eq!(lab.steps(), 10);
        let replayed: Vec<String> = lab.world().events().iter().map(|e| e.describe()).collect();
        assert_eq!(replayed, past, "a fork must not change what already happened");
        assert!(matches!(lab.scenario().faults[..], [FaultSpec { trigger: Trigger::AtTick(_), .. }]));
        lab.apply(Action::RunToEnd);
        assert_ne!(lab.world().event_log_hash(), before, "the armed failure changed the future");
        assert_eq!(verdicts(&lab), engine_verdicts(lab.scenario()));

        lab.apply(Action::Seek(10));
        lab.apply(Action::RestoreFuture);
        assert!(lab.scenario().faults.is_empty());
        assert_eq!(lab.steps(), 10);
        lab.apply(Action::RunToEnd);
        assert_eq!(lab.world().event_log_hash(), before);
    }

    #[test]
    fn a_failure_that_already_struck_cannot_be_disarmed_in_the_past() {
        let spec = FaultSpec::for_message(Fault::DropAck, 2);
        let mut lab = lab_with("drop-ack:m2");
        lab.apply(Action::RunToEnd);
        lab.apply(Action::ToggleFault(spec));
        assert!(lab.is_armed(&spec));
        assert!(lab.narration().contains("already struck"));
    }

    #[test]
    fn toggling_a_failure_twice_disarms_it_and_a_preset_keeps_armed_failures() {
        let spec = FaultSpec::for_message(Fault::DropAck, 2);
        let mut lab = Lab::default();
        lab.apply(Action::ToggleFault(spec));
        assert!(lab.is_armed(&spec));
        lab.apply(Action::SetPreset(Preset::ExactlyOnceKafka));
        assert!(lab.is_armed(&spec));
        assert_eq!(lab.scenario().preset, Some(Preset::ExactlyOnceKafka));
        lab.apply(Action::ToggleFault(spec));
        assert!(!lab.is_armed(&spec));
    }
}
