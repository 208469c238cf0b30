//! The event log: what happened, when, to whom, and because of what.
//!
//! Events are totally ordered by `(tick, id)`; ids are handed out in the order events happen, so the
//! order of `World::events()` is that total order. Every event may name its cause, the event that led
//! to it, which is how the ledger explains a verdict and how the UI draws arrows.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::fault::Fault;

/// Logical time. One tick stands for [`super::config::TICK_MS`] milliseconds.
pub type Tick = u64;

/// An application message, `m1` to `mN`. A message may become several records (an application
/// re-send is a new record), and a record may become several copies in the log (retries).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MsgId(pub u16);

impl fmt::Display for MsgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "m{}", self.0)
    }
}

/// The position of an event in the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EventId(pub u32);

/// One network message in flight; its send and its arrival (or drop) events share it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FlightId(pub u32);

/// A broker: 0 is the initial leader, 1 the follower.
pub type BrokerId = u8;

/// Who takes part in an event; the UI places actors left to right in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Actor {
    /// The producer application and its Kafka client; `session` counts restarts.
    Producer { session: u8 },
    /// A broker holding a replica of the partition.
    Broker(BrokerId),
    /// The transaction coordinator.
    TxnCoordinator,
    /// The group coordinator, which keeps committed offsets.
    GroupCoordinator,
    /// The consumer client and application; `instance` counts restarts.
    Consumer { instance: u8 },
    /// The sink the consumer application writes to.
    Sink,
}

/// The first consumer instance number of a group of several members: member `m`'s `k`-th
/// instance is `MEMBER_BASE + m + MAX_MEMBERS * k`, so the number names the member (a lone
/// consumer's instances count from 0, as they always did).
pub const MEMBER_BASE: u8 = 100;
/// The most members a group has in the lab.
pub const MAX_MEMBERS: u8 = 3;

/// The member (0-based) and its instance (0 for the first) of a group member's instance number.
pub fn member_of(instance: u8) -> (u8, u8) {
    let k = instance.saturating_sub(MEMBER_BASE);
    (k % MAX_MEMBERS, k / MAX_MEMBERS)
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Producer { session: 0 } => f.write_str("the producer"),
            Actor::Producer { session } => write!(f, "producer instance {}", session + 1),
            Actor::Broker(b) => write!(f, "broker {b}"),
            Actor::TxnCoordinator => f.write_str("the transaction coordinator"),
            Actor::GroupCoordinator => f.write_str("the group coordinator"),
            Actor::Consumer { instance: 0 } => f.write_str("the consumer"),
            Actor::Consumer { instance } if *instance >= MEMBER_BASE => {
                let (member, run) = member_of(*instance);
                write!(f, "consumer {}", member + 1)?;
                if run > 0 {
                    write!(f, " (instance {})", run + 1)?;
                }
                Ok(())
            }
            Actor::Consumer { instance } => write!(f, "consumer instance {}", instance + 1),
            Actor::Sink => f.write_str("the sink"),
        }
    }
}

/// An error a produce request can get back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProduceError {
    /// NOT_ENOUGH_REPLICAS: acks=all and the ISR is smaller than min.insync.replicas.
    NotEnoughReplicas,
    /// NOT_LEADER_OR_FOLLOWER: the broker is not (or no longer) the leader.
    NotLeader,
    /// OUT_OF_ORDER_SEQUENCE_NUMBER: a gap before this batch's sequence number.
    OutOfOrderSequence,
    /// PRODUCER_FENCED: a newer epoch owns this producer id. Since Kafka 2.7 (KIP-588) a partition
    /// leader answers produce requests with INVALID_PRODUCER_EPOCH instead; the coordinator still
    /// answers EndTxn and InitProducerId with PRODUCER_FENCED.
    ProducerFenced,
    /// CORRUPT_MESSAGE: the batch failed its CRC check (damaged in transit). CorruptRecordException
    /// is a RetriableException, so the client retries it.
    CorruptMessage,
    /// INVALID_PRODUCER_EPOCH: the produce request carries an epoch older than the producer id's
    /// current one (ProducerAppendInfo.checkProducerEpoch, Kafka 2.7+, KIP-588). Not retriable.
    InvalidProducerEpoch,
}

impl ProduceError {
    /// Whether the Java client retries it (Sender.canRetry): all but fencing are retriable.
    pub fn retriable(self) -> bool {
        !matches!(self, ProduceError::ProducerFenced | ProduceError::InvalidProducerEpoch)
    }

    fn name(self) -> &'static str {
        match self {
            ProduceError::NotEnoughReplicas => "NOT_ENOUGH_REPLICAS",
            ProduceError::NotLeader => "NOT_LEADER_OR_FOLLOWER",
            ProduceError::OutOfOrderSequence => "OUT_OF_ORDER_SEQUENCE_NUMBER",
            ProduceError::ProducerFenced => "PRODUCER_FENCED",
            ProduceError::CorruptMessage => "CORRUPT_MESSAGE",
            ProduceError::InvalidProducerEpoch => "INVALID_PRODUCER_EPOCH",
        }
    }
}

/// What a produce response says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProduceOutcome {
    /// Appended (or found as a duplicate of an earlier append) at this offset.
    Ok { offset: u64, duplicate: bool },
    /// Refused.
    Err(ProduceError),
}

/// A data record of the log as a consumer fetch returns it: its offset and its message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FetchedRecord {
    /// Its offset in the partition's log.
    pub offset: u64,
    /// The message it carries.
    pub msg: MsgId,
}

/// What a network message carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlightKind {
    /// A produce request with one record, sent under the producer epoch `epoch`.
    Produce { msg: MsgId, record: u16, seq: Option<u32>, attempt: u32, epoch: u16 },
    /// The answer to the produce request `request`: the ACK, or an error. The client matches it
    /// to the record's latest attempt by `request`.
    ProduceResponse { msg: MsgId, record: u16, outcome: ProduceOutcome, request: FlightId },
    /// A consumer fetch from this offset, by a consumer that last fetched under `leader_epoch`
    /// (KIP-320).
    Fetch { offset: u64, leader_epoch: u32 },
    /// Records for the consumer: offsets `from..to`, of which `records` are data it may process.
    FetchResponse { from: u64, to: u64, records: u16 },
    /// The follower's fetch from this offset.
    ReplicaFetch { offset: u64 },
    /// Log entries `from..to` for the follower, and the leader's high watermark.
    ReplicaFetchResponse { from: u64, to: u64, hw: u64 },
    /// An offset commit: the next offset to read, by a member of group generation `generation`.
    OffsetCommit { offset: u64, generation: u32, #[serde(default, skip_serializing_if = "is_zero")] partition: u8 },
    /// The group coordinator's answer to an offset commit.
    OffsetCommitResponse { offset: u64, ok: bool, #[serde(default, skip_serializing_if = "is_zero")] partition: u8 },
    /// The transactional producer asks for its producer id and epoch for `transactional_id`.
    InitProducerId { transactional_id: u8 },
    /// The producer id and epoch granted.
    InitProducerIdResponse { pid: u32, epoch: u16 },
    /// Commit (or abort) the producer's transaction, under the producer epoch `epoch`.
    EndTxn { commit: bool, epoch: u16 },
    /// The coordinator's answer to EndTxn.
    EndTxnResponse { commit: bool, ok: bool },
    /// The consumer application's transaction `txn`: its output and offsets, then commit, by a
    /// member of group generation `generation` (KIP-447).
    TxnOffsetCommit { offset: u64, generation: u32, txn: u32, #[serde(default, skip_serializing_if = "is_zero")] partition: u8 },
    /// The answer to the consumer application's transaction commit.
    TxnOffsetCommitResponse { offset: u64, ok: bool, #[serde(default, skip_serializing_if = "is_zero")] partition: u8 },
    /// The consumer application's transaction `txn` commits its output only, without offsets
    /// (`lab.manual.commit=commit-sync-after-transaction`); `offset` is the position it will
    /// then commit with commitSync(). Answered with `TxnOffsetCommitResponse`.
    TxnCommit { offset: u64, txn: u32, #[serde(default, skip_serializing_if = "is_zero")] partition: u8 },
}

/// Which kind of record a sink write produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SinkOutcome {
    /// A new row, or a new record in the output topic.
    Inserted,
    /// An upsert replaced the existing row for the same key.
    Overwritten,
}

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    /// The application called send() for a message; `resend` marks an application-level re-send.
    AppSend { msg: MsgId, record: u16, resend: bool },
    /// A network message left `from` for `to`, due to arrive at `arrives`.
    Sent { flight: FlightId, from: Actor, to: Actor, what: FlightKind, arrives: Tick },
    /// A network message arrived.
    Arrived { flight: FlightId, from: Actor, to: Actor, what: FlightKind },
    /// A network message was lost (a fault, or its receiver is down).
    Dropped { flight: FlightId, from: Actor, to: Actor, what: FlightKind, fault: Option<Fault> },
    /// A network message was lost because an earlier fault broke its connection (`fault`): on one
    /// connection nothing gets through after a lost request or response.
    LostWithConnection { flight: FlightId, from: Actor, to: Actor, what: FlightKind, fault: Fault },
    /// The leader appended a record.
    Appended { broker: u8, offset: u64, msg: MsgId, pid: u32, epoch: u16, seq: Option<u32>, txn: bool },
    /// The leader found the batch among the producer's last five and did not append it again.
    DuplicateFound { broker: u8, msg: MsgId, offset: u64 },
    /// The leader refused a record.
    Refused { broker: u8, msg: MsgId, error: ProduceError },
    /// The follower copied log entries `from..to`.
    Replicated { broker: u8, from: u64, to: u64 },
    /// The high watermark moved.
    HighWatermark { broker: u8, hw: u64 },
    /// The in-sync replica set changed; `size` is its new size.
    IsrChanged { follower_in: bool, size: u8, #[serde(default, skip_serializing_if = "is_zero")] partition: u8 },
    /// A broker crashed; `disk_lost` if its log is gone too.
    BrokerCrashed { broker: u8, disk_lost: bool },
    /// A broker came back.
    BrokerRestarted { broker: u8 },
    /// The controller fenced a crashed broker after `broker.session.timeout.ms` without a heartbeat;
    /// its partitions may now get a new leader.
    BrokerFenced { broker: u8 },
    /// A broker became the partition leader.
    LeaderElected { broker: u8, unclean: bool, leader_epoch: u32 },
    /// No replica may lead: the partition is offline.
    PartitionOffline,
    /// A replica dropped its log entries `from..to` to match the leader.
    Truncated { broker: u8, from: u64, to: u64 },
    /// The producer saw success for a message (its send callback).
    ProducerAcked { msg: MsgId, record: u16, offset: Option<u64> },
    /// The producer gave up on a record and reported the error to the application.
    ProducerFailed { msg: MsgId, record: u16, timeout: bool },
    /// The producer will send a record again.
    Retry { msg: MsgId, record: u16, attempt: u32 },
    /// No answer within request.timeout.ms.
    RequestTimedOut { msg: MsgId, record: u16 },
    /// The connection to a broker closed (the broker is down) before the record's request was
    /// answered: the request failed at once (a NetworkException, retriable).
    ConnectionClosed { msg: MsgId, record: u16, broker: u8 },
    /// A producer instance started (with this producer id and epoch when known).
    ProducerStarted { session: u8, pid: u32, epoch: u16 },
    /// A producer instance crashed.
    ProducerCrashed { session: u8 },
    /// The application closed a fenced producer instance; a new one with the same
    /// transactional.id replaces it.
    ProducerClosed { session: u8 },
    /// A producer instance froze (a long GC pause, say).
    ProducerFroze { session: u8 },
    /// A frozen producer instance woke up.
    ProducerWoke { session: u8 },
    /// A transaction began at the coordinator.
    TxnBegan { pid: u32, epoch: u16 },
    /// The coordinator wrote a commit or abort marker at this offset.
    MarkerWritten { offset: u64, pid: u32, commit: bool, #[serde(default, skip_serializing_if = "is_zero")] partition: u8 },
    /// A transaction completed.
    TxnCompleted { pid: u32, epoch: u16, commit: bool },
    /// The coordinator aborted a transaction because its producer was fenced or timed out.
    TxnExpired { pid: u32, epoch: u16, fenced: bool },
    /// A fetch returned records `from..to` to the consumer application.
    Polled { from: u64, to: u64, records: u16, #[serde(default, skip_serializing_if = "is_zero")] partition: u8 },
    /// The application started processing a record.
    ProcessingStarted { msg: MsgId, offset: u64 },
    /// The application finished processing a record.
    ProcessingFinished { msg: MsgId, offset: u64 },
    /// The processing of a record threw.
    ProcessingThrew { msg: MsgId, offset: u64 },
    /// The processing wrote to the sink.
    SinkWrite { msg: MsgId, offset: u64, outcome: SinkOutcome, in_txn: bool },
    /// The group coordinator stored a committed offset.
    Committed { offset: u64, txn: bool, #[serde(default, skip_serializing_if = "is_zero")] partition: u8 },
    /// A commit was refused or lost its transaction.
    CommitFailed { offset: u64, #[serde(default, skip_serializing_if = "is_zero")] partition: u8 },
    /// The consumer application's transaction aborted; its output is invisible to read_committed.
    ConsumerTxnAborted { txn: u32 },
    /// The consumer application's transaction `txn` committed its output, without offsets.
    OutputCommitted { txn: u32 },
    /// The consumer stored an offset to be committed by the background timer.
    OffsetStored { offset: u64, #[serde(default, skip_serializing_if = "is_zero")] partition: u8 },
    /// The consumer crashed.
    ConsumerCrashed { instance: u8 },
    /// The consumer was closed by its application.
    ConsumerClosed { instance: u8 },
    /// The producer's EndTxn got no answer within request.timeout.ms: it is sent again.
    EndTxnTimedOut { session: u8, commit: bool },
    /// commitTransaction() threw TimeoutException after max.block.ms; the application calls it
    /// again (`retry`) or closes the producer.
    CommitTimedOut { session: u8, retry: bool },
    /// The consumer was removed from its group after max.poll.interval.ms without a poll.
    ConsumerLeftGroup { instance: u8 },
    /// The consumer's fetch got no answer within request.timeout.ms: it disconnects and fetches
    /// again from its position.
    FetchTimedOut { instance: u8 },
    /// A consumer instance started at this position.
    ConsumerStarted { instance: u8, position: u64, committed: Option<u64>, #[serde(default, skip_serializing_if = "is_zero")] partition: u8 },
    /// The group coordinator starts a rebalance (a member joined or left): every member must
    /// rejoin before the next generation (the classic protocol's PreparingRebalance).
    RebalanceStarted { generation: u32 },
    /// A member gives up the partition: revoked before it rejoins (onPartitionsRevoked), or lost
    /// because the group removed it (onPartitionsLost).
    PartitionRevoked { instance: u8, lost: bool },
    /// Every member has rejoined: the group's new generation, and the member owning the
    /// partition (none if every member is gone).
    Rebalanced { generation: u32, owner: Option<u8> },
    /// After `Rebalanced`, for each partition after the first: the member that owns it now.
    PartitionAssigned { partition: u8, owner: Option<u8> },
    /// The group coordinator removed a member that sent no heartbeat within session.timeout.ms.
    MemberExpired { instance: u8 },
    /// A dynamic member did not rejoin within the rebalance timeout (max.poll.interval.ms): the
    /// group goes on without it.
    RebalanceTimedOut { instance: u8 },
    /// A static member (group.instance.id) stopped polling or closed: it sends no LeaveGroup, and
    /// the coordinator keeps it, and its partition, until session.timeout.ms (KIP-345).
    MemberSilent { instance: u8 },
    /// A static member rejoined under its group.instance.id before its session expired: it gets
    /// its assignment back with no rebalance (KIP-345).
    MemberReturned { instance: u8 },
    /// The consumer's position was out of range and auto.offset.reset moved it.
    OffsetReset { from: u64, to: u64, #[serde(default, skip_serializing_if = "is_zero")] partition: u8 },
    /// The consumer found the log truncated under its position after a leader change (KIP-320)
    /// and moved back to where the logs diverge.
    TruncationDetected { from: u64, to: u64, #[serde(default, skip_serializing_if = "is_zero")] partition: u8 },
    /// An injected fault struck.
    FaultStruck { fault: Fault, msg: Option<MsgId> },
    /// An injected fault could never strike in this run.
    FaultNotApplicable { fault: Fault, msg: Option<MsgId> },
    /// The run hit a bound and stopped.
    RunTruncated { events: u32 },
}

/// One entry of the event log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Event {
    /// Its position in the log.
    pub id: EventId,
    /// When it happened.
    pub tick: Tick,
    /// The event that led to it, if any.
    pub cause: Option<EventId>,
    /// What happened.
    pub kind: EventKind,
}

impl Event {
    /// The message the event concerns, if any.
    pub fn msg(&self) -> Option<MsgId> {
        match self.kind {
            EventKind::AppSend { msg, .. }
            | EventKind::Appended { msg, .. }
            | EventKind::DuplicateFound { msg, .. }
            | EventKind::Refused { msg, .. }
            | EventKind::ProducerAcked { msg, .. }
            | EventKind::ProducerFailed { msg, .. }
            | EventKind::Retry { msg, .. }
            | EventKind::RequestTimedOut { msg, .. }
            | EventKind::ConnectionClosed { msg, .. }
            | EventKind::ProcessingStarted { msg, .. }
            | EventKind::ProcessingFinished { msg, .. }
            | EventKind::ProcessingThrew { msg, .. }
            | EventKind::SinkWrite { msg, .. } => Some(msg),
            EventKind::FaultStruck { msg, .. } | EventKind::FaultNotApplicable { msg, .. } => msg,
            EventKind::Sent { what, .. }
            | EventKind::Arrived { what, .. }
            | EventKind::Dropped { what, .. }
            | EventKind::LostWithConnection { what, .. } => what.msg(),
            _ => None,
        }
    }

    /// The actors taking part: the one acting first, and the other end of a link if any.
    pub fn actors(&self) -> (Option<Actor>, Option<Actor>) {
        match self.kind {
            EventKind::Sent { from, to, .. }
            | EventKind::Arrived { from, to, .. }
            | EventKind::Dropped { from, to, .. }
            | EventKind::LostWithConnection { from, to, .. } => (Some(from), Some(to)),
            EventKind::Appended { broker, .. }
            | EventKind::DuplicateFound { broker, .. }
            | EventKind::Refused { broker, .. }
            | EventKind::Replicated { broker, .. }
            | EventKind::HighWatermark { broker, .. }
            | EventKind::BrokerCrashed { broker, .. }
            | EventKind::BrokerRestarted { broker }
            | EventKind::BrokerFenced { broker }
            | EventKind::LeaderElected { broker, .. }
            | EventKind::Truncated { broker, .. } => (Some(Actor::Broker(broker)), None),
            EventKind::SinkWrite { .. } => (Some(Actor::Sink), None),
            EventKind::Committed { .. } | EventKind::CommitFailed { .. } => (Some(Actor::GroupCoordinator), None),
            EventKind::TxnBegan { .. }
            | EventKind::MarkerWritten { .. }
            | EventKind::TxnCompleted { .. }
            | EventKind::TxnExpired { .. }
            | EventKind::ConsumerTxnAborted { .. }
            | EventKind::OutputCommitted { .. } => (Some(Actor::TxnCoordinator), None),
            EventKind::ProducerStarted { session, .. }
            | EventKind::ProducerCrashed { session }
            | EventKind::ProducerClosed { session }
            | EventKind::ProducerFroze { session }
            | EventKind::ProducerWoke { session }
            | EventKind::EndTxnTimedOut { session, .. }
            | EventKind::CommitTimedOut { session, .. } => (Some(Actor::Producer { session }), None),
            EventKind::ConsumerCrashed { instance }
            | EventKind::ConsumerClosed { instance }
            | EventKind::ConsumerLeftGroup { instance }
            | EventKind::FetchTimedOut { instance }
            | EventKind::PartitionRevoked { instance, .. }
            | EventKind::MemberSilent { instance }
            | EventKind::MemberReturned { instance }
            | EventKind::ConsumerStarted { instance, .. } => (Some(Actor::Consumer { instance }), None),
            EventKind::RebalanceStarted { .. }
            | EventKind::Rebalanced { .. }
            | EventKind::PartitionAssigned { .. }
            | EventKind::MemberExpired { .. }
            | EventKind::RebalanceTimedOut { .. } => {
                (Some(Actor::GroupCoordinator), None)
            }
            _ => (None, None),
        }
    }

    /// One plain English sentence for narration, such as
    /// "t=7: the ACK for m2 (offset 1) was dropped on the way to the producer".
    pub fn describe(&self) -> String {
        format!("t={}: {}", self.tick, self.kind)
    }
}

impl FlightKind {
    /// The message a network message concerns, if any.
    pub fn msg(self) -> Option<MsgId> {
        match self {
            FlightKind::Produce { msg, .. } | FlightKind::ProduceResponse { msg, .. } => Some(msg),
            _ => None,
        }
    }
}

impl fmt::Display for FlightKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            FlightKind::Produce { msg, seq: Some(seq), attempt, .. } => {
                write!(f, "the produce request for {msg} (sequence {seq}, attempt {attempt})")
            }
            FlightKind::Produce { msg, attempt, .. } => write!(f, "the produce request for {msg} (attempt {attempt})"),
            FlightKind::ProduceResponse { msg, outcome: ProduceOutcome::Ok { offset, .. }, .. } => {
                write!(f, "the ACK for {msg} (offset {offset})")
            }
            FlightKind::ProduceResponse { msg, outcome: ProduceOutcome::Err(e), .. } => {
                write!(f, "the {} error for {msg}", e.name())
            }
            FlightKind::Fetch { offset, .. } => write!(f, "a fetch from offset {offset}"),
            FlightKind::FetchResponse { from, to, .. } if to <= from => f.write_str("an empty fetch response"),
            FlightKind::FetchResponse { from, to, records } => {
                write!(f, "a fetch response with {} ({})", Offsets(from, to), plural(records, "record"))
            }
            FlightKind::ReplicaFetch { offset } => write!(f, "the follower's fetch from offset {offset}"),
            FlightKind::ReplicaFetchResponse { from, to, hw } if to <= from => {
                write!(f, "an empty fetch response for the follower (high watermark {hw})")
            }
            FlightKind::ReplicaFetchResponse { from, to, hw } => {
                write!(f, "the log entries at {} for the follower (high watermark {hw})", Offsets(from, to))
            }
            FlightKind::OffsetCommit { offset, partition, .. } => write!(f, "an offset commit of {offset}{}", Part(partition)),
            FlightKind::OffsetCommitResponse { offset, ok: true, .. } => write!(f, "the confirmation of commit {offset}"),
            FlightKind::OffsetCommitResponse { offset, ok: false, .. } => write!(f, "the refusal of commit {offset}"),
            FlightKind::InitProducerId { .. } => f.write_str("an InitProducerId request"),
            FlightKind::InitProducerIdResponse { pid, epoch } => {
                write!(f, "producer id {pid} with epoch {epoch}")
            }
            FlightKind::EndTxn { commit: true, .. } => f.write_str("an EndTxn(commit) request"),
            FlightKind::EndTxn { commit: false, .. } => f.write_str("an EndTxn(abort) request"),
            FlightKind::EndTxnResponse { commit, ok } => write!(
                f,
                "the answer to EndTxn({}): {}",
                if commit { "commit" } else { "abort" },
                if ok { "done" } else { "PRODUCER_FENCED" }
            ),
            FlightKind::TxnOffsetCommit { offset, .. } => {
                write!(f, "the consumer application's transaction commit with offset {offset}")
            }
            FlightKind::TxnCommit { txn, .. } => write!(f, "the consumer application's transaction {txn} commit (output only)"),
            FlightKind::TxnOffsetCommitResponse { offset, ok, .. } => write!(
                f,
                "the answer to the transaction commit with offset {offset}: {}",
                if ok { "committed" } else { "refused" }
            ),
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use EventKind as K;
        match *self {
            K::AppSend { msg, resend: false, .. } => write!(f, "the application sent {msg}"),
            K::AppSend { msg, resend: true, .. } => write!(f, "the application sent {msg} again, as a new record"),
            K::Sent { from, to, what, arrives, .. } => write!(f, "{from} sent {what} to {to}, arriving at t={arrives}"),
            K::Arrived { to, what, .. } => write!(f, "{what} reached {to}"),
            K::LostWithConnection { what, .. } => {
                write!(f, "{what} was lost too: the connection broke with the earlier loss")
            }
            K::Dropped { to, what, fault: Some(Fault::NetworkDelayReorder), .. } => {
                write!(f, "{what} was discarded: {to} had closed the connection")
            }
            K::Dropped { to, what, fault: Some(_), .. } => write!(f, "{what} was dropped on the way to {to}"),
            K::Dropped { to, what, fault: None, .. } => write!(f, "{what} was lost: {to} is down"),
            K::Appended { broker, offset, msg, seq, txn, .. } => {
                write!(f, "broker {broker} appended {msg} at offset {offset}")?;
                if let Some(seq) = seq {
                    write!(f, " (sequence {seq})")?;
                }
                if txn {
                    f.write_str(" inside a transaction")?;
                }
                Ok(())
            }
            K::DuplicateFound { broker, msg, offset } => write!(
                f,
                "broker {broker} recognised {msg} as a duplicate of offset {offset} and did not append it again"
            ),
            K::Refused { broker, msg, error } => write!(f, "broker {broker} refused {msg}: {}", error.name()),
            K::Replicated { broker, from, to } => write!(f, "follower broker {broker} copied {}", Offsets(from, to)),
            K::HighWatermark { broker, hw } => write!(f, "the high watermark on broker {broker} moved to {hw}"),
            K::IsrChanged { follower_in: false, size, .. } => write!(f, "the follower left the in-sync replicas (ISR size {size})"),
            K::IsrChanged { follower_in: true, size, .. } => write!(f, "the follower rejoined the in-sync replicas (ISR size {size})"),
            K::BrokerCrashed { broker, disk_lost: false } => write!(f, "broker {broker} crashed (its disk survives)"),
            K::BrokerCrashed { broker, disk_lost: true } => write!(f, "broker {broker} crashed and lost its disk"),
            K::BrokerRestarted { broker } => write!(f, "broker {broker} restarted"),
            K::BrokerFenced { broker } => write!(
                f,
                "the controller fenced broker {broker}: no heartbeat for broker.session.timeout.ms"
            ),
            K::LeaderElected { broker, unclean: false, leader_epoch } => {
                write!(f, "broker {broker} became the leader (leader epoch {leader_epoch})")
            }
            K::LeaderElected { broker, unclean: true, leader_epoch } => write!(
                f,
                "broker {broker} became the leader by unclean election (leader epoch {leader_epoch})"
            ),
            K::PartitionOffline => f.write_str("the partition is offline: no in-sync replica is alive"),
            K::Truncated { broker, from, to } => write!(f, "broker {broker} truncated its log, dropping {}", Offsets(from, to)),
            K::ProducerAcked { msg, offset: Some(offset), .. } => write!(f, "the producer was told {msg} is stored at offset {offset}"),
            K::ProducerAcked { msg, offset: None, .. } => write!(f, "the producer counted {msg} as sent, without an offset"),
            K::ProducerFailed { msg, timeout: true, .. } => write!(f, "send() of {msg} failed: delivery.timeout.ms expired"),
            K::ProducerFailed { msg, timeout: false, .. } => write!(f, "send() of {msg} failed with an error the application saw"),
            K::Retry { msg, attempt, .. } => write!(f, "the producer retries {msg} (attempt {attempt})"),
            K::RequestTimedOut { msg, .. } => {
                write!(f, "the producer got no answer for {msg} within request.timeout.ms")
            }
            K::ConnectionClosed { msg, broker, .. } => write!(
                f,
                "the producer's connection to broker {broker} closed before {msg} was answered; the request failed"
            ),
            K::ProducerStarted { session, pid: 0, .. } => write!(
                f,
                "{} started without a producer id (idempotence off)",
                Actor::Producer { session }
            ),
            K::ProducerStarted { session, pid, epoch } => write!(
                f,
                "{} started with producer id {pid}, epoch {epoch}",
                Actor::Producer { session }
            ),
            K::ProducerCrashed { session } => write!(f, "{} crashed", Actor::Producer { session }),
            K::ProducerClosed { session } => write!(
                f,
                "{} was fenced; the application closed it and starts a new instance with the same transactional.id",
                Actor::Producer { session }
            ),
            K::ProducerFroze { session } => write!(f, "{} froze", Actor::Producer { session }),
            K::ProducerWoke { session } => write!(f, "{} woke up and carries on", Actor::Producer { session }),
            K::TxnBegan { pid, epoch } => write!(f, "a transaction of producer {pid} (epoch {epoch}) began"),
            K::MarkerWritten { offset, commit: true, partition, .. } => write!(f, "a COMMIT marker was written at offset {offset}{}", Part(partition)),
            K::MarkerWritten { offset, commit: false, partition, .. } => write!(f, "an ABORT marker was written at offset {offset}{}", Part(partition)),
            K::TxnCompleted { pid, commit: true, .. } => write!(f, "the transaction of producer {pid} committed"),
            K::TxnCompleted { pid, commit: false, .. } => write!(f, "the transaction of producer {pid} aborted"),
            K::TxnExpired { pid, epoch, fenced: true } => write!(
                f,
                "the coordinator fenced producer {pid} epoch {epoch} and aborts its open transaction"
            ),
            K::TxnExpired { pid, epoch, fenced: false } => write!(
                f,
                "transaction.timeout.ms passed: the coordinator fences producer {pid} epoch {epoch} (bumping the epoch) and aborts its transaction"
            ),
            K::Polled { from, to, .. } if to <= from => f.write_str("poll() returned nothing"),
            K::Polled { from, to, records, partition } => {
                write!(f, "poll() returned {}{} ({})", Offsets(from, to), Part(partition), plural(records, "record"))
            }
            K::ProcessingStarted { msg, offset } => write!(f, "the application started processing {msg} (offset {offset})"),
            K::ProcessingFinished { msg, offset } => write!(f, "the application finished processing {msg} (offset {offset})"),
            K::ProcessingThrew { msg, offset } => write!(f, "processing {msg} (offset {offset}) threw an exception"),
            K::SinkWrite { msg, offset, outcome, in_txn } => write!(
                f,
                "the sink {} {msg} from offset {offset}{}",
                match outcome {
                    SinkOutcome::Inserted => "stored",
                    SinkOutcome::Overwritten => "overwrote the row of",
                },
                if in_txn { " inside the transaction" } else { "" }
            ),
            K::Committed { offset, txn: false, partition } => write!(f, "the group's committed offset{} is now {offset}", Part(partition)),
            K::Committed { offset, txn: true, partition } => write!(f, "the transaction committed the group's offset {offset}{}", Part(partition)),
            K::CommitFailed { offset, .. } => write!(f, "the commit of offset {offset} failed"),
            K::ConsumerTxnAborted { txn } => write!(f, "the consumer application's transaction {txn} aborted"),
            K::OutputCommitted { txn } => write!(
                f,
                "the consumer application's transaction {txn} committed its output; its input offsets are not in it"
            ),
            K::OffsetStored { offset, .. } => write!(f, "the consumer stored offset {offset} for the background commit"),
            K::ConsumerCrashed { instance } => write!(f, "{} crashed", Actor::Consumer { instance }),
            K::ConsumerClosed { instance } => write!(f, "the application closed {}", Actor::Consumer { instance }),
            K::EndTxnTimedOut { session, commit } => write!(
                f,
                "{} got no answer to its EndTxn ({}) within request.timeout.ms and sends it again",
                Actor::Producer { session },
                if commit { "commit" } else { "abort" }
            ),
            K::CommitTimedOut { session, retry } => write!(
                f,
                "commitTransaction() of {} timed out after max.block.ms; the application {}",
                Actor::Producer { session },
                if retry { "calls it again" } else { "closes the producer, taking the transaction as failed" }
            ),
            K::FetchTimedOut { instance } => write!(
                f,
                "{} got no fetch response within request.timeout.ms and fetches again",
                Actor::Consumer { instance }
            ),
            K::ConsumerLeftGroup { instance } => write!(
                f,
                "{} was removed from the group: max.poll.interval.ms passed without a poll",
                Actor::Consumer { instance }
            ),
            K::ConsumerStarted { instance, position, committed: Some(c), partition } => write!(
                f,
                "{} started at offset {position}{} (committed offset {c})",
                Actor::Consumer { instance },
                Part(partition)
            ),
            K::RebalanceStarted { generation } => {
                write!(f, "generation {generation} ends: a rebalance starts, every member must rejoin")
            }
            K::PartitionRevoked { instance, lost: false } => {
                write!(f, "{} gives up the partition before it rejoins (onPartitionsRevoked)", Actor::Consumer { instance })
            }
            K::PartitionRevoked { instance, lost: true } => {
                write!(f, "{} is no longer in the group: its partition is lost (onPartitionsLost)", Actor::Consumer { instance })
            }
            K::Rebalanced { generation, owner: Some(instance) } => {
                write!(f, "generation {generation}: {} owns the partition", Actor::Consumer { instance })
            }
            K::Rebalanced { generation, owner: None } => write!(f, "generation {generation}: no member left"),
            K::PartitionAssigned { partition, owner: Some(instance) } => {
                write!(f, "partition {partition} goes to {}", Actor::Consumer { instance })
            }
            K::PartitionAssigned { partition, owner: None } => write!(f, "partition {partition} has no owner"),
            K::RebalanceTimedOut { instance } => write!(
                f,
                "{} missed the rebalance timeout (max.poll.interval.ms) and is removed",
                Actor::Consumer { instance }
            ),
            K::MemberSilent { instance } => write!(
                f,
                "{} goes silent: a static member sends no LeaveGroup, so its partition waits for session.timeout.ms",
                Actor::Consumer { instance }
            ),
            K::MemberReturned { instance } => {
                write!(f, "{} rejoins under its group.instance.id: same assignment, no rebalance", Actor::Consumer { instance })
            }
            K::MemberExpired { instance } => {
                write!(f, "the group coordinator removed {}: no heartbeat within session.timeout.ms", Actor::Consumer { instance })
            }
            K::ConsumerStarted { instance, position, committed: None, partition } => write!(
                f,
                "{} started at offset {position}{} (no committed offset)",
                Actor::Consumer { instance },
                Part(partition)
            ),
            K::OffsetReset { from, to, .. } => write!(f, "offset {from} is out of range; auto.offset.reset moved the consumer to {to}"),
            K::TruncationDetected { from, to, .. } => write!(
                f,
                "the consumer found the log truncated below its position {from} (leader epoch changed) and moved back to {to}"
            ),
            K::FaultStruck { fault, msg: Some(msg) } => write!(f, "fault: {} ({msg})", fault.label()),
            K::FaultStruck { fault, msg: None } => write!(f, "fault: {}", fault.label()),
            K::FaultNotApplicable { fault, .. } => write!(f, "the fault \"{}\" never found its moment in this run", fault.label()),
            K::RunTruncated { events } if events as usize >= super::world::MAX_EVENTS => {
                write!(f, "the run reached the lab's bound of {} events ({events} recorded) and stopped before it ended", super::world::MAX_EVENTS)
            }
            K::RunTruncated { events } => write!(
                f,
                "the run reached the lab's last tick ({}) after {events} events and stopped before it ended",
                super::world::MAX_TICK
            ),
        }
    }
}

/// Log offsets `from..to` (`to` excluded, as the engine keeps them) as people count them:
/// "offset 3", "offsets 1–2".
struct Offsets(u64, u64);

/// " of partition N" for a partition after the first; nothing for partition 0, so a topic of one
/// partition reads as it always did.
struct Part(u8);

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 > 0 {
            write!(f, " of partition {}", self.0)?;
        }
        Ok(())
    }
}

impl fmt::Display for Offsets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1.saturating_sub(self.0) {
            0 | 1 => write!(f, "offset {}", self.0),
            _ => write!(f, "offsets {}–{}", self.0, self.1 - 1),
        }
    }
}

fn plural(n: u16, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Whether a partition number is 0: events and flights of partition 0 leave it out of their JSON
/// (and of the event log's hash, `World::event_log_hash`), as before topics had several.
fn is_zero(partition: &u8) -> bool {
    *partition == 0
}

/// FNV-1a, 64 bit, over bytes. The event-log hash runs it over each event's canonical form: the
/// `Debug` text of the event followed by a newline, in log order, without `partition: 0`.
pub fn fnv1a(hash: u64, bytes: &[u8]) -> u64 {
    let mut h = hash;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

/// The FNV-1a offset basis.
pub const FNV_OFFSET: u64 = 0xCBF2_9CE4_8422_2325;
