//! The transaction coordinator: one record per transactional id (producer id, epoch, phase), the
//! markers it has to write and the transactions it completed.
//!
//! Rules followed: TransactionCoordinator (handleInitProducerId bumps the epoch and fences the
//! previous one; handleEndTransaction refuses an older epoch with PRODUCER_FENCED;
//! abortTimedOutTransactions), TransactionStateManager, KIP-98, KIP-360.
//!
//! The rules are methods on its own state; the events they cause are recorded by the broker's
//! handlers in sim/broker.rs, which also write the markers into the leader's log.

use serde::Serialize;

use super::broker::{txn_mark, EntryKind, LogEntry, ProducerId, TxnMark};
use super::event::Tick;

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
    /// The offset of the open transaction's first record.
    pub first_offset: u64,
}

/// A COMMIT or ABORT marker the transaction coordinator has to write for a producer id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TxnMarker {
    pub pid: u32,
    pub epoch: u16,
    pub commit: bool,
}

/// A completed transaction: its marker, and the offset of its first record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CompletedTxn {
    pub marker: TxnMarker,
    pub first_offset: u64,
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
        self.txns.push(TxnMeta { transactional_id: tid, pid, epoch: 0, phase: TxnPhase::Empty, started: 0, first_offset: 0 });
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

    /// The first write of `pid` in a transaction, at `first_offset`, begins it (partitions join
    /// implicitly, as with KIP-890). Returns the epoch it began under, or `None` if one is open.
    pub(crate) fn begin(&mut self, pid: ProducerId, now: Tick, first_offset: u64) -> Option<u16> {
        let index = self.by_pid(pid)?;
        let meta = &mut self.txns[index];
        if meta.phase == TxnPhase::Ongoing {
            return None;
        }
        meta.phase = TxnPhase::Ongoing;
        meta.started = now;
        meta.first_offset = first_offset;
        Some(meta.epoch)
    }

    /// The open transaction of `pid` that began at `began` under `epoch`, if it is still open:
    /// its transaction.timeout.ms has passed.
    pub(crate) fn timed_out(&self, pid: ProducerId, epoch: u16, began: Tick) -> Option<usize> {
        let index = self.by_pid(pid)?;
        let meta = self.txns[index];
        (meta.phase == TxnPhase::Ongoing && meta.epoch == epoch && meta.started == began).then_some(index)
    }

    /// Completes transaction `index`: its marker waits to be written. Returns the marker.
    pub(crate) fn complete(&mut self, index: usize, commit: bool) -> TxnMarker {
        let TxnMeta { pid, epoch, first_offset, .. } = self.txns[index];
        let marker = TxnMarker { pid, epoch, commit };
        if self.completed.len() < MAX_COMPLETED {
            self.completed.push(CompletedTxn { marker, first_offset });
        }
        self.txns[index].phase = if commit { TxnPhase::CompleteCommit } else { TxnPhase::CompleteAbort };
        self.pending_markers.push(marker);
        marker
    }

    /// The markers waiting to be written, in order; they are no longer waiting.
    pub(crate) fn take_pending_markers(&mut self) -> Vec<TxnMarker> {
        std::mem::take(&mut self.pending_markers)
    }

    /// The coordinator completes a transaction only once its markers are written on the leader
    /// with acks=all (WriteTxnMarkers); a marker lost with an old leader's unreplicated tail is
    /// written again on the new leader (`log`), so no completed transaction stays open in the log.
    pub(crate) fn requeue_lost_markers(&mut self, log: &[LogEntry]) {
        for &CompletedTxn { marker, first_offset } in &self.completed {
            let Some(entry) = log.get(first_offset as usize) else { continue };
            let open = matches!(entry.kind, EntryKind::Data { pid: p, txn: true, .. } if p == marker.pid)
                && txn_mark(log, first_offset as usize) == TxnMark::Open;
            if open && !self.pending_markers.iter().any(|m| m.pid == marker.pid) {
                self.pending_markers.push(marker);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! The coordinator's fencing rules. Each test cites the Kafka source it follows.

    use super::*;
    use crate::sim::event::MsgId;

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

    /// TransactionCoordinator.abortTimedOutTransactions: only the transaction that began at that
    /// moment under that epoch, still open, times out; completing it queues its marker
    /// (WriteTxnMarkers), and a marker lost in a failover is queued again (KIP-98).
    #[test]
    fn transactions_time_out_complete_and_rewrite_lost_markers() {
        let mut coordinator = TxnCoordinator::default();
        let index = coordinator.register(0, &mut 1);
        assert_eq!(coordinator.begin(1, 10, 0), Some(0));
        assert_eq!(coordinator.begin(1, 11, 1), None, "already open");
        assert_eq!(coordinator.timed_out(1, 0, 9), None, "another transaction");
        assert_eq!(coordinator.timed_out(1, 0, 10), Some(index));
        let marker = coordinator.complete(index, false);
        assert_eq!(coordinator.txns[index].phase, TxnPhase::CompleteAbort);
        assert_eq!(coordinator.timed_out(1, 0, 10), None, "completed");
        assert_eq!(coordinator.take_pending_markers(), vec![marker]);
        let kind = EntryKind::Data { msg: MsgId(1), record: 0, pid: 1, epoch: 0, seq: Some(0), txn: true };
        let log = vec![LogEntry { offset: 0, leader_epoch: 1, kind }];
        coordinator.requeue_lost_markers(&log);
        assert_eq!(coordinator.take_pending_markers(), vec![marker], "the new leader's log lost the marker");
        let mut with_marker = log.clone();
        with_marker.push(LogEntry { offset: 1, leader_epoch: 1, kind: EntryKind::Marker { pid: 1, epoch: 0, commit: false } });
        coordinator.requeue_lost_markers(&with_marker);
        assert!(coordinator.take_pending_markers().is_empty());
    }
}
