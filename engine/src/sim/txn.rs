//! The transaction coordinator: one record per transactional id (producer id, epoch, phase), the
//! markers it has to write and the transactions it completed.
//!
//! Rules followed: TransactionCoordinator (handleInitProducerId bumps the epoch and fences the
//! previous one; handleEndTransaction refuses an older epoch with PRODUCER_FENCED;
//! abortTimedOutTransactions), TransactionStateManager, KIP-98, KIP-360.
//!
//! The rules and the handlers are methods on its own state, taking a `Ctx`; `World`'s entry points
//! in sim/broker.rs run the marker writes between them (a marker may move the high watermark).

use serde::Serialize;

use super::broker::{txn_mark, EntryKind, LogEntry, Partition, ProducerId, TxnMark};
use super::event::{Actor, EventKind, FlightKind, Tick};
use super::producer::Producer;
use super::world::{Action, Ctx};

/// The transaction coordinator's phases for one transactional id (TransactionState in Kafka).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TxnPhase {
    /// No transaction yet.
    Empty,
    /// A transaction is open.
    Ongoing,
    /// The last transaction committed.
    CompleteCommit,
    /// The last transaction aborted.
    CompleteAbort,
}

impl TxnPhase {
    /// The phase by the name Kafka's coordinator gives it (`TransactionState` in
    /// `org.apache.kafka.coordinator.transaction`).
    pub fn kafka_name(self) -> &'static str {
        match self {
            TxnPhase::Empty => "Empty",
            TxnPhase::Ongoing => "Ongoing",
            TxnPhase::CompleteCommit => "CompleteCommit",
            TxnPhase::CompleteAbort => "CompleteAbort",
        }
    }
}

/// The transaction coordinator's record of one transactional id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TxnMeta {
    /// Which transactional id (0 = the one configured, 1 = the "new id" after a restart).
    pub transactional_id: u8,
    /// The producer id it maps to.
    pub pid: ProducerId,
    /// The current producer epoch; lower epochs are fenced.
    pub epoch: u16,
    /// The phase of its latest transaction.
    pub phase: TxnPhase,
    /// When the open transaction began.
    pub started: Tick,
    /// The offset of the open transaction's first record in each partition it wrote to (the
    /// partitions it added), by partition number.
    pub first_offsets: [Option<u64>; MAX_PARTITIONS],
}

/// The most partitions a topic has in the lab (`num.partitions`).
pub const MAX_PARTITIONS: usize = 3;

/// A COMMIT or ABORT marker the transaction coordinator has to write for a producer id into a
/// partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TxnMarker {
    pub pid: u32,
    pub epoch: u16,
    pub commit: bool,
    pub partition: u8,
}

/// A completed transaction: its marker, and the offset of its first record in each partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CompletedTxn {
    pub marker: TxnMarker,
    pub first_offsets: [Option<u64>; MAX_PARTITIONS],
}

/// The most completed transactions the coordinator remembers (to write a lost marker again).
const MAX_COMPLETED: usize = 256;

/// The transaction coordinator's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TxnCoordinator {
    /// One record per transactional id, in the order they registered.
    pub txns: Vec<TxnMeta>,
    /// COMMIT/ABORT markers waiting for a leader to write them.
    pending_markers: Vec<TxnMarker>,
    /// Completed transactions, to write their markers again if a failover lost them.
    completed: Vec<CompletedTxn>,
}

impl TxnCoordinator {
    /// The record of producer id `pid`.
    pub(crate) fn by_pid(&self, pid: ProducerId) -> Option<usize> {
        self.txns.iter().position(|t| t.pid == pid)
    }

    /// The record of transactional id `tid`.
    pub(crate) fn by_transactional_id(&self, tid: u8) -> Option<usize> {
        self.txns.iter().position(|t| t.transactional_id == tid)
    }

    /// A transactional id seen for the first time gets the next producer id, at epoch 0.
    pub(crate) fn register(&mut self, tid: u8, next_pid: &mut ProducerId) -> usize {
        let pid = *next_pid;
        *next_pid += 1;
        let first_offsets = [None; MAX_PARTITIONS];
        self.txns.push(TxnMeta { transactional_id: tid, pid, epoch: 0, phase: TxnPhase::Empty, started: 0, first_offsets });
        self.txns.len() - 1
    }

    /// A new epoch for record `index`: every request under an older one is fenced from now on.
    pub(crate) fn bump_epoch(&mut self, index: usize) {
        self.txns[index].epoch += 1;
    }

    /// The producer bumped its own epoch (KIP-360, see `Producer::abort_bumps_epoch`): the record
    /// of `pid` takes it.
    pub(crate) fn take_epoch(&mut self, pid: ProducerId, epoch: u16) {
        if let Some(meta) = self.txns.iter_mut().find(|t| t.pid == pid) {
            meta.epoch = meta.epoch.max(epoch);
        }
    }

    /// Whether a transactional batch of `pid` under `epoch` is fenced: the coordinator has moved
    /// to a newer epoch (INVALID_PRODUCER_EPOCH).
    pub(crate) fn fences(&self, pid: ProducerId, epoch: u16) -> bool {
        self.txns.iter().any(|t| t.pid == pid && t.epoch > epoch)
    }

    /// Whether an EndTxn under `epoch` is accepted (handleEndTransaction: an older epoch gets
    /// PRODUCER_FENCED).
    pub(crate) fn accepts(&self, index: usize, epoch: u16) -> bool {
        epoch >= self.txns[index].epoch
    }

    /// The first write of `pid` in a transaction, at `first_offset` of `partition`, begins it
    /// (partitions join implicitly, as with KIP-890); a first write to another partition adds
    /// that partition. Returns the epoch it began under, or `None` if one was open.
    pub(crate) fn begin(&mut self, pid: ProducerId, now: Tick, partition: u8, first_offset: u64) -> Option<u16> {
        let index = self.by_pid(pid)?;
        let meta = &mut self.txns[index];
        let slot = usize::from(partition).min(MAX_PARTITIONS - 1);
        if meta.phase == TxnPhase::Ongoing {
            meta.first_offsets[slot].get_or_insert(first_offset);
            return None;
        }
        meta.phase = TxnPhase::Ongoing;
        meta.started = now;
        meta.first_offsets = [None; MAX_PARTITIONS];
        meta.first_offsets[slot] = Some(first_offset);
        Some(meta.epoch)
    }

    /// The open transaction of `pid` that began at `began` under `epoch`, if it is still open:
    /// its transaction.timeout.ms has passed.
    pub(crate) fn timed_out(&self, pid: ProducerId, epoch: u16, began: Tick) -> Option<usize> {
        let index = self.by_pid(pid)?;
        let meta = self.txns[index];
        (meta.phase == TxnPhase::Ongoing && meta.epoch == epoch && meta.started == began).then_some(index)
    }

    /// Completes transaction `index`: a marker waits to be written into every partition it
    /// wrote to (KIP-98: WriteTxnMarkers to each partition's leader). Returns the marker.
    pub(crate) fn complete(&mut self, index: usize, commit: bool) -> TxnMarker {
        let TxnMeta { pid, epoch, first_offsets, .. } = self.txns[index];
        let marker = TxnMarker { pid, epoch, commit, partition: 0 };
        if self.completed.len() < MAX_COMPLETED {
            self.completed.push(CompletedTxn { marker, first_offsets });
        }
        self.txns[index].phase = if commit { TxnPhase::CompleteCommit } else { TxnPhase::CompleteAbort };
        // A transaction that wrote nothing yet (aborted before its first append) still has its
        // marker written into the first partition, as the lab always did.
        let mut any = false;
        for (partition, first) in first_offsets.iter().enumerate() {
            if first.is_some() || (partition == 0 && first_offsets.iter().all(Option::is_none)) {
                any = true;
                self.pending_markers.push(TxnMarker { partition: partition as u8, ..marker });
            }
        }
        debug_assert!(any);
        marker
    }

    /// The markers waiting to be written, in order; they are no longer waiting.
    pub(crate) fn take_pending_markers(&mut self) -> Vec<TxnMarker> {
        std::mem::take(&mut self.pending_markers)
    }

    /// The coordinator completes a transaction only once its markers are written on the leader
    /// with acks=all (WriteTxnMarkers); a marker lost with an old leader's unreplicated tail is
    /// written again on the new leader (`log`), so no completed transaction stays open in the log.
    pub(crate) fn requeue_lost_markers(&mut self, partition: u8, log: &[LogEntry]) {
        for &CompletedTxn { marker, first_offsets } in &self.completed {
            let Some(first_offset) = first_offsets.get(usize::from(partition)).copied().flatten() else { continue };
            let Some(entry) = log.get(first_offset as usize) else { continue };
            let open = matches!(entry.kind, EntryKind::Data { pid: p, txn: true, .. } if p == marker.pid)
                && txn_mark(log, first_offset as usize) == TxnMark::Open;
            if open && !self.pending_markers.iter().any(|m| m.pid == marker.pid && m.partition == partition) {
                self.pending_markers.push(TxnMarker { partition, ..marker });
            }
        }
    }
}

// ----- its handlers: the events they cause, and the markers written into the leader's log -----

/// An InitProducerId the coordinator read (`TxnCoordinator::on_init_producer_id`): whom to
/// answer, the record of its transactional id, whether that record existed (its epoch is bumped)
/// and whether it has an open transaction to abort first (the old producer is fenced).
pub(crate) struct InitProducerId {
    pub to: Actor,
    pub index: usize,
    pub known: bool,
    pub fence: bool,
}

/// An EndTxn the coordinator decided (`TxnCoordinator::on_end_txn`): whom to answer, commit or
/// abort, whether it is accepted, and the transaction it completes if it is open.
pub(crate) struct EndTxn {
    pub to: Actor,
    pub commit: bool,
    pub ok: bool,
    pub completes: Option<usize>,
}

impl TxnCoordinator {
    /// The first transactional write of `pid`, at `first_offset`, begins its transaction: the
    /// coordinator records it and times it out after transaction.timeout.ms.
    pub(crate) fn begin_if_needed(&mut self, ctx: &mut Ctx, pid: ProducerId, partition: u8, first_offset: u64) {
        let Some(epoch) = self.begin(pid, ctx.now, partition, first_offset) else { return };
        let began = ctx.now;
        ctx.record(EventKind::TxnBegan { pid, epoch });
        ctx.schedule(ctx.now + ctx.cfg.transaction_timeout, Action::TxnTimeout { pid, epoch, began });
    }

    /// InitProducerId reached the coordinator: a transactional id seen for the first time is
    /// registered with the next producer id (`next_pid`). An ongoing transaction of a known one
    /// is aborted first (`World::on_init_producer_id`), then `answer_init_producer_id` follows.
    pub(crate) fn on_init_producer_id(&mut self, ctx: &mut Ctx, next_pid: &mut ProducerId, id: u32) -> Option<InitProducerId> {
        let flight = &ctx.flights[id as usize];
        let (to, FlightKind::InitProducerId { transactional_id: tid }) = (flight.from, flight.what) else { return None };
        Some(match self.by_transactional_id(tid) {
            Some(index) => InitProducerId { to, index, known: true, fence: self.txns[index].phase == TxnPhase::Ongoing },
            None => InitProducerId { to, index: self.register(tid, next_pid), known: false, fence: false },
        })
    }

    /// TransactionCoordinator.handleInitProducerId: an ongoing transaction is aborted under a
    /// bumped epoch first (prepareFenceProducerEpoch; the client is told CONCURRENT_TRANSACTIONS
    /// and retries), and the retry bumps the epoch again, so the new instance gets epoch + 2.
    /// Without an open transaction: epoch + 1. A new transactional id starts at epoch 0.
    pub(crate) fn answer_init_producer_id(&mut self, ctx: &mut Ctx, init: InitProducerId) {
        if init.known {
            self.bump_epoch(init.index);
        }
        let TxnMeta { pid, epoch, .. } = self.txns[init.index];
        ctx.send(Actor::TxnCoordinator, init.to, FlightKind::InitProducerIdResponse { pid, epoch });
    }

    /// The coordinator aborts the open transaction `index` (its producer was fenced, or it timed
    /// out): the epoch it was opened under is bumped, and the abort marker carries the new one.
    /// Completing it (`World::complete_txn`) follows.
    pub(crate) fn expire(&mut self, ctx: &mut Ctx, index: usize, fenced: bool) {
        let TxnMeta { pid, epoch, .. } = self.txns[index];
        ctx.record(EventKind::TxnExpired { pid, epoch, fenced });
        self.bump_epoch(index);
    }

    /// The transaction of `marker` is complete, its markers written (`World::complete_txn`).
    pub(crate) fn completed(ctx: &mut Ctx, marker: TxnMarker) {
        let TxnMarker { pid, epoch, commit, .. } = marker;
        ctx.record(EventKind::TxnCompleted { pid, epoch, commit });
    }

    /// Shortcut (lib.rs, "Modelling decisions", transactions): the coordinator writes its markers
    /// into the leader's log itself, as if WriteTxnMarkers were answered at once; they wait while
    /// its partition is offline. Returns the partitions it wrote to (their high watermark and
    /// fetches may move).
    pub(crate) fn flush_pending_markers(&mut self, ctx: &mut Ctx, partitions: &mut [Partition]) -> Vec<usize> {
        let mut wrote = Vec::new();
        for marker in self.take_pending_markers() {
            let TxnMarker { pid, epoch, commit, partition: p } = marker;
            let Some(partition) = partitions.get_mut(usize::from(p)) else { continue };
            let Some(leader) = partition.leader else {
                self.pending_markers.push(marker);
                continue;
            };
            let leader_epoch = partition.leader_epoch;
            let at = partition.at(leader);
            let replica = &mut partition.replicas[at];
            let offset = replica.leo();
            replica.log.push(LogEntry { offset, leader_epoch, kind: EntryKind::Marker { pid, epoch, commit } });
            ctx.record(EventKind::MarkerWritten { offset, pid, commit, partition: p });
            if !wrote.contains(&usize::from(p)) {
                wrote.push(usize::from(p));
            }
        }
        wrote
    }

    /// Shortcut (lib.rs, "Modelling decisions", transactions): EndTxn carries the producer id in
    /// Kafka; the lab's `FlightKind::EndTxn` names the epoch only, and the coordinator reads the
    /// producer id of the instance that sent it.
    fn end_txn_producer_id(producer: &Producer, session: u8) -> ProducerId {
        producer.sessions[usize::from(session)].pid
    }

    /// EndTxn from the producer: fenced if its epoch is old (handleEndTransaction,
    /// PRODUCER_FENCED), else its open transaction completes (`World::complete_txn` writes the
    /// markers) and `answer_end_txn` follows.
    pub(crate) fn on_end_txn(&self, ctx: &mut Ctx, producer: &Producer, id: u32) -> Option<EndTxn> {
        let flight = &ctx.flights[id as usize];
        let to = flight.from;
        let FlightKind::EndTxn { commit, epoch } = flight.what else { return None };
        let Actor::Producer { session } = to else { return None };
        let pid = Self::end_txn_producer_id(producer, session);
        let index = self.by_pid(pid)?;
        let ok = self.accepts(index, epoch);
        let completes = (ok && self.txns[index].phase == TxnPhase::Ongoing).then_some(index);
        Some(EndTxn { to, commit, ok, completes })
    }

    /// The coordinator answers an EndTxn.
    pub(crate) fn answer_end_txn(ctx: &mut Ctx, end: EndTxn) -> u32 {
        let EndTxn { to, commit, ok, .. } = end;
        ctx.send(Actor::TxnCoordinator, to, FlightKind::EndTxnResponse { commit, ok })
    }
}

#[cfg(test)]
mod tests {
    //! The coordinator's fencing rules. Each test cites the Kafka source it follows.

    use super::*;
    use crate::sim::event::MsgId;
    use crate::sim::world::ctx;

    /// TransactionCoordinator.handleInitProducerId: a transactional id gets a producer id once;
    /// every InitProducerId bumps its epoch, and an older epoch is fenced from then on, for
    /// EndTxn (PRODUCER_FENCED) as for produce requests (INVALID_PRODUCER_EPOCH).
    #[test]
    fn a_new_epoch_fences_the_old_one() {
        let mut coordinator = TxnCoordinator::default();
        let mut next_pid = 5;
        let index = coordinator.register(0, &mut next_pid);
        assert_eq!((coordinator.txns[index].pid, coordinator.txns[index].epoch, next_pid), (5, 0, 6));
        assert_eq!(coordinator.by_transactional_id(0), Some(index));
        assert!(coordinator.accepts(index, 0) && !coordinator.fences(5, 0));
        coordinator.bump_epoch(index);
        assert!(!coordinator.accepts(index, 0), "EndTxn under the old epoch: PRODUCER_FENCED");
        assert!(coordinator.fences(5, 0), "a produce request under the old epoch: INVALID_PRODUCER_EPOCH");
        assert!(coordinator.accepts(index, 1) && !coordinator.fences(5, 1));
        coordinator.take_epoch(5, 3);
        assert!(coordinator.fences(5, 2), "KIP-360: the producer's own bump is the coordinator's too");
    }

    /// TransactionCoordinator.handleInitProducerId: a new instance of a transactional id with an
    /// open transaction fences it: the transaction is aborted under a bumped epoch (its ABORT
    /// marker written into the leader's log, WriteTxnMarkers) and the new instance gets epoch + 2.
    #[test]
    fn init_producer_id_aborts_the_open_transaction_and_answers_epoch_plus_two() {
        let mut w = crate::World::with_config(crate::Preset::AtLeastOnce.config().resolve().unwrap(), 1, 0);
        let mut coordinator = TxnCoordinator::default();
        let mut partitions = [Partition::numbered(0, 1)];
        let mut next_pid = 1;
        coordinator.register(0, &mut next_pid);
        coordinator.begin_if_needed(&mut ctx!(w), 1, 0, 0);
        assert_eq!(coordinator.txns[0].phase, TxnPhase::Ongoing);
        let asking = Actor::Producer { session: 1 };
        let id = ctx!(w).send(asking, Actor::TxnCoordinator, FlightKind::InitProducerId { transactional_id: 0 });
        let init = coordinator.on_init_producer_id(&mut ctx!(w), &mut next_pid, id).unwrap();
        assert!(init.known && init.fence && next_pid == 2, "a known id, with a transaction to abort");
        coordinator.expire(&mut ctx!(w), init.index, true);
        let marker = coordinator.complete(init.index, false);
        assert_eq!(coordinator.flush_pending_markers(&mut ctx!(w), &mut partitions), vec![0]);
        assert_eq!(partitions[0].log()[0].kind, EntryKind::Marker { pid: 1, epoch: 1, commit: false });
        TxnCoordinator::completed(&mut ctx!(w), marker);
        coordinator.answer_init_producer_id(&mut ctx!(w), init);
        let kinds: Vec<EventKind> = w.events().iter().map(|e| e.kind).collect();
        assert!(matches!(kinds[0], EventKind::TxnBegan { pid: 1, epoch: 0 }));
        assert!(matches!(kinds[2], EventKind::TxnExpired { pid: 1, epoch: 0, fenced: true }));
        assert!(matches!(kinds[3], EventKind::MarkerWritten { offset: 0, pid: 1, commit: false, partition: 0 }));
        assert!(matches!(kinds[4], EventKind::TxnCompleted { pid: 1, epoch: 1, commit: false }));
        let answer = FlightKind::InitProducerIdResponse { pid: 1, epoch: 2 };
        assert!(matches!(kinds[5], EventKind::Sent { what, .. } if what == answer), "epoch + 2");
    }

    /// TransactionCoordinator.abortTimedOutTransactions: only the transaction that began at that
    /// moment under that epoch, still open, times out; completing it queues its marker
    /// (WriteTxnMarkers), and a marker lost in a failover is queued again (KIP-98).
    #[test]
    fn transactions_time_out_complete_and_rewrite_lost_markers() {
        let mut coordinator = TxnCoordinator::default();
        let index = coordinator.register(0, &mut 1);
        assert_eq!(coordinator.begin(1, 10, 0, 0), Some(0));
        assert_eq!(coordinator.begin(1, 11, 0, 1), None, "already open");
        assert_eq!(coordinator.timed_out(1, 0, 9), None, "another transaction");
        assert_eq!(coordinator.timed_out(1, 0, 10), Some(index));
        let marker = coordinator.complete(index, false);
        assert_eq!(coordinator.txns[index].phase, TxnPhase::CompleteAbort);
        assert_eq!(coordinator.timed_out(1, 0, 10), None, "completed");
        assert_eq!(coordinator.take_pending_markers(), vec![marker]);
        let kind = EntryKind::Data { msg: MsgId(1), record: 0, pid: 1, epoch: 0, seq: Some(0), txn: true };
        let log = vec![LogEntry { offset: 0, leader_epoch: 1, kind }];
        coordinator.requeue_lost_markers(0, &log);
        assert_eq!(coordinator.take_pending_markers(), vec![marker], "the new leader's log lost the marker");
        let mut with_marker = log.clone();
        with_marker.push(LogEntry { offset: 1, leader_epoch: 1, kind: EntryKind::Marker { pid: 1, epoch: 0, commit: false } });
        coordinator.requeue_lost_markers(0, &with_marker);
        assert!(coordinator.take_pending_markers().is_empty());
    }
}
