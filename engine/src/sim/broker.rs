//! The partition as the brokers hold it: each replica's log, the leader, the in-sync replicas, the
//! high watermark and the last stable offset; and the brokers' handlers, the coordinators' among them.
//!
//! The broker's rules live here as small pure functions over a log (deduplication, transaction state,
//! what a fetch may return), so they can be read next to the Kafka source they follow.

use serde::Serialize;

use super::event::{FetchedRecord, MsgId, Tick};
use super::world::{ParkedFetch, PendingAck};

/// A producer id. 0 means "no producer id": a producer without idempotence.
pub type ProducerId = u32;

/// How many batches per producer id the broker remembers for deduplication
/// (ProducerStateManager / ProducerStateEntry.NUM_BATCHES_TO_RETAIN = 5).
pub const BATCHES_TO_RETAIN: usize = 5;

/// What a log entry holds: a data record or a transaction control marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "type")]
pub enum EntryKind {
    /// A record the producer sent.
    Data { msg: MsgId, record: u16, pid: ProducerId, epoch: u16, seq: Option<u32>, txn: bool },
    /// A COMMIT or ABORT marker written by the transaction coordinator (it takes an offset too).
    Marker { pid: ProducerId, epoch: u16, commit: bool },
}

/// One entry of a replica's log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    /// Its offset.
    pub offset: u64,
    /// The leader epoch under which it was appended (used to find where replicas diverge).
    pub leader_epoch: u32,
    /// What it holds.
    pub kind: EntryKind,
}

impl LogEntry {
    /// The message of a data entry.
    pub fn msg(&self) -> Option<MsgId> {
        match self.kind {
            EntryKind::Data { msg, .. } => Some(msg),
            EntryKind::Marker { .. } => None,
        }
    }
}

/// The transaction state of a log entry as the UI draws it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TxnMark {
    /// Not part of a transaction.
    None,
    /// Part of a transaction with no marker yet.
    Open,
    /// Part of a committed transaction.
    Committed,
    /// Part of an aborted transaction.
    Aborted,
    /// A control marker itself.
    Marker,
}

/// One replica of the partition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Replica {
    /// The log, offsets `0..leo()` without gaps.
    pub log: Vec<LogEntry>,
    /// Whether the broker is running.
    pub alive: bool,
    /// The high watermark this replica knows.
    pub hw: u64,
    /// Until when a stalled follower sends no fetches.
    pub stalled_until: Option<Tick>,
}

impl Replica {
    /// The log end offset: the offset the next append gets.
    pub fn leo(&self) -> u64 {
        self.log.len() as u64
    }
}

/// A partition of the topic: replicas, leadership, ISR and high watermark. Partition `id` lives on
/// brokers `base..base + replication.factor` (see lib.rs, "Modelling decisions", partitions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partition {
    /// Its number in the topic, from 0.
    pub id: u8,
    /// The first of its brokers: broker `base + i` holds `replicas[i]`.
    pub base: u8,
    /// One replica per broker of the partition (broker id = `base` + index).
    pub replicas: Vec<Replica>,
    /// The current leader, `None` while the partition is offline.
    pub leader: Option<u8>,
    /// The broker that led last, so clients keep addressing it while the partition is offline.
    pub last_leader: u8,
    /// Whether each broker is in the in-sync replica set.
    pub isr: Vec<bool>,
    /// The leader epoch, bumped by every election.
    pub leader_epoch: u32,
    /// The follower's fetch offset as the leader last saw it (its log end offset).
    pub follower_fetch_offset: u64,
    /// The follower's fetch the leader holds until there is something to replicate.
    pub(crate) parked_replica_fetch: Option<u32>,
    /// The consumer's fetch the leader holds until something is readable.
    pub(crate) parked_consumer_fetch: Option<ParkedFetch>,
    /// Produce requests appended with acks=all, answered once the high watermark passes them.
    pub(crate) pending_acks: Vec<PendingAck>,
    /// Produce requests (flights) that reached the leader while an earlier request on the same
    /// connection waited for its acks=all answer: the broker reads a connection's next request
    /// only once it answered the one before (protocol guide, "Network": "The broker's request
    /// processing allows only a single in-flight request per connection"). At most the
    /// producer's in-flight limit per connection. Each is its producer session and its flight.
    pub(crate) queued: Vec<(u8, u32)>,
    /// Producer ids the partition ever appended an idempotent record of (at most 64): one of
    /// them the log no longer holds is one whose state the broker lost.
    pub(crate) pids_appended: Vec<u32>,
}

impl Partition {
    /// A fresh partition `id` with `replication_factor` replicas on brokers of its own, the
    /// first of them leading.
    pub fn numbered(id: u8, replication_factor: u8) -> Partition {
        let n = usize::from(replication_factor);
        let replica = Replica { alive: true, ..Replica::default() };
        let base = id * replication_factor;
        Partition {
            id,
            base,
            replicas: vec![replica; n],
            leader: Some(base),
            last_leader: base,
            isr: vec![true; n],
            leader_epoch: 0,
            follower_fetch_offset: 0,
            parked_replica_fetch: None,
            parked_consumer_fetch: None,
            pending_acks: Vec::new(),
            queued: Vec::new(),
            pids_appended: Vec::new(),
        }
    }

    /// The replica whose log is the partition's truth: the leader's, or while offline the last
    /// leader's.
    pub fn log(&self) -> &[LogEntry] {
        &self.replicas[self.at(self.leader.unwrap_or(self.last_leader))].log
    }

    /// The high watermark: records below it are on every in-sync replica and readable.
    pub fn hw(&self) -> u64 {
        self.replicas[self.at(self.leader.unwrap_or(self.last_leader))].hw
    }

    /// The log end offset of the partition's truth.
    pub fn leo(&self) -> u64 {
        self.log().len() as u64
    }

    /// The last stable offset: below the first open transaction and never above the high watermark.
    pub fn lso(&self) -> u64 {
        last_stable_offset(self.log(), self.hw())
    }

    /// The transaction state of the entry at `offset` of the partition's log, for the UI.
    pub fn txn_mark(&self, offset: u64) -> Option<TxnMark> {
        let log = self.log();
        (offset < log.len() as u64).then(|| txn_mark(log, offset as usize))
    }

    /// The transaction state of every entry of the partition's log, in offset order.
    pub fn marks(&self) -> Vec<TxnMark> {
        let log = self.log();
        (0..log.len()).map(|i| txn_mark(log, i)).collect()
    }

    /// The high watermark the leader may advance to, if it may advance: the smallest log end
    /// offset in the ISR (Partition.maybeIncrementLeaderHW), which since Kafka 3.7 does not move
    /// while the ISR is smaller than `min_insync_replicas` (KIP-966 groundwork). `None` while
    /// the partition is offline, below min.insync.replicas, or when it would not grow.
    pub fn advanced_hw(&self, min_insync_replicas: u8) -> Option<u64> {
        let leader = self.at(self.leader?);
        if self.isr_size() < min_insync_replicas {
            return None;
        }
        let mut hw = self.replicas[leader].leo();
        if let Some(f) = self.follower() {
            if self.isr[self.at(f)] {
                hw = hw.min(self.follower_fetch_offset);
            }
        }
        (hw > self.replicas[leader].hw).then_some(hw)
    }

    /// Shortcut (lib.rs, "Modelling decisions", consumers): a consumer that dies closes its
    /// connection, and the leader forgets the fetch it held for it at once (as it does for a
    /// member that stops reading the partition).
    pub(crate) fn forget_fetch_of(&mut self, instance: u8) {
        if self.parked_consumer_fetch.is_some_and(|p| p.instance == instance) {
            self.parked_consumer_fetch = None;
        }
    }

    /// The highest offset a consumer of `isolation` may read up to (exclusive): the high
    /// watermark, or for read_committed the last stable offset (KIP-98).
    pub fn read_limit(&self, isolation: IsolationLevel) -> u64 {
        match isolation {
            IsolationLevel::ReadUncommitted => self.hw(),
            IsolationLevel::ReadCommitted => self.lso(),
        }
    }

    /// How many brokers are in the ISR.
    pub fn isr_size(&self) -> u8 {
        self.isr.iter().filter(|in_sync| **in_sync).count() as u8
    }

    /// The follower's broker id, if the partition has two replicas.
    pub fn follower(&self) -> Option<u8> {
        if self.replicas.len() < 2 {
            return None;
        }
        Some(self.base + 1 - self.at(self.leader.unwrap_or(self.last_leader)) as u8)
    }

    /// The index in `replicas` (and `isr`) of broker `b`, one of this partition's brokers.
    pub fn at(&self, b: u8) -> usize {
        debug_assert!(b >= self.base && usize::from(b - self.base) < self.replicas.len(), "broker {b} holds no replica of partition {}", self.id);
        usize::from(b.wrapping_sub(self.base))
    }

    fn replica_mut(&mut self, b: u8) -> &mut Replica {
        let at = self.at(b);
        &mut self.replicas[at]
    }

    fn in_sync_mut(&mut self, b: u8) -> &mut bool {
        let at = self.at(b);
        &mut self.isr[at]
    }

    /// The replica on broker `b`, if `b` holds one of this partition.
    pub fn replica(&self, b: u8) -> Option<&Replica> {
        self.replicas.get(usize::from(b.checked_sub(self.base)?))
    }
}

/// The transaction state of the entry at `index`: a transactional record is open until a marker of
/// its producer id follows it (KIP-98: markers close every open record of the producer).
pub fn txn_mark(log: &[LogEntry], index: usize) -> TxnMark {
    match log[index].kind {
        EntryKind::Marker { .. } => TxnMark::Marker,
        EntryKind::Data { txn: false, .. } => TxnMark::None,
        EntryKind::Data { pid, .. } => log[index + 1..]
            .iter()
            .find_map(|later| match later.kind {
                EntryKind::Marker { pid: p, commit, .. } if p == pid => {
                    Some(if commit { TxnMark::Committed } else { TxnMark::Aborted })
                }
                _ => None,
            })
            .unwrap_or(TxnMark::Open),
    }
}

/// The last stable offset of a log with high watermark `hw`: the first offset of a transaction
/// that is open, or whose marker is not yet below the high watermark (ProducerStateManager's
/// unreplicated transactions), or `hw` if there is none.
pub fn last_stable_offset(log: &[LogEntry], hw: u64) -> u64 {
    let unstable = |i: usize| match log[i].kind {
        EntryKind::Data { txn: true, pid, .. } => {
            let marker = log[i + 1..].iter().find(|e| matches!(e.kind, EntryKind::Marker { pid: p, .. } if p == pid));
            marker.is_none_or(|m| m.offset >= hw)
        }
        _ => false,
    };
    (0..log.len().min(hw as usize)).find(|&i| unstable(i)).map_or(hw, |i| i as u64)
}

/// What the leader does with an idempotent batch (UnifiedLog.analyzeAndValidateProducerState,
/// ProducerAppendInfo.checkSequence).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SequenceCheck {
    /// The next sequence: append it.
    Append,
    /// One of the producer's last five batches: answer with its original offset, append nothing.
    Duplicate(u64),
    /// A gap before it: OUT_OF_ORDER_SEQUENCE_NUMBER.
    OutOfOrder,
    /// An older epoch than the producer id's latest: fenced.
    Fenced,
}

/// Checks an idempotent batch against the producer state rebuilt from the log. A new epoch must
/// start at sequence 0; after that each batch must follow the last one. When the broker lost the
/// producer's state (a truncation), the producer bumps its epoch and starts again (KIP-360).
pub fn check_sequence(log: &[LogEntry], pid: ProducerId, epoch: u16, seq: u32) -> SequenceCheck {
    check_sequence_after_loss(log, pid, epoch, seq, false)
}

/// [`check_sequence`] for a broker that may have lost the producer's state: when `state_lost`
/// and the log holds nothing of `pid`, any sequence is accepted (ProducerAppendInfo.checkSequence:
/// "If there is no current producer epoch (possibly because all producer records have been
/// deleted due to retention or the DeleteRecords API) accept writes with any sequence number").
pub fn check_sequence_after_loss(log: &[LogEntry], pid: ProducerId, epoch: u16, seq: u32, state_lost: bool) -> SequenceCheck {
    let mut newest_epoch = None;
    let mut recent = Vec::with_capacity(BATCHES_TO_RETAIN);
    for entry in log.iter().rev() {
        match entry.kind {
            EntryKind::Data { pid: p, epoch: e, seq: Some(s), .. } if p == pid => {
                newest_epoch = Some(newest_epoch.map_or(e, |n: u16| n.max(e)));
                if e == epoch && recent.len() < BATCHES_TO_RETAIN {
                    recent.push((s, entry.offset));
                }
            }
            EntryKind::Marker { pid: p, epoch: e, .. } if p == pid => {
                newest_epoch = Some(newest_epoch.map_or(e, |n: u16| n.max(e)));
            }
            _ => {}
        }
    }
    if newest_epoch.is_some_and(|newest| newest > epoch) {
        return SequenceCheck::Fenced;
    }
    if state_lost && newest_epoch.is_none() {
        return SequenceCheck::Append;
    }
    if let Some(&(_, offset)) = recent.iter().find(|(s, _)| *s == seq) {
        return SequenceCheck::Duplicate(offset);
    }
    let expected = recent.first().map_or(0, |&(last, _)| last.wrapping_add(1));
    if seq == expected {
        SequenceCheck::Append
    } else {
        SequenceCheck::OutOfOrder
    }
}

/// The records a fetch from `offset` may return: data entries below `limit`, without aborted ones
/// for read_committed (the aborted-transaction index), at most `max` of them. Returns the records
/// and the offset the consumer's position moves to.
pub fn fetchable(
    log: &[LogEntry],
    offset: u64,
    limit: u64,
    read_committed: bool,
    max: usize,
) -> (Vec<FetchedRecord>, u64) {
    let mut records = Vec::new();
    let end = limit.min(log.len() as u64);
    let mut next = offset;
    while next < end {
        let index = next as usize;
        next += 1;
        let Some(msg) = log[index].msg() else { continue };
        if read_committed && txn_mark(log, index) == TxnMark::Aborted {
            continue;
        }
        records.push(FetchedRecord { offset: index as u64, msg });
        if records.len() >= max {
            break;
        }
    }
    (records, next.max(offset))
}

// ----- the brokers at work: the leader, the follower, the coordinators -----

use super::config::{Acks, EffectiveConfig, IsolationLevel, OffsetReset};
use super::consumer::Consumer;
use super::event::{Actor, EventKind, FlightId, FlightKind, ProduceError, ProduceOutcome};
use super::fault::Fault;
use super::txn::TxnCoordinator;
use super::world::{ctx, Action, BrokenConnection, Ctx, FlightState, World};

impl World {
    /// A produce request reached a broker (Partition.appendRecordsToLeader, UnifiedLog.append):
    /// the leader's rules are `impl Partition` (`on_produce`, `append_produce`, `acknowledge`,
    /// below); this entry point lends the peers they reach (the producer's record header, the
    /// transaction coordinator) and runs what they cause in other actors, between them.
    pub(crate) fn on_produce(&mut self, id: u32) {
        let (Actor::Broker(broker), Actor::Producer { session }) = (self.flights[id as usize].to, self.flights[id as usize].from) else { return };
        let p = self.partition_on(broker);
        // Requests on one connection are handled one at a time, in the order they came
        // (SocketServer mutes a connection until its response is sent).
        let busy = self.partitions[p].busy(session);
        self.partitions[p].queued.push((session, id));
        if !busy {
            self.next_on_connection(p, session);
        }
    }

    /// The leader reads the next request `session` queued on its connection, while it is not
    /// waiting to answer one.
    fn next_on_connection(&mut self, p: usize, session: u8) {
        while !self.partitions[p].waiting_on(session) {
            let Some(i) = self.partitions[p].queued.iter().position(|&(s, _)| s == session) else { return };
            let (_, id) = self.partitions[p].queued.remove(i);
            if let Some(request) = self.produce_request(id) {
                self.handle_produce(p, request);
            }
        }
    }

    fn handle_produce(&mut self, p: usize, request: ProduceRequest) {
        if !self.partitions[p].on_produce(&mut ctx!(self), &request) {
            return;
        }
        if self.strike(Fault::FollowerOutOfIsr, Some(request.msg)) {
            self.follower_out_of_isr(p);
        }
        let Some(offset) = self.partitions[p].append_produce(&mut ctx!(self), &mut self.txn_coordinator, &request) else { return };
        if self.strike(Fault::LeaderCrashUnreplicatedBeforeAck, Some(request.msg)) {
            // The crashed process closes its sockets: the client fails every in-flight request
            // on the connection at once (NetworkClient disconnect handling), this one included.
            let handling = (self.cfg.config.acks != Acks::Zero).then_some(request.record);
            self.crash_leader_handling(p, false, handling);
            return;
        }
        if self.partitions[p].acknowledge(&mut ctx!(self), &request, offset) {
            self.after_ack_crash(p, request.msg, offset);
        }
        self.after_leader_change(p);
    }

    /// The produce request of flight `id`, with its batch header (`produce_request_header`).
    fn produce_request(&self, id: u32) -> Option<ProduceRequest> {
        let flight = &self.flights[id as usize];
        let (Actor::Broker(broker), Actor::Producer { session }) = (flight.to, flight.from) else { return None };
        let FlightKind::Produce { msg, record, seq, epoch, .. } = flight.what else { return None };
        let (pid, txn) = self.produce_request_header(record);
        Some(ProduceRequest { id, broker, session, msg, record, seq, epoch, pid, txn })
    }

    /// Shortcut (lib.rs, "Modelling decisions", one record per batch): a produce request's batch
    /// header carries the producer id and the transactional flag; the lab's `FlightKind::Produce`
    /// does not, and the leader reads them from the producer's record. They never change once
    /// the record is sent (a producer instance keeps its producer id).
    fn produce_request_header(&self, record: u16) -> (u32, bool) {
        let r = &self.producer.records[usize::from(record)];
        (r.pid, r.txn.is_some())
    }

    fn after_ack_crash(&mut self, p: usize, msg: MsgId, offset: u64) {
        if self.partitions[p].crashes_after_ack(&mut ctx!(self), msg, offset) {
            self.crash_leader(p, false);
        }
    }

    /// After anything that may move partition `p`'s high watermark or last stable offset.
    pub(crate) fn after_leader_change(&mut self, p: usize) {
        self.maybe_advance_hw(p);
        self.partitions[p].wake_replica_fetch(&mut ctx!(self));
        self.wake_consumer_fetch(p);
    }

    /// Advances the high watermark if it may (`Partition::advance_hw`), then answers the acks it
    /// releases and strikes the faults waiting for records to be committed.
    fn maybe_advance_hw(&mut self, p: usize) {
        let Some(AdvancedHw { leader, old, hw }) = self.partitions[p].advance_hw(&mut ctx!(self)) else { return };
        self.answer_pending_acks(p, leader, hw);
        if let Some(disk_lost) = self.partitions[p].committed_faults(&mut ctx!(self), old, hw) {
            self.crash_leader(p, disk_lost);
        }
    }

    fn answer_pending_acks(&mut self, p: usize, leader: u8, hw: u64) {
        for PendingAck { record, offset, session, request } in self.partitions[p].release_acks(hw) {
            let msg = self.producer.records[usize::from(record)].msg;
            let outcome = ProduceOutcome::Ok { offset, duplicate: false };
            Partition::respond_produce(&mut ctx!(self), leader, session, msg, record, outcome, request);
            self.after_ack_crash(p, msg, offset);
            if self.partitions[p].leader != Some(leader) {
                return;
            }
            self.next_on_connection(p, session);
        }
    }

    // ----- replication -----

    /// Every partition's follower starts fetching from its leader.
    pub(crate) fn start_follower_fetching(&mut self) {
        for p in 0..self.partitions.len() {
            self.partitions[p].start_follower_fetching(&mut ctx!(self));
        }
    }

    /// The broker a flight of replication went to or came from decides its partition.
    fn partition_of_flight(&self, id: u32, to: bool) -> usize {
        let flight = &self.flights[id as usize];
        match if to { flight.to } else { flight.from } {
            Actor::Broker(b) => self.partition_on(b),
            _ => 0,
        }
    }

    pub(crate) fn on_replica_fetch(&mut self, id: u32) {
        let p = self.partition_of_flight(id, true);
        if self.partitions[p].on_replica_fetch(&mut ctx!(self), id) {
            self.after_leader_change(p);
        }
    }

    pub(crate) fn on_replica_fetch_response(&mut self, id: u32) {
        let p = self.partition_of_flight(id, true);
        if self.partitions[p].on_replica_fetch_response(&mut ctx!(self), id) {
            self.crash_leader(p, false);
        }
    }

    pub(crate) fn follower_out_of_isr(&mut self, p: usize) {
        if self.partitions[p].follower_out_of_isr(&mut ctx!(self)) {
            self.after_leader_change(p);
        }
    }

    pub(crate) fn follower_resume(&mut self, p: usize) {
        self.partitions[p].follower_resume(&mut ctx!(self));
    }

    // ----- crashes and elections -----

    /// The leader crashes (`Partition::crash_leader`); then the clients see its sockets close:
    /// the consumer's parked fetch and the produce requests it held unanswered fail at once
    /// (NetworkClient.processDisconnection), and the controller's fencing and the broker's return
    /// are scheduled.
    pub(crate) fn crash_leader(&mut self, p: usize, disk_lost: bool) {
        self.crash_leader_handling(p, disk_lost, None);
    }

    /// `crash_leader` while the leader handled the request of `handling`'s record: the client
    /// fails a connection's requests oldest first (NetworkClient.processDisconnection, over
    /// InFlightRequests.clearAll), so that one fails after the requests answered before it and
    /// before the ones queued behind it; each goes back to the head of the producer's queue.
    fn crash_leader_handling(&mut self, p: usize, disk_lost: bool, handling: Option<u16>) {
        let Some(crashed) = self.partitions[p].crash_leader(&mut ctx!(self), disk_lost) else { return };
        if let Some(instance) = crashed.parked_consumer_fetch {
            self.fetch_failed(instance, crashed.broker);
        }
        for ack in crashed.pending_acks {
            self.connection_lost(ack.record);
        }
        if let Some(record) = handling {
            self.connection_lost(record);
        }
        // The requests it had not read yet fail with their connection, as one reaching a
        // closed port does.
        for (_, id) in crashed.queued {
            self.undeliverable(id);
        }
        Partition::schedule_fencing(&mut ctx!(self), crashed.broker);
    }

    /// The crashed leader's lease ran out (`Partition::broker_fenced`); an election follows if
    /// there is a candidate.
    pub(crate) fn broker_fenced(&mut self, broker: u8) {
        let p = self.partition_on(broker);
        if let Some((leader, unclean)) = self.partitions[p].broker_fenced(&mut ctx!(self), broker) {
            self.elect(p, leader, unclean);
        }
    }

    /// `Partition::elect`, then what a new leader changes for the others: the coordinator's lost
    /// markers are written again, the high watermark and the fetches may move, clients reconnect.
    fn elect(&mut self, p: usize, broker: u8, unclean: bool) {
        self.partitions[p].elect(&mut ctx!(self), broker, unclean);
        self.txn_coordinator.requeue_lost_markers(p as u8, self.partitions[p].log());
        self.flush_pending_markers();
        self.after_leader_change(p);
        self.clients_learn_leader();
    }

    /// Shortcut (lib.rs, "Modelling decisions", retries): clients learn a new leader from their
    /// metadata at once, without a metadata request, and send what they held back: every running
    /// producer instance drains its accumulator and every member of the group polls.
    fn clients_learn_leader(&mut self) {
        for session in 0..self.producer.sessions.len() as u8 {
            let s = &self.producer.sessions[usize::from(session)];
            if s.alive && s.frozen_until.is_none() && s.txn != super::producer::SessionTxn::Fenced {
                self.drain(session);
            }
        }
        for member in 0..self.consumers.len() {
            let instance = self.consumers[member].instance;
            self.poll(instance);
        }
    }

    /// A crashed broker returns (`Partition::broker_restart`), leading again after an election if
    /// the partition was offline.
    pub(crate) fn broker_restart(&mut self, broker: u8) {
        let p = self.partition_on(broker);
        if let Some((leader, unclean)) = self.partitions[p].broker_restart(&mut ctx!(self), broker) {
            self.elect(p, leader, unclean);
        }
        self.partitions[p].follower_catches_up_with(&mut ctx!(self), broker);
    }

    // ----- consumer fetches -----

    /// A consumer fetch reached a broker (`Partition::on_fetch`, lent the member that sent it).
    pub(crate) fn on_fetch(&mut self, id: u32) {
        let flight = &self.flights[id as usize];
        let (Actor::Consumer { instance }, FlightKind::Fetch { .. }) = (flight.from, flight.what) else { return };
        let group = super::consumer::group_of_several(&self.cfg);
        let p = self.partition_of_flight(id, true);
        // Only the member's current fetch of the partition is read: one that gave the partition up
        // closed it, and one sent before it reset its position is stale.
        let current = |c: &Consumer| c.fetches_out & (1 << p) != 0 && c.last_fetch[p] == Some(id);
        let reads = |c: &Consumer| c.alive && (!group || c.assigned) && current(c);
        let Some(member) = self.member(instance).filter(|&m| reads(&self.consumers[m])) else { return };
        self.partitions[p].on_fetch(&mut ctx!(self), &mut self.consumers[member], id);
    }

    fn wake_consumer_fetch(&mut self, p: usize) {
        self.partitions[p].wake_consumer_fetch(&mut ctx!(self));
    }

    // ----- the transaction coordinator (its state, rules and handlers: sim/txn.rs) -----
    //
    // Writing markers may move the high watermark, which reaches every actor, so the entry points
    // below run it between the coordinator's handlers.

    /// InitProducerId (`TxnCoordinator::on_init_producer_id`): an open transaction of the previous
    /// epoch is aborted at once (TransactionCoordinator.handleInitProducerId), then the answer.
    pub(crate) fn on_init_producer_id(&mut self, id: u32) {
        let Some(init) = self.txn_coordinator.on_init_producer_id(&mut ctx!(self), &mut self.next_pid, id) else { return };
        if init.fence {
            self.abort_txn(init.index, true);
        }
        self.txn_coordinator.answer_init_producer_id(&mut ctx!(self), init);
    }

    /// The coordinator aborts the open transaction `index` (`TxnCoordinator::expire`).
    fn abort_txn(&mut self, index: usize, fenced: bool) {
        self.txn_coordinator.expire(&mut ctx!(self), index, fenced);
        self.complete_txn(index, false);
    }

    /// Transaction `index` completes: its markers are written, then it is recorded complete.
    fn complete_txn(&mut self, index: usize, commit: bool) {
        let marker = self.txn_coordinator.complete(index, commit);
        self.flush_pending_markers();
        TxnCoordinator::completed(&mut ctx!(self), marker);
    }

    /// `TxnCoordinator::flush_pending_markers`, then the high watermark and the fetches may move.
    fn flush_pending_markers(&mut self) {
        for p in self.txn_coordinator.flush_pending_markers(&mut ctx!(self), &mut self.partitions) {
            self.after_leader_change(p);
        }
    }

    /// EndTxn from the producer (`TxnCoordinator::on_end_txn`, lent the producer for the instance
    /// that sent it): fenced if its epoch is old, else the markers are written, then the answer.
    pub(crate) fn on_end_txn(&mut self, id: u32) {
        let Some(end) = self.txn_coordinator.on_end_txn(&mut ctx!(self), &self.producer, id) else { return };
        if let Some(index) = end.completes {
            self.complete_txn(index, end.commit);
        }
        let Actor::Producer { session } = end.to else { return };
        let committed = end.commit && end.ok;
        let response = TxnCoordinator::answer_end_txn(&mut ctx!(self), end);
        let msgs = self.producer.txn_msgs(session);
        let mut ctx = ctx!(self);
        if ctx.strike_any(Fault::DropEndTxnResponse, &msgs) {
            ctx.flights[response as usize].doomed = Some(Fault::DropEndTxnResponse);
        }
        if committed {
            self.crash_after_end_txn(session);
        }
    }

    /// transaction.timeout.ms passed with the transaction still open: the coordinator bumps the
    /// epoch and aborts it (TransactionCoordinator.abortTimedOutTransactions).
    pub(crate) fn txn_timeout(&mut self, pid: u32, epoch: u16, began: super::event::Tick) {
        if let Some(index) = self.txn_coordinator.timed_out(pid, epoch, began) {
            self.abort_txn(index, false);
        }
    }
}

// ----- the leader: produce requests, the high watermark, consumer fetches -----

/// The high watermark moved (`Partition::advance_hw`): the leader that moved it, from `old` to `hw`.
pub(crate) struct AdvancedHw {
    pub leader: u8,
    pub old: u64,
    pub hw: u64,
}

/// What a crashed leader leaves its clients (`Partition::crash_leader`): the consumer fetch and the
/// acks=all produce requests it held unanswered, which fail as its sockets close.
pub(crate) struct CrashedLeader {
    pub broker: u8,
    /// The instance whose fetch the leader held.
    pub parked_consumer_fetch: Option<u8>,
    pub pending_acks: Vec<PendingAck>,
    /// The requests queued behind them (`Partition::queued`).
    pub queued: Vec<(u8, u32)>,
}

/// A produce request as the leader reads it: its flight, where it came from and went, and what its
/// batch carries (the producer id and transactional flag from its header,
/// `World::produce_request_header`).
pub(crate) struct ProduceRequest {
    pub id: u32,
    pub broker: u8,
    pub session: u8,
    pub msg: MsgId,
    pub record: u16,
    pub seq: Option<u32>,
    pub epoch: u16,
    pub pid: u32,
    pub txn: bool,
}

impl Partition {
    /// A produce request reached `request.broker`: refused at once if it does not lead
    /// (NOT_LEADER_OR_FOLLOWER) or if the batch fails its CRC check (LogValidator: CORRUPT_MESSAGE,
    /// nothing appended; with acks=0 the broker only closes the connection, the client has moved
    /// on). Returns whether the leader goes on with it.
    pub(crate) fn on_produce(&self, ctx: &mut Ctx, request: &ProduceRequest) -> bool {
        let &ProduceRequest { id, broker, session, msg, .. } = request;
        if self.leader != Some(broker) {
            Self::answer(ctx, request, ProduceOutcome::Err(ProduceError::NotLeader));
            return false;
        }
        if ctx.flights[id as usize].corrupt {
            let error = ProduceError::CorruptMessage;
            ctx.record(EventKind::Refused { broker, msg, error });
            if ctx.cfg.config.acks == Acks::Zero {
                Self::acks0_broker_closes_connection(ctx, session, broker);
            } else {
                Self::answer(ctx, request, ProduceOutcome::Err(error));
            }
            return false;
        }
        true
    }

    /// The leader validates the batch (`refusal`; the transaction coordinator's epoch fences a
    /// transactional one) and answers a duplicate with its original offset, or appends it; a
    /// transactional append begins the producer's transaction at the coordinator. Returns the
    /// offset appended at, or `None` once answered.
    pub(crate) fn append_produce(&mut self, ctx: &mut Ctx, txn_coordinator: &mut TxnCoordinator, request: &ProduceRequest) -> Option<u64> {
        let &ProduceRequest { broker, msg, record, seq, epoch, pid, txn, .. } = request;
        if let Some(error) = self.refusal(ctx.cfg, txn_coordinator, pid, epoch, seq, txn) {
            ctx.record(EventKind::Refused { broker, msg, error });
            Self::answer(ctx, request, ProduceOutcome::Err(error));
            return None;
        }
        if let Some(seq) = seq {
            if let SequenceCheck::Duplicate(offset) = self.sequence_check(pid, epoch, seq) {
                ctx.record(EventKind::DuplicateFound { broker, msg, offset });
                Self::answer(ctx, request, ProduceOutcome::Ok { offset, duplicate: true });
                return None;
            }
        }
        let offset = self.append(ctx, broker, msg, record, pid, epoch, seq, txn);
        if txn {
            let first_offset = self.leo().saturating_sub(1);
            txn_coordinator.begin_if_needed(ctx, pid, self.id, first_offset);
        }
        Some(offset)
    }

    /// The leader acknowledges the record it appended at `offset` as `acks` says: acks=1 answers
    /// now, acks=all once the high watermark passes it, acks=0 never. Returns whether the "crash
    /// after the ACK" may strike now (`crashes_after_ack`).
    pub(crate) fn acknowledge(&mut self, ctx: &mut Ctx, request: &ProduceRequest, offset: u64) -> bool {
        match ctx.cfg.config.acks {
            Acks::Zero => true,
            Acks::One => {
                Self::answer(ctx, request, ProduceOutcome::Ok { offset, duplicate: false });
                true
            }
            Acks::All => {
                let &ProduceRequest { record, session, id, .. } = request;
                self.pending_acks.push(PendingAck { record, offset, session, request: id });
                false
            }
        }
    }

    fn answer(ctx: &mut Ctx, request: &ProduceRequest, outcome: ProduceOutcome) {
        let &ProduceRequest { id, broker, session, msg, record, .. } = request;
        Self::respond_produce(ctx, broker, session, msg, record, outcome, id);
    }

    /// Shortcut (lib.rs, "Modelling decisions", time): KafkaApis.handleProduceRequest closes the
    /// connection of an acks=0 request that fails, and the requests queued behind it on that
    /// connection are lost. The broker marks the producer's requests still on that link lost.
    pub(crate) fn acks0_broker_closes_connection(ctx: &mut Ctx, session: u8, broker: u8) {
        for later in ctx.flights.iter_mut() {
            let same_link = later.from == Actor::Producer { session } && later.to == Actor::Broker(broker);
            if same_link && later.state == FlightState::InFlight && matches!(later.what, FlightKind::Produce { .. }) {
                later.doomed = Some(Fault::NetworkDelayReorder);
            }
        }
    }

    /// Why the leader refuses a record, if it does: NOT_ENOUGH_REPLICAS for acks=all below
    /// min.insync.replicas (Partition.appendRecordsToLeader), a fenced epoch (the transaction
    /// coordinator's, read as the broker reads the coordinator's markers), a sequence gap.
    pub(crate) fn refusal(
        &self,
        cfg: &EffectiveConfig,
        txn_coordinator: &TxnCoordinator,
        pid: u32,
        epoch: u16,
        seq: Option<u32>,
        txn: bool,
    ) -> Option<ProduceError> {
        let min_isr = cfg.config.min_insync_replicas;
        if cfg.config.acks == Acks::All && self.isr_size() < min_isr {
            return Some(ProduceError::NotEnoughReplicas);
        }
        if txn && txn_coordinator.fences(pid, epoch) {
            return Some(ProduceError::InvalidProducerEpoch);
        }
        match seq.map(|seq| self.sequence_check(pid, epoch, seq)) {
            Some(SequenceCheck::OutOfOrder) => Some(ProduceError::OutOfOrderSequence),
            Some(SequenceCheck::Fenced) => Some(ProduceError::InvalidProducerEpoch),
            _ => None,
        }
    }

    /// The leader's sequence check. The lab knows whether the partition ever held a record of the
    /// producer id; if it did and the log no longer does (truncation, a lost disk), the broker has
    /// no state for it and accepts any sequence, as Kafka does. A producer id the partition never
    /// saw must start at sequence 0 (see lib.rs, "Modelling decisions").
    pub(crate) fn sequence_check(&self, pid: u32, epoch: u16, seq: u32) -> SequenceCheck {
        let state_lost = self.pids_appended.contains(&pid);
        check_sequence_after_loss(self.log(), pid, epoch, seq, state_lost)
    }

    /// The leader appends a data record; returns its offset.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn append(
        &mut self,
        ctx: &mut Ctx,
        broker: u8,
        msg: MsgId,
        record: u16,
        pid: u32,
        epoch: u16,
        seq: Option<u32>,
        txn: bool,
    ) -> u64 {
        let leader_epoch = self.leader_epoch;
        let replica = self.replica_mut(broker);
        let offset = replica.leo();
        let kind = EntryKind::Data { msg, record, pid, epoch, seq, txn };
        replica.log.push(LogEntry { offset, leader_epoch, kind });
        if seq.is_some() && !self.pids_appended.contains(&pid) && self.pids_appended.len() < 64 {
            self.pids_appended.push(pid);
        }
        ctx.record(EventKind::Appended { broker, offset, msg, pid, epoch, seq, txn });
        offset
    }

    /// "Leader crash before replication, after the ACK": only possible while the follower lacks
    /// the record, which acks=all rules out (the ACK waits for the in-sync follower). Returns
    /// whether it struck: the leader crashes.
    pub(crate) fn crashes_after_ack(&self, ctx: &mut Ctx, msg: MsgId, offset: u64) -> bool {
        let follower_has_it = self.follower().is_some_and(|f| self.replicas[self.at(f)].leo() > offset);
        !follower_has_it && ctx.strike(Fault::LeaderCrashUnreplicatedAfterAck, Some(msg))
    }

    /// Answers a produce request; `request` is the request's flight, which the client matches.
    pub(crate) fn respond_produce(ctx: &mut Ctx, broker: u8, session: u8, msg: MsgId, record: u16, outcome: ProduceOutcome, request: u32) {
        let what = FlightKind::ProduceResponse { msg, record, outcome, request: FlightId(request) };
        let flight = ctx.send(Actor::Broker(broker), Actor::Producer { session }, what);
        let attempt = match ctx.flights[request as usize].what {
            FlightKind::Produce { attempt, .. } => attempt,
            _ => 1,
        };
        if matches!(outcome, ProduceOutcome::Ok { .. }) && ctx.strike_attempt(Fault::DropAck, Some(msg), attempt, true) {
            ctx.flights[flight as usize].doomed = Some(Fault::DropAck);
            // Responses on a connection return in order (protocol guide, Network): a lost ACK
            // means the connection broke, and every later response on it is lost too.
            ctx.break_connection(BrokenConnection { session, broker, fault: Fault::DropAck });
        }
    }

    /// Advances the high watermark if it may (`Partition::advanced_hw`).
    pub(crate) fn advance_hw(&mut self, ctx: &mut Ctx) -> Option<AdvancedHw> {
        let hw = self.advanced_hw(ctx.cfg.config.min_insync_replicas)?;
        let leader = self.leader?;
        let old = self.replicas[self.at(leader)].hw;
        self.replica_mut(leader).hw = hw;
        ctx.record(EventKind::HighWatermark { broker: leader, hw });
        Some(AdvancedHw { leader, old, hw })
    }

    /// Whether the leader is waiting to answer an acks=all request of `session`.
    pub(crate) fn waiting_on(&self, session: u8) -> bool {
        self.pending_acks.iter().any(|ack| ack.session == session)
    }

    /// Whether a request of `session` that arrives now waits for the connection: the leader
    /// still has one of its requests to answer, or to read.
    pub(crate) fn busy(&self, session: u8) -> bool {
        self.waiting_on(session) || self.queued.iter().any(|&(s, _)| s == session)
    }

    /// The acks=all requests the high watermark `hw` releases, in the order they were appended;
    /// the others keep waiting.
    pub(crate) fn release_acks(&mut self, hw: u64) -> Vec<PendingAck> {
        let (ready, waiting): (Vec<_>, Vec<_>) = self.pending_acks.iter().partition(|ack| ack.offset < hw);
        self.pending_acks = waiting;
        ready
    }

    /// Faults waiting for a record to be committed (below the HW): disk loss, and with one replica
    /// the "crash after replication" (there is nothing to replicate to). Returns whether the
    /// leader crashes, and whether with its disk.
    pub(crate) fn committed_faults(&self, ctx: &mut Ctx, old: u64, hw: u64) -> Option<bool> {
        for offset in old..hw {
            let Some(msg) = self.log().get(offset as usize).and_then(|e| e.msg()) else { continue };
            if ctx.strike(Fault::DiskLost, Some(msg)) {
                return Some(true);
            }
            if self.replicas.len() == 1 && ctx.strike(Fault::LeaderCrashReplicated, Some(msg)) {
                return Some(false);
            }
        }
        None
    }

    /// The leader crashes (keeping its disk unless `disk_lost`). Its connections close at once,
    /// but nothing elects a new leader yet: the KRaft controller fences the broker only when its
    /// lease runs out, `broker.session.timeout.ms` after its last heartbeat (KRaftConfigs
    /// BROKER_SESSION_TIMEOUT_MS_DEFAULT = 9000). Until then the partition has no leader, the
    /// follower still appends a fetch response already on its way, and clients hold their records
    /// (a request cannot go to a broker that refuses connections). The crashed broker cannot come
    /// back before it is fenced either: ClusterControlManager.registerBroker refuses a new
    /// incarnation while the old one's session is valid (DUPLICATE_BROKER_REGISTRATION).
    /// Returns what it held for its clients; `schedule_fencing` follows once they know.
    pub(crate) fn crash_leader(&mut self, ctx: &mut Ctx, disk_lost: bool) -> Option<CrashedLeader> {
        let broker = self.leader?;
        let replica = self.replica_mut(broker);
        replica.alive = false;
        if disk_lost {
            replica.log.clear();
            replica.hw = 0;
        }
        ctx.record(EventKind::BrokerCrashed { broker, disk_lost });
        // Its sockets close: clients reconnect to whoever leads next.
        ctx.close_connections_to(broker);
        self.leader = None;
        self.last_leader = broker;
        self.parked_replica_fetch = None;
        // Its sockets close: the requests it held without answering fail at once
        // (NetworkClient.processDisconnection); responses it had already sent still arrive, and
        // requests still on their way fail when they reach the closed port.
        let parked_consumer_fetch = self.parked_consumer_fetch.take().map(|p| p.instance);
        let pending_acks = std::mem::take(&mut self.pending_acks);
        let queued = std::mem::take(&mut self.queued);
        Some(CrashedLeader { broker, parked_consumer_fetch, pending_acks, queued })
    }

    /// The controller fences the crashed `broker` after `broker.session.timeout.ms`; it returns
    /// after the later of that and `lab.restart.ms`.
    pub(crate) fn schedule_fencing(ctx: &mut Ctx, broker: u8) {
        let fenced = ctx.now + ctx.cfg.session_timeout;
        ctx.schedule(fenced, Action::BrokerFenced { broker });
        ctx.schedule(fenced.max(ctx.now + ctx.cfg.restart), Action::BrokerRestart { broker });
    }

    /// The crashed leader's lease ran out: the controller fences it. A clean election picks the
    /// follower only if it is in the ISR; an unclean one takes it anyway; otherwise the partition
    /// stays offline until the old leader returns. Returns whom to elect, and whether uncleanly.
    pub(crate) fn broker_fenced(&mut self, ctx: &mut Ctx, broker: u8) -> Option<(u8, bool)> {
        if self.leader.is_some() || self.replicas[self.at(broker)].alive {
            return None;
        }
        ctx.record(EventKind::BrokerFenced { broker });
        let candidate = self.follower().filter(|&f| self.replicas[self.at(f)].alive);
        match candidate {
            Some(f) if *self.in_sync_mut(f) => Some((f, false)),
            Some(f) if ctx.cfg.config.unclean_leader_election => Some((f, true)),
            _ => {
                ctx.record(EventKind::PartitionOffline);
                None
            }
        }
    }

    /// `broker` becomes the leader under a new leader epoch, alone in the ISR.
    pub(crate) fn elect(&mut self, ctx: &mut Ctx, broker: u8, unclean: bool) {
        self.leader = Some(broker);
        self.last_leader = broker;
        self.leader_epoch += 1;
        let at = self.at(broker);
        for (b, in_sync) in self.isr.iter_mut().enumerate() {
            *in_sync = b == at;
        }
        let replica = self.replica_mut(broker);
        replica.hw = replica.hw.min(replica.leo());
        let leader_epoch = self.leader_epoch;
        ctx.record(EventKind::LeaderElected { broker, unclean, leader_epoch });
    }

    /// A crashed broker returns: it leads again if the partition was offline (returns whom to
    /// elect, and whether uncleanly), or else truncates its diverging tail to the leader's log
    /// (leader epochs, KIP-101/KIP-279) and fetches. `follower_catches_up_with` follows.
    pub(crate) fn broker_restart(&mut self, ctx: &mut Ctx, broker: u8) -> Option<(u8, bool)> {
        self.replica_mut(broker).alive = true;
        ctx.record(EventKind::BrokerRestarted { broker });
        let in_isr = self.isr[self.at(broker)];
        match self.leader {
            None if in_isr => return Some((broker, false)),
            None if ctx.cfg.config.unclean_leader_election => return Some((broker, true)),
            None => {
                // A restarted broker outside the ISR waits, offline, for an in-sync replica.
                ctx.record(EventKind::PartitionOffline);
            }
            Some(leader) if leader != broker => {
                self.truncate_to_leader(ctx, broker, leader);
                self.start_follower_fetching(ctx);
            }
            Some(_) => {}
        }
        None
    }

    /// After `broker` returned as the leader, a running follower truncates to its log and fetches.
    pub(crate) fn follower_catches_up_with(&mut self, ctx: &mut Ctx, broker: u8) {
        if let Some(f) = self.follower() {
            if f != broker && self.replicas[self.at(f)].alive && self.leader == Some(broker) {
                self.truncate_to_leader(ctx, f, broker);
                self.start_follower_fetching(ctx);
            }
        }
    }

    fn truncate_to_leader(&mut self, ctx: &mut Ctx, follower: u8, leader: u8) {
        let leader_log = &self.replicas[self.at(leader)].log;
        let follower_log = &self.replicas[self.at(follower)].log;
        let common = follower_log.iter().zip(leader_log.iter()).take_while(|(a, b)| a == b).count();
        let end = follower_log.len();
        if common < end {
            let replica = self.replica_mut(follower);
            replica.log.truncate(common);
            replica.hw = replica.hw.min(common as u64);
            ctx.record(EventKind::Truncated { broker: follower, from: common as u64, to: end as u64 });
        }
    }

    /// A consumer fetch from `consumer` reached a broker. Fetches never return records at or past
    /// the high watermark, and read_committed fetches stop at the last stable offset (KIP-98).
    pub(crate) fn on_fetch(&mut self, ctx: &mut Ctx, consumer: &mut Consumer, id: u32) {
        let flight = &ctx.flights[id as usize];
        let (Actor::Broker(broker), FlightKind::Fetch { offset, leader_epoch }) = (flight.to, flight.what) else { return };
        if self.leader != Some(broker) {
            return consumer.fetch_failed(ctx, self.id);
        }
        let offset = self.consumer_checks_position_at_leader(ctx, consumer, offset, leader_epoch);
        self.parked_consumer_fetch = Some(ParkedFetch { flight: id, offset, instance: consumer.instance });
        self.wake_consumer_fetch(ctx);
    }

    /// Shortcut (lib.rs, "Modelling decisions", consumers): the consumer checks its position
    /// against the leader when its fetch arrives there, without the round trips Kafka's consumer
    /// makes first, and the fetch reads from the checked position. Returns that position.
    ///
    /// - KIP-320: a consumer that last fetched under an older leader epoch asks where that epoch
    ///   ends on the current leader (OffsetsForLeaderEpoch); if its position is past that point
    ///   the log was truncated under it, and it moves back to the divergence point instead of
    ///   skipping records that now sit at reused offsets.
    /// - A position past the log end (OFFSET_OUT_OF_RANGE) is reset by auto.offset.reset.
    fn consumer_checks_position_at_leader(&self, ctx: &mut Ctx, consumer: &mut Consumer, offset: u64, known_epoch: u32) -> u64 {
        let mut offset = offset;
        // The consumer's reading of this partition (with several partitions, not necessarily the
        // one its fields describe).
        let Some((position, epoch)) = consumer.reading_mut(self.id) else { return offset };
        *epoch = self.leader_epoch;
        if known_epoch < self.leader_epoch {
            let epoch_end = self.log().iter().take_while(|e| e.leader_epoch <= known_epoch).count() as u64;
            if epoch_end < offset {
                ctx.record(EventKind::TruncationDetected { from: offset, to: epoch_end, partition: self.id });
                *position = epoch_end;
                offset = epoch_end;
            }
        }
        if offset > self.leo() {
            let to = match ctx.cfg.config.auto_offset_reset {
                OffsetReset::Earliest => 0,
                OffsetReset::Latest => self.read_limit(ctx.cfg.config.isolation_level),
            };
            ctx.record(EventKind::OffsetReset { from: offset, to, partition: self.id });
            if let Some((position, _)) = consumer.reading_mut(self.id) {
                *position = to;
            }
            offset = to;
        }
        offset
    }
}

// ----- the follower and the leader's side of replication -----

impl Partition {
    /// The follower starts (or resumes) fetching from the leader.
    pub(crate) fn start_follower_fetching(&mut self, ctx: &mut Ctx) {
        let (Some(f), Some(leader)) = (self.follower(), self.leader) else { return };
        let replica = &self.replicas[self.at(f)];
        if !replica.alive || replica.stalled_until.is_some() {
            return;
        }
        let offset = replica.leo();
        ctx.send(Actor::Broker(f), Actor::Broker(leader), FlightKind::ReplicaFetch { offset });
    }

    /// The follower's fetch reached the leader: it tells the leader the follower's log end offset.
    /// Returns whether the leader saw it (the high watermark and the fetches may move).
    pub(crate) fn on_replica_fetch(&mut self, ctx: &mut Ctx, id: u32) -> bool {
        let flight = &ctx.flights[id as usize];
        let (Actor::Broker(f), Actor::Broker(leader), FlightKind::ReplicaFetch { offset }) = (flight.from, flight.to, flight.what)
        else {
            return false;
        };
        if self.leader != Some(leader) || self.replicas[self.at(f)].stalled_until.is_some() {
            return false;
        }
        self.follower_fetch_offset = offset;
        let leader_replica = &self.replicas[self.at(leader)];
        let hw = leader_replica.hw;
        // Partition.isFollowerInSync: the follower must reach the high watermark and the offset
        // where the current leader epoch began (leaderEpochStartOffsetOpt).
        let epoch = self.leader_epoch;
        let epoch_start = leader_replica.log.iter().position(|e| e.leader_epoch == epoch).unwrap_or(leader_replica.log.len()) as u64;
        if !self.isr[self.at(f)] && offset >= hw && offset >= epoch_start {
            *self.in_sync_mut(f) = true;
            let size = self.isr_size();
            ctx.record(EventKind::IsrChanged { follower_in: true, size, partition: self.id });
        }
        self.parked_replica_fetch = Some(id);
        true
    }

    pub(crate) fn wake_replica_fetch(&mut self, ctx: &mut Ctx) {
        let Some(id) = self.parked_replica_fetch else { return };
        let Some(leader) = self.leader else { return };
        let flight = &ctx.flights[id as usize];
        let (Actor::Broker(f), FlightKind::ReplicaFetch { offset }) = (flight.from, flight.what) else { return };
        let replica = &self.replicas[self.at(leader)];
        if replica.leo() <= offset {
            return;
        }
        self.parked_replica_fetch = None;
        let entries = replica.log[offset as usize..].to_vec();
        let (to, hw) = (replica.leo(), replica.hw);
        let what = FlightKind::ReplicaFetchResponse { from: offset, to, hw };
        ctx.also_caused_by(ctx.flights[id as usize].sent_event);
        let response = ctx.send(Actor::Broker(leader), Actor::Broker(f), what);
        ctx.flights[response as usize].entries = entries;
    }

    /// Entries reached the follower: it appends them and fetches again.
    /// Returns whether `leader-crash-replicated` struck: the leader crashes.
    pub(crate) fn on_replica_fetch_response(&mut self, ctx: &mut Ctx, id: u32) -> bool {
        let flight = &ctx.flights[id as usize];
        let (Actor::Broker(f), FlightKind::ReplicaFetchResponse { from, to, hw }) = (flight.to, flight.what) else { return false };
        let replica = &self.replicas[self.at(f)];
        if self.leader == Some(f) || replica.stalled_until.is_some() || replica.leo() != from {
            return false;
        }
        let entries = std::mem::take(&mut ctx.flights[id as usize].entries);
        let msgs: Vec<_> = entries.iter().filter_map(|e| e.msg()).collect();
        let replica = self.replica_mut(f);
        replica.log.extend(entries);
        replica.hw = hw.min(replica.leo());
        ctx.record(EventKind::Replicated { broker: f, from, to });
        self.start_follower_fetching(ctx);
        for msg in msgs {
            if self.leader.is_some() && ctx.strike(Fault::LeaderCrashReplicated, Some(msg)) {
                return true;
            }
        }
        false
    }

    /// The follower stalls and the leader drops it from the ISR (as after replica.lag.time.max.ms);
    /// it resumes fetching after lab.restart.ms and rejoins once caught up to the HW.
    /// Returns whether the ISR changed (the high watermark and the fetches may move).
    pub(crate) fn follower_out_of_isr(&mut self, ctx: &mut Ctx) -> bool {
        let Some(f) = self.follower() else { return false };
        if !self.isr[self.at(f)] {
            return false;
        }
        *self.in_sync_mut(f) = false;
        self.replica_mut(f).stalled_until = Some(ctx.now + ctx.cfg.restart);
        self.parked_replica_fetch = None;
        let size = self.isr_size();
        ctx.record(EventKind::IsrChanged { follower_in: false, size, partition: self.id });
        ctx.schedule(ctx.now + ctx.cfg.restart, Action::FollowerResume { partition: self.id });
        true
    }

    pub(crate) fn follower_resume(&mut self, ctx: &mut Ctx) {
        let Some(f) = self.follower() else { return };
        self.replica_mut(f).stalled_until = None;
        self.start_follower_fetching(ctx);
    }

    /// The leader answers the consumer fetch it holds once something is readable: records below
    /// the high watermark, and for read_committed below the last stable offset (KIP-98).
    pub(crate) fn wake_consumer_fetch(&mut self, ctx: &mut Ctx) {
        let Some(ParkedFetch { flight: id, offset, .. }) = self.parked_consumer_fetch else { return };
        let Some(leader) = self.leader else { return };
        let Actor::Consumer { instance } = ctx.flights[id as usize].from else { return };
        let isolation = ctx.cfg.config.isolation_level;
        let limit = self.read_limit(isolation);
        if limit <= offset {
            return;
        }
        let read_committed = isolation == IsolationLevel::ReadCommitted;
        let max = ctx.cfg.config.max_poll_records as usize;
        let (records, to) = fetchable(self.log(), offset, limit, read_committed, max);
        debug_assert!(to <= self.hw(), "a fetch must never return records at or past the high watermark");
        self.parked_consumer_fetch = None;
        let what = FlightKind::FetchResponse { from: offset, to, records: records.len() as u16 };
        ctx.also_caused_by(ctx.flights[id as usize].sent_event);
        let response = ctx.send(Actor::Broker(leader), Actor::Consumer { instance }, what);
        let msgs: Vec<MsgId> = records.iter().map(|r| r.msg).collect();
        if ctx.strike_any(Fault::DropFetchResponse, &msgs) {
            ctx.flights[response as usize].doomed = Some(Fault::DropFetchResponse);
        }
        ctx.flights[response as usize].records = records;
    }
}

#[cfg(test)]
mod tests {
    //! The partition's rules, each on a log built by hand. Each test cites the Kafka source it
    //! follows.

    use super::*;
    use crate::sim::config::IsolationLevel;
    use crate::sim::world::World;

    const PID: ProducerId = 7;

    fn data(offset: u64, pid: ProducerId, epoch: u16, seq: Option<u32>, txn: bool) -> LogEntry {
        let msg = MsgId(offset as u16 + 1);
        LogEntry { offset, leader_epoch: 0, kind: EntryKind::Data { msg, record: offset as u16, pid, epoch, seq, txn } }
    }

    fn marker(offset: u64, pid: ProducerId, commit: bool) -> LogEntry {
        LogEntry { offset, leader_epoch: 0, kind: EntryKind::Marker { pid, epoch: 0, commit } }
    }

    /// Six idempotent batches of `PID`, epoch 0, sequences 0..6 at offsets 0..6.
    fn six_batches() -> Vec<LogEntry> {
        (0..6).map(|i| data(i, PID, 0, Some(i as u32), false)).collect()
    }

    /// ProducerStateEntry.NUM_BATCHES_TO_RETAIN = 5: a retried batch among the producer's last
    /// five is answered with its original offset (DUPLICATE_SEQUENCE_NUMBER, reported as success
    /// by the client); older ones are no longer recognised.
    #[test]
    fn the_dedup_window_is_the_last_five_batches() {
        let log = six_batches();
        for seq in 1..6u32 {
            assert_eq!(check_sequence(&log, PID, 0, seq), SequenceCheck::Duplicate(u64::from(seq)), "sequence {seq}");
        }
        assert_eq!(check_sequence(&log, PID, 0, 0), SequenceCheck::OutOfOrder, "sequence 0 left the window");
    }

    /// ProducerAppendInfo.checkSequence: the next batch must follow the last one
    /// (OUT_OF_ORDER_SEQUENCE_NUMBER otherwise), and a producer id the broker never saw starts at 0
    /// (the lab's rule, see lib.rs).
    #[test]
    fn sequences_follow_without_gaps() {
        let log = six_batches();
        assert_eq!(check_sequence(&log, PID, 0, 6), SequenceCheck::Append);
        assert_eq!(check_sequence(&log, PID, 0, 7), SequenceCheck::OutOfOrder);
        assert_eq!(check_sequence(&log, 8, 0, 0), SequenceCheck::Append, "a new producer id starts at 0");
        assert_eq!(check_sequence(&log, 8, 0, 1), SequenceCheck::OutOfOrder);
    }

    /// ProducerAppendInfo.checkProducerEpoch: a batch with an epoch older than the producer id's
    /// latest is fenced (INVALID_PRODUCER_EPOCH); a new epoch starts again at sequence 0 (KIP-360).
    #[test]
    fn an_older_epoch_is_fenced_and_a_new_one_starts_at_zero() {
        let mut log = six_batches();
        log.push(data(6, PID, 1, Some(0), false));
        assert_eq!(check_sequence(&log, PID, 0, 6), SequenceCheck::Fenced);
        assert_eq!(check_sequence(&log, PID, 1, 1), SequenceCheck::Append);
        assert_eq!(check_sequence(&log, PID, 2, 0), SequenceCheck::Append, "a bumped epoch starts at 0");
        assert_eq!(check_sequence(&log, PID, 2, 3), SequenceCheck::OutOfOrder);
        // A transaction marker of a newer epoch fences too (the coordinator bumped it).
        let abort = EntryKind::Marker { pid: PID, epoch: 1, commit: false };
        let fenced_by_marker = vec![data(0, PID, 0, Some(0), true), LogEntry { offset: 1, leader_epoch: 0, kind: abort }];
        assert_eq!(check_sequence(&fenced_by_marker, PID, 0, 1), SequenceCheck::Fenced);
    }

    /// ProducerAppendInfo.checkSequence: "If there is no current producer epoch (possibly because
    /// all producer records have been deleted ...) accept writes with any sequence number".
    #[test]
    fn a_broker_that_lost_the_producer_state_accepts_any_sequence() {
        assert_eq!(check_sequence_after_loss(&[], PID, 3, 42, true), SequenceCheck::Append);
        assert_eq!(check_sequence_after_loss(&[], PID, 3, 42, false), SequenceCheck::OutOfOrder);
    }

    /// KIP-98, ProducerStateManager.firstUnstableOffset: the last stable offset is the first
    /// offset of a transaction that is open or whose marker is not yet below the high watermark,
    /// and never above the high watermark.
    #[test]
    fn the_last_stable_offset_stops_at_the_first_unfinished_transaction() {
        let open = vec![data(0, 1, 0, Some(0), false), data(1, PID, 0, Some(0), true), data(2, 1, 0, Some(1), false)];
        assert_eq!(last_stable_offset(&open, 3), 1, "an open transaction holds the LSO");
        assert_eq!(last_stable_offset(&open, 1), 1, "never above the high watermark");
        let mut committed = open.clone();
        committed.push(marker(3, PID, true));
        assert_eq!(last_stable_offset(&committed, 4), 4, "the marker is below the high watermark");
        assert_eq!(last_stable_offset(&committed, 3), 1, "the marker is not replicated yet");
        assert_eq!(txn_mark(&committed, 1), TxnMark::Committed);
        assert_eq!(txn_mark(&committed, 0), TxnMark::None);
        assert_eq!(txn_mark(&committed, 3), TxnMark::Marker);
    }

    /// Partition.maybeIncrementLeaderHW: the high watermark is the smallest log end offset in the
    /// ISR, never moves back, and (Kafka 3.7+) does not move while the ISR is below
    /// min.insync.replicas.
    #[test]
    fn the_high_watermark_is_the_smallest_log_end_offset_in_the_isr() {
        let mut p = Partition::numbered(0, 2);
        p.replicas[0].log = six_batches();
        p.follower_fetch_offset = 4;
        assert_eq!(p.advanced_hw(1), Some(4), "the follower has offsets below 4");
        p.replicas[0].hw = 4;
        assert_eq!(p.advanced_hw(1), None, "nothing new on the follower");
        p.isr[1] = false;
        assert_eq!(p.advanced_hw(1), Some(6), "the follower left the ISR: the leader alone");
        assert_eq!(p.advanced_hw(2), None, "below min.insync.replicas=2 it does not move");
        p.leader = None;
        assert_eq!(p.advanced_hw(1), None, "offline");
    }

    fn world(unclean_leader_election: bool) -> World {
        let mut config = crate::Preset::AtLeastOnce.config();
        config.unclean_leader_election = unclean_leader_election;
        World::with_config(config.resolve().unwrap(), 1, 0)
    }

    /// A crashed leader keeps nothing for its clients (NetworkClient.processDisconnection), the
    /// controller fences it and elects the in-sync follower under a new leader epoch
    /// (PartitionChangeBuilder), and the old leader, back, truncates the tail no one else has to
    /// the new leader's log (KIP-101, KIP-279) before it fetches.
    #[test]
    fn a_crashed_leader_is_replaced_by_the_in_sync_follower_and_truncates_when_back() {
        let mut w = world(false);
        let mut p = Partition::numbered(0, 2);
        p.replicas[0].log = six_batches();
        p.replicas[1].log = six_batches()[..4].to_vec();
        (p.replicas[0].hw, p.replicas[1].hw, p.follower_fetch_offset) = (4, 4, 4);
        p.pending_acks.push(PendingAck { record: 4, offset: 4, session: 0, request: 0 });
        let crashed = p.crash_leader(&mut ctx!(w), false).unwrap();
        assert_eq!((crashed.broker, crashed.pending_acks.len()), (0, 1), "its unanswered acks fail");
        assert_eq!((p.leader, p.last_leader, p.replicas[0].alive), (None, 0, false));
        assert_eq!(p.broker_fenced(&mut ctx!(w), 0), Some((1, false)), "in the ISR: a clean election");
        p.elect(&mut ctx!(w), 1, false);
        assert_eq!((p.leader, p.leader_epoch, p.isr.clone()), (Some(1), 1, vec![false, true]));
        assert_eq!(p.broker_restart(&mut ctx!(w), 0), None, "a leader is there: it follows");
        assert_eq!((p.replicas[0].leo(), p.replicas[0].hw), (4, 4));
        let kinds: Vec<EventKind> = w.events().iter().map(|e| e.kind).collect();
        assert!(matches!(kinds[0], EventKind::BrokerCrashed { broker: 0, disk_lost: false }));
        assert!(matches!(kinds[1], EventKind::BrokerFenced { broker: 0 }));
        assert!(matches!(kinds[2], EventKind::LeaderElected { broker: 1, unclean: false, leader_epoch: 1 }));
        assert!(matches!(kinds[3], EventKind::BrokerRestarted { broker: 0 }));
        assert!(matches!(kinds[4], EventKind::Truncated { broker: 0, from: 4, to: 6 }));
        assert!(matches!(kinds[5], EventKind::Sent { what: FlightKind::ReplicaFetch { offset: 4 }, .. }));
    }

    /// unclean.leader.election.enable: a follower outside the ISR is elected only if it is set;
    /// otherwise the partition stays offline (PartitionChangeBuilder.electLeader).
    #[test]
    fn a_follower_outside_the_isr_leads_only_after_an_unclean_election() {
        for unclean in [false, true] {
            let mut w = world(unclean);
            let mut p = Partition::numbered(0, 2);
            p.isr[1] = false;
            p.crash_leader(&mut ctx!(w), false);
            let elected = p.broker_fenced(&mut ctx!(w), 0);
            assert_eq!(elected, unclean.then_some((1, true)), "unclean.leader.election.enable={unclean}");
            let offline = w.events().iter().any(|e| matches!(e.kind, EventKind::PartitionOffline));
            assert_eq!(offline, !unclean);
        }
    }

    /// KIP-98 (read_committed): a fetch returns nothing at or past the last stable offset and
    /// skips aborted records (the aborted-transaction index); read_uncommitted reads up to the
    /// high watermark.
    #[test]
    fn fetches_stop_at_the_read_limit_and_read_committed_skips_aborted_records() {
        let mut p = Partition::numbered(0, 1);
        p.replicas[0].log =
            vec![data(0, PID, 0, Some(0), true), marker(1, PID, false), data(2, 1, 0, Some(0), false), data(3, 2, 0, Some(0), true)];
        p.replicas[0].hw = 4;
        assert_eq!(p.read_limit(IsolationLevel::ReadUncommitted), 4);
        assert_eq!(p.read_limit(IsolationLevel::ReadCommitted), 3, "offset 3 is in an open transaction");
        let (records, next) = fetchable(p.log(), 0, 3, true, 500);
        assert_eq!(records, vec![FetchedRecord { offset: 2, msg: MsgId(3) }]);
        assert_eq!(next, 3);
        let (records, _) = fetchable(p.log(), 0, 4, false, 500);
        assert_eq!(records.len(), 3, "read_uncommitted returns the aborted record too");
        let (records, next) = fetchable(p.log(), 0, 4, false, 1);
        assert_eq!((records.len(), next), (1, 1), "max.poll.records");
    }
}
