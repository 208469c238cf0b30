//! The consumer client and application: poll, process, commit, and the ways each can fail.
//!
//! Rules followed: ConsumerCoordinator (auto-commit inside poll() of what earlier polls returned,
//! commit on close(), CommitFailedException after removal from the group), ConsumerConfig
//! (max.poll.interval.ms, isolation.level, auto.offset.reset), KIP-447 (offsets in the
//! producer's transaction, fenced by the group generation), librdkafka's stored-offset background
//! commit.

use serde::Serialize;

use super::config::{AutoCommitStyle, ManualCommit, OffsetReset, SinkKind};
use super::event::{Actor, EventKind, FetchedRecord, FlightKind, MsgId, SinkOutcome, Tick};
use super::fault::Fault;
use super::sink::{SinkRow, TxnOutcome};
use super::world::{Action, World};

/// The consumer client and application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Consumer {
    /// Which instance (restarts count up).
    pub instance: u8,
    /// Whether the process runs.
    pub alive: bool,
    /// Whether it is a member of the group (false after max.poll.interval.ms passed).
    pub in_group: bool,
    /// The group generation it joined.
    pub generation: u32,
    /// The next offset it will fetch.
    pub position: u64,
    /// Whether a fetch is out (the application is inside poll()).
    pub fetching: bool,
    /// The records the last poll returned.
    pub batch: Vec<FetchedRecord>,
    /// How many of the batch are processed.
    pub processed_in_batch: usize,
    /// The record being processed.
    pub processing: Option<FetchedRecord>,
    /// The offset stored for the background auto-commit.
    pub stored: Option<u64>,
    /// The offset of the last commit it sent.
    pub commit_sent: Option<u64>,
    /// When it last sent a commit.
    pub last_commit: Tick,
    /// Whether an auto-commit timer is pending.
    pub timer_armed: bool,
    /// The commit it waits for (commitSync or the transaction commit).
    pub waiting_commit: Option<u32>,
    /// How many polls it made.
    pub polls: u32,
    /// When it last polled.
    pub last_poll: Tick,
    /// The leader epoch of the last fetch answer, to detect truncation after a failover (KIP-320).
    pub leader_epoch: u32,
    /// The application's current transaction (offsets in the transaction).
    pub txn: u32,
    /// Whether the current transaction has output or offsets.
    pub txn_dirty: bool,
}

impl Consumer {
    pub(crate) fn new() -> Consumer {
        Consumer {
            instance: 0,
            alive: false,
            in_group: false,
            generation: 0,
            position: 0,
            fetching: false,
            batch: Vec::new(),
            processed_in_batch: 0,
            processing: None,
            stored: None,
            commit_sent: None,
            last_commit: 0,
            timer_armed: false,
            waiting_commit: None,
            polls: 0,
            last_poll: 0,
            leader_epoch: 0,
            txn: 1,
            txn_dirty: false,
        }
    }
}

/// How the consumer commits, with auto-commit and its style folded in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CommitMode {
    AutoInPoll,
    AutoBackground,
    Before,
    After,
    InTransaction,
}

impl World {
    fn commit_mode(&self) -> CommitMode {
        let c = &self.cfg.config;
        match (c.enable_auto_commit, c.auto_commit_style, c.manual_commit) {
            (true, AutoCommitStyle::JavaPoll, _) => CommitMode::AutoInPoll,
            (true, AutoCommitStyle::BackgroundStored, _) => CommitMode::AutoBackground,
            (false, _, ManualCommit::BeforeProcessing) => CommitMode::Before,
            (false, _, ManualCommit::AfterProcessing) => CommitMode::After,
            (false, _, ManualCommit::InTransaction) => CommitMode::InTransaction,
        }
    }

    /// Where a (re)joining consumer starts: the offset stored in the database for that pattern,
    /// else the committed offset, else auto.offset.reset.
    fn start_position(&self) -> u64 {
        let stored = if self.cfg.config.sink == SinkKind::DbOffsetsInDb { self.sink.db_offset } else { self.committed };
        stored.unwrap_or(match self.cfg.config.auto_offset_reset {
            OffsetReset::Earliest => 0,
            OffsetReset::Latest => self.read_limit(),
        })
    }

    /// The consumer (re)joins the group and starts polling.
    pub(crate) fn consumer_start(&mut self) {
        self.generation += 1;
        let c = &mut self.consumer;
        c.alive = true;
        c.in_group = true;
        c.generation = self.generation;
        let position = self.start_position();
        let committed = self.committed;
        let instance = self.consumer.instance;
        self.consumer.position = position;
        // KIP-320: a committed offset carries the leader epoch it was read under.
        self.consumer.leader_epoch = if committed.is_some() { self.committed_epoch } else { self.partition.leader_epoch };
        self.record(EventKind::ConsumerStarted { instance, position, committed });
        self.poll(instance);
    }

    /// poll(): the Java client first auto-commits what earlier polls returned if the interval has
    /// passed (ConsumerCoordinator.maybeAutoCommitOffsetsAsync), then fetches.
    pub(crate) fn poll(&mut self, instance: u8) {
        let c = &self.consumer;
        if !c.alive || c.instance != instance || c.fetching || c.processing.is_some() || c.waiting_commit.is_some() {
            return;
        }
        if !c.in_group {
            return self.rejoin();
        }
        let due = self.now >= c.last_commit + self.cfg.auto_commit_interval;
        if self.commit_mode() == CommitMode::AutoInPoll && due && self.uncommitted(c.position) {
            self.commit(c.position, false);
        }
        if self.partition.leader.is_none() {
            // No leader to fetch from: poll() waits (the election wakes it up).
            return;
        }
        let c = &mut self.consumer;
        c.polls += 1;
        c.last_poll = self.now;
        c.fetching = true;
        c.batch.clear();
        c.processed_in_batch = 0;
        let (offset, poll) = (c.position, c.polls);
        let leader = self.partition.leader.unwrap_or(self.partition.last_leader);
        let leader_epoch = self.consumer.leader_epoch;
        self.send(Actor::Consumer { instance }, Actor::Broker(leader), FlightKind::Fetch { offset, leader_epoch });
        self.schedule(self.now + self.cfg.max_poll_interval, Action::PollDeadline { instance, poll });
        self.arm_auto_commit();
    }

    fn uncommitted(&self, offset: u64) -> bool {
        self.consumer.commit_sent.is_none_or(|sent| offset > sent)
    }

    /// After removal from the group the next poll rejoins, and the position goes back to the
    /// committed offset: what was processed since the last commit is processed again.
    fn rejoin(&mut self) {
        self.consumer.commit_sent = self.committed;
        self.consumer.stored = None;
        self.consumer_start();
    }

    /// Records reached the consumer: poll() returns them to the application.
    pub(crate) fn on_fetch_response(&mut self, id: u32) {
        let FlightKind::FetchResponse { from, to, records } = self.flights[id as usize].what else { return };
        let batch = self.flights[id as usize].records.clone();
        self.consumer.fetching = false;
        self.consumer.position = to;
        self.consumer.batch = batch;
        self.consumer.processed_in_batch = 0;
        self.record(EventKind::Polled { from, to, records });
        if records == 0 {
            let instance = self.consumer.instance;
            return self.poll(instance);
        }
        match self.commit_mode() {
            CommitMode::Before => self.commit(to, true),
            _ => self.process_next(),
        }
    }

    /// Processes the next record of the batch, or finishes the batch.
    fn process_next(&mut self) {
        let c = &self.consumer;
        let Some(&FetchedRecord { offset, msg }) = c.batch.get(c.processed_in_batch) else { return self.batch_done() };
        if self.commit_mode() == CommitMode::AutoBackground {
            // librdkafka stores a message's offset when consumer_poll() hands it to the
            // application, before any processing (enable.auto.offset.store=true, CONFIGURATION.md:
            // "Automatically store offset of last message provided to application"); the timer
            // and close() commit what is stored, whatever happens to the processing.
            self.consumer.stored = Some(offset + 1);
            self.record(EventKind::OffsetStored { offset: offset + 1 });
            self.arm_auto_commit();
        }
        if self.strike(Fault::ConsumerCrashAfterFetch, Some(msg)) {
            return self.consumer_crash();
        }
        if self.strike(Fault::ProcessingThrows, Some(msg)) {
            self.record(EventKind::ProcessingThrew { msg, offset });
            return self.consumer_close();
        }
        self.record(EventKind::ProcessingStarted { msg, offset });
        let mut duration = self.cfg.processing;
        if self.strike(Fault::ProcessingStall, Some(msg)) {
            duration += self.cfg.max_poll_interval + self.cfg.restart;
        }
        self.consumer.processing = Some(FetchedRecord { offset, msg });
        let instance = self.consumer.instance;
        self.schedule(self.now + duration, Action::ProcessDone { instance, offset });
    }

    /// Processing of a record finished: its effect goes to the sink.
    pub(crate) fn process_done(&mut self, instance: u8, offset: u64) {
        let c = &self.consumer;
        let Some(FetchedRecord { offset: current, msg }) = c.processing else { return };
        if !c.alive || c.instance != instance || current != offset {
            return;
        }
        self.write_sink(msg, offset);
        self.record(EventKind::ProcessingFinished { msg, offset });
        self.consumer.processing = None;
        self.consumer.processed_in_batch += 1;
        if self.consumer_transactional() {
            self.consumer.txn_dirty = true;
        }
        if self.strike(Fault::DbWriteThenDie, Some(msg)) || self.strike(Fault::ConsumerCrashAfterProcessing, Some(msg)) {
            return self.consumer_crash();
        }
        self.process_next();
    }

    fn write_sink(&mut self, msg: MsgId, offset: u64) {
        let kind = self.cfg.config.sink;
        if kind == SinkKind::None {
            return;
        }
        let in_txn = kind == SinkKind::OutputTopicInTransaction;
        let outcome = if self.sink.overwrites(kind, msg, offset) { SinkOutcome::Overwritten } else { SinkOutcome::Inserted };
        let txn = in_txn.then_some(self.consumer.txn);
        self.sink.rows.push(SinkRow { msg, offset, txn });
        if kind == SinkKind::DbOffsetsInDb {
            self.sink.db_offset = Some(offset + 1);
        }
        self.record(EventKind::SinkWrite { msg, offset, outcome, in_txn });
    }

    /// The batch is processed: commit as the policy says, then poll again.
    fn batch_done(&mut self) {
        let position = self.consumer.position;
        let instance = self.consumer.instance;
        match self.commit_mode() {
            CommitMode::After if self.uncommitted(position) => self.commit(position, true),
            CommitMode::InTransaction if self.consumer.txn_dirty => self.commit_txn(position),
            _ => self.poll(instance),
        }
    }

    /// Sends an offset commit; `sync` makes the application wait for the answer (commitSync).
    fn commit(&mut self, offset: u64, sync: bool) {
        let covered = self.msgs_between(self.consumer.commit_sent.unwrap_or(0), offset);
        let instance = self.consumer.instance;
        self.consumer.commit_sent = Some(offset);
        self.consumer.last_commit = self.now;
        let what = FlightKind::OffsetCommit { offset, generation: self.consumer.generation };
        let flight = self.send(Actor::Consumer { instance }, Actor::GroupCoordinator, what);
        self.maybe_drop_commit(flight, &covered);
        if sync {
            self.consumer.waiting_commit = Some(flight);
            self.schedule(self.now + self.cfg.request_timeout, Action::CommitTimeout { instance, flight });
        }
    }

    fn maybe_drop_commit(&mut self, flight: u32, covered: &[MsgId]) {
        for msg in covered {
            if self.strike(Fault::DropOffsetCommit, Some(*msg)) {
                self.flights[flight as usize].doomed = Some(Fault::DropOffsetCommit);
                return;
            }
        }
    }

    /// The data messages at offsets `from..to` of the partition's log.
    fn msgs_between(&self, from: u64, to: u64) -> Vec<MsgId> {
        let log = self.partition.log();
        let end = (to as usize).min(log.len());
        let start = (from as usize).min(end);
        log[start..end].iter().filter_map(|e| e.msg()).collect()
    }

    /// sendOffsetsToTransaction + commitTransaction of the application's transactional producer.
    fn commit_txn(&mut self, offset: u64) {
        let covered = self.msgs_between(self.committed.unwrap_or(0), offset);
        let instance = self.consumer.instance;
        let what = FlightKind::TxnOffsetCommit { offset, generation: self.consumer.generation, txn: self.consumer.txn };
        let flight = self.send(Actor::Consumer { instance }, Actor::TxnCoordinator, what);
        self.maybe_drop_commit(flight, &covered);
        self.consumer.waiting_commit = Some(flight);
        self.schedule(self.now + self.cfg.request_timeout, Action::CommitTimeout { instance, flight });
    }

    /// The group coordinator receives an offset commit; a member removed from the group (an old
    /// generation) gets a refusal (CommitFailedException in the Java client).
    pub(crate) fn on_offset_commit(&mut self, id: u32) {
        let flight = &self.flights[id as usize];
        let from = flight.from;
        let FlightKind::OffsetCommit { offset, generation } = flight.what else { return };
        let ok = generation == self.generation;
        if ok {
            self.committed = Some(offset);
            self.committed_epoch = self.consumer.leader_epoch;
            self.record(EventKind::Committed { offset, txn: false });
        } else {
            self.record(EventKind::CommitFailed { offset });
        }
        self.send(Actor::GroupCoordinator, from, FlightKind::OffsetCommitResponse { offset, ok });
    }

    /// The consumer application's transaction commit reaches the coordinator: output and offsets
    /// commit together, unless the transaction was already aborted (its instance was replaced) or
    /// the member's generation is stale (KIP-447).
    pub(crate) fn on_txn_offset_commit(&mut self, id: u32) {
        let flight = &self.flights[id as usize];
        let from = flight.from;
        let FlightKind::TxnOffsetCommit { offset, generation, txn } = flight.what else { return };
        let aborted = self.sink.txn_ended(txn);
        let ok = !aborted && generation == self.generation;
        if ok {
            self.sink.txn_outcomes.push(TxnOutcome { txn, committed: true });
            self.committed = Some(offset);
            self.committed_epoch = self.consumer.leader_epoch;
            self.record(EventKind::Committed { offset, txn: true });
        } else {
            if !aborted {
                self.sink.txn_outcomes.push(TxnOutcome { txn, committed: false });
            }
            self.record(EventKind::ConsumerTxnAborted { txn });
        }
        self.send(Actor::TxnCoordinator, from, FlightKind::TxnOffsetCommitResponse { offset, ok });
    }

    /// The answer to a commit reached the consumer.
    pub(crate) fn on_offset_commit_response(&mut self, id: u32) {
        let (offset, ok) = match self.flights[id as usize].what {
            FlightKind::OffsetCommitResponse { offset, ok } | FlightKind::TxnOffsetCommitResponse { offset, ok } => (offset, ok),
            _ => return,
        };
        if ok && self.crash_after_commit(offset) {
            return;
        }
        let answers_wait = self.consumer.waiting_commit.is_some_and(|w| match self.flights[w as usize].what {
            FlightKind::OffsetCommit { offset: o, .. } | FlightKind::TxnOffsetCommit { offset: o, .. } => o == offset,
            _ => false,
        });
        if answers_wait {
            self.finish_commit(ok);
        }
    }

    pub(crate) fn on_txn_offset_commit_response(&mut self, id: u32) {
        self.on_offset_commit_response(id);
    }

    /// "Consumer crash after the offset commit, before processing finished": strikes when a
    /// commit covering the message lands while the message is not yet processed.
    fn crash_after_commit(&mut self, offset: u64) -> bool {
        let c = &self.consumer;
        let pending: Vec<MsgId> =
            c.batch.iter().skip(c.processed_in_batch).filter(|r| r.offset < offset).map(|r| r.msg).collect();
        for msg in pending {
            if self.strike(Fault::ConsumerCrashAfterCommit, Some(msg)) {
                self.consumer_crash();
                return true;
            }
        }
        false
    }

    /// The commit the application waited for is over (answered, refused or timed out).
    fn finish_commit(&mut self, ok: bool) {
        self.consumer.waiting_commit = None;
        let instance = self.consumer.instance;
        match self.commit_mode() {
            CommitMode::Before if ok => self.process_next(),
            CommitMode::InTransaction => {
                self.consumer.txn += 1;
                self.consumer.txn_dirty = false;
                if !ok {
                    // After an abort the application seeks back to the committed offsets.
                    self.consumer.position = self.start_position();
                }
                self.poll(instance)
            }
            CommitMode::Before => {
                // The commit failed: the application does not process a batch it could not commit.
                self.consumer.in_group = false;
                self.poll(instance)
            }
            _ => self.poll(instance),
        }
    }

    /// commitSync or commitTransaction got no answer within request.timeout.ms.
    pub(crate) fn commit_timeout(&mut self, instance: u8, flight: u32) {
        let c = &self.consumer;
        if !c.alive || c.instance != instance || c.waiting_commit != Some(flight) {
            return;
        }
        let offset = match self.flights[flight as usize].what {
            FlightKind::OffsetCommit { offset, .. } | FlightKind::TxnOffsetCommit { offset, .. } => offset,
            _ => return,
        };
        self.record(EventKind::CommitFailed { offset });
        // commitSync and commitTransaction retry a request that timed out (the Java client retries
        // retriable errors until default.api.timeout.ms); the retry carries the same offsets.
        self.consumer.waiting_commit = None;
        if self.consumer_transactional() {
            self.commit_txn(offset);
        } else {
            self.commit(offset, true);
        }
    }

    /// max.poll.interval.ms passed since the poll and the application is still busy: the member
    /// is removed from the group (its generation is now stale).
    pub(crate) fn poll_deadline(&mut self, instance: u8, poll: u32) {
        let c = &self.consumer;
        if !c.alive || c.instance != instance || c.polls != poll || c.fetching || !c.in_group {
            return;
        }
        self.consumer.in_group = false;
        self.generation += 1;
        self.record(EventKind::ConsumerLeftGroup { instance });
    }

    fn arm_auto_commit(&mut self) {
        let c = &self.consumer;
        let pending = match self.commit_mode() {
            CommitMode::AutoBackground => c.stored.is_some_and(|s| self.uncommitted(s)),
            CommitMode::AutoInPoll => self.uncommitted(c.position) && c.position > 0,
            _ => false,
        };
        if pending && !c.timer_armed {
            let at = (c.last_commit + self.cfg.auto_commit_interval).max(self.now + 1);
            let instance = c.instance;
            self.consumer.timer_armed = true;
            self.schedule(at, Action::AutoCommit { instance });
        }
    }

    /// The auto-commit timer: librdkafka commits the stored offsets whatever the application is
    /// doing; the Java client's poll(timeout) loop commits while it waits for records.
    pub(crate) fn auto_commit_timer(&mut self, instance: u8) {
        if !self.consumer.alive || self.consumer.instance != instance {
            return;
        }
        self.consumer.timer_armed = false;
        let c = &self.consumer;
        match self.commit_mode() {
            CommitMode::AutoBackground => {
                if let Some(stored) = c.stored.filter(|s| self.uncommitted(*s)) {
                    self.commit(stored, false);
                }
            }
            CommitMode::AutoInPoll if c.fetching && self.uncommitted(c.position) => self.commit(c.position, false),
            _ => {}
        }
        self.arm_auto_commit();
    }

    /// The consumer process dies: nothing is committed on the way out.
    pub(crate) fn consumer_crash(&mut self) {
        let instance = self.consumer.instance;
        self.consumer.alive = false;
        self.consumer.processing = None;
        self.consumer.fetching = false;
        self.parked_consumer_fetch = None;
        self.record(EventKind::ConsumerCrashed { instance });
        self.schedule(self.now + self.cfg.restart, Action::ConsumerRestart);
    }

    /// The application closes the consumer after an exception. The Java client's close() commits
    /// the positions of everything poll() returned when auto-commit is on, processed or not
    /// (ConsumerCoordinator.close → maybeAutoCommitOffsetsSync); librdkafka's
    /// rd_kafka_consumer_close() commits the stored offsets, which include the record handed over.
    fn consumer_close(&mut self) {
        let instance = self.consumer.instance;
        match self.commit_mode() {
            CommitMode::AutoInPoll if self.uncommitted(self.consumer.position) => self.commit(self.consumer.position, false),
            CommitMode::AutoBackground => {
                if let Some(stored) = self.consumer.stored.filter(|s| self.uncommitted(*s)) {
                    self.commit(stored, false);
                }
            }
            _ => {}
        }
        if self.consumer_transactional() && self.consumer.txn_dirty {
            let txn = self.consumer.txn;
            self.sink.txn_outcomes.push(TxnOutcome { txn, committed: false });
            self.record(EventKind::ConsumerTxnAborted { txn });
        }
        self.consumer.alive = false;
        self.consumer.processing = None;
        self.parked_consumer_fetch = None;
        self.record(EventKind::ConsumerClosed { instance });
        self.schedule(self.now + self.cfg.restart, Action::ConsumerRestart);
    }

    /// A new consumer instance starts. With offsets in a transaction, its InitProducerId fences
    /// and aborts the previous instance's open transaction.
    pub(crate) fn consumer_restart(&mut self) {
        if self.consumer_transactional() && self.consumer.txn_dirty {
            let txn = self.consumer.txn;
            if !self.sink.txn_ended(txn) {
                self.sink.txn_outcomes.push(TxnOutcome { txn, committed: false });
                self.record(EventKind::ConsumerTxnAborted { txn });
            }
        }
        let txn = self.consumer.txn + 1;
        let instance = self.consumer.instance.saturating_add(1);
        self.consumer = Consumer { instance, txn, commit_sent: self.committed, ..Consumer::new() };
        self.consumer_start();
    }
}
