//! The discrete-event loop: a queue of scheduled actions ordered by `(tick, sequence)`, the state of
//! every actor, the network, the armed faults and the event log.
//!
//! Methods fall into the kinds quinn-proto uses: constructors, commands (`inject`, `step`,
//! `run_until`, `run_to_quiescence`) and getters. Nothing here reads a clock or the OS.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use serde::Serialize;

use super::broker::{LogEntry, Partition};
use super::txn::{TxnCoordinator, TxnMeta};
use super::config::EffectiveConfig;
use super::consumer::Consumer;
use super::group::GroupCoordinator;
use super::event::{Actor, Event, EventId, EventKind, FetchedRecord, FlightId, FlightKind, MsgId, Tick, FNV_OFFSET};
use super::fault::{Fault, FaultSpec, Trigger};
use super::ledger::Ledger;
use super::producer::{Producer, ProducerSession, Record};
use super::rng::Rng;
use super::schedule::SendAt;
use super::sink::Sink;

/// The most events one run may record; past it the run stops in [`RunState::Truncated`].
pub const MAX_EVENTS: usize = 20_000;
/// The last tick a run may reach (about 2.8 simulated hours); past it the run stops truncated.
pub const MAX_TICK: Tick = 100_000;
/// The most messages one scenario may send.
pub const MAX_MESSAGES: u16 = 200;
/// The most faults one scenario may inject.
pub const MAX_FAULTS: usize = 16;
/// The most application sends of one message (the first and the re-sends).
pub const MAX_APP_SENDS: u32 = 4;
/// The most producer instances of one run (restarts and zombies).
pub const MAX_SESSIONS: usize = 8;

/// Whether the run can go on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunState {
    /// Actions are waiting.
    Running,
    /// Nothing is left to happen.
    Quiescent,
    /// A bound (events or ticks) stopped the run early; its ledger is partial.
    Truncated,
}

/// What a network message is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlightState {
    /// On the wire.
    InFlight,
    /// Delivered.
    Arrived,
    /// Lost.
    Dropped,
}

/// A network message, for the UI to animate: endpoints, what it carries, when it left and lands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Flight {
    /// Its id, shared by its send and arrival events.
    pub id: FlightId,
    /// The sender.
    pub from: Actor,
    /// The receiver.
    pub to: Actor,
    /// What it carries.
    pub what: FlightKind,
    /// When it left.
    pub sent: Tick,
    /// When it lands (or is lost).
    pub arrives: Tick,
    /// Where it is.
    pub state: FlightState,
    /// The fault that will drop it, if any.
    pub doomed: Option<Fault>,
    /// Whether it arrives damaged (a produce request the leader refuses with CORRUPT_MESSAGE).
    #[serde(skip)]
    pub(crate) corrupt: bool,
    /// Whether it is lost only because an earlier fault broke its connection.
    #[serde(skip)]
    pub(crate) collateral: bool,
    /// The event that sent it.
    pub sent_event: EventId,
    /// Log entries of a replica fetch response.
    #[serde(skip)]
    pub(crate) entries: Vec<LogEntry>,
    /// Records of a consumer fetch response.
    #[serde(skip)]
    pub(crate) records: Vec<FetchedRecord>,
}

impl Flight {
    /// The records a consumer fetch response carries.
    pub fn records(&self) -> &[FetchedRecord] {
        &self.records
    }
}

/// An injected fault and whether it has struck.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ArmedFault {
    /// What was injected.
    pub spec: FaultSpec,
    /// The event where it struck (first), once it has.
    pub struck: Option<EventId>,
    /// How many times it has struck (a window or `*n` may strike more than once).
    pub strikes: u16,
}

impl ArmedFault {
    /// Whether it may still strike at `now`.
    pub fn live(&self, now: Tick) -> bool {
        match self.spec.trigger {
            Trigger::Window(_, to) => now < to,
            Trigger::Count(n) => self.strikes < n,
            _ => self.struck.is_none(),
        }
    }
}

/// A world kept as what a later world of its run does not hold already (see [`World::snapshot`]):
/// tens of kilobytes against the end of a long run, where a clone takes megabytes.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// The world, with an empty event log, only the flights on the wire, and each replica's log
    /// without the part it shares with the reference's.
    world: World,
    /// The length of its event log, a prefix of the reference's.
    events: usize,
    /// How many flights it had sent.
    flights: usize,
    /// For each replica, how many entries its log shares with the reference's.
    logs: Vec<usize>,
}

/// The most strike opportunities one run records for the explorer; past it the list is marked full.
pub(crate) const MAX_OPPORTUNITIES: usize = 4096;

/// A moment where a fault could have struck (a call of `World::strike`), recorded only for the
/// explorer (`World::record_opportunities`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Opportunity {
    pub fault: Fault,
    pub msg: MsgId,
    pub tick: Tick,
    /// The number of events recorded before the moment: what happened before it.
    pub at: u32,
    /// Whether an armed fault struck here.
    pub consumed: bool,
    /// The produce attempt, for a failure of one attempt (`Fault::per_attempt`); else 1.
    pub attempt: u32,
    /// Whether the moment is one the three first triggers reach (a first attempt, say).
    pub first: bool,
}

/// The whole simulated system at one moment. Cloning it is a snapshot, for time travel; a
/// [`Snapshot`] is a compact one.
#[derive(Clone, Debug)]
pub struct World {
    pub(crate) cfg: Arc<EffectiveConfig>,
    pub(crate) messages: u16,
    pub(crate) now: Tick,
    pub(crate) queue: BinaryHeap<Reverse<Scheduled>>,
    pub(crate) next_seq: u64,
    pub(crate) events: Vec<Event>,
    pub(crate) flights: Vec<Flight>,
    pub(crate) faults: Vec<ArmedFault>,
    pub(crate) rng: Rng,
    pub(crate) link_clock: [Tick; LINKS],
    /// The topic's partitions, by number (`num.partitions`).
    pub(crate) partitions: Vec<Partition>,
    /// Producer connections that broke silently (a fault dropped a request or a response): what
    /// travels in the failed direction (requests after `DropProduceRequest`, responses after
    /// `DropAck`) is lost until the client's request.timeout.ms closes the connection.
    pub(crate) broken: Vec<BrokenConnection>,
    pub(crate) txn_coordinator: TxnCoordinator,
    pub(crate) group: GroupCoordinator,
    /// The producer application, its instances and their records.
    pub(crate) producer: Producer,
    /// The consumer group's members (today's scenarios have one).
    pub(crate) consumers: Vec<Consumer>,
    pub(crate) sink: Sink,
    pub(crate) next_pid: u32,
    pub(crate) state: RunState,
    pub(crate) cause: Option<EventId>,
    /// The explorer's record of strike opportunities (`None`: not recording), and whether it filled up.
    pub(crate) opportunities: Option<Vec<Opportunity>>,
    pub(crate) opportunities_full: bool,
    /// Whether an entry of the send schedule waits for an event (`World::send_events`).
    pub(crate) send_waits: bool,
}

impl World {
    /// A world at tick 0 for a resolved configuration, `messages` messages (1 to `MAX_MESSAGES`) and a seed.
    /// Faults are added with [`World::inject`] before or during the run.
    pub fn with_config(cfg: EffectiveConfig, messages: u16, seed: u64) -> World {
        let messages = messages.clamp(1, MAX_MESSAGES);
        let rf = cfg.config.replication_factor;
        let partitions = (0..cfg.config.num_partitions.max(1)).map(|p| Partition::numbered(p, rf)).collect();
        let consumers = Consumer::group(&cfg);
        let mut world = World {
            cfg: Arc::new(cfg),
            messages,
            now: 0,
            queue: BinaryHeap::new(),
            next_seq: 0,
            events: Vec::new(),
            flights: Vec::new(),
            faults: Vec::new(),
            rng: Rng::new(seed),
            link_clock: [0; LINKS],
            partitions,
            broken: Vec::new(),
            txn_coordinator: TxnCoordinator::default(),
            group: GroupCoordinator::default(),
            producer: Producer::new(messages),
            consumers,
            sink: Sink::default(),
            next_pid: 1,
            state: RunState::Running,
            cause: None,
            opportunities: None,
            opportunities_full: false,
            send_waits: false,
        };
        world.schedule(0, Action::Start);
        world
    }

    /// The one entry point for failures: arms `spec` for its trigger. A fault that strikes at a tick
    /// is scheduled; the others wait for their matching moment. Returns false (and injects nothing)
    /// past [`MAX_FAULTS`].
    pub fn inject(&mut self, spec: FaultSpec) -> bool {
        if self.faults.len() >= MAX_FAULTS {
            return false;
        }
        let index = self.faults.len() as u8;
        self.faults.push(ArmedFault { spec, struck: None, strikes: 0 });
        if let Trigger::AtTick(tick) = spec.trigger {
            if spec.fault.strikes_at_tick() {
                // Caused by nothing in the run, wherever it is injected.
                let cause = self.cause.take();
                self.schedule(tick.max(self.now), Action::FaultAt { index });
                self.cause = cause;
            }
        }
        true
    }

    /// Sets the send schedule before the run: when the application sends each message (by
    /// message number - 1; `None`, or a list shorter than the messages, leaves a message to follow
    /// the one before it by `lab.send.interval.ms`), at a tick or after an event. Messages still
    /// go in order: one due before the message ahead of it goes right after that one. Ticks past
    /// [`MAX_TICK`] are clamped to it; entries past the message count are ignored.
    pub fn set_send_schedule(&mut self, at: &[Option<SendAt>]) {
        let mut at: Vec<Option<SendAt>> = at.iter().map(|a| a.map(SendAt::clamped)).collect();
        crate::scenario::trim_schedule(&mut at, self.messages);
        self.producer.send_at = at;
        self.send_waits = self.producer.send_at.iter().any(|a| matches!(a, Some(SendAt::After(..))));
    }

    /// Turns the schedule's entries waiting for an event among `self.events[from..]` into ticks,
    /// and lets the producer send one it was waiting for.
    fn send_events(&mut self, from: usize) {
        let mut happened = false;
        self.send_waits = false;
        for entry in &mut self.producer.send_at {
            if let Some(SendAt::After(event, delay)) = *entry {
                match self.events[from..].iter().find(|e| event.happened(&e.kind)) {
                    Some(e) => {
                        *entry = Some(SendAt::Tick((e.tick + delay).min(MAX_TICK)));
                        happened = true;
                    }
                    None => self.send_waits = true,
                }
            }
        }
        if happened {
            self.on_producer(|p, ctx, _| p.event_happened(ctx));
        }
    }

    /// Runs one action and returns the events it recorded (at least one), or `None` when the run is
    /// over. One action can record several events that happen at the same instant, such as an
    /// arrival and the append it causes; the world's state is consistent after each step.
    pub fn step(&mut self) -> Option<&[Event]> {
        let before = self.events.len();
        while self.events.len() == before {
            if self.state != RunState::Running {
                return None;
            }
            let Some(Reverse(next)) = self.queue.pop() else {
                self.finish();
                if self.events.len() == before {
                    return None;
                }
                break;
            };
            if next.tick > MAX_TICK {
                self.truncate();
                break;
            }
            if let Action::CommitDeadline { session, txn } = next.action {
                // A commitTransaction() that returned cancelled its timer: it moves no clock.
                if !self.producer.commit_waiting(session, txn) {
                    continue;
                }
            }
            self.now = next.tick;
            self.cause = next.cause;
            let from = self.events.len();
            self.dispatch(next.action);
            if self.send_waits {
                self.send_events(from);
            }
            if self.events.len() >= MAX_EVENTS {
                self.truncate();
            }
        }
        Some(&self.events[before..])
    }

    /// Runs every action scheduled up to and including `tick`.
    pub fn run_until(&mut self, tick: Tick) {
        while self.state == RunState::Running && self.queue.peek().is_some_and(|Reverse(s)| s.tick <= tick) {
            self.step();
        }
        // With nothing left but the closing step, the clock stays where the run's last action
        // left it: the closing step records at the current tick, whether or not someone looked.
        if self.state == RunState::Running && !self.queue.is_empty() {
            self.now = self.now.max(tick.min(MAX_TICK));
        }
    }

    /// Runs until nothing is left to happen or a bound stops the run.
    pub fn run_to_quiescence(&mut self) -> RunState {
        while self.step().is_some() {}
        self.state
    }

    /// Whether the run can go on, is over, or was stopped by a bound.
    pub fn run_state(&self) -> RunState {
        self.state
    }

    /// The tick of the next scheduled action, or `None` when the run is over. The UI uses it to
    /// animate up to the next event and to skip idle stretches (a producer waiting out
    /// request.timeout.ms, say). A running world with nothing scheduled still has its closing step,
    /// which reports faults that never struck (it may record nothing, and then `step` returns
    /// `None`); it happens at the current tick.
    pub fn next_tick(&self) -> Option<Tick> {
        if self.state != RunState::Running {
            return None;
        }
        Some(self.queue.peek().map_or(self.now, |Reverse(next)| next.tick))
    }

    /// The current tick.
    pub fn now(&self) -> Tick {
        self.now
    }

    /// The number of messages of the scenario.
    pub fn message_count(&self) -> u16 {
        self.messages
    }

    /// The configuration in force.
    pub fn config(&self) -> &EffectiveConfig {
        &self.cfg
    }

    /// The event log so far, in its total order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The faults injected and whether each has struck.
    pub fn faults(&self) -> &[ArmedFault] {
        &self.faults
    }

    /// The first partition: every replica's log, leader, ISR, high watermark.
    pub fn partition(&self) -> &Partition {
        &self.partitions[0]
    }

    /// Every partition of the topic, by number.
    pub fn partitions(&self) -> &[Partition] {
        &self.partitions
    }

    /// The partition message `msg` goes to: its key sends message n to partition (n - 1) mod the
    /// partition count (lib.rs, "Modelling decisions", partitions).
    pub fn partition_of(&self, msg: MsgId) -> usize {
        partition_of(&self.cfg, msg)
    }

    /// The partition broker `broker` holds a replica of.
    pub(crate) fn partition_on(&self, broker: u8) -> usize {
        usize::from(broker / self.cfg.config.replication_factor.max(1)).min(self.partitions.len() - 1)
    }

    /// The transaction coordinator's state, one entry per transactional id.
    pub fn transactions(&self) -> &[TxnMeta] {
        &self.txn_coordinator.txns
    }

    /// The group's committed offset (the next offset to read), if any commit has landed.
    pub fn committed_offset(&self) -> Option<u64> {
        self.group.committed(0)
    }

    /// The consumer's state: position, current batch, what it is doing (a group of several:
    /// its first member's current instance).
    pub fn consumer(&self) -> &Consumer {
        &self.consumers[0]
    }

    /// Every member of the consumer group (one unless `lab.group.members` says more), each its
    /// current instance, by member.
    pub fn consumers(&self) -> &[Consumer] {
        &self.consumers
    }

    /// The group coordinator: generation, members, the partition's owner, a rebalance under way.
    pub fn group(&self) -> &GroupCoordinator {
        &self.group
    }

    /// The sink's rows or output records.
    pub fn sink(&self) -> &Sink {
        &self.sink
    }

    /// The producer instances so far (restarts and zombies add instances).
    pub fn producers(&self) -> &[ProducerSession] {
        &self.producer.sessions
    }

    /// Whether the producer application is down for good: its last instance is dead and no
    /// restart is on its way (`producer-crash-stays-down`).
    pub fn producer_down_for_good(&self) -> bool {
        self.producer.sessions.last().is_some_and(|s| !s.alive)
            && !self.queue.iter().any(|Reverse(s)| matches!(s.action, Action::ProducerRestart { .. }))
    }

    /// The message the application waits to send and what it waits for (a later tick, or an
    /// event): the next message of its current instance, when the send schedule holds it back.
    pub fn waiting_to_send(&self) -> Option<(MsgId, SendAt)> {
        let session = self.producer.sessions.last().filter(|s| s.alive)?;
        let msg = *session.todo.get(session.next)?;
        let at = self.producer.scheduled(msg).filter(|at| !matches!(at, SendAt::Tick(t) if *t <= self.now))?;
        Some((msg, at))
    }

    /// Every record the producer clients created.
    pub fn records(&self) -> &[Record] {
        &self.producer.records
    }

    /// Network messages on the wire now, for the UI to animate.
    pub fn in_flight(&self) -> impl Iterator<Item = &Flight> {
        self.flights.iter().filter(|f| f.state == FlightState::InFlight)
    }

    /// Every network message of the run so far.
    pub fn flights(&self) -> &[Flight] {
        &self.flights
    }

    /// The per-message ledger and verdicts as of now.
    pub fn ledger(&self) -> Ledger {
        Ledger::build(self)
    }

    /// The ledger without the rows' explanations ([`Ledger::build_without_words`]).
    pub fn ledger_without_words(&self) -> Ledger {
        Ledger::build_without_words(self)
    }

    /// FNV-1a (64 bit) over the canonical form of the event log: each event's `Debug` text followed
    /// by a newline. Equal logs give equal hashes, natively and in wasm32.
    pub fn event_log_hash(&self) -> u64 {
        self.events.iter().fold(FNV_OFFSET, |hash, event| {
            let mut text = format!("{event:?}\n");
            // Partition 0 is left out, so a run of a one-partition topic keeps the hash it had
            // before topics had several partitions (and saved runs still replay).
            if text.contains(", partition: 0 }") {
                text = text.replace(", partition: 0 }", " }");
            }
            super::event::fnv1a(hash, text.as_bytes())
        })
    }

    /// A snapshot with room to grow: its event log is not reallocated by the next events (a plain
    /// clone's is, at once). Without `opportunities` the copy stops recording them.
    pub(crate) fn fork(&mut self, opportunities: bool) -> World {
        let queue = std::mem::take(&mut self.queue);
        let recorded = if opportunities { None } else { self.opportunities.take() };
        let mut copy = self.clone_without_logs();
        let mut log = Vec::with_capacity(self.events.len() + self.events.len() / 2 + 32);
        log.extend_from_slice(&self.events);
        copy.events = log;
        let mut wire = Vec::with_capacity(self.flights.len() + self.flights.len() / 2 + 16);
        wire.extend(self.flights.iter().cloned());
        copy.flights = wire;
        let mut heap = Vec::with_capacity(queue.len() + 16);
        heap.extend_from_slice(queue.as_slice());
        // Already in heap order, so rebuilding the heap moves nothing.
        copy.queue = BinaryHeap::from(heap);
        self.queue = queue;
        if !opportunities {
            self.opportunities = recorded;
        }
        copy
    }

    /// A compact snapshot of this world for time travel, made against `reference`, a later world
    /// of the same run; [`World::restore`] with the same reference gives this world back exactly.
    /// What the reference holds already is left out:
    /// - the event log, which only grows (`record` is its one writer): kept as its length;
    /// - the flights that have arrived or been lost: a flight changes only until then (its state,
    ///   a doom, a fetch's offset, the entries it carries; all in the step that sends it, while it
    ///   is on the wire, or in the step it arrives), so only those on the wire are kept;
    /// - the part of each replica's log the reference's begins with (a log is appended to and cut
    ///   back, never changed in place): kept as its length, and the rest of the log.
    ///
    /// (`&mut` only lends the logs out while the rest is cloned.)
    pub fn snapshot(&mut self, reference: &World) -> Snapshot {
        debug_assert!(reference.events.starts_with(&self.events), "the reference is not a later world of the run");
        debug_assert!(
            (self.flights.iter().zip(&reference.flights))
                .all(|(now, then)| now.state == FlightState::InFlight || now == then),
            "a flight changed after it arrived"
        );
        let mut world = self.clone_without_logs();
        for flight in &self.flights {
            if flight.state == FlightState::InFlight {
                world.flights.push(flight.clone());
            }
        }
        let mut logs = Vec::new();
        let later = reference.partitions.iter().flat_map(|p| &p.replicas);
        for (replica, later) in world.partitions.iter_mut().flat_map(|p| &mut p.replicas).zip(later) {
            let mut shared = 0;
            while replica.log.get(shared).is_some_and(|entry| later.log.get(shared) == Some(entry)) {
                shared += 1;
            }
            replica.log = replica.log[shared..].to_vec();
            logs.push(shared);
        }
        Snapshot { world, events: self.events.len(), flights: self.flights.len(), logs }
    }

    /// The world `snapshot` was made of, given the `reference` it was made with. Its event log and
    /// flights have room for the reference's, so stepping on towards it does not copy them again.
    pub fn restore(snapshot: &Snapshot, reference: &World) -> World {
        let mut world = snapshot.world.clone();
        world.events = Vec::with_capacity(reference.events.len());
        world.events.extend_from_slice(&reference.events[..snapshot.events]);
        let mut flights = Vec::with_capacity(reference.flights.len());
        flights.extend_from_slice(&reference.flights[..snapshot.flights]);
        // The flights that were on the wire, in their places (a flight's id is its index).
        for flight in &world.flights {
            flights[flight.id.0 as usize] = flight.clone();
        }
        world.flights = flights;
        let replicas = world.partitions.iter_mut().flat_map(|p| &mut p.replicas).zip(&snapshot.logs);
        for ((replica, &shared), later) in replicas.zip(reference.partitions.iter().flat_map(|p| &p.replicas)) {
            let mut log = later.log[..shared].to_vec();
            log.extend_from_slice(&replica.log);
            replica.log = log;
        }
        world
    }

    /// A clone of everything but the event log and the flights (lent out meanwhile), which it
    /// leaves empty.
    fn clone_without_logs(&mut self) -> World {
        let events = std::mem::take(&mut self.events);
        let flights = std::mem::take(&mut self.flights);
        let copy = self.clone();
        self.events = events;
        self.flights = flights;
        copy
    }

    /// Starts recording every moment where a fault could strike (for the explorer).
    pub(crate) fn record_opportunities(&mut self) {
        self.opportunities.get_or_insert_with(Vec::new);
    }

    // ----- scheduling and the log -----

    pub(crate) fn schedule(&mut self, tick: Tick, action: Action) {
        ctx!(self).schedule(tick, action);
    }

    /// Records an event caused by the current cause and makes it the cause of what follows.
    pub(crate) fn record(&mut self, kind: EventKind) -> EventId {
        ctx!(self).record(kind)
    }

    fn truncate(&mut self) {
        let events = self.events.len() as u32;
        self.record(EventKind::RunTruncated { events });
        self.state = RunState::Truncated;
    }

    fn finish(&mut self) {
        self.cause = None;
        for index in 0..self.faults.len() {
            let armed = self.faults[index];
            if armed.struck.is_none() {
                let msg = armed.spec.trigger.msg();
                let id = self.record(EventKind::FaultNotApplicable { fault: armed.spec.fault, msg });
                self.faults[index].struck = Some(id);
            }
        }
        self.state = RunState::Quiescent;
    }

    fn dispatch(&mut self, action: Action) {
        match action {
            Action::Start => self.start(),
            Action::AppSend { session } => self.app_send(session),
            Action::Arrive { flight } => self.arrive(flight),
            Action::RequestTimeout { record, attempt } => self.request_timeout(record, attempt),
            Action::Disconnect { session, broker } => self.disconnect(session, broker),
            Action::Resend { record } => self.resend(record),
            Action::AppGivesUp { record } => self.app_gives_up(record),
            Action::ProducerRestart { new_id } => self.producer_restart(new_id),
            Action::ProducerWake { session } => self.producer_wake(session),
            Action::BrokerRestart { broker } => self.broker_restart(broker),
            Action::BrokerFenced { broker } => self.broker_fenced(broker),
            Action::Expire { record } => self.expire(record),
            Action::FollowerResume { partition } => self.follower_resume(usize::from(partition)),
            Action::TxnTimeout { pid, epoch, began } => self.txn_timeout(pid, epoch, began),
            Action::ConsumerRestart { instance } => self.consumer_restart(instance),
            Action::MemberExpired { instance } => self.member_expired(instance),
            Action::RebalanceTimeout { generation } => self.rebalance_timeout(generation),
            Action::ProcessDone { instance, offset } => self.process_done(instance, offset),
            Action::PollDeadline { instance, poll } => self.poll_deadline(instance, poll),
            Action::EndTxnTimeout { session, txn } => self.end_txn_timeout(session, txn),
            Action::CommitDeadline { session, txn } => self.commit_deadline(session, txn),
            Action::FetchTimeout { instance, poll, partition } => self.fetch_timeout(instance, poll, partition),
            Action::AutoCommit { instance } => self.auto_commit_timer(instance),
            Action::Poll { instance } => self.poll(instance),
            Action::CommitTimeout { instance, flight } => self.commit_timeout(instance, flight),
            Action::FaultAt { index } => self.fault_at(index),
        }
    }

    fn start(&mut self) {
        self.start_producer_session(false);
        self.start_follower_fetching();
        self.consumer_start();
    }

    // ----- faults -----

    /// Finds an armed fault of kind `fault` whose trigger matches now and `msg`, marks it struck and
    /// records the strike (see [`Ctx::strike`]).
    pub(crate) fn strike(&mut self, fault: Fault, msg: Option<MsgId>) -> bool {
        ctx!(self).strike(fault, msg)
    }

    fn fault_at(&mut self, index: u8) {
        let armed = self.faults[usize::from(index)];
        if armed.struck.is_some() {
            return;
        }
        let fault = armed.spec.fault;
        let id = self.record(EventKind::FaultStruck { fault, msg: None });
        self.faults[usize::from(index)].struck = Some(id);
        self.apply_actor_fault(fault);
    }

    /// The effect of a fault that strikes an actor rather than a message in passing (at a tick:
    /// a broker fault strikes the first partition's brokers).
    pub(crate) fn apply_actor_fault(&mut self, fault: Fault) {
        match fault {
            Fault::LeaderCrashReplicated
            | Fault::LeaderCrashUnreplicatedAfterAck
            | Fault::LeaderCrashUnreplicatedBeforeAck => self.crash_leader(0, false),
            Fault::DiskLost => self.crash_leader(0, true),
            Fault::FollowerOutOfIsr => self.follower_out_of_isr(0),
            Fault::ProducerRestartSameId => self.producer_crash(Some(false)),
            Fault::ProducerRestartNewId => self.producer_crash(Some(true)),
            Fault::ProducerCrashStaysDown => self.producer_crash(None),
            Fault::ZombieProducer => self.producer_freeze(),
            _ => {}
        }
    }

    // ----- the network -----

    fn arrive(&mut self, id: u32) {
        let flight = &self.flights[id as usize];
        let (from, to, what, doomed) = (flight.from, flight.to, flight.what, flight.doomed);
        let flight_id = flight.id;
        self.cause = Some(flight.sent_event);
        if let Actor::Producer { session } = to {
            if let Some(until) = self.producer.sessions[usize::from(session)].frozen_until {
                // A frozen process reads nothing; the message waits in its socket buffer.
                return self.schedule(until, Action::Arrive { flight: id });
            }
        }
        if doomed.is_some() || !self.receiver_up(to) {
            self.flights[id as usize].state = FlightState::Dropped;
            match doomed {
                Some(fault) if self.flights[id as usize].collateral => {
                    self.record(EventKind::LostWithConnection { flight: flight_id, from, to, what, fault })
                }
                _ => self.record(EventKind::Dropped { flight: flight_id, from, to, what, fault: doomed }),
            };
            if doomed.is_none() {
                self.undeliverable(id);
            } else if let (Actor::Consumer { instance }, FlightKind::FetchResponse { .. }, Actor::Broker(b)) = (to, what, from) {
                let partition = self.partition_on(b) as u8;
                self.fetch_response_lost(instance, partition);
            }
            return;
        }
        self.flights[id as usize].state = FlightState::Arrived;
        self.record(EventKind::Arrived { flight: flight_id, from, to, what });
        self.deliver(id);
    }

    fn receiver_up(&self, to: Actor) -> bool {
        match to {
            Actor::Broker(b) => self.partitions[self.partition_on(b)].replica(b).is_some_and(|r| r.alive),
            Actor::Producer { session } => self.producer.sessions[usize::from(session)].alive,
            Actor::Consumer { instance } => self.consumers.iter().any(|c| c.alive && c.instance == instance),
            Actor::TxnCoordinator | Actor::GroupCoordinator | Actor::Sink => true,
        }
    }

    fn deliver(&mut self, id: u32) {
        let what = self.flights[id as usize].what;
        match what {
            FlightKind::Produce { .. } => self.on_produce(id),
            FlightKind::ProduceResponse { .. } => self.on_produce_response(id),
            FlightKind::Fetch { .. } => self.on_fetch(id),
            FlightKind::FetchResponse { .. } => self.on_fetch_response(id),
            FlightKind::ReplicaFetch { .. } => self.on_replica_fetch(id),
            FlightKind::ReplicaFetchResponse { .. } => self.on_replica_fetch_response(id),
            FlightKind::OffsetCommit { .. } => self.on_offset_commit(id),
            FlightKind::OffsetCommitResponse { .. } => self.on_offset_commit_response(id),
            FlightKind::InitProducerId { .. } => self.on_init_producer_id(id),
            FlightKind::InitProducerIdResponse { .. } => self.on_init_producer_id_response(id),
            FlightKind::EndTxn { .. } => self.on_end_txn(id),
            FlightKind::EndTxnResponse { .. } => self.on_end_txn_response(id),
            FlightKind::TxnOffsetCommit { .. } => self.on_txn_offset_commit(id),
            FlightKind::TxnCommit { .. } => self.on_txn_commit(id),
            FlightKind::TxnOffsetCommitResponse { .. } => self.on_txn_offset_commit_response(id),
        }
    }

    /// A message whose receiver is down: the sender sees its connection close.
    pub(crate) fn undeliverable(&mut self, id: u32) {
        match self.flights[id as usize].what {
            FlightKind::Produce { record, .. } if self.producer.records[usize::from(record)].flight == Some(id) => {
                self.connection_lost(record)
            }
            // The member that sent it polls again.
            FlightKind::Fetch { .. } => {
                if let (Actor::Consumer { instance }, Actor::Broker(b)) = (self.flights[id as usize].from, self.flights[id as usize].to) {
                    let partition = self.partition_on(b) as u8;
                    if let Some(m) = self.member(instance) {
                        self.consumers[m].fetch_failed(&mut ctx!(self), partition);
                    }
                }
            }
            _ => {}
        }
    }
}

/// A consumer fetch the leader holds until something is readable: its flight (the response
/// answers it) and the offset it reads from, once the consumer's position is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ParkedFetch {
    pub flight: u32,
    pub offset: u64,
    /// The consumer instance that sent it.
    pub instance: u8,
}

/// A produce request the leader appended with acks=all: it is answered once the high watermark
/// passes `offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PendingAck {
    pub record: u16,
    pub offset: u64,
    pub session: u8,
    /// The request's flight, which the response names.
    pub request: u32,
}

/// A producer connection that broke silently in one direction: a fault lost a request
/// (`DropProduceRequest`) or a response (`DropAck`) on it, and what travels that way after it is
/// lost too, until the client's request.timeout.ms closes the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BrokenConnection {
    pub session: u8,
    pub broker: u8,
    pub fault: Fault,
}

/// What a handler borrows besides its own actor's state: the time, the configuration, the seeded
/// randomness, the schedule, the event recorder, the network (the outbox of messages to send and
/// the messages on the wire) and the fault schedule. It is made from a `World`'s fields by
/// `ctx!(world)`, so an actor's handler can hold it next to `&mut` its own state (the disjoint
/// borrows of quinn-proto, or stateright's `Out`).
pub(crate) struct Ctx<'a> {
    pub cfg: &'a EffectiveConfig,
    pub now: Tick,
    rng: &'a mut Rng,
    queue: &'a mut BinaryHeap<Reverse<Scheduled>>,
    next_seq: &'a mut u64,
    events: &'a mut Vec<Event>,
    cause: &'a mut Option<EventId>,
    pub flights: &'a mut Vec<Flight>,
    link_clock: &'a mut [Tick; LINKS],
    broken: &'a mut Vec<BrokenConnection>,
    faults: &'a mut Vec<ArmedFault>,
    opportunities: &'a mut Option<Vec<Opportunity>>,
    opportunities_full: &'a mut bool,
}

/// The [`Ctx`] of a world, borrowing only the fields it names (so the actors' fields stay free).
macro_rules! ctx {
    ($world:expr) => {
        $crate::sim::world::Ctx::new(
            &$world.cfg,
            $world.now,
            &mut $world.rng,
            &mut $world.queue,
            &mut $world.next_seq,
            &mut $world.events,
            &mut $world.cause,
            &mut $world.flights,
            &mut $world.link_clock,
            &mut $world.broken,
            &mut $world.faults,
            &mut $world.opportunities,
            &mut $world.opportunities_full,
        )
    };
}
pub(crate) use ctx;

impl<'a> Ctx<'a> {
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub(crate) fn new(
        cfg: &'a EffectiveConfig,
        now: Tick,
        rng: &'a mut Rng,
        queue: &'a mut BinaryHeap<Reverse<Scheduled>>,
        next_seq: &'a mut u64,
        events: &'a mut Vec<Event>,
        cause: &'a mut Option<EventId>,
        flights: &'a mut Vec<Flight>,
        link_clock: &'a mut [Tick; LINKS],
        broken: &'a mut Vec<BrokenConnection>,
        faults: &'a mut Vec<ArmedFault>,
        opportunities: &'a mut Option<Vec<Opportunity>>,
        opportunities_full: &'a mut bool,
    ) -> Ctx<'a> {
        Ctx { cfg, now, rng, queue, next_seq, events, cause, flights, link_clock, broken, faults, opportunities, opportunities_full }
    }

    pub(crate) fn schedule(&mut self, tick: Tick, action: Action) {
        let seq = *self.next_seq;
        *self.next_seq += 1;
        let cause = *self.cause;
        // The start and faults that strike at a tick go before everything else of their tick, as
        // they would if injected before the run (they then hold the lowest sequence numbers), so a
        // fault injected mid-run strikes exactly where the same fault injected at tick 0 does.
        let prio = u8::from(!matches!(action, Action::Start | Action::FaultAt { .. }));
        self.queue.push(Reverse(Scheduled { tick, prio, seq, action, cause }));
    }

    /// Records an event caused by the current cause and makes it the cause of what follows.
    pub(crate) fn record(&mut self, kind: EventKind) -> EventId {
        let id = EventId(self.events.len() as u32);
        self.events.push(Event { id, tick: self.now, cause: *self.cause, kind });
        *self.cause = Some(id);
        id
    }

    /// What follows is caused by `event` too, if it is later than the current cause (an answer
    /// to a parked request is caused by the request or by what released it, whichever is later).
    pub(crate) fn also_caused_by(&mut self, event: EventId) {
        *self.cause = Some(event).max(*self.cause);
    }

    /// Finds an armed fault of kind `fault` whose trigger matches now and `msg`, marks it struck and
    /// records the strike. This is where every fault, whatever its source, takes effect.
    pub(crate) fn strike(&mut self, fault: Fault, msg: Option<MsgId>) -> bool {
        self.strike_attempt(fault, msg, 1, true)
    }

    /// [`Ctx::strike`] at a moment that concerns several messages at once (a transaction, a
    /// fetch response, an offset commit): it strikes for the first of them an armed fault names.
    pub(crate) fn strike_any(&mut self, fault: Fault, msgs: &[MsgId]) -> bool {
        msgs.iter().any(|&msg| self.strike(fault, Some(msg)))
    }

    /// [`Ctx::strike`] at a moment of one produce attempt (`attempt`, from 1). `first` says whether
    /// the moment is one the three first triggers reach (for a produce request: its first attempt;
    /// an ACK: any), so that links and files written before the other triggers existed strike
    /// exactly where they did.
    pub(crate) fn strike_attempt(&mut self, fault: Fault, msg: Option<MsgId>, attempt: u32, first: bool) -> bool {
        let now = self.now;
        let found = self.faults.iter().position(|armed| {
            armed.live(now)
                && armed.spec.fault == fault
                && match armed.spec.trigger {
                    Trigger::Next => first,
                    Trigger::AtTick(tick) => first && !fault.strikes_at_tick() && now >= tick,
                    Trigger::Message(m) => first && Some(m) == msg,
                    Trigger::Attempt(m, k) => Some(m) == msg && k == attempt,
                    Trigger::Window(from, _) => now >= from,
                    Trigger::Count(_) => true,
                }
        });
        if let (Some(list), Some(msg)) = (&mut *self.opportunities, msg) {
            if list.len() < MAX_OPPORTUNITIES {
                let at = self.events.len() as u32;
                list.push(Opportunity { fault, msg, tick: now, at, consumed: found.is_some(), attempt, first });
            } else {
                *self.opportunities_full = true;
            }
        }
        let Some(index) = found else { return false };
        let id = self.record(EventKind::FaultStruck { fault, msg });
        let armed = &mut self.faults[index];
        armed.struck.get_or_insert(id);
        armed.strikes += 1;
        true
    }

    /// Puts a message on the wire. Each directed link is first-in first-out, as a TCP connection
    /// is and as Kafka's protocol guarantees ("on a single TCP connection, requests will be
    /// processed in the order they are sent and responses will return in that order"), so the
    /// seed's jitter never reorders and nothing overtakes.
    pub(crate) fn send(&mut self, from: Actor, to: Actor, what: FlightKind) -> u32 {
        let jitter = self.rng.below(self.cfg.jitter + 1);
        let link = link_index(from, to);
        let arrives = (self.now + self.cfg.latency + jitter).max(self.link_clock[link]);
        self.link_clock[link] = arrives;
        // A broken connection loses what travels in the direction that failed: requests after a
        // lost request, responses after a lost response.
        let doomed = match (from, to) {
            (Actor::Producer { session }, Actor::Broker(broker)) => {
                self.broken_by(BrokenConnection { session, broker, fault: Fault::DropProduceRequest })
            }
            (Actor::Broker(broker), Actor::Producer { session }) => {
                self.broken_by(BrokenConnection { session, broker, fault: Fault::DropAck })
            }
            _ => None,
        };
        let id = self.flights.len() as u32;
        let flight = FlightId(id);
        let sent_event = self.record(EventKind::Sent { flight, from, to, what, arrives });
        self.flights.push(Flight {
            id: flight,
            from,
            to,
            what,
            sent: self.now,
            arrives,
            state: FlightState::InFlight,
            doomed,
            corrupt: false,
            collateral: doomed.is_some(),
            sent_event,
            entries: Vec::new(),
            records: Vec::new(),
        });
        self.schedule(arrives, Action::Arrive { flight: id });
        id
    }

    /// A fault broke `connection` in one direction: what travels that way is lost from now on.
    pub(crate) fn break_connection(&mut self, connection: BrokenConnection) {
        self.broken.push(connection);
    }

    /// The client closed its connections from `session` to `broker`; new ones work.
    pub(crate) fn mend_connection(&mut self, session: u8, broker: u8) {
        self.broken.retain(|c| (c.session, c.broker) != (session, broker));
    }

    /// Whether the connection from `session` to `broker` is broken in either direction.
    pub(crate) fn is_broken(&self, session: u8, broker: u8) -> bool {
        self.broken.iter().any(|c| (c.session, c.broker) == (session, broker))
    }

    /// `broker` crashed: its sockets close, so every connection to it is mended (clients
    /// reconnect to whoever leads next).
    pub(crate) fn close_connections_to(&mut self, broker: u8) {
        self.broken.retain(|c| c.broker != broker);
    }

    /// The fault of `connection` if it is broken in that direction.
    fn broken_by(&self, connection: BrokenConnection) -> Option<Fault> {
        self.broken.contains(&connection).then_some(connection.fault)
    }
}

/// The partition message `msg` goes to (`World::partition_of`).
pub(crate) fn partition_of(cfg: &EffectiveConfig, msg: MsgId) -> usize {
    usize::from(msg.0.saturating_sub(1)) % usize::from(cfg.config.num_partitions.max(1))
}

/// The number of directed links `World::link_clock` keeps.
pub(crate) const LINKS: usize = 64;

/// The index of the directed link `from` → `to` in `World::link_clock`.
fn link_index(from: Actor, to: Actor) -> usize {
    let side = |actor: Actor| match actor {
        Actor::Producer { .. } => 0,
        // Brokers 0 and 1 (a topic of one partition) keep the sides they always had.
        Actor::Broker(b) if b < 2 => 1 + usize::from(b),
        Actor::Broker(b) => (2 + usize::from(b)).min(7),
        Actor::Consumer { .. } => 3,
        _ => 3,
    };
    side(from) * 8 + side(to)
}

// ----- private machinery: the schedule -----

/// Something scheduled to happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    Start,
    AppSend { session: u8 },
    Arrive { flight: u32 },
    RequestTimeout { record: u16, attempt: u32 },
    Disconnect { session: u8, broker: u8 },
    Resend { record: u16 },
    AppGivesUp { record: u16 },
    ProducerRestart { new_id: bool },
    ProducerWake { session: u8 },
    BrokerRestart { broker: u8 },
    BrokerFenced { broker: u8 },
    Expire { record: u16 },
    FollowerResume { partition: u8 },
    TxnTimeout { pid: u32, epoch: u16, began: Tick },
    ConsumerRestart { instance: u8 },
    /// session.timeout.ms after a member of a group of several crashed.
    MemberExpired { instance: u8 },
    /// max.poll.interval.ms after a rebalance started after `generation`.
    RebalanceTimeout { generation: u32 },
    ProcessDone { instance: u8, offset: u64 },
    PollDeadline { instance: u8, poll: u32 },
    EndTxnTimeout { session: u8, txn: u32 },
    /// max.block.ms after commitTransaction() was called.
    CommitDeadline { session: u8, txn: u32 },
    FetchTimeout { instance: u8, poll: u32, partition: u8 },
    AutoCommit { instance: u8 },
    Poll { instance: u8 },
    CommitTimeout { instance: u8, flight: u32 },
    FaultAt { index: u8 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Scheduled {
    tick: Tick,
    prio: u8,
    seq: u64,
    action: Action,
    cause: Option<EventId>,
}

/// The schedule's order: by tick, then priority, then the order of scheduling (`seq` is unique,
/// so the action and its cause never decide).
impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.tick, self.prio, self.seq).cmp(&(other.tick, other.prio, other.seq))
    }
}

impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
