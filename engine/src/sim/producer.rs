//! The producer application and its Kafka client: records, retries, sequence numbers, in-flight
//! limits, transactions, crashes, restarts and zombies.
//!
//! Rules followed: Sender.java (retries, in-flight batch expiry at delivery.timeout.ms),
//! TransactionManager.java (sequence numbers per partition, epoch bumps, fencing),
//! KafkaProducer.send (acks=0 completes without a response), KIP-98 and KIP-580 (backoff).

use serde::Serialize;

use super::config::{Acks, CommitTimeout};
use super::event::{Actor, EventKind, FlightKind, MsgId, ProduceError, ProduceOutcome, Tick};
use super::fault::Fault;
use super::schedule::SendAt;
use super::broker::Partition;
use super::config::EffectiveConfig;
use super::txn::{TxnCoordinator, MAX_PARTITIONS};
use super::world::{ctx, Action, BrokenConnection, Ctx, World, MAX_APP_SENDS, MAX_SESSIONS};

/// What the application knows about one of its messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppStatus {
    /// Not sent yet.
    Pending,
    /// Sent; no outcome yet.
    Sending,
    /// Success reported (for a transaction: the commit returned).
    Acked,
    /// An error reported to the application.
    Failed,
    /// The application aborted its transaction.
    Aborted,
}

/// One application message and the application's view of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct AppMessage {
    /// Which message.
    pub msg: MsgId,
    /// What the application was told last.
    pub status: AppStatus,
    /// How many times the application called send() for it.
    pub sends: u32,
}

impl AppMessage {
    pub(crate) fn new(msg: MsgId) -> AppMessage {
        AppMessage { msg, status: AppStatus::Pending, sends: 0 }
    }
}

/// Where a record stands in the producer client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordState {
    /// Waiting in the accumulator for an in-flight slot.
    Queued,
    /// A produce request is out.
    InFlight,
    /// Waiting out retry.backoff.ms before the next attempt.
    Backoff,
    /// Acknowledged.
    Acked,
    /// Failed and reported.
    Failed,
    /// Its producer instance crashed; nobody will hear of it again.
    Orphaned,
}

/// One record (one batch) of the producer client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Record {
    /// Its index in `Producer::records` (`World::records()`).
    pub id: u16,
    /// The message it carries.
    pub msg: MsgId,
    /// The partition it goes to (its message's key decides).
    pub partition: u8,
    /// The producer instance that created it.
    pub session: u8,
    /// Producer id and epoch it was sent with (0 without idempotence).
    pub pid: u32,
    /// Producer epoch.
    pub epoch: u16,
    /// Sequence number, assigned on first send when idempotence is on.
    pub seq: Option<u32>,
    /// Produce attempts so far.
    pub attempts: u32,
    /// When the application sent it.
    pub created: Tick,
    /// When delivery.timeout.ms expires.
    pub deadline: Tick,
    /// Where it stands.
    pub state: RecordState,
    /// The offset it was acknowledged at.
    pub offset: Option<u64>,
    /// False once the application stopped waiting for it (and re-sent the message).
    pub app_waiting: bool,
    /// The producer transaction it belongs to.
    pub txn: Option<u32>,
    /// The flight of its latest attempt.
    pub flight: Option<u32>,
    /// Whether its delivery.timeout.ms expiry is scheduled while it waits for a leader.
    #[serde(skip)]
    pub(crate) expiry_armed: bool,
    /// Its place in the accumulator's queue: new records count up, a re-enqueued one (without
    /// idempotence) goes to the head.
    #[serde(skip)]
    pub(crate) queue_key: i64,
}

/// A producer instance's transaction state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionTxn {
    /// Not transactional.
    None,
    /// InitProducerId is out.
    Initializing,
    /// Ready to begin a transaction.
    Ready,
    /// A transaction is open.
    Open,
    /// EndTxn is out.
    Ending,
    /// Fenced: a newer instance owns the transactional id. The instance can do nothing more.
    Fenced,
}

/// One producer instance (the first, or one started after a crash or beside a zombie).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProducerSession {
    /// Its number.
    pub session: u8,
    /// Whether the process runs.
    pub alive: bool,
    /// Until when it is frozen (a zombie's pause).
    pub frozen_until: Option<Tick>,
    /// Producer id (0 without idempotence).
    pub pid: u32,
    /// Producer epoch.
    pub epoch: u16,
    /// By partition, the epoch its batches are numbered under: an idempotent producer's bump
    /// rewrites the sequences of the partition that caused it only; another partition keeps its
    /// epoch and sequences for the batches it has out, and numbers new ones under the new epoch
    /// from 0 once none is left (TransactionManager.bumpIdempotentProducerEpoch over
    /// partitionsToRewriteSequences, maybeUpdateProducerIdAndEpoch).
    pub epoch_of: [u16; MAX_PARTITIONS],
    /// The next sequence number, by partition (TransactionManager numbers each partition's
    /// batches apart).
    pub next_seq: [u32; MAX_PARTITIONS],
    /// By partition, whether a batch that went out expired with its outcome unknown
    /// (TransactionManager's unresolved sequence): no new batch of that partition is numbered
    /// until its batches in flight complete.
    pub unresolved: [bool; MAX_PARTITIONS],
    /// Which transactional id it uses, if transactional.
    pub transactional_id: Option<u8>,
    /// Its transaction state.
    pub txn: SessionTxn,
    /// The number of its current transaction.
    pub txn_no: u32,
    /// Messages still to send in the open transaction.
    pub txn_left: u32,
    /// The messages this instance sends, in order.
    pub todo: Vec<MsgId>,
    /// How many of `todo` it has sent.
    pub next: usize,
    /// The open transaction hit an abortable error (OUT_OF_ORDER_SEQUENCE for the next batch): its
    /// records fail, and aborting it bumps the epoch (KIP-360).
    #[serde(skip)]
    pub(crate) abortable: bool,
    /// Whether the EndTxn out (while `txn` is `Ending`) commits: a retry sends the same.
    #[serde(skip)]
    pub(crate) ending_commit: bool,
    /// The transaction the application gave up on when its commitTransaction() timed out and it
    /// closed this instance (`lab.commit.timeout=close`): it took the records as failed.
    #[serde(skip)]
    pub(crate) abandoned_txn: Option<u32>,
}

/// The producer application and its Kafka client: the application's view of each message (it
/// outlives producer instances), every producer instance (restarts and zombies) and every
/// record they sent. Its handlers take `&mut self`, the `Ctx` and `ProducerPeers`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Producer {
    /// The application's view of each message, by message number - 1.
    pub app: Vec<AppMessage>,
    /// Every producer instance, by session number; the last one is the application's current.
    pub sessions: Vec<ProducerSession>,
    /// Every record of every instance, by id.
    pub records: Vec<Record>,
    /// The accumulator's queue counter (see `Record::queue_key`).
    next_queue_key: i64,
    /// The send schedule: when the application sends each message, by message number - 1, where
    /// the scenario says ([`crate::World::set_send_schedule`]); a message without an entry
    /// follows the one before it by `lab.send.interval.ms`. An entry waiting for an event becomes
    /// a tick when the event happens (`World::send_events`).
    pub send_at: Vec<Option<SendAt>>,
    /// The producer instance and the scheduled message whose send it has queued, so that two
    /// waits for the same message queue one send (a restarted instance queues its own).
    send_due: Option<(u8, MsgId)>,
}

/// What a producer handler borrows of the other actors besides the [`Ctx`], each use a shortcut
/// lib.rs names ("Modelling decisions").
pub(crate) struct ProducerPeers<'a> {
    /// The partitions as the client's metadata sees them: who leads each
    /// (`World::clients_learn_leader`).
    pub partitions: &'a [Partition],
    /// The transaction coordinator, reached only by `Producer::abort_bumps_epoch`.
    pub txn_coordinator: &'a mut TxnCoordinator,
    /// The producer ids handed out: an idempotent producer gets one without an InitProducerId
    /// round trip (lib.rs, "Modelling decisions").
    pub next_pid: &'a mut u32,
}

impl Producer {
    pub(crate) fn new(messages: u16) -> Producer {
        let app = (1..=messages).map(|m| AppMessage::new(MsgId(m))).collect();
        Producer { app, sessions: Vec::new(), records: Vec::new(), next_queue_key: 0, send_at: Vec::new(), send_due: None }
    }

    fn current_session(&self) -> u8 {
        (self.sessions.len() - 1) as u8
    }

    fn session_mut(&mut self, session: u8) -> &mut ProducerSession {
        &mut self.sessions[usize::from(session)]
    }

    /// Starts a producer instance. It sends every message the application has not seen succeed or
    /// fail, in order: a restarted application re-sends what it could not confirm.
    pub(crate) fn start_producer_session(&mut self, ctx: &mut Ctx, peers: &mut ProducerPeers, new_id: bool) {
        let session = self.sessions.len() as u8;
        let todo: Vec<MsgId> = self
            .app
            .iter()
            .filter(|m| matches!(m.status, AppStatus::Pending | AppStatus::Sending))
            .map(|m| m.msg)
            .collect();
        let previous_id = self.sessions.last().and_then(|p| p.transactional_id).unwrap_or(0);
        let transactional_id = ctx.cfg.transactional.then_some(if new_id && session > 0 {
            previous_id + 1
        } else {
            previous_id
        });
        self.sessions.push(ProducerSession {
            session,
            alive: true,
            frozen_until: None,
            pid: 0,
            epoch: 0,
            epoch_of: [0; MAX_PARTITIONS],
            next_seq: [0; MAX_PARTITIONS],
            unresolved: [false; MAX_PARTITIONS],
            transactional_id,
            txn: SessionTxn::None,
            txn_no: 0,
            txn_left: 0,
            todo,
            next: 0,
            abortable: false,
            ending_commit: false,
            abandoned_txn: None,
        });
        if let Some(tid) = transactional_id {
            self.session_mut(session).txn = SessionTxn::Initializing;
            let from = Actor::Producer { session };
            ctx.send(from, Actor::TxnCoordinator, FlightKind::InitProducerId { transactional_id: tid });
            return;
        }
        let pid = if ctx.cfg.idempotence {
            *peers.next_pid += 1;
            *peers.next_pid - 1
        } else {
            0
        };
        self.session_mut(session).pid = pid;
        ctx.record(EventKind::ProducerStarted { session, pid, epoch: 0 });
        ctx.schedule(ctx.now, Action::AppSend { session });
    }

    /// The answer to InitProducerId: the instance may begin transactions.
    pub(crate) fn on_init_producer_id_response(&mut self, ctx: &mut Ctx, id: u32) {
        let flight = &ctx.flights[id as usize];
        let (Actor::Producer { session }, FlightKind::InitProducerIdResponse { pid, epoch }) = (flight.to, flight.what)
        else {
            return;
        };
        let s = self.session_mut(session);
        s.pid = pid;
        s.epoch = epoch;
        s.epoch_of = [epoch; MAX_PARTITIONS];
        s.txn = SessionTxn::Ready;
        ctx.record(EventKind::ProducerStarted { session, pid, epoch });
        ctx.schedule(ctx.now, Action::AppSend { session });
    }

    /// Defers an action while the instance is frozen; returns false if the instance cannot act.
    fn can_act(&mut self, ctx: &mut Ctx, session: u8, action: Action) -> bool {
        let s = &self.sessions[usize::from(session)];
        if !s.alive || s.txn == SessionTxn::Fenced {
            return false;
        }
        if let Some(until) = s.frozen_until {
            ctx.schedule(until, action);
            return false;
        }
        true
    }

    /// The application sends its next message (inside a transaction when transactional).
    pub(crate) fn app_send(&mut self, ctx: &mut Ctx, peers: &mut ProducerPeers, session: u8) {
        if !self.can_act(ctx, session, Action::AppSend { session }) {
            return;
        }
        let s = &self.sessions[usize::from(session)];
        if s.next >= s.todo.len() {
            return;
        }
        let msg = s.todo[s.next];
        match self.scheduled(msg) {
            Some(SendAt::Tick(at)) if at > ctx.now => return self.send_when_due(ctx, session, msg, at),
            // Waiting for an event: `event_happened` queues the send.
            Some(SendAt::After(..)) => return,
            _ => {}
        }
        let per_txn = ctx.cfg.config.transaction_messages;
        let s = self.session_mut(session);
        match s.txn {
            SessionTxn::None => {}
            SessionTxn::Ready => {
                s.txn = SessionTxn::Open;
                s.txn_no += 1;
                s.txn_left = per_txn;
            }
            SessionTxn::Open if s.txn_left > 0 => {}
            _ => return,
        }
        s.next += 1;
        let more = s.next < s.todo.len();
        if s.txn == SessionTxn::Open {
            s.txn_left -= 1;
        }
        let txn_open_with_room = s.txn == SessionTxn::Open && s.txn_left > 0;
        let transactional = s.txn != SessionTxn::None;
        self.new_record(ctx, peers, session, msg, false);
        if more && (!transactional || txn_open_with_room) {
            let s = &self.sessions[usize::from(session)];
            let next = s.todo[s.next];
            match self.scheduled(next) {
                Some(SendAt::Tick(at)) => self.send_when_due(ctx, session, next, at),
                Some(SendAt::After(..)) => {}
                None => ctx.schedule(ctx.now + ctx.cfg.send_interval, Action::AppSend { session }),
            }
        }
        self.maybe_end_txn(ctx, session);
    }

    /// When `msg` is due by the send schedule, if it has an entry and has not been sent (a
    /// message sent again, after a restart or an error, is past its time).
    pub(crate) fn scheduled(&self, msg: MsgId) -> Option<SendAt> {
        let index = usize::from(msg.0 - 1);
        self.send_at.get(index).copied().flatten().filter(|_| self.app[index].sends == 0)
    }

    /// An event the send schedule waits for happened (its entries are ticks now): if the current
    /// instance is waiting to send one of them next, it queues that send.
    pub(crate) fn event_happened(&mut self, ctx: &mut Ctx) {
        let Some(s) = self.sessions.last() else { return };
        if let Some(&msg) = s.todo.get(s.next) {
            if let Some(SendAt::Tick(at)) = self.scheduled(msg) {
                self.send_when_due(ctx, s.session, msg, at);
            }
        }
    }

    /// Queues the application's send of a scheduled message for `at` (or now, if `at` has
    /// passed), once: two waits for the same message queue one send.
    fn send_when_due(&mut self, ctx: &mut Ctx, session: u8, msg: MsgId, at: Tick) {
        if self.send_due != Some((session, msg)) {
            self.send_due = Some((session, msg));
            ctx.schedule(at.max(ctx.now), Action::AppSend { session });
        }
    }

    /// Creates a record for `msg` (a fresh send, or an application re-send) and tries to send it.
    pub(crate) fn new_record(&mut self, ctx: &mut Ctx, peers: &mut ProducerPeers, session: u8, msg: MsgId, resend: bool) {
        let index = usize::from(msg.0 - 1);
        if self.app[index].sends >= MAX_APP_SENDS || self.records.len() >= usize::from(u16::MAX) {
            return;
        }
        self.app[index].sends += 1;
        if matches!(self.app[index].status, AppStatus::Pending | AppStatus::Failed) {
            self.app[index].status = AppStatus::Sending;
        }
        let id = self.records.len() as u16;
        let s = &self.sessions[usize::from(session)];
        let txn = (s.txn == SessionTxn::Open).then_some(s.txn_no);
        let partition = super::world::partition_of(ctx.cfg, msg) as u8;
        self.records.push(Record {
            id,
            msg,
            partition,
            session,
            pid: s.pid,
            epoch: s.epoch,
            seq: None,
            attempts: 0,
            created: ctx.now,
            deadline: ctx.now + ctx.cfg.delivery_timeout,
            state: RecordState::Queued,
            offset: None,
            app_waiting: true,
            txn,
            flight: None,
            expiry_armed: false,
            queue_key: self.next_queue_key,
        });
        self.next_queue_key += 1;
        ctx.record(EventKind::AppSend { msg, record: id, resend });
        self.drain(ctx, peers, session);
    }

    /// Sends queued records while fewer than max.in.flight.requests.per.connection are out, in the
    /// accumulator's order (`queue_key`): a retried batch goes back to the head of the queue
    /// (RecordAccumulator.reenqueue: `addFirst` without idempotence, in sequence order with it),
    /// and while the head batch backs off nothing behind it is drained. With idempotence a record
    /// still in flight under an older epoch holds back every later one, as TransactionManager
    /// resends in-flight batches in sequence order.
    pub(crate) fn drain(&mut self, ctx: &mut Ctx, peers: &mut ProducerPeers, session: u8) {
        // Each partition has its own leader, its own connection (max.in.flight counts per
        // connection) and its own batches (RecordAccumulator.drain, partition by partition).
        for p in 0..peers.partitions.len() as u8 {
            self.drain_partition(ctx, peers, session, p);
            let s = &self.sessions[usize::from(session)];
            if !s.alive || s.frozen_until.is_some() {
                break;
            }
        }
    }

    /// The epoch partition `p` of `session` numbers its batches under, and whether it is stale:
    /// older than the producer's, with batches of it still out. A stale partition with none left
    /// moves to the producer's epoch and numbers from 0 (maybeUpdateProducerIdAndEpoch).
    fn partition_epoch(&mut self, session: u8, p: u8) -> (u16, bool) {
        let s = &self.sessions[usize::from(session)];
        let (epoch, current) = (s.epoch_of[usize::from(p)], s.epoch);
        if epoch == current {
            return (epoch, false);
        }
        let out = |r: &Record| {
            r.session == session
                && r.partition == p
                && r.seq.is_some()
                && r.epoch == epoch
                && matches!(r.state, RecordState::Queued | RecordState::InFlight | RecordState::Backoff)
        };
        if self.records.iter().any(out) {
            return (epoch, true);
        }
        let s = self.session_mut(session);
        s.epoch_of[usize::from(p)] = current;
        s.next_seq[usize::from(p)] = 0;
        (current, false)
    }

    fn drain_partition(&mut self, ctx: &mut Ctx, peers: &mut ProducerPeers, session: u8, p: u8) {
        if peers.partitions[usize::from(p)].leader.is_none() {
            return self.hold_for_leader(ctx, session, p);
        }
        let mine = |r: &Record| r.session == session && r.partition == p;
        // Only a queued record can go out.
        if !self.records.iter().any(|r| mine(r) && r.state == RecordState::Queued) {
            return;
        }
        let limit = ctx.cfg.config.max_in_flight as usize;
        let (epoch, stale) = self.partition_epoch(session, p);
        let ordered = ctx.cfg.idempotence;
        let mut order: Vec<(i64, u16)> = self
            .records
            .iter()
            .filter(|r| mine(r) && matches!(r.state, RecordState::Queued | RecordState::Backoff | RecordState::InFlight))
            .map(|r| (r.queue_key, r.id))
            .collect();
        // Nearly in order already: records are made in queue order, and a retry moves one to
        // the head.
        crate::order::sort_nearly_sorted(&mut order);
        let mut in_flight = self.records.iter().filter(|o| mine(o) && o.state == RecordState::InFlight).count();
        for (_, id) in order {
            let r = self.records[usize::from(id)];
            match r.state {
                RecordState::Backoff => break,
                RecordState::InFlight if ordered && r.epoch != epoch => break,
                RecordState::InFlight => continue,
                // RecordAccumulator.shouldStopDrainBatchesForPartition: a retried batch (it has a
                // sequence) goes out only once it is the first unresolved sequence; until the
                // earlier one completes, nothing more is drained.
                RecordState::Queued if ordered && r.epoch == epoch && self.earlier_sequence_unresolved(&r) => break,
                // "Don't drain any new batches while the state of previous sequence numbers is
                // unknown" (same function).
                RecordState::Queued if ordered && r.seq.is_none() && self.sessions[usize::from(session)].unresolved[usize::from(p)] => break,
                // ... nor while the partition's batches out carry an epoch older than the
                // producer's (hasInflightBatches && hasStaleProducerIdAndEpoch).
                RecordState::Queued if ordered && r.seq.is_none() && stale => break,
                RecordState::Queued => {}
                _ => continue,
            }
            if in_flight >= limit {
                break;
            }
            self.send_record(ctx, peers, r.id);
            // What a send may change besides its own record (a crash, a closed connection)
            // changes the count too: counted again, which is rare; else one more is in flight.
            let sent = self.records[usize::from(r.id)].state == RecordState::InFlight;
            let count = || self.records.iter().filter(|o| mine(o) && o.state == RecordState::InFlight).count();
            in_flight = if sent && self.sessions[usize::from(session)].alive { in_flight + 1 } else { count() };
            debug_assert_eq!(in_flight, count(), "the requests in flight, counted as they go out");
            let s = &self.sessions[usize::from(session)];
            if !s.alive || s.frozen_until.is_some() {
                break;
            }
        }
    }

    /// No broker leads the partition (its leader crashed and is not fenced yet, or the partition is
    /// offline): the client cannot connect, so records wait in the accumulator, where
    /// delivery.timeout.ms still expires them (RecordAccumulator.expiredBatches). Nothing is sent to
    /// a broker known to be down, whatever `acks` is.
    fn hold_for_leader(&mut self, ctx: &mut Ctx, session: u8, p: u8) {
        for index in 0..self.records.len() {
            let r = self.records[index];
            if r.session == session && r.partition == p && r.state == RecordState::Queued && !r.expiry_armed {
                self.records[index].expiry_armed = true;
                ctx.schedule(r.deadline.max(ctx.now), Action::Expire { record: r.id });
            }
        }
    }

    /// delivery.timeout.ms passed for a record still waiting in the accumulator.
    pub(crate) fn expire(&mut self, ctx: &mut Ctx, peers: &mut ProducerPeers, id: u16) {
        let r = self.records[usize::from(id)];
        let s = &self.sessions[usize::from(r.session)];
        if r.state != RecordState::Queued || !s.alive || s.txn == SessionTxn::Fenced || ctx.now < r.deadline {
            return;
        }
        if !self.can_act(ctx, r.session, Action::Expire { record: id }) {
            return;
        }
        self.fail_record(ctx, peers, id, true);
    }

    /// Whether a record of the same session and epoch with a lower sequence has no outcome yet.
    fn earlier_sequence_unresolved(&self, r: &Record) -> bool {
        let Some(seq) = r.seq else { return false };
        self.records.iter().any(|o| {
            o.session == r.session
                && o.partition == r.partition
                && o.epoch == r.epoch
                && o.seq.is_some_and(|s| s < seq)
                && matches!(o.state, RecordState::Queued | RecordState::InFlight | RecordState::Backoff)
        })
    }

    fn send_record(&mut self, ctx: &mut Ctx, peers: &mut ProducerPeers, id: u16) {
        let r = self.records[usize::from(id)];
        if ctx.now >= r.deadline {
            self.fail_record(ctx, peers, id, true);
            return;
        }
        let s = &self.sessions[usize::from(r.session)];
        let (pid, epoch) = (s.pid, s.epoch_of[usize::from(r.partition)]);
        // A sequence number is assigned on the first send, and again after an epoch bump.
        let renumber = ctx.cfg.idempotence && (r.seq.is_none() || r.epoch != epoch);
        let seq = if renumber {
            let s = self.session_mut(r.session);
            let next = &mut s.next_seq[usize::from(r.partition)];
            *next += 1;
            Some(*next - 1)
        } else {
            r.seq
        };
        let first = r.attempts == 0;
        let attempt = r.attempts + 1;
        {
            let rec = &mut self.records[usize::from(id)];
            rec.seq = seq;
            rec.attempts = attempt;
            rec.state = RecordState::InFlight;
            rec.pid = pid;
            rec.epoch = epoch;
        }
        let partition = &peers.partitions[usize::from(r.partition)];
        let leader = partition.leader.unwrap_or(partition.last_leader);
        let what = FlightKind::Produce { msg: r.msg, record: id, seq, attempt, epoch };
        let flight = ctx.send(Actor::Producer { session: r.session }, Actor::Broker(leader), what);
        self.records[usize::from(id)].flight = Some(flight);
        if ctx.strike_attempt(Fault::NetworkDelayReorder, Some(r.msg), attempt, first) {
            // The request reaches the leader damaged: it fails the CRC check and is refused with
            // CORRUPT_MESSAGE, a retriable error, while the requests behind it succeed.
            ctx.flights[flight as usize].corrupt = true;
        }
        if ctx.strike_attempt(Fault::DropProduceRequest, Some(r.msg), attempt, first) {
            ctx.flights[flight as usize].doomed = Some(Fault::DropProduceRequest);
            if ctx.cfg.config.acks != Acks::Zero {
                // A TCP connection does not lose one request and deliver the next: the connection
                // is broken, and every later request and response on it is lost too.
                ctx.break_connection(BrokenConnection { session: r.session, broker: leader, fault: Fault::DropProduceRequest });
            }
        }
        if ctx.cfg.config.acks == Acks::Zero {
            self.acknowledge(ctx, peers, id, None);
        } else {
            let at = (ctx.now + ctx.cfg.request_timeout).min(r.deadline);
            ctx.schedule(at, Action::RequestTimeout { record: id, attempt });
        }
        if first {
            self.after_first_send(ctx, r.msg, id);
        }
    }

    /// Faults that strike the producer right after a message's first request left.
    fn after_first_send(&mut self, ctx: &mut Ctx, msg: MsgId, record: u16) {
        if ctx.strike(Fault::AppResendAfterTimeout, Some(msg)) {
            ctx.schedule(ctx.now + ctx.cfg.latency, Action::AppGivesUp { record });
        }
        if self.sessions.len() >= MAX_SESSIONS {
            return;
        }
        if ctx.strike(Fault::ProducerRestartSameId, Some(msg)) {
            self.producer_crash(ctx, Some(false));
        } else if ctx.strike(Fault::ProducerRestartNewId, Some(msg)) {
            self.producer_crash(ctx, Some(true));
        } else if ctx.strike(Fault::ProducerCrashStaysDown, Some(msg)) {
            self.producer_crash(ctx, None);
        } else if ctx.strike(Fault::ZombieProducer, Some(msg)) {
            self.producer_freeze(ctx);
        }
    }

    /// A produce response reached the producer.
    pub(crate) fn on_produce_response(&mut self, ctx: &mut Ctx, peers: &mut ProducerPeers, id: u32) {
        let flight = &ctx.flights[id as usize];
        let FlightKind::ProduceResponse { record, outcome, request, .. } = flight.what else { return };
        let r = self.records[usize::from(record)];
        if r.state != RecordState::InFlight || r.flight != Some(request.0) {
            return;
        }
        let abortable = self.sessions[usize::from(r.session)].abortable;
        match outcome {
            ProduceOutcome::Ok { offset, .. } => self.acknowledge(ctx, peers, record, Some(offset)),
            // The transaction is already doomed: Sender fails its batches instead of retrying.
            ProduceOutcome::Err(_) if abortable && r.txn.is_some() => self.fail_record(ctx, peers, record, false),
            ProduceOutcome::Err(ProduceError::OutOfOrderSequence) if ctx.cfg.transactional && self.next_in_line(&r) => {
                // TransactionManager.canRetry: for a transactional producer an
                // OUT_OF_ORDER_SEQUENCE on the next expected batch is not retried; it is an
                // abortable error, the transaction aborts and the abort bumps the epoch (KIP-360).
                self.session_mut(r.session).abortable = true;
                self.fail_record(ctx, peers, record, false);
                let doomed: Vec<u16> = self
                    .records
                    .iter()
                    .filter(|o| o.session == r.session && o.txn == r.txn && matches!(o.state, RecordState::Queued | RecordState::Backoff))
                    .map(|o| o.id)
                    .collect();
                for other in doomed {
                    self.fail_record(ctx, peers, other, false);
                }
            }
            ProduceOutcome::Err(ProduceError::OutOfOrderSequence) if self.broker_lost_state(ctx.cfg, &r) => {
                self.bump_epoch(r.session, Some(r.partition));
                self.retry_or_fail(ctx, peers, record);
            }
            ProduceOutcome::Err(error) if error.retriable() => self.retry_or_fail(ctx, peers, record),
            ProduceOutcome::Err(_) => self.fenced(ctx, peers, r.session, record),
        }
    }

    /// Whether the record is the next sequence after the last acknowledged one of its epoch
    /// (TransactionManager.isNextSequence), with nothing lower unresolved.
    fn next_in_line(&self, r: &Record) -> bool {
        let Some(seq) = r.seq else { return false };
        let last_acked = self
            .records
            .iter()
            .filter(|o| o.session == r.session && o.partition == r.partition && o.epoch == r.epoch && o.state == RecordState::Acked)
            .filter_map(|o| o.seq)
            .max();
        last_acked.map_or(0, |l| l + 1) == seq && !self.earlier_sequence_unresolved(r)
    }

    /// An OUT_OF_ORDER_SEQUENCE for the batch right after the last acknowledged one
    /// (TransactionManager.isNextSequence), with nothing lower unresolved, is a real gap: the
    /// broker lost this producer's state (a truncated log), and an idempotent client bumps its
    /// epoch (KIP-360). TransactionManager.canRetry retries any other OUT_OF_ORDER_SEQUENCE as it
    /// is ("We should retry the OutOfOrderSequenceException if the batch is _not_ the next
    /// batch"): a retry of a batch written long ago, out of the broker's five-batch window, keeps
    /// its sequence and is refused until delivery.timeout.ms fails it, never written twice.
    fn broker_lost_state(&self, cfg: &EffectiveConfig, r: &Record) -> bool {
        cfg.idempotence && !cfg.transactional && r.epoch == self.sessions[usize::from(r.session)].epoch_of[usize::from(r.partition)] && self.next_in_line(r)
    }

    fn fenced(&mut self, ctx: &mut Ctx, peers: &mut ProducerPeers, session: u8, record: u16) {
        self.fail_record(ctx, peers, record, false);
        if self.sessions[usize::from(session)].txn != SessionTxn::None {
            self.session_fenced(ctx, session);
        }
    }

    /// A fenced producer can do nothing more. If it is the application's current instance (its
    /// transaction timed out, say), the application closes it and starts a new one with the same
    /// transactional.id, which re-sends what was not committed (KIP-588 recovers the same way, by
    /// a new epoch). A fenced zombie just stops: its replacement carries on.
    fn session_fenced(&mut self, ctx: &mut Ctx, session: u8) {
        if self.sessions[usize::from(session)].txn == SessionTxn::Fenced {
            return;
        }
        self.session_mut(session).txn = SessionTxn::Fenced;
        if session == self.current_session() && self.sessions.len() < MAX_SESSIONS {
            self.session_mut(session).alive = false;
            ctx.record(EventKind::ProducerClosed { session });
            ctx.schedule(ctx.now + ctx.cfg.restart, Action::ProducerRestart { new_id: false });
        }
    }

    /// The send callback reports success.
    fn acknowledge(&mut self, ctx: &mut Ctx, peers: &mut ProducerPeers, id: u16, offset: Option<u64>) {
        let r = {
            let rec = &mut self.records[usize::from(id)];
            rec.state = RecordState::Acked;
            rec.offset = offset;
            *rec
        };
        ctx.record(EventKind::ProducerAcked { msg: r.msg, record: id, offset });
        if r.app_waiting && r.txn.is_none() {
            self.app[usize::from(r.msg.0 - 1)].status = AppStatus::Acked;
        }
        self.maybe_resolve(r.session);
        self.drain(ctx, peers, r.session);
        self.maybe_end_txn(ctx, r.session);
    }

    fn backoff(&self, cfg: &EffectiveConfig, attempts: u32) -> Tick {
        // KIP-580: exponential backoff from retry.backoff.ms up to retry.backoff.max.ms (1000 ms).
        let shift = attempts.saturating_sub(1).min(10);
        (cfg.retry_backoff << shift).min(10).max(cfg.retry_backoff)
    }

    fn retry_or_fail(&mut self, ctx: &mut Ctx, peers: &mut ProducerPeers, id: u16) {
        let r = self.records[usize::from(id)];
        let backoff = self.backoff(ctx.cfg, r.attempts);
        if r.attempts <= ctx.cfg.retries && ctx.now + backoff < r.deadline {
            self.records[usize::from(id)].state = RecordState::Backoff;
            if !ctx.cfg.idempotence {
                // RecordAccumulator.reenqueue: deque.addFirst(batch), ahead of everything queued,
                // including batches re-enqueued just before it.
                self.next_queue_key += 1;
                self.records[usize::from(id)].queue_key = -self.next_queue_key;
            }
            ctx.record(EventKind::Retry { msg: r.msg, record: id, attempt: r.attempts + 1 });
            ctx.schedule(ctx.now + backoff, Action::Resend { record: id });
        } else {
            self.fail_record(ctx, peers, id, ctx.now + backoff >= r.deadline && r.attempts <= ctx.cfg.retries);
        }
    }

    /// No response within request.timeout.ms, or delivery.timeout.ms is over (Sender expires
    /// in-flight batches at their delivery deadline).
    pub(crate) fn request_timeout(&mut self, ctx: &mut Ctx, peers: &mut ProducerPeers, id: u16, attempt: u32) {
        let r = self.records[usize::from(id)];
        if r.state != RecordState::InFlight || r.attempts != attempt {
            return;
        }
        if !self.can_act(ctx, r.session, Action::RequestTimeout { record: id, attempt }) {
            return;
        }
        ctx.record(EventKind::RequestTimedOut { msg: r.msg, record: id });
        let flight = r.flight.map(|f| (ctx.flights[f as usize].to, ctx.flights[f as usize].sent));
        let Some((Actor::Broker(broker), sent)) = flight else {
            return self.retry_or_fail(ctx, peers, id);
        };
        // NetworkClient.handleTimedOutRequests: a request timeout disconnects the node, which
        // fails every other request in flight on that connection (oldest first); they are
        // retried like the timed-out one. Requests sent after this instant use a new connection,
        // a re-send by the application's callback included (the Sender sends it on its next pass).
        // Sender.getExpiredInflightBatches fails a batch at its delivery deadline even when its
        // request has not timed out yet; the request then stays in the NetworkClient until
        // request.timeout.ms, which disconnects the node all the same.
        let network_timeout = sent + ctx.cfg.request_timeout;
        let mut on_connection = Vec::new();
        if ctx.now >= network_timeout {
            on_connection = self.in_flight_to(ctx, r.session, broker);
            on_connection.retain(|&o| o != id);
            ctx.mend_connection(r.session, broker);
        } else {
            ctx.schedule(network_timeout, Action::Disconnect { session: r.session, broker });
        }
        if ctx.now >= r.deadline {
            self.fail_record(ctx, peers, id, true);
        } else {
            self.retry_or_fail(ctx, peers, id);
        }
        for other in on_connection {
            self.connection_lost(ctx, peers, other);
        }
    }

    /// The records of `session` with a request in flight to `broker`, oldest first.
    fn in_flight_to(&self, ctx: &Ctx, session: u8, broker: u8) -> Vec<u16> {
        self.records
            .iter()
            .filter(|o| {
                o.session == session
                    && o.state == RecordState::InFlight
                    && o.flight.map(|f| ctx.flights[f as usize].to) == Some(Actor::Broker(broker))
            })
            .map(|o| o.id)
            .collect()
    }

    /// A request whose record has already failed (its delivery deadline came first) reached
    /// request.timeout.ms: NetworkClient disconnects the node, which mends a broken connection
    /// and fails the other requests in flight on it, which are retried.
    pub(crate) fn disconnect(&mut self, ctx: &mut Ctx, peers: &mut ProducerPeers, session: u8, broker: u8) {
        if !self.can_act(ctx, session, Action::Disconnect { session, broker }) {
            return;
        }
        // In the model only a broken connection leaves a request unanswered that long.
        if !ctx.is_broken(session, broker) {
            return;
        }
        let on_connection = self.in_flight_to(ctx, session, broker);
        ctx.mend_connection(session, broker);
        for other in on_connection {
            self.connection_lost(ctx, peers, other);
        }
    }

    /// The request went to a broker that is down: the connection closes and the client retries.
    pub(crate) fn connection_lost(&mut self, ctx: &mut Ctx, peers: &mut ProducerPeers, id: u16) {
        let r = self.records[usize::from(id)];
        if r.state != RecordState::InFlight || !self.sessions[usize::from(r.session)].alive {
            return;
        }
        let broker = match r.flight.map(|f| ctx.flights[f as usize].to) {
            Some(Actor::Broker(b)) => b,
            _ => peers.partitions[usize::from(r.partition)].last_leader,
        };
        ctx.record(EventKind::ConnectionClosed { msg: r.msg, record: id, broker });
        self.retry_or_fail(ctx, peers, id);
    }

    /// The backoff is over: the record queues for its next attempt.
    pub(crate) fn resend(&mut self, ctx: &mut Ctx, peers: &mut ProducerPeers, id: u16) {
        let r = self.records[usize::from(id)];
        if r.state != RecordState::Backoff || !self.can_act(ctx, r.session, Action::Resend { record: id }) {
            return;
        }
        self.records[usize::from(id)].state = RecordState::Queued;
        self.drain(ctx, peers, r.session);
    }

    /// The producer gives up on a record and tells the application.
    fn fail_record(&mut self, ctx: &mut Ctx, peers: &mut ProducerPeers, id: u16, timeout: bool) {
        let r = self.records[usize::from(id)];
        self.records[usize::from(id)].state = RecordState::Failed;
        ctx.record(EventKind::ProducerFailed { msg: r.msg, record: id, timeout });
        if ctx.cfg.idempotence && !ctx.cfg.transactional {
            if !timeout {
                self.bump_epoch(r.session, Some(r.partition));
            } else if r.seq.is_some() {
                // TransactionManager.handleFailedBatch: a batch that timed out after it went out
                // may or may not be written: its sequence is unresolved until every batch in
                // flight completes (maybeResolveSequences). One that never went out took none.
                self.session_mut(r.session).unresolved[usize::from(r.partition)] = true;
            }
        }
        self.maybe_resolve(r.session);
        let transactional = self.sessions[usize::from(r.session)].txn != SessionTxn::None;
        if r.app_waiting && !transactional {
            let index = usize::from(r.msg.0 - 1);
            self.app[index].status = AppStatus::Failed;
            if ctx.cfg.config.resend_on_error && self.sessions[usize::from(r.session)].alive {
                self.new_record(ctx, peers, r.session, r.msg, true);
            }
        }
        self.drain(ctx, peers, r.session);
        self.maybe_end_txn(ctx, r.session);
    }

    /// TransactionManager.maybeResolveSequences: once no batch of the session is in flight (sent,
    /// and not complete: retries included), an unresolved sequence is resolved if the batches after
    /// it were acknowledged ("a batch was expired, but subsequent batches succeeded"); else all of
    /// them expired, and the idempotent producer bumps its epoch (KIP-360).
    fn maybe_resolve(&mut self, session: u8) {
        for p in 0..MAX_PARTITIONS {
            self.maybe_resolve_partition(session, p);
        }
    }

    fn maybe_resolve_partition(&mut self, session: u8, p: usize) {
        let s = &self.sessions[usize::from(session)];
        if !s.unresolved[p] {
            return;
        }
        let mine = |o: &Record| o.session == session && usize::from(o.partition) == p;
        let in_flight = |o: &Record| {
            mine(o) && o.seq.is_some() && matches!(o.state, RecordState::Queued | RecordState::InFlight | RecordState::Backoff)
        };
        if self.records.iter().any(in_flight) {
            return;
        }
        let epoch = s.epoch_of[p];
        let acked = |o: &&Record| mine(o) && o.epoch == epoch && o.state == RecordState::Acked;
        let last_acked = self.records.iter().filter(acked).filter_map(|o| o.seq).max();
        let resolved = last_acked.map_or(0, |l| l + 1) == s.next_seq[p];
        self.session_mut(session).unresolved[p] = false;
        if !resolved {
            self.bump_epoch(session, Some(p as u8));
        }
    }

    /// After a failed batch, or when the broker lost its state, the idempotent producer bumps its
    /// epoch and numbers the sequences of partition `only` (every partition's, when a transaction
    /// aborts) from 0 again (KIP-360); its records are renumbered when next sent.
    fn bump_epoch(&mut self, session: u8, only: Option<u8>) {
        let s = self.session_mut(session);
        s.epoch += 1;
        for p in 0..MAX_PARTITIONS {
            if only.is_none_or(|o| usize::from(o) == p) {
                s.epoch_of[p] = s.epoch;
                s.next_seq[p] = 0;
            }
        }
    }

    /// The application's own wait for a send timed out (a fault): it sends the message again as a
    /// new record, which gets a new sequence number, so idempotence cannot recognise it.
    pub(crate) fn app_gives_up(&mut self, ctx: &mut Ctx, peers: &mut ProducerPeers, id: u16) {
        let r = self.records[usize::from(id)];
        if !self.can_act(ctx, r.session, Action::AppGivesUp { record: id }) {
            return;
        }
        if matches!(r.state, RecordState::InFlight | RecordState::Backoff | RecordState::Queued) {
            self.records[usize::from(id)].app_waiting = false;
            self.new_record(ctx, peers, r.session, r.msg, true);
        }
    }

    /// Ends the open transaction once every record in it has an outcome: commit, or abort if a
    /// record failed or the application decided to abort (a fault).
    pub(crate) fn maybe_end_txn(&mut self, ctx: &mut Ctx, session: u8) {
        let s = &self.sessions[usize::from(session)];
        if s.txn != SessionTxn::Open || (s.txn_left > 0 && s.next < s.todo.len()) {
            return;
        }
        let txn = s.txn_no;
        let mut any_failed = false;
        let mut msgs = Vec::new();
        for r in self.records.iter().filter(|r| r.session == session && r.txn == Some(txn)) {
            match r.state {
                RecordState::Acked => msgs.push(r.msg),
                RecordState::Failed => any_failed = true,
                _ => return,
            }
        }
        let commit = !any_failed && !ctx.strike_any(Fault::TransactionAbort, &msgs);
        if commit && self.crashes_in_commit(ctx, session, Fault::ProducerCrashBeforeCommit) {
            return;
        }
        let s = self.session_mut(session);
        s.txn = SessionTxn::Ending;
        s.ending_commit = commit;
        self.send_end_txn(ctx, session);
        if commit {
            // commitTransaction() blocks for at most max.block.ms.
            ctx.schedule(ctx.now + ctx.cfg.max_block, Action::CommitDeadline { session, txn });
        }
    }

    /// Whether commitTransaction() of `session`'s transaction `txn` is still waiting for its answer.
    pub(crate) fn commit_waiting(&self, session: u8, txn: u32) -> bool {
        self.sessions.get(usize::from(session)).is_some_and(|s| s.alive && s.txn == SessionTxn::Ending && s.txn_no == txn && s.ending_commit)
    }

    /// max.block.ms after commitTransaction() was called, the commit still unanswered: the call
    /// throws TimeoutException, and the application retries it or closes the producer
    /// (`lab.commit.timeout`; see [`crate::CommitTimeout`]). A retry waits for the same commit
    /// (TransactionManager keeps the pending result of a timed-out commit, KAFKA-6446). Closing
    /// leaves the commit to the coordinator: the new instance's InitProducerId completes a commit
    /// that reached it, or aborts the transaction if not. The application treats the
    /// transaction's messages as failed either way, and sends them again with
    /// `lab.resend.on.error`.
    pub(crate) fn commit_deadline(&mut self, ctx: &mut Ctx, session: u8, txn: u32) {
        if !self.commit_waiting(session, txn) {
            return;
        }
        if !self.can_act(ctx, session, Action::CommitDeadline { session, txn }) {
            return;
        }
        let retry = ctx.cfg.config.commit_timeout == CommitTimeout::Retry || self.sessions.len() >= MAX_SESSIONS;
        ctx.record(EventKind::CommitTimedOut { session, retry });
        if retry {
            ctx.schedule(ctx.now + ctx.cfg.max_block, Action::CommitDeadline { session, txn });
            return;
        }
        for msg in self.txn_msgs(session) {
            let app = &mut self.app[usize::from(msg.0 - 1)];
            if app.status != AppStatus::Acked {
                let resend = ctx.cfg.config.resend_on_error && app.sends < MAX_APP_SENDS;
                // A message the application re-sends is one the new instance still has to send.
                app.status = if resend { AppStatus::Sending } else { AppStatus::Failed };
            }
        }
        let s = self.session_mut(session);
        s.alive = false;
        s.abandoned_txn = Some(txn);
        self.orphan_records(session);
        // CommitTimedOut said it: the application closes this instance and starts another.
        ctx.schedule(ctx.now + ctx.cfg.restart, Action::ProducerRestart { new_id: false });
    }

    fn send_end_txn(&mut self, ctx: &mut Ctx, session: u8) {
        let s = &self.sessions[usize::from(session)];
        let (commit, epoch, txn) = (s.ending_commit, s.epoch, s.txn_no);
        ctx.send(Actor::Producer { session }, Actor::TxnCoordinator, FlightKind::EndTxn { commit, epoch });
        ctx.schedule(ctx.now + ctx.cfg.request_timeout, Action::EndTxnTimeout { session, txn });
    }

    /// request.timeout.ms after an EndTxn, still unanswered (its answer was lost): NetworkClient
    /// disconnects and the TransactionManager's EndTxnHandler enqueues the request again
    /// (TxnRequestHandler: a disconnected response is re-enqueued). The coordinator answers a
    /// retry of a transaction it completed with the same outcome (TransactionCoordinator
    /// .handleEndTransaction), so the retry is harmless.
    pub(crate) fn end_txn_timeout(&mut self, ctx: &mut Ctx, session: u8, txn: u32) {
        let s = &self.sessions[usize::from(session)];
        if s.txn != SessionTxn::Ending || s.txn_no != txn {
            return;
        }
        let commit = s.ending_commit;
        if !self.can_act(ctx, session, Action::EndTxnTimeout { session, txn }) {
            return;
        }
        ctx.record(EventKind::EndTxnTimedOut { session, commit });
        self.send_end_txn(ctx, session);
    }

    /// The messages of the session's current transaction.
    pub(crate) fn txn_msgs(&self, session: u8) -> Vec<MsgId> {
        let txn = self.sessions[usize::from(session)].txn_no;
        self.records.iter().filter(|r| r.session == session && r.txn == Some(txn)).map(|r| r.msg).collect()
    }

    /// The coordinator answered EndTxn: the application learns the outcome of its transaction.
    pub(crate) fn on_end_txn_response(&mut self, ctx: &mut Ctx, peers: &mut ProducerPeers, id: u32) {
        let flight = &ctx.flights[id as usize];
        let (Actor::Producer { session }, FlightKind::EndTxnResponse { commit, ok }) = (flight.to, flight.what) else {
            return;
        };
        if !ok {
            self.session_fenced(ctx, session);
            return;
        }
        if self.sessions[usize::from(session)].abortable {
            self.abort_bumps_epoch(peers, session);
        }
        let txn = self.sessions[usize::from(session)].txn_no;
        let mut requeue = Vec::new();
        for r in self.records.iter().filter(|r| r.session == session && r.txn == Some(txn) && r.app_waiting) {
            let app = &mut self.app[usize::from(r.msg.0 - 1)];
            if app.status == AppStatus::Acked {
                continue;
            }
            app.status = match (commit, r.state) {
                (true, _) => AppStatus::Acked,
                (false, RecordState::Acked) => AppStatus::Aborted,
                (false, _) => AppStatus::Failed,
            };
            if app.status == AppStatus::Failed && ctx.cfg.config.resend_on_error && app.sends < MAX_APP_SENDS {
                requeue.push(r.msg);
            }
        }
        let s = self.session_mut(session);
        s.txn = SessionTxn::Ready;
        s.todo.extend(requeue);
        if commit && self.crashes_in_commit(ctx, session, Fault::ProducerCrashAfterCommit) {
            return;
        }
        ctx.schedule(ctx.now, Action::AppSend { session });
    }

    /// Shortcut (lib.rs, "Modelling decisions", transactional producers): aborting after an
    /// abortable error bumps the epoch (InitProducerId with the current producer id and epoch,
    /// KIP-360) and sequences start again at 0. The lab folds that InitProducerId into the EndTxn
    /// answer: the producer bumps its epoch and the coordinator's record of the producer id takes
    /// it, with no request between them.
    fn abort_bumps_epoch(&mut self, peers: &mut ProducerPeers, session: u8) {
        self.session_mut(session).abortable = false;
        self.bump_epoch(session, None);
        let (pid, epoch) = (self.sessions[usize::from(session)].pid, self.sessions[usize::from(session)].epoch);
        peers.txn_coordinator.take_epoch(pid, epoch);
    }

    /// The producer process crashes; a new instance starts after lab.restart.ms (with the same
    /// transactional.id, or a new one), or none when `restart` is `None`.
    pub(crate) fn producer_crash(&mut self, ctx: &mut Ctx, restart: Option<bool>) {
        let session = self.current_session();
        self.session_mut(session).alive = false;
        self.orphan_records(session);
        ctx.record(EventKind::ProducerCrashed { session });
        if let Some(new_id) = restart {
            ctx.schedule(ctx.now + ctx.cfg.restart, Action::ProducerRestart { new_id });
        }
    }

    /// The records of an instance that is gone (crashed or closed) and not yet delivered: no one
    /// will send them again or hear of them.
    fn orphan_records(&mut self, session: u8) {
        for r in self.records.iter_mut().filter(|r| r.session == session) {
            if matches!(r.state, RecordState::Queued | RecordState::InFlight | RecordState::Backoff) {
                r.state = RecordState::Orphaned;
            }
        }
    }

    /// A crash at a step of commitTransaction() (`fault`, for a message of the session's
    /// transaction): the instance dies and one with the same transactional.id restarts.
    pub(crate) fn crashes_in_commit(&mut self, ctx: &mut Ctx, session: u8, fault: Fault) -> bool {
        if self.sessions.len() >= MAX_SESSIONS || !self.sessions[usize::from(session)].alive {
            return false;
        }
        if ctx.strike_any(fault, &self.txn_msgs(session)) {
            self.producer_crash(ctx, Some(false));
            return true;
        }
        false
    }

    /// A new producer instance replaces a crashed or frozen one.
    pub(crate) fn producer_restart(&mut self, ctx: &mut Ctx, peers: &mut ProducerPeers, new_id: bool) {
        if self.sessions.len() < MAX_SESSIONS {
            self.start_producer_session(ctx, peers, new_id);
        }
    }

    /// The producer freezes (a long GC pause); a replacement starts after lab.restart.ms and the
    /// frozen instance wakes up later and carries on as a zombie.
    pub(crate) fn producer_freeze(&mut self, ctx: &mut Ctx) {
        let session = self.current_session();
        let wake = ctx.now + 3 * ctx.cfg.restart + 2 * ctx.cfg.latency;
        self.session_mut(session).frozen_until = Some(wake);
        ctx.record(EventKind::ProducerFroze { session });
        ctx.schedule(wake, Action::ProducerWake { session });
        ctx.schedule(ctx.now + ctx.cfg.restart, Action::ProducerRestart { new_id: false });
    }

    /// The zombie wakes up and carries on with what it was doing.
    pub(crate) fn producer_wake(&mut self, ctx: &mut Ctx, peers: &mut ProducerPeers, session: u8) {
        let s = self.session_mut(session);
        if s.frozen_until.is_none() {
            return;
        }
        s.frozen_until = None;
        ctx.record(EventKind::ProducerWoke { session });
        self.drain(ctx, peers, session);
        self.maybe_end_txn(ctx, session);
        ctx.schedule(ctx.now, Action::AppSend { session });
    }
}

/// The producer, the [`Ctx`] and its [`ProducerPeers`], borrowed side by side from a world.
macro_rules! producer {
    ($world:expr) => {{
        let w = &mut *$world;
        let peers = ProducerPeers { partitions: &w.partitions, txn_coordinator: &mut w.txn_coordinator, next_pid: &mut w.next_pid };
        (&mut w.producer, ctx!(w), peers)
    }};
}

/// The world's entry points into the producer: actions, deliveries and what other actors'
/// handlers trigger.
impl World {
    pub(super) fn on_producer(&mut self, handler: impl FnOnce(&mut Producer, &mut Ctx, &mut ProducerPeers)) {
        let (producer, mut ctx, mut peers) = producer!(self);
        handler(producer, &mut ctx, &mut peers);
    }

    pub(crate) fn start_producer_session(&mut self, new_id: bool) {
        self.on_producer(|p, ctx, peers| p.start_producer_session(ctx, peers, new_id));
    }

    pub(crate) fn on_init_producer_id_response(&mut self, id: u32) {
        self.on_producer(|p, ctx, _| p.on_init_producer_id_response(ctx, id));
    }

    pub(crate) fn app_send(&mut self, session: u8) {
        self.on_producer(|p, ctx, peers| p.app_send(ctx, peers, session));
    }

    pub(crate) fn drain(&mut self, session: u8) {
        self.on_producer(|p, ctx, peers| p.drain(ctx, peers, session));
    }

    pub(crate) fn expire(&mut self, id: u16) {
        self.on_producer(|p, ctx, peers| p.expire(ctx, peers, id));
    }

    pub(crate) fn on_produce_response(&mut self, id: u32) {
        self.on_producer(|p, ctx, peers| p.on_produce_response(ctx, peers, id));
    }

    pub(crate) fn request_timeout(&mut self, id: u16, attempt: u32) {
        self.on_producer(|p, ctx, peers| p.request_timeout(ctx, peers, id, attempt));
    }

    pub(crate) fn connection_lost(&mut self, id: u16) {
        self.on_producer(|p, ctx, peers| p.connection_lost(ctx, peers, id));
    }

    pub(crate) fn disconnect(&mut self, session: u8, broker: u8) {
        self.on_producer(|p, ctx, peers| p.disconnect(ctx, peers, session, broker));
    }

    pub(crate) fn resend(&mut self, id: u16) {
        self.on_producer(|p, ctx, peers| p.resend(ctx, peers, id));
    }

    pub(crate) fn app_gives_up(&mut self, id: u16) {
        self.on_producer(|p, ctx, peers| p.app_gives_up(ctx, peers, id));
    }

    pub(crate) fn end_txn_timeout(&mut self, session: u8, txn: u32) {
        self.on_producer(|p, ctx, _| p.end_txn_timeout(ctx, session, txn));
    }

    pub(crate) fn commit_deadline(&mut self, session: u8, txn: u32) {
        self.on_producer(|p, ctx, _| p.commit_deadline(ctx, session, txn));
    }

    pub(crate) fn on_end_txn_response(&mut self, id: u32) {
        self.on_producer(|p, ctx, peers| p.on_end_txn_response(ctx, peers, id));
    }

    pub(crate) fn producer_crash(&mut self, restart: Option<bool>) {
        self.on_producer(|p, ctx, _| p.producer_crash(ctx, restart));
    }

    /// EndTxn reached the coordinator: the producer may crash before its answer.
    pub(crate) fn crash_after_end_txn(&mut self, session: u8) {
        self.on_producer(|p, ctx, _| {
            p.crashes_in_commit(ctx, session, Fault::ProducerCrashAfterEndTxn);
        });
    }

    pub(crate) fn producer_restart(&mut self, new_id: bool) {
        self.on_producer(|p, ctx, peers| p.producer_restart(ctx, peers, new_id));
    }

    pub(crate) fn producer_freeze(&mut self) {
        self.on_producer(|p, ctx, _| p.producer_freeze(ctx));
    }

    pub(crate) fn producer_wake(&mut self, session: u8) {
        self.on_producer(|p, ctx, peers| p.producer_wake(ctx, peers, session));
    }
}
