//! Where the consumer application's processing leaves its effect: an output topic or a database
//! table, and how many effects of each message a reader of the sink would see.

use serde::Serialize;

use super::config::SinkKind;
use super::event::{EventKind, MsgId, SinkOutcome};
use super::world::Ctx;

/// One write to the sink.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SinkRow {
    /// The message processed.
    pub msg: MsgId,
    /// The input offset it was read from.
    pub offset: u64,
    /// The consumer application's transaction it belongs to (output topic inside a transaction).
    pub txn: Option<u32>,
}

/// How a consumer-application transaction ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TxnOutcome {
    /// The transaction's number.
    pub txn: u32,
    /// Whether it committed (else it aborted).
    pub committed: bool,
}

/// The sink's contents.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Sink {
    /// Every write, in order.
    pub rows: Vec<SinkRow>,
    /// The input offset stored with the rows (the offsets-in-database pattern): the next to read.
    pub db_offset: Option<u64>,
    /// The outcome of each consumer-application transaction.
    pub txn_outcomes: Vec<TxnOutcome>,
}

/// Where a sink write stands for a reader of the sink.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowState {
    /// Visible: a plain write, or one whose transaction committed.
    Seen,
    /// Its consumer-application transaction aborted: read_committed never sees it (KIP-98).
    Aborted,
    /// Its transaction is still open.
    Open,
}

/// One row of the sink as a reader sees it: for an upsert, one per key, however many writes it
/// took (the latest write's message and offset).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadRow {
    pub msg: MsgId,
    pub offset: u64,
    pub state: RowState,
    pub writes: u32,
}

impl Sink {
    /// The sink's rows as a reader sees them, in write order (an upsert's row where its key was
    /// first written), by the same keys as [`Sink::effects`].
    pub fn as_read(&self, kind: SinkKind) -> Vec<ReadRow> {
        let mut rows: Vec<ReadRow> = Vec::new();
        for row in &self.rows {
            let state = match row.txn.map(|txn| self.txn_outcomes.iter().find(|o| o.txn == txn)) {
                Some(Some(outcome)) if !outcome.committed => RowState::Aborted,
                Some(None) => RowState::Open,
                _ => RowState::Seen,
            };
            let same_key = |r: &&mut ReadRow| match kind {
                SinkKind::DbUpsertMessageId => r.msg == row.msg,
                SinkKind::DbUpsertOffset => r.offset == row.offset,
                _ => false,
            };
            match rows.iter_mut().find(same_key) {
                Some(read) => *read = ReadRow { msg: row.msg, offset: row.offset, state, writes: read.writes + 1 },
                None => rows.push(ReadRow { msg: row.msg, offset: row.offset, state, writes: 1 }),
            }
        }
        rows
    }

    fn counts(&self, row: &SinkRow) -> bool {
        match row.txn {
            None => true,
            Some(txn) => self.txn_outcomes.iter().any(|o| o.txn == txn && o.committed),
        }
    }

    /// How many effects of `msg` a reader of the sink sees: rows for a plain insert, one row per
    /// key for an upsert, committed records for a transactional output topic.
    pub fn effects(&self, kind: SinkKind, msg: MsgId) -> u32 {
        let live = self.rows.iter().filter(|row| row.msg == msg && self.counts(row));
        match kind {
            SinkKind::None => 0,
            SinkKind::DbUpsertMessageId => u32::from(live.count() > 0),
            SinkKind::DbUpsertOffset => {
                // A row per input offset holds the last message written there: a different
                // message read from a reused offset (after a truncation) overwrote this one's row.
                let mut offsets: Vec<u64> = live.map(|row| row.offset).collect();
                crate::order::sort_dedup(&mut offsets);
                let last_at = |offset: u64| self.rows.iter().rev().find(|row| row.offset == offset && self.counts(row));
                offsets.into_iter().filter(|&offset| last_at(offset).is_some_and(|row| row.msg == msg)).count() as u32
            }
            _ => live.count() as u32,
        }
    }

    /// The consumer application's processing writes `msg`, read from `offset`, inside its
    /// transaction `txn` if the output topic is transactional.
    pub(crate) fn write(&mut self, ctx: &mut Ctx, msg: MsgId, offset: u64, txn: Option<u32>) {
        let kind = ctx.cfg.config.sink;
        if kind == SinkKind::None {
            return;
        }
        let outcome = if self.overwrites(kind, msg, offset) { SinkOutcome::Overwritten } else { SinkOutcome::Inserted };
        self.rows.push(SinkRow { msg, offset, txn });
        if kind == SinkKind::DbOffsetsInDb {
            self.db_offset = Some(offset + 1);
        }
        ctx.record(EventKind::SinkWrite { msg, offset, outcome, in_txn: txn.is_some() });
    }

    /// The consumer application's transaction `txn` ends: its output becomes visible or not.
    pub(crate) fn end_txn(&mut self, txn: u32, committed: bool) {
        self.txn_outcomes.push(TxnOutcome { txn, committed });
    }

    /// The consumer application's transaction `txn` aborts (its instance closed or was replaced).
    pub(crate) fn abort_txn(&mut self, ctx: &mut Ctx, txn: u32) {
        self.end_txn(txn, false);
        ctx.record(EventKind::ConsumerTxnAborted { txn });
    }

    /// Whether the consumer-application transaction `txn` has an outcome already.
    pub fn txn_ended(&self, txn: u32) -> bool {
        self.txn_outcomes.iter().any(|o| o.txn == txn)
    }

    /// Whether a write of `msg` at `offset` replaces an existing row (an upsert hit).
    pub fn overwrites(&self, kind: SinkKind, msg: MsgId, offset: u64) -> bool {
        match kind {
            SinkKind::DbUpsertMessageId => self.rows.iter().any(|row| row.msg == msg),
            SinkKind::DbUpsertOffset => self.rows.iter().any(|row| row.offset == offset),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    //! What a reader of the sink sees, per sink kind.

    use super::*;

    fn row(msg: u16, offset: u64, txn: Option<u32>) -> SinkRow {
        SinkRow { msg: MsgId(msg), offset, txn }
    }

    /// An upsert keyed by message id turns a second processing run into a no-op; a plain insert
    /// keeps both rows.
    #[test]
    fn an_upsert_by_message_id_keeps_one_effect() {
        let sink = Sink { rows: vec![row(1, 0, None), row(1, 0, None)], ..Sink::default() };
        assert_eq!(sink.effects(SinkKind::DbUpsertMessageId, MsgId(1)), 1);
        assert_eq!(sink.effects(SinkKind::DbInsert, MsgId(1)), 2);
        assert!(sink.overwrites(SinkKind::DbUpsertMessageId, MsgId(1), 9));
    }

    /// An upsert keyed by input offset: a different message read from a reused offset (after a
    /// truncation) overwrites the row.
    #[test]
    fn an_upsert_by_offset_loses_a_message_whose_offset_was_reused() {
        let sink = Sink { rows: vec![row(1, 0, None), row(2, 0, None)], ..Sink::default() };
        assert_eq!(sink.effects(SinkKind::DbUpsertOffset, MsgId(1)), 0);
        assert_eq!(sink.effects(SinkKind::DbUpsertOffset, MsgId(2)), 1);
    }

    /// KIP-98 (read_committed readers of the output topic): records of an aborted or unfinished
    /// transaction are not seen.
    #[test]
    fn transactional_output_counts_only_once_committed() {
        let mut sink = Sink { rows: vec![row(1, 0, Some(1)), row(1, 0, Some(2))], ..Sink::default() };
        assert_eq!(sink.effects(SinkKind::OutputTopicInTransaction, MsgId(1)), 0, "both open");
        sink.end_txn(1, false);
        sink.end_txn(2, true);
        assert!(sink.txn_ended(1) && sink.txn_ended(2) && !sink.txn_ended(3));
        assert_eq!(sink.effects(SinkKind::OutputTopicInTransaction, MsgId(1)), 1);
    }
}
