//! The ledger: per message, what happened to it end to end, and a verdict with its cause.
//!
//! "Exactly once" means three different things, so a row keeps three counters apart: copies in the
//! log (and how many each isolation level can see), processing runs, and effects in the sink.

use std::fmt;

use serde::Serialize;

use super::broker::{txn_mark, TxnMark};
use super::config::{IsolationLevel, SinkKind};
use super::event::{Event, EventId, EventKind, MsgId};
use super::world::{RunState, World};

/// What became of a message, as PRODUCT.md lists the verdicts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// One copy visible, processed once, one effect.
    DeliveredOnce,
    /// Gone without the application hearing of it: the producer was told success, or the
    /// committed offset passed the message before it was processed.
    Lost,
    /// The application got the error (it can act on it).
    FailedAndReported,
    /// Processed (and its effect written) more than once.
    Duplicated,
    /// Delivered, but after a message that was sent later.
    Reordered,
    /// More than one copy in the log, but readers see one (the others aborted).
    DuplicateInLogVisibleOnce,
    /// Processed more than once; the sink kept one effect.
    ProcessedTwiceEffectOnce,
    /// Its transaction aborted and readers (read_committed) never see it.
    AbortedInvisible,
    /// Its transaction aborted, yet a read_uncommitted consumer processed it.
    AbortedButSeen,
    /// send() reported the record failed, yet it is in the log (a timed-out or refused-looking send
    /// that was written): the application believes it failed, and a re-send would duplicate it.
    /// Always a further verdict, beside what became of the message.
    Ambiguous,
    /// Readable later; nothing lost. Given once the run is over (mid-run such a message is
    /// `Pending`).
    Delayed,
    /// Not sent, or still on its way.
    Pending,
    /// The run hit the lab's bound (events or ticks) before this message's journey ended: no
    /// verdict can be given.
    Unfinished,
}

impl Verdict {
    /// Every verdict, in declaration order.
    pub const ALL: [Verdict; 13] = [
        Verdict::DeliveredOnce,
        Verdict::Lost,
        Verdict::FailedAndReported,
        Verdict::Duplicated,
        Verdict::Reordered,
        Verdict::DuplicateInLogVisibleOnce,
        Verdict::ProcessedTwiceEffectOnce,
        Verdict::AbortedInvisible,
        Verdict::AbortedButSeen,
        Verdict::Ambiguous,
        Verdict::Delayed,
        Verdict::Pending,
        Verdict::Unfinished,
    ];

    /// The stable kebab-case name used in messages to a host page (the same as its serde name).
    pub fn slug(self) -> &'static str {
        match self {
            Verdict::DeliveredOnce => "delivered-once",
            Verdict::Lost => "lost",
            Verdict::FailedAndReported => "failed-and-reported",
            Verdict::Duplicated => "duplicated",
            Verdict::Reordered => "reordered",
            Verdict::DuplicateInLogVisibleOnce => "duplicate-in-log-visible-once",
            Verdict::ProcessedTwiceEffectOnce => "processed-twice-effect-once",
            Verdict::AbortedInvisible => "aborted-invisible",
            Verdict::AbortedButSeen => "aborted-but-seen",
            Verdict::Ambiguous => "ambiguous",
            Verdict::Delayed => "delayed",
            Verdict::Pending => "pending",
            Verdict::Unfinished => "unfinished",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::DeliveredOnce => "delivered once",
            Verdict::Lost => "lost",
            Verdict::FailedAndReported => "failed and reported",
            Verdict::Duplicated => "duplicated",
            Verdict::Reordered => "reordered",
            Verdict::DuplicateInLogVisibleOnce => "duplicate in the log, visible once",
            Verdict::ProcessedTwiceEffectOnce => "processed twice, effect once",
            Verdict::AbortedInvisible => "aborted and invisible",
            Verdict::AbortedButSeen => "aborted but seen",
            Verdict::Ambiguous => "reported failed, yet written",
            Verdict::Delayed => "delayed",
            Verdict::Pending => "pending",
            Verdict::Unfinished => "unfinished",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One message's row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MessageRow {
    /// The message.
    pub msg: MsgId,
    /// Application send() calls (1 plus application re-sends).
    pub app_sends: u32,
    /// Produce requests the client sent (first attempts and retries).
    pub attempts: u32,
    /// Successes the producer saw.
    pub acks: u32,
    /// Errors reported to the application.
    pub errors: u32,
    /// Offsets of its copies in the log now.
    pub offsets: Vec<u64>,
    /// Copies a read_committed consumer can see (below the LSO, not aborted).
    pub visible_read_committed: u32,
    /// Copies a read_uncommitted consumer can see (below the high watermark).
    pub visible_read_uncommitted: u32,
    /// Processing runs that finished.
    pub processed: u32,
    /// Effects in the sink a reader sees (0 without a sink); for an output topic written in a
    /// transaction, the copies its read_committed downstream readers read.
    pub effects: u32,
    /// For an output topic written in a transaction only: the copies its read_uncommitted
    /// downstream readers read by now, aborted ones included (`Sink::read_downstream`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effects_read_uncommitted: Option<u32>,
    /// The main verdict.
    pub verdict: Verdict,
    /// Further verdicts that also hold (reordered, say).
    pub also: Vec<Verdict>,
    /// The events that explain the verdict, in log order.
    pub cause: Vec<EventId>,
    /// The verdict with its cause in one or two sentences.
    pub explanation: String,
}

impl MessageRow {
    /// The verdict's name, with the further verdicts that also hold: "delivered once (also reordered)".
    pub fn verdict_with_also(&self) -> String {
        if self.also.is_empty() {
            return self.verdict.label().to_owned();
        }
        let also = self.also.iter().map(|v| v.label()).collect::<Vec<_>>().join(", ");
        format!("{} (also {also})", self.verdict.label())
    }

    /// The heading of the row's explanation: why it ended as it did, or why it has no verdict.
    pub fn why(&self) -> String {
        match self.verdict {
            Verdict::Unfinished => format!("Why {} has no verdict", self.msg),
            verdict => format!("Why {} is {}", self.msg, verdict.label()),
        }
    }
}

/// Counts of main verdicts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Delivered once.
    pub delivered_once: u32,
    /// Lost.
    pub lost: u32,
    /// Duplicated.
    pub duplicated: u32,
    /// Everything else that has a verdict.
    pub other: u32,
    /// Without a verdict: the run hit the lab's bound before their journey ended.
    pub unfinished: u32,
}

/// The ledger of a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ledger {
    /// One row per message.
    pub rows: Vec<MessageRow>,
    /// Verdict counts.
    pub summary: Summary,
    /// Whether the run finished.
    pub run_state: RunState,
    /// The tick the ledger describes.
    pub tick: u64,
    /// What the configuration resolution changed.
    pub notes: Vec<String>,
}

#[derive(Default)]
struct Tally {
    app_sends: u32,
    attempts: u32,
    acks: u32,
    errors: u32,
    processed: u32,
    sink_writes: u32,
    first_append: Option<u64>,
    first_processing: Option<u64>,
    notable: Vec<EventId>,
    appended_at: Vec<u64>,
    /// The records send() reported failed.
    failed_records: Vec<u16>,
}

impl Ledger {
    /// Builds the ledger of a world as it stands.
    pub fn build(world: &World) -> Ledger {
        Ledger::build_with(world, true)
    }

    /// [`Ledger::build`] without the rows' explanations (`MessageRow::explanation` left empty):
    /// the same verdicts, counters and causes. The page builds this one, so that it carries none
    /// of the explanations' sentences; the worker writes them for it (issue 13's budget).
    pub fn build_without_words(world: &World) -> Ledger {
        Ledger::build_with(world, false)
    }

    fn build_with(world: &World, words: bool) -> Ledger {
        let mut tallies: Vec<Tally> = (0..world.messages).map(|_| Tally::default()).collect();
        let mut global = Vec::new();
        for event in world.events() {
            tally(event, &mut tallies, &mut global);
        }
        let first_offsets: Vec<Option<(usize, u64)>> = (1..=world.messages).map(|m| first_landed(world, MsgId(m))).collect();
        let rows: Vec<MessageRow> = tallies
            .into_iter()
            .enumerate()
            .map(|(i, t)| row(world, MsgId(i as u16 + 1), t, &global, &first_offsets, words))
            .collect();
        let mut summary = Summary::default();
        for r in &rows {
            match r.verdict {
                Verdict::DeliveredOnce => summary.delivered_once += 1,
                Verdict::Lost => summary.lost += 1,
                Verdict::Duplicated => summary.duplicated += 1,
                Verdict::Unfinished => summary.unfinished += 1,
                _ => summary.other += 1,
            }
        }
        Ledger { rows, summary, run_state: world.run_state(), tick: world.now(), notes: world.config().notes.clone() }
    }

    /// The row of a message (m1 is `row(1)`).
    pub fn row(&self, msg: u16) -> Option<&MessageRow> {
        self.rows.get(usize::from(msg).checked_sub(1)?)
    }

    /// The ledger as an aligned text table, one message a line.
    pub fn to_table(&self) -> String {
        let mut out = format!(
            "{:<4} {:>5} {:>8} {:>4} {:>6} {:>9} {:>8} {:>10} {:>9} {:>7}  {}\n",
            "msg", "sends", "attempts", "acks", "errors", "log", "vis(rc)", "vis(ru)", "processed", "effects", "verdict"
        );
        for r in &self.rows {
            let offsets = r.offsets.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
            out.push_str(&format!(
                "{:<4} {:>5} {:>8} {:>4} {:>6} {:>9} {:>8} {:>10} {:>9} {:>7}  {}\n",
                r.msg.to_string(),
                r.app_sends,
                r.attempts,
                r.acks,
                r.errors,
                if offsets.is_empty() { "-".to_string() } else { offsets },
                r.visible_read_committed,
                r.visible_read_uncommitted,
                r.processed,
                r.effects,
                r.verdict_with_also()
            ));
        }
        for r in self.rows.iter().filter(|r| r.verdict != Verdict::DeliveredOnce || !r.also.is_empty()) {
            out.push_str(&format!("  {}\n", r.explanation));
        }
        let s = self.summary;
        out.push_str(&format!(
            "delivered once: {}, lost: {}, duplicated: {}, other: {}",
            s.delivered_once, s.lost, s.duplicated, s.other
        ));
        if s.unfinished > 0 {
            out.push_str(&format!(", unfinished: {}", s.unfinished));
        }
        out.push('\n');
        if let Some(notice) = self.truncation_notice() {
            out.push_str(&format!("{notice}\n"));
        }
        out
    }

    /// What the run came to, in one sentence, for the end of playback: the verdict counts, and for
    /// a run the lab's bound stopped, that it did not finish and how many messages are unfinished.
    pub fn end_sentence(&self) -> String {
        let s = self.summary;
        let counts = format!(
            "{} delivered once, {} lost, {} duplicated, {} other",
            s.delivered_once, s.lost, s.duplicated, s.other
        );
        match self.truncation_notice() {
            Some(notice) => format!("{notice} So far: {counts}."),
            None => format!("The run is over: {counts}."),
        }
    }

    /// For a run the lab's bound stopped, the sentence that says so; `None` otherwise.
    pub fn truncation_notice(&self) -> Option<String> {
        (self.run_state == RunState::Truncated).then(|| {
            format!(
                "The run did not finish: it hit {}, so {} of {} messages are unfinished and have no verdict.",
                bound_at(self.tick),
                self.summary.unfinished,
                self.rows.len()
            )
        })
    }
}

/// Where the lab's bound stopped a run, as words.
fn bound_at(tick: u64) -> String {
    format!("the lab's bound ({} events or tick {}) at t={tick}", super::world::MAX_EVENTS, super::world::MAX_TICK)
}

impl World {
    /// For a run the lab's bound stopped (a whole run, played to its end), the sentence that warns
    /// of it before playback: in full, or short for a small frame.
    pub fn bound_notice(&self, short: bool) -> Option<String> {
        (self.run_state() == RunState::Truncated).then(|| {
            if short {
                format!("This run does not finish: it hits the lab's bound at t={}, so some messages end unfinished.", self.now())
            } else {
                format!(
                    "This run does not finish: it hits {}. Messages still on their way then are unfinished and get no verdict; fewer messages or shorter timeouts fit.",
                    bound_at(self.now())
                )
            }
        })
    }
}

/// Events that concern no single message but may explain any message's fate.
fn explains_any(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::FaultStruck { .. }
            | EventKind::BrokerCrashed { .. }
            | EventKind::BrokerFenced { .. }
            | EventKind::LeaderElected { unclean: true, .. }
            | EventKind::PartitionOffline
            | EventKind::Truncated { .. }
            | EventKind::ProducerCrashed { .. }
            | EventKind::ProducerClosed { .. }
            | EventKind::ProducerWoke { .. }
            | EventKind::TxnExpired { .. }
            | EventKind::ConsumerCrashed { .. }
            | EventKind::ConsumerClosed { .. }
            | EventKind::ConsumerLeftGroup { .. }
            | EventKind::FetchTimedOut { .. }
            | EventKind::EndTxnTimedOut { .. }
            | EventKind::CommitTimedOut { .. }
            | EventKind::ConsumerTxnAborted { .. }
            | EventKind::CommitFailed { .. }
            | EventKind::OffsetReset { .. }
            | EventKind::TruncationDetected { .. }
    )
}

fn tally(event: &Event, tallies: &mut [Tally], global: &mut Vec<EventId>) {
    let Some(msg) = event.msg() else {
        if explains_any(&event.kind) {
            global.push(event.id);
        }
        return;
    };
    let Some(t) = tallies.get_mut(usize::from(msg.0).wrapping_sub(1)) else { return };
    let notable = match event.kind {
        EventKind::AppSend { resend, .. } => {
            t.app_sends += 1;
            resend
        }
        EventKind::Sent { what: super::event::FlightKind::Produce { .. }, .. } => {
            t.attempts += 1;
            false
        }
        EventKind::ProducerAcked { .. } => {
            t.acks += 1;
            false
        }
        EventKind::ProducerFailed { record, .. } => {
            t.errors += 1;
            t.failed_records.push(record);
            true
        }
        EventKind::ProcessingFinished { .. } => {
            t.processed += 1;
            false
        }
        EventKind::Appended { offset, .. } => {
            t.appended_at.push(offset);
            t.first_append.get_or_insert(event.tick);
            true
        }
        EventKind::ProcessingStarted { .. } if t.first_processing.is_none() => {
            t.first_processing = Some(event.tick);
            false
        }
        EventKind::SinkWrite { .. } => {
            // The first effect is expected; later ones are evidence of a duplicate.
            t.sink_writes += 1;
            t.sink_writes > 1
        }
        EventKind::ProcessingStarted { .. } | EventKind::Arrived { .. } | EventKind::Sent { .. } => false,
        _ => true,
    };
    if notable {
        t.notable.push(event.id);
    }
}

/// The partition `msg` goes to.
fn part(world: &World, msg: MsgId) -> &super::broker::Partition {
    &world.partitions()[world.partition_of(msg)]
}

/// The offset of the first copy of `msg` a reader could see, in its partition.
fn first_visible(world: &World, msg: MsgId) -> Option<u64> {
    let p = part(world, msg);
    let log = p.log();
    let limit = visible_limit(world, p);
    (0..log.len()).find(|&i| log[i].msg() == Some(msg) && (i as u64) < limit && visible_at(world, log, i)).map(|i| i as u64)
}

/// `first_visible` with the partition: offsets compare only within a partition.
fn first_landed(world: &World, msg: MsgId) -> Option<(usize, u64)> {
    first_visible(world, msg).map(|offset| (world.partition_of(msg), offset))
}

fn visible_limit(world: &World, p: &super::broker::Partition) -> u64 {
    match world.config().config.isolation_level {
        IsolationLevel::ReadCommitted => p.lso(),
        IsolationLevel::ReadUncommitted => p.hw(),
    }
}

fn visible_at(world: &World, log: &[super::broker::LogEntry], index: usize) -> bool {
    world.config().config.isolation_level == IsolationLevel::ReadUncommitted || txn_mark(log, index) != TxnMark::Aborted
}

struct Copies {
    offsets: Vec<u64>,
    rc: u32,
    ru: u32,
    aborted: u32,
    unreadable_yet: u32,
    /// Copies (not aborted) of records send() reported failed.
    failed_but_written: u32,
}

fn copies(world: &World, msg: MsgId, failed_records: &[u16]) -> Copies {
    let p = part(world, msg);
    let log = p.log();
    let (hw, lso) = (p.hw(), p.lso());
    let mut c = Copies { offsets: Vec::new(), rc: 0, ru: 0, aborted: 0, unreadable_yet: 0, failed_but_written: 0 };
    for (i, entry) in log.iter().enumerate() {
        if entry.msg() != Some(msg) {
            continue;
        }
        let offset = i as u64;
        c.offsets.push(offset);
        let mark = txn_mark(log, i);
        if mark == TxnMark::Aborted {
            c.aborted += 1;
        } else if matches!(entry.kind, super::broker::EntryKind::Data { record, .. } if failed_records.contains(&record) || abandoned(world, record)) {
            c.failed_but_written += 1;
        }
        if offset < hw {
            c.ru += 1;
        }
        if offset < lso && mark != TxnMark::Aborted {
            c.rc += 1;
        }
        if offset >= hw || mark == TxnMark::Open {
            c.unreadable_yet += 1;
        }
    }
    c
}

/// Whether the application took `record` as failed because it gave up on its transaction (its
/// commitTransaction() timed out and it closed the producer).
fn abandoned(world: &World, record: u16) -> bool {
    let Some(r) = world.producer.records.get(usize::from(record)) else { return false };
    r.txn.is_some() && world.producer.sessions.get(usize::from(r.session)).is_some_and(|s| s.abandoned_txn == r.txn)
}

/// One message's verdicts and counters without the causes and the sentence: what the explorer
/// needs from every run, at a fraction of [`Ledger::build`]'s cost. Same rules, same results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Assessment {
    pub verdict: Verdict,
    pub also: Vec<Verdict>,
    pub processed: u32,
    pub effects: u32,
}

/// Every message's [`Assessment`], in message order.
pub(crate) fn assess_all(world: &World) -> Vec<Assessment> {
    let mut tallies: Vec<Tally> = (0..world.messages).map(|_| Tally::default()).collect();
    let mut global = Vec::new();
    for event in world.events() {
        tally(event, &mut tallies, &mut global);
    }
    let first_offsets: Vec<Option<(usize, u64)>> = (1..=world.messages).map(|m| first_landed(world, MsgId(m))).collect();
    tallies
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let msg = MsgId(i as u16 + 1);
            let c = copies(world, msg, &t.failed_records);
            let (verdict, also, effects) = assess(world, msg, t, &c, &global, &first_offsets);
            Assessment { verdict, also, processed: t.processed, effects }
        })
        .collect()
}

/// The verdict, the further verdicts and the sink's effects of one message.
fn assess(world: &World, msg: MsgId, t: &Tally, c: &Copies, global: &[EventId], first: &[Option<(usize, u64)>]) -> (Verdict, Vec<Verdict>, u32) {
    let cfg = &world.config().config;
    let effects = world.sink().effects(cfg.sink, msg);
    let read_committed = cfg.isolation_level == IsolationLevel::ReadCommitted;
    let visible = if read_committed { c.rc } else { c.ru };
    let (verdict, mut also) = judge(world, msg, t, c, visible, effects);
    // A run cut short by the lab's bound: what was still on its way, waiting to be read, or
    // missing without anything having settled it, has no verdict, only "unfinished".
    if world.run_state() == RunState::Truncated && matches!(verdict, Verdict::Pending | Verdict::Delayed) {
        return (Verdict::Unfinished, Vec::new(), effects);
    }
    // Mid-run, a message not yet readable or not yet processed is still on its way: "pending".
    // "Delayed" is an outcome, given once the run is over (held back by a failover or an open
    // transaction, readable later).
    let verdict = if world.run_state() == RunState::Running && verdict == Verdict::Delayed { Verdict::Pending } else { verdict };
    let (overtaken_by, overtook) = inversions(msg, first);
    let reordered = !overtaken_by.is_empty();
    let verdict = if reordered && verdict == Verdict::DeliveredOnce {
        Verdict::Reordered
    } else {
        if reordered || !overtook.is_empty() {
            // Both ends of an inversion: the message that landed late and the one that overtook it.
            also.push(Verdict::Reordered);
        }
        verdict
    };
    if c.failed_but_written > 0 {
        also.push(Verdict::Ambiguous);
    }
    if held_back(world, t, global) && verdict != Verdict::Delayed {
        also.push(Verdict::Delayed);
    }
    (verdict, also, effects)
}

/// The later messages readable before `msg` (it landed behind them) and the earlier ones readable
/// after it (it overtook them), by the offset of each message's first readable copy. Order holds
/// per partition only: messages of other partitions never count.
fn inversions(msg: MsgId, first: &[Option<(usize, u64)>]) -> (Vec<MsgId>, Vec<MsgId>) {
    let (mut overtaken_by, mut overtook) = (Vec::new(), Vec::new());
    let Some((partition, mine)) = first[usize::from(msg.0 - 1)] else { return (overtaken_by, overtook) };
    for (i, other) in first.iter().enumerate() {
        let other_msg = MsgId(i as u16 + 1);
        match *other {
            Some((p, o)) if p == partition && other_msg > msg && o < mine => overtaken_by.push(other_msg),
            Some((p, o)) if p == partition && other_msg < msg && o > mine => overtook.push(other_msg),
            _ => {}
        }
    }
    (overtaken_by, overtook)
}

fn row(world: &World, msg: MsgId, t: Tally, global: &[EventId], first: &[Option<(usize, u64)>], words: bool) -> MessageRow {
    let c = copies(world, msg, &t.failed_records);
    let (verdict, also, effects) = assess(world, msg, &t, &c, global, first);
    let cause = cause_events(world, msg, &t, global, verdict);
    let explanation = if words { explanation(world, msg, verdict, &also, &cause, &c, first) } else { String::new() };
    MessageRow {
        msg,
        app_sends: t.app_sends,
        attempts: t.attempts,
        acks: t.acks,
        errors: t.errors,
        offsets: c.offsets,
        visible_read_committed: c.rc,
        visible_read_uncommitted: c.ru,
        processed: t.processed,
        effects,
        effects_read_uncommitted: (world.config().config.sink == SinkKind::OutputTopicInTransaction).then(|| {
            let read = world.sink.read_downstream(SinkKind::OutputTopicInTransaction, crate::IsolationLevel::ReadUncommitted);
            read.iter().filter(|&&m| m == msg).count() as u32
        }),
        verdict,
        also,
        cause,
        explanation,
    }
}

/// The row's explanation in words: its verdict, its causes, and what would have prevented it.
fn explanation(world: &World, msg: MsgId, verdict: Verdict, also: &[Verdict], cause: &[EventId], c: &Copies, first: &[Option<(usize, u64)>]) -> String {
    let mut explanation = explain(world, msg, verdict, also, cause, &c.offsets);
    let (overtaken_by, overtook) = inversions(msg, first);
    let names = |list: &[MsgId]| list.iter().map(MsgId::to_string).collect::<Vec<_>>().join(", ");
    if !overtaken_by.is_empty() {
        explanation.push_str(&format!(". It landed behind {}, sent after it", names(&overtaken_by)));
    }
    if !overtook.is_empty() {
        explanation.push_str(&format!(". It landed ahead of {}, sent before it", names(&overtook)));
    }
    if c.failed_but_written > 0 {
        explanation.push_str(&format!(
            ". send() reported {msg} failed, yet that record is in the log: the application believes it failed, and a re-send would write it again (only an idempotent sink, or a transaction that aborts the failed send, makes the outcome unambiguous)"
        ));
    }
    explanation
}

/// The verdict rules, in order: aborted, never visible (lost, failed, delayed), visible but not
/// processed (lost to the committed offset, or delayed), then duplicates.
fn judge(world: &World, msg: MsgId, t: &Tally, c: &Copies, visible: u32, effects: u32) -> (Verdict, Vec<Verdict>) {
    let cfg = &world.config().config;
    let count = c.offsets.len() as u32;
    // Only a run that ended by itself settles what has not happened yet; a truncated one did not.
    let quiescent = world.run_state() == RunState::Quiescent;
    if count > 0 && c.aborted == count {
        let seen = cfg.isolation_level == IsolationLevel::ReadUncommitted && t.processed > 0;
        return (if seen { Verdict::AbortedButSeen } else { Verdict::AbortedInvisible }, Vec::new());
    }
    if visible == 0 && t.processed == 0 {
        if c.unreadable_yet > 0 {
            return (Verdict::Delayed, Vec::new());
        }
        let app = world.producer.app[usize::from(msg.0 - 1)];
        return match app.status {
            super::producer::AppStatus::Pending | super::producer::AppStatus::Sending if !quiescent => {
                (Verdict::Pending, Vec::new())
            }
            // Never sent: the application stopped before it called send() (a producer that stays
            // down). Nothing was lost; nothing was produced.
            super::producer::AppStatus::Pending if t.app_sends == 0 => (Verdict::Pending, Vec::new()),
            super::producer::AppStatus::Failed if t.acks == 0 => (Verdict::FailedAndReported, Vec::new()),
            super::producer::AppStatus::Aborted => (Verdict::AbortedInvisible, Vec::new()),
            // In no log when the bound stopped the run: a failover under way could still bring a
            // copy back, so the bound, not Kafka, decided this (made "unfinished" by `assess`).
            _ if world.run_state() == RunState::Truncated => (Verdict::Pending, Vec::new()),
            _ => (Verdict::Lost, Vec::new()),
        };
    }
    let effect_count = if cfg.sink == SinkKind::None { t.processed } else { effects };
    if t.processed == 0 {
        let passed = consumer_passed(world, msg);
        return (if passed { Verdict::Lost } else { Verdict::Delayed }, Vec::new());
    }
    if effect_count == 0 {
        return (if quiescent { Verdict::Lost } else { Verdict::Delayed }, Vec::new());
    }
    let mut also = Vec::new();
    // A read_uncommitted consumer processed a copy whose transaction aborted (ConsumerConfig
    // isolation.level: read_uncommitted "will return all messages, even transactional messages
    // which have been aborted").
    if cfg.isolation_level == IsolationLevel::ReadUncommitted && processed_aborted_copy(world, msg) {
        also.push(Verdict::AbortedButSeen);
    }
    // A message processed from a copy that a failover later truncated was still delivered.
    if count > visible && visible == 1 {
        also.push(Verdict::DuplicateInLogVisibleOnce);
    }
    let verdict = if effect_count > 1 {
        Verdict::Duplicated
    } else if t.processed > 1 {
        Verdict::ProcessedTwiceEffectOnce
    } else if visible > 1 {
        Verdict::Duplicated
    } else if count > visible {
        also.retain(|v| *v == Verdict::AbortedButSeen);
        Verdict::DuplicateInLogVisibleOnce
    } else {
        Verdict::DeliveredOnce
    };
    (verdict, also)
}

/// Whether the consumer processed one copy of `msg` (one offset) more than once.
fn processed_twice_from_one_copy(world: &World, msg: MsgId) -> bool {
    let mut offsets: Vec<u64> = world
        .events()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::ProcessingFinished { msg: m, offset } if m == msg => Some(offset),
            _ => None,
        })
        .collect();
    let runs = offsets.len();
    crate::order::sort_dedup(&mut offsets);
    offsets.len() < runs
}

/// Whether the consumer processed a copy of `msg` that sits in an aborted transaction.
fn processed_aborted_copy(world: &World, msg: MsgId) -> bool {
    let log = part(world, msg).log();
    world.events().iter().any(|e| match e.kind {
        EventKind::ProcessingFinished { msg: m, offset } if m == msg => {
            let index = offset as usize;
            log.get(index).and_then(|entry| entry.msg()) == Some(msg) && txn_mark(log, index) == TxnMark::Aborted
        }
        _ => false,
    })
}

/// Whether the group's progress (committed offset, or the offset stored in the database) has
/// passed the message's first visible copy, so no consumer will read it again.
fn consumer_passed(world: &World, msg: MsgId) -> bool {
    let Some(offset) = first_visible(world, msg) else { return false };
    let partition = world.partition_of(msg) as u8;
    let progress = if world.config().config.sink == SinkKind::DbOffsetsInDb {
        world.sink().db_offset
    } else {
        world.group().committed(partition)
    };
    // Where the member reading the partition stands (a lone consumer: the consumer).
    let group = super::consumer::group_of_several(world.config());
    let reading = |c: &&super::consumer::Consumer| (!group || c.assigned) && c.read(partition).is_some();
    let reader = world.consumers().iter().find(reading).unwrap_or(world.consumer());
    let position = reader.position_of(partition).unwrap_or(reader.position);
    let skipped = world.run_state() == RunState::Quiescent && position > offset;
    progress.is_some_and(|p| p > offset) || skipped
}

/// Whether the message waited, between its append and its first processing, for an open
/// transaction to time out, for a crashed leader to be fenced and replaced, or for an offline
/// partition to come back: readable later, not lost.
fn held_back(world: &World, t: &Tally, global: &[EventId]) -> bool {
    let (Some(from), Some(to)) = (t.first_append, t.first_processing) else { return false };
    global.iter().map(|id| &world.events()[id.0 as usize]).any(|e| {
        e.tick > from
            && e.tick < to
            && matches!(
                e.kind,
                EventKind::TxnExpired { fenced: false, .. } | EventKind::PartitionOffline | EventKind::BrokerFenced { .. }
            )
    })
}

/// The most events a message's cause chain keeps.
const MAX_CAUSES: usize = 16;

fn cause_events(world: &World, msg: MsgId, t: &Tally, global: &[EventId], verdict: Verdict) -> Vec<EventId> {
    let mut cause: Vec<EventId> = t.notable.clone();
    if verdict == Verdict::Unfinished {
        // The bound decided, not a fault elsewhere in the run: name the stop, blame nothing else.
        let stop = world.events().iter().rev().find(|e| matches!(e.kind, EventKind::RunTruncated { .. }));
        cause.extend(stop.map(|e| e.id));
    } else if verdict != Verdict::DeliveredOnce {
        cause.extend_from_slice(global);
    }
    // A record in the log that was never processed: the consumer-side events that moved the
    // group past it (a start at a reset position, a stored offset, a commit) decide the verdict.
    if t.processed == 0 && verdict == Verdict::Lost {
        if let Some(offset) = first_visible(world, msg) {
            cause.extend(passing_events(world, world.partition_of(msg) as u8, offset));
        }
    }
    // A message processed more than once: each processing run and each effect is a line of its
    // own, and so is each restart of the consumer after its first processing (it says the
    // committed offset it resumed from, which is why the message was read again).
    if t.processed > 1 || t.sink_writes > 1 {
        let first = t.first_processing.unwrap_or(0);
        let partition = world.partition_of(msg) as u8;
        for e in world.events() {
            match e.kind {
                EventKind::ProcessingFinished { msg: m, .. } | EventKind::SinkWrite { msg: m, .. } if m == msg => cause.push(e.id),
                EventKind::ConsumerStarted { partition: p, .. } if p == partition && e.tick > first => cause.push(e.id),
                _ => {}
            }
        }
    }
    let events = world.events();
    cause.retain(|id| {
        !matches!(events[id.0 as usize].kind, EventKind::FaultNotApplicable { .. })
    });
    crate::order::sort_dedup(&mut cause);
    if cause.len() > MAX_CAUSES {
        // Keep the deciding events, then the earliest others.
        let mut keep: Vec<EventId> = cause.iter().copied().filter(|id| decisive(&events[id.0 as usize].kind)).collect();
        keep.truncate(MAX_CAUSES);
        for id in &cause {
            if keep.len() >= MAX_CAUSES {
                break;
            }
            if !keep.contains(id) {
                keep.push(*id);
            }
        }
        crate::order::sort(&mut keep);
        cause = keep;
    }
    cause
}

/// The first event of each kind that moved the consumer or the group past `offset`.
fn passing_events(world: &World, partition: u8, offset: u64) -> Vec<EventId> {
    let mut found = Vec::new();
    let mut seen = [false; 3];
    for e in world.events() {
        let slot = match e.kind {
            EventKind::ConsumerStarted { position, partition: p, .. } if p == partition && position > offset => 0,
            EventKind::OffsetStored { offset: o, partition: p } if p == partition && o > offset => 1,
            EventKind::Committed { offset: o, partition: p, .. } if p == partition && o > offset => 2,
            _ => continue,
        };
        if !seen[slot] {
            seen[slot] = true;
            found.push(e.id);
        }
    }
    found
}

/// Whether an event decides a verdict, so the explanation must keep it.
fn decisive(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::ProducerFailed { .. }
            | EventKind::ProducerAcked { .. }
            | EventKind::Truncated { .. }
            | EventKind::Committed { .. }
            | EventKind::ConsumerStarted { .. }
            | EventKind::OffsetStored { .. }
            | EventKind::LeaderElected { unclean: true, .. }
            | EventKind::TxnExpired { .. }
            | EventKind::FaultStruck { .. }
            | EventKind::RunTruncated { .. }
    )
}

/// The setting that would have prevented the outcome, named from its cause.
fn remedy(world: &World, msg: MsgId, verdict: Verdict, also: &[Verdict], cause: &[EventId], offsets: &[u64]) -> Option<String> {
    let cfg = &world.config().config;
    let events = world.events();
    let has = |pred: &dyn Fn(&EventKind) -> bool| cause.iter().any(|id| pred(&events[id.0 as usize].kind));
    let idempotence_note = || {
        world.config().notes.iter().find(|n| n.starts_with("idempotence")).map(|n| format!("{n}; "))
    };
    let text = match verdict {
        Verdict::Lost if offsets.is_empty() => {
            if has(&|k| matches!(k, EventKind::LeaderElected { unclean: true, .. })) {
                "unclean.leader.election.enable=false would have kept it (only an in-sync replica may lead)".to_owned()
            } else if cfg.acks == super::config::Acks::Zero && !has(&|k| matches!(k, EventKind::Truncated { .. })) {
                "acks=0 never learns of a failure; acks=all with retries would have re-sent it".to_owned()
            } else if cfg.acks != super::config::Acks::All {
                "acks=all (with min.insync.replicas=2) would have answered only once the follower had it".to_owned()
            } else if cfg.replication_factor < 2 {
                "replication.factor=2 (with acks=all) would have kept a copy".to_owned()
            } else {
                return None;
            }
        }
        Verdict::Lost => {
            let reset = has(&|k| matches!(k, EventKind::ConsumerStarted { committed: None, .. }))
                && cfg.auto_offset_reset == super::config::OffsetReset::Latest;
            if reset {
                "auto.offset.reset=earliest would have read it (latest skips what was written before the start)".to_owned()
            } else if cfg.enable_auto_commit && cfg.auto_commit_style == super::config::AutoCommitStyle::BackgroundStored {
                "enable.auto.offset.store=false, storing each offset after processing, would have kept it".to_owned()
            } else if cfg.enable_auto_commit {
                "enable.auto.commit=false with a commit after processing would have kept it".to_owned()
            } else if cfg.manual_commit == super::config::ManualCommit::BeforeProcessing {
                "lab.manual.commit=after-processing would have read it again (at-least-once)".to_owned()
            } else {
                return None;
            }
        }
        Verdict::FailedAndReported => {
            "the application got the error: a larger delivery.timeout.ms, or re-sending on error (lab.resend.on.error), would have delivered it".to_owned()
        }
        Verdict::Duplicated | Verdict::DuplicateInLogVisibleOnce | Verdict::ProcessedTwiceEffectOnce
            if offsets.len() > 1 =>
        {
            let resend = events.iter().any(|e| matches!(e.kind, EventKind::AppSend { msg: m, resend: true, .. } if m == msg));
            let new_instance = has(&|k| matches!(k, EventKind::ProducerCrashed { .. } | EventKind::ProducerWoke { .. }));
            let producer_side = if verdict != Verdict::Duplicated {
                return None;
            } else if resend {
                "an application re-send is a new record: only an idempotent sink (upsert by message id) absorbs it".to_owned()
            } else if new_instance && !world.config().transactional {
                "a transactional.id (with isolation.level=read_committed) would have fenced the old instance and aborted its copy".to_owned()
            } else if !world.config().idempotence {
                format!("{}enable.idempotence=true would have deduplicated the retry", idempotence_note().unwrap_or_default())
            } else if also.contains(&Verdict::AbortedButSeen) {
                return Some(aborted_copy_note().to_owned());
            } else if new_instance {
                // KIP-98, zombie fencing: InitProducerId aborts the old instance's *open*
                // transaction and fences its epoch; a transaction it had committed stays. The
                // replacement sending the same input again writes a second committed copy.
                format!(
                    "the replacement producer instance sent {msg} again although the old instance had already committed it: a committed transaction stays (fencing, or the transaction timeout, aborts only what the old instance left open), so a restarted application must resume after what it committed"
                )
            } else {
                return None;
            };
            // Two causes, two remedies: a copy in the log the producer wrote twice, and a copy the
            // consumer processed twice (a restart read it again from the committed offset). The
            // producer's setting alone leaves the second (Kafka docs 4.6, Message Delivery
            // Semantics: idempotence covers the producer's retries; the consumer's side needs its
            // position stored with its output, or an idempotent output).
            if processed_twice_from_one_copy(world, msg) && !resend {
                format!(
                    "{producer_side}; and a copy was processed twice (a restarted consumer read it again): an idempotent sink, or offsets committed with the output, would have kept that one effect"
                )
            } else {
                producer_side
            }
        }
        // The output topic is in the transaction; the database INSERT beside it is not.
        Verdict::Duplicated if cfg.sink == SinkKind::OutputTopicAndDb => {
            "the database INSERT is outside Kafka's transaction (an abort takes back the output, not the row): an UPSERT by message id, or the offsets stored in the database, would have kept one row".to_owned()
        }
        Verdict::Duplicated => {
            "an idempotent sink, or offsets committed with the output (a transaction, or offsets in the database), would have kept one effect".to_owned()
        }
        Verdict::Reordered => format!(
            "{}enable.idempotence=true (or max.in.flight.requests.per.connection=1) keeps send order across retries",
            idempotence_note().unwrap_or_default()
        ),
        Verdict::AbortedButSeen => "isolation.level=read_committed would have hidden it".to_owned(),
        Verdict::Pending if world.run_state() == RunState::Quiescent => {
            // The application sends in program order: a message held back holds those after it.
            let held = (1..=msg.0).map(MsgId).find_map(|m| match world.producer.scheduled(m) {
                Some(at @ crate::SendAt::After(..)) => Some((m, at)),
                _ => None,
            });
            match held {
                // "holds m2": m2 itself, or the message the application sends before it.
                Some((m, at)) => format!("never sent: the send schedule holds {m} until {at}, which never happened"),
                None => "never sent: the producer application stopped before it called send() (a restarted instance would send it)".to_owned(),
            }
        }
        _ => return None,
    };
    let text = if also.contains(&Verdict::AbortedButSeen) && verdict != Verdict::AbortedButSeen {
        format!("{text}; {}", aborted_copy_note())
    } else {
        text
    };
    Some(text)
}

fn aborted_copy_note() -> &'static str {
    "a processed copy belonged to an aborted transaction, which isolation.level=read_committed would have hidden"
}

fn explain(world: &World, msg: MsgId, verdict: Verdict, also: &[Verdict], cause: &[EventId], offsets: &[u64]) -> String {
    let events = world.events();
    let mut text = if verdict == Verdict::Unfinished {
        format!("{msg} unfinished (the run hit the lab's bound)")
    } else {
        format!("{msg} {verdict}")
    };
    if !offsets.is_empty() {
        let list = offsets.iter().map(u64::to_string).collect::<Vec<_>>().join(", ");
        text.push_str(&format!(" (log offsets {list})"));
    }
    let candidates: Vec<&Event> = cause
        .iter()
        .map(|id| &events[id.0 as usize])
        .filter(|e| verdict != Verdict::DeliveredOnce || !matches!(e.kind, EventKind::Appended { .. }))
        .collect();
    // Six steps at most, always keeping the events that decide the verdict, in log order.
    let mut keep: Vec<&Event> = candidates.iter().copied().filter(|e| decisive(&e.kind)).collect();
    keep.truncate(6);
    for e in &candidates {
        if keep.len() >= 6 {
            break;
        }
        if !keep.iter().any(|k| k.id == e.id) {
            keep.push(e);
        }
    }
    crate::order::sort_by_key(&mut keep, |e| e.id);
    let steps: Vec<String> = keep.iter().map(|e| format!("{} at t={}", e.kind, e.tick)).collect();
    if !steps.is_empty() {
        text.push_str(": ");
        text.push_str(&steps.join("; "));
    }
    if let Some(remedy) = remedy(world, msg, verdict, also, cause, offsets) {
        text.push_str(&format!(". {remedy}"));
    }
    text
}
