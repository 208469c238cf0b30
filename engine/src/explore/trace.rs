//! One run, step by step, and what the search needs of it: the moments where a failure could
//! strike (candidates), the last strike, and hashing without OS randomness (`Fx`, fingerprints).

use super::*;

/// A small multiplicative hasher (FxHash's step): fast, deterministic, for fingerprints and for
/// hash sets of fingerprints (whose keys are hashes already).
#[derive(Default, Clone, Copy)]
pub(super) struct Fx(u64);

impl Fx {
    pub(super) fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, x: u8) {
        self.add(u64::from(x));
    }
    fn write_u16(&mut self, x: u16) {
        self.add(u64::from(x));
    }
    fn write_u32(&mut self, x: u32) {
        self.add(u64::from(x));
    }
    fn write_u64(&mut self, x: u64) {
        self.add(x);
    }
    fn write_usize(&mut self, x: usize) {
        self.add(x as u64);
    }
}

pub(super) type FxSet<T> = HashSet<T, BuildHasherDefault<Fx>>;

/// The part of a fingerprint that is not the event log: the armed faults that have not struck.
pub(super) fn pending_hash(world: &World) -> u64 {
    let mut h = Fx(0x9e37_79b9_7f4a_7c15);
    for armed in world.faults() {
        if armed.live(world.now()) {
            armed.spec.hash(&mut h);
            h.write_u16(armed.strikes);
        }
    }
    h.finish()
}


/// A run being stepped, with what the search needs to branch from it.
#[derive(Clone)]
pub(super) struct Trace {
    pub(super) world: World,
    /// Steps taken.
    pub(super) steps: u32,
    /// The hash chain of the event log so far.
    pub(super) chain: u64,
    /// The step of each recorded opportunity (parallel to the world's list).
    pub(super) opportunity_steps: Vec<u32>,
    /// For each tick with events, the first step that recorded an event at it.
    pub(super) tick_steps: Vec<(Tick, u32)>,
}

impl Trace {
    pub(super) fn new(world: World) -> Trace {
        Trace { world, steps: 0, chain: 0, opportunity_steps: Vec::new(), tick_steps: Vec::new() }
    }

    /// One step; false when the run is over.
    pub(super) fn step(&mut self) -> bool {
        let before = self.world.opportunities.as_ref().map_or(0, Vec::len);
        let Some(events) = self.world.step() else { return false };
        let tick = events.first().map(|e| e.tick);
        for event in events {
            let mut h = Fx(self.chain);
            event.hash(&mut h);
            self.chain = h.finish();
        }
        if let Some(tick) = tick {
            if self.tick_steps.last().is_none_or(|&(t, _)| t < tick) {
                self.tick_steps.push((tick, self.steps));
            }
        }
        let after = self.world.opportunities.as_ref().map_or(0, Vec::len);
        self.opportunity_steps.extend(std::iter::repeat_n(self.steps, after - before));
        self.steps += 1;
        true
    }

    /// A snapshot of the run so far, recording opportunities only if asked.
    pub(super) fn fork(&mut self, opportunities: bool) -> Trace {
        Trace {
            world: self.world.fork(opportunities),
            steps: self.steps,
            chain: self.chain,
            opportunity_steps: if opportunities { self.opportunity_steps.clone() } else { Vec::new() },
            tick_steps: if opportunities { self.tick_steps.clone() } else { Vec::new() },
        }
    }

    pub(super) fn fingerprint(&self) -> u64 {
        let mut h = Fx(self.chain);
        h.write_u64(pending_hash(&self.world));
        h.finish()
    }
}

/// A failure to add to a run, and the step before which to inject it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Candidate {
    pub(super) step: u32,
    pub(super) spec: FaultSpec,
}

/// Where the last failure of a schedule struck: only later moments extend it.
#[derive(Clone, Copy)]
pub(super) struct LastStrike {
    pub(super) event: u32,
    pub(super) tick: Tick,
    pub(super) at_tick: bool,
}

/// The moments of a finished run after `last`, each as the spec that strikes there, by step.
pub(super) fn candidates(trace: &Trace, last: Option<LastStrike>) -> Vec<Candidate> {
    let mut out = Vec::new();
    let opportunities = trace.world.opportunities.as_deref().unwrap_or(&[]);
    // First unconsumed moment per (fault, message), and the tick of the last one per fault.
    let mut seen_msg: Vec<(Fault, MsgId)> = Vec::new();
    let mut last_tick: Vec<(Fault, Tick)> = Vec::new();
    let mut seen_attempt: Vec<(Fault, MsgId, u32)> = Vec::new();
    for (i, o) in opportunities.iter().enumerate() {
        if o.consumed {
            continue;
        }
        if !o.first {
            // A retry's request: only `Trigger::Attempt` reaches it.
            if last.is_some_and(|l| o.at <= l.event) || seen_attempt.contains(&(o.fault, o.msg, o.attempt)) {
                continue;
            }
            seen_attempt.push((o.fault, o.msg, o.attempt));
            let spec = FaultSpec { fault: o.fault, trigger: Trigger::Attempt(o.msg, o.attempt) };
            out.push(Candidate { step: trace.opportunity_steps[i], spec });
            continue;
        }
        let first_for_msg = !seen_msg.contains(&(o.fault, o.msg));
        let first_from_tick = !o.fault.strikes_at_tick() && !last_tick.contains(&(o.fault, o.tick));
        if first_for_msg {
            seen_msg.push((o.fault, o.msg));
        }
        match last_tick.iter_mut().find(|(f, _)| *f == o.fault) {
            Some(entry) => entry.1 = o.tick,
            None => last_tick.push((o.fault, o.tick)),
        }
        if last.is_some_and(|l| o.at <= l.event) {
            continue;
        }
        let trigger = if first_for_msg {
            Trigger::Message(o.msg)
        } else if first_from_tick {
            Trigger::AtTick(o.tick)
        } else {
            continue;
        };
        out.push(Candidate { step: trace.opportunity_steps[i], spec: FaultSpec { fault: o.fault, trigger } });
    }
    for &(tick, step) in &trace.tick_steps {
        let after = last.is_none_or(|l| tick > l.tick || (tick == l.tick && l.at_tick));
        if !after {
            continue;
        }
        for fault in Fault::ALL.into_iter().filter(|f| f.strikes_at_tick()) {
            out.push(Candidate { step, spec: FaultSpec { fault, trigger: Trigger::AtTick(tick) } });
        }
    }
    crate::order::sort_by_key(&mut out, |c| c.step);
    out
}

/// Where the schedule's last failure struck, if it did (not just "never applied").
pub(super) fn last_strike(world: &World) -> Option<LastStrike> {
    let armed = world.faults().last()?;
    let id = armed.struck?;
    let event = world.events().get(id.0 as usize)?;
    match event.kind {
        EventKind::FaultStruck { .. } => Some(LastStrike {
            event: id.0,
            tick: event.tick,
            at_tick: matches!(armed.spec.trigger, Trigger::AtTick(_)) && armed.spec.fault.strikes_at_tick(),
        }),
        _ => None,
    }
}

/// The event ids where the schedule's failures struck, sorted: the "earliest" order of
/// counterexamples of the same length.
pub(super) fn strike_key(world: &World) -> Vec<u32> {
    let mut key: Vec<u32> = world.faults().iter().filter_map(|a| a.struck.map(|id| id.0)).collect();
    crate::order::sort(&mut key);
    key
}
