//! Where the consumer application's processing leaves its effect: an output topic or a database
//! table, and how many effects of each message a reader of the sink would see.

use serde::Serialize;

use super::config::{IsolationLevel, SinkKind};
use super::event::{EventKind, MsgId, SinkOutcome};
use super::world::Ctx;

/// One write to the sink.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SinkRow {
    /// The message processed.
    pub msg: MsgId,
    /// The input offset it was read from.
    pub offset: u64,
    /// The input partition it was read from (with `offset`, an upsert's key).
    pub partition: u8,
    /// The consumer application's transaction it belongs to (output topic inside a transaction).
    pub txn: Option<u32>,
    /// A database row written beside the output topic (`SinkKind::OutputTopicAndDb`).
    pub db: bool,
}

/// How a consumer-application transaction ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TxnOutcome {
    /// The transaction's number.
    pub txn: u32,
    /// Whether it committed (else it aborted).
    pub committed: bool,
    /// How many rows the sink held when it ended: where its marker lands in the output topic.
    pub at: usize,
}

/// One entry of the output topic's partition: a record the consumer application wrote, or a
/// transaction marker (KIP-98: the coordinator writes COMMIT or ABORT into every partition of a
/// transaction when it ends; the marker takes an offset).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputEntry {
    /// A record of `msg`, inside the consumer application's transaction `txn` if any.
    Record { msg: MsgId, txn: Option<u32> },
    /// The marker that ended transaction `txn`.
    Marker { txn: u32, commit: bool },
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
    pub partition: u8,
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
                SinkKind::DbUpsertOffset => (r.partition, r.offset) == (row.partition, row.offset),
                _ => false,
            };
            let (msg, offset, partition) = (row.msg, row.offset, row.partition);
            match rows.iter_mut().find(same_key) {
                Some(read) => *read = ReadRow { msg, offset, partition, state, writes: read.writes + 1 },
                None => rows.push(ReadRow { msg, offset, partition, state, writes: 1 }),
            }
        }
        rows
    }

    /// The output topic's partition, in offset order: each row written, and each transaction's
    /// marker where the transaction ended. Empty unless the sink is an output topic.
    pub fn output_log(&self, kind: SinkKind) -> Vec<OutputEntry> {
        if !matches!(kind, SinkKind::OutputTopic) && !kind.transactional_output() {
            return Vec::new();
        }
        let mut log = Vec::with_capacity(self.rows.len() + self.txn_outcomes.len());
        let mut ends = self.txn_outcomes.iter().peekable();
        for i in 0..=self.rows.len() {
            while let Some(end) = ends.next_if(|end| end.at <= i) {
                log.push(OutputEntry::Marker { txn: end.txn, commit: end.committed });
            }
            if let Some(row) = self.rows.get(i).filter(|row| !row.db) {
                log.push(OutputEntry::Record { msg: row.msg, txn: row.txn });
            }
        }
        log
    }

    /// The records a downstream reader of the output topic with `isolation` has read by now, in
    /// offset order. read_uncommitted reads every record, aborted ones too; read_committed reads
    /// only up to the last stable offset (the first record of a transaction still open) and skips
    /// records of aborted transactions (KIP-98; the consumer's isolation.level documentation).
    pub fn read_downstream(&self, kind: SinkKind, isolation: IsolationLevel) -> Vec<MsgId> {
        let outcome = |txn: u32| self.txn_outcomes.iter().find(|o| o.txn == txn).map(|o| o.committed);
        let mut read = Vec::new();
        for entry in self.output_log(kind) {
            let OutputEntry::Record { msg, txn } = entry else { continue };
            match (isolation, txn.map(outcome)) {
                (IsolationLevel::ReadUncommitted, _) | (_, None | Some(Some(true))) => read.push(msg),
                // The last stable offset: nothing after an open transaction's first record.
                (IsolationLevel::ReadCommitted, Some(None)) => break,
                (IsolationLevel::ReadCommitted, Some(Some(false))) => {}
            }
        }
        read
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
            // The database's rows: what no transaction covers.
            SinkKind::OutputTopicAndDb => live.filter(|row| row.db).count() as u32,
            SinkKind::DbUpsertMessageId => u32::from(live.count() > 0),
            SinkKind::DbUpsertOffset => {
                // A row per input offset holds the last message written there: a different
                // message read from a reused offset (after a truncation) overwrote this one's row.
                let mut keys: Vec<(u8, u64)> = live.map(|row| (row.partition, row.offset)).collect();
                crate::order::sort_dedup(&mut keys);
                let last_at = |key: (u8, u64)| self.rows.iter().rev().find(|row| (row.partition, row.offset) == key && self.counts(row));
                keys.into_iter().filter(|&key| last_at(key).is_some_and(|row| row.msg == msg)).count() as u32
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
        let partition = super::world::partition_of(ctx.cfg, msg) as u8;
        let outcome = if self.overwrites(kind, msg, partition, offset) { SinkOutcome::Overwritten } else { SinkOutcome::Inserted };
        self.rows.push(SinkRow { msg, offset, partition, txn, db: false });
        if kind == SinkKind::DbOffsetsInDb {
            self.db_offset = Some(offset + 1);
        }
        ctx.record(EventKind::SinkWrite { msg, offset, outcome, in_txn: txn.is_some() });
        if kind == SinkKind::OutputTopicAndDb {
            // The INSERT beside the output: the database takes no part in Kafka's transaction.
            self.rows.push(SinkRow { msg, offset, partition, txn: None, db: true });
            ctx.record(EventKind::SinkWrite { msg, offset, outcome, in_txn: false });
        }
    }

    /// The consumer application's transaction `txn` ends: its output becomes visible or not.
    pub(crate) fn end_txn(&mut self, txn: u32, committed: bool) {
        self.txn_outcomes.push(TxnOutcome { txn, committed, at: self.rows.len() });
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

    /// Whether a write of `msg` read at `offset` of `partition` replaces an existing row (an
    /// upsert hit): the key is the message id, or the input's (partition, offset).
    pub fn overwrites(&self, kind: SinkKind, msg: MsgId, partition: u8, offset: u64) -> bool {
        match kind {
            SinkKind::DbUpsertMessageId => self.rows.iter().any(|row| row.msg == msg),
            SinkKind::DbUpsertOffset => self.rows.iter().any(|row| (row.partition, row.offset) == (partition, offset)),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    //! What a reader of the sink sees, per sink kind.

    use super::*;

    fn row(msg: u16, offset: u64, txn: Option<u32>) -> SinkRow {
        SinkRow { msg: MsgId(msg), offset, partition: 0, txn, db: false }
    }

    /// An upsert keyed by message id turns a second processing run into a no-op; a plain insert
    /// keeps both rows.
    #[test]
    fn an_upsert_by_message_id_keeps_one_effect() {
        let sink = Sink { rows: vec![row(1, 0, None), row(1, 0, None)], ..Sink::default() };
        assert_eq!(sink.effects(SinkKind::DbUpsertMessageId, MsgId(1)), 1);
        assert_eq!(sink.effects(SinkKind::DbInsert, MsgId(1)), 2);
        assert!(sink.overwrites(SinkKind::DbUpsertMessageId, MsgId(1), 0, 9));
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

    /// KIP-98: markers take offsets in the output partition; read_committed stops at the last
    /// stable offset (an open transaction's first record) and skips aborted records, while
    /// read_uncommitted reads everything written.
    #[test]
    fn the_output_topic_holds_markers_and_each_reader_reads_by_its_isolation_level() {
        let mut sink = Sink { rows: vec![row(1, 0, Some(1))], ..Sink::default() };
        sink.end_txn(1, false);
        sink.rows.push(row(1, 0, Some(2)));
        sink.rows.push(row(2, 1, Some(2)));
        sink.end_txn(2, true);
        sink.rows.push(row(3, 2, Some(3)));
        let kind = SinkKind::OutputTopicInTransaction;
        assert_eq!(
            sink.output_log(kind),
            vec![
                OutputEntry::Record { msg: MsgId(1), txn: Some(1) },
                OutputEntry::Marker { txn: 1, commit: false },
                OutputEntry::Record { msg: MsgId(1), txn: Some(2) },
                OutputEntry::Record { msg: MsgId(2), txn: Some(2) },
                OutputEntry::Marker { txn: 2, commit: true },
                OutputEntry::Record { msg: MsgId(3), txn: Some(3) },
            ]
        );
        assert_eq!(sink.read_downstream(kind, IsolationLevel::ReadCommitted), vec![MsgId(1), MsgId(2)]);
        assert_eq!(sink.read_downstream(kind, IsolationLevel::ReadUncommitted), vec![MsgId(1), MsgId(1), MsgId(2), MsgId(3)]);
        // An open transaction holds read_committed back from everything after it, committed or not.
        sink.rows.push(row(4, 3, None));
        assert_eq!(sink.read_downstream(kind, IsolationLevel::ReadCommitted), vec![MsgId(1), MsgId(2)]);
        sink.end_txn(3, true);
        assert_eq!(sink.read_downstream(kind, IsolationLevel::ReadCommitted), vec![MsgId(1), MsgId(2), MsgId(3), MsgId(4)]);
        // A database is no topic.
        assert!(sink.output_log(SinkKind::DbInsert).is_empty());
    }
}
