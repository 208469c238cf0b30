//! Every failure point of the lab as a value of one type, [`Fault`], and when it strikes, [`Trigger`].
//!
//! A click, a scenario file, a link (`fail=drop-ack:m2`) and the explorer all build a [`FaultSpec`]
//! and hand it to `World::inject`, the one entry point, so a failure behaves the same wherever it
//! comes from.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::event::{MsgId, Tick};

/// A failure point. Its slug (`drop-ack`) is stable: links and scenario files name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fault {
    /// The produce request is lost between producer and leader. A TCP connection does not lose one
    /// request and deliver the next, so the connection is broken: later requests and responses on
    /// it are lost too until request.timeout.ms makes the client reconnect (with acks=0, only this
    /// request is lost).
    DropProduceRequest,
    /// The leader appended the record but its response (the ACK) is lost, and with it the
    /// connection: later responses on it are lost too until request.timeout.ms.
    DropAck,
    /// The leader crashes after it answered but before the follower fetched the record.
    LeaderCrashUnreplicatedAfterAck,
    /// The leader crashes after it appended the record, before it answered or the follower fetched.
    LeaderCrashUnreplicatedBeforeAck,
    /// The leader crashes after the follower has the record.
    LeaderCrashReplicated,
    /// The follower stalls and drops out of the in-sync replica set for a while.
    FollowerOutOfIsr,
    /// The producer process crashes and restarts with the same `transactional.id`.
    ProducerRestartSameId,
    /// The producer process crashes and restarts with a new `transactional.id`.
    ProducerRestartNewId,
    /// The application's wait for send() times out and it sends the message again as a new record.
    AppResendAfterTimeout,
    /// The producer freezes, a replacement starts, then the old instance wakes up and carries on.
    ZombieProducer,
    /// The application aborts the transaction that holds the message.
    TransactionAbort,
    /// The consumer crashes after the fetch returned the record, before processing it.
    ConsumerCrashAfterFetch,
    /// The consumer crashes after processing the record (effect written), before committing it.
    ConsumerCrashAfterProcessing,
    /// The consumer crashes after a commit covered the record, before its processing finished.
    ConsumerCrashAfterCommit,
    /// Processing throws and the application closes the consumer.
    ProcessingThrows,
    /// Processing stalls past `max.poll.interval.ms`; the consumer is removed from its group.
    ProcessingStall,
    /// The offset-commit request is lost.
    DropOffsetCommit,
    /// The database write commits, then the process dies before its offset or transaction commit.
    DbWriteThenDie,
    /// The message's first produce request arrives damaged: the leader refuses it with a retriable
    /// error (CORRUPT_MESSAGE) while the requests behind it succeed. Its retry can land after a
    /// later message, which reorders them unless the producer is idempotent or sends one request
    /// at a time. (The slug predates this definition: one connection never reorders requests.)
    NetworkDelayReorder,
    /// The leader crashes and comes back with an empty disk.
    DiskLost,
    /// The leader's answer to a consumer fetch (the records it returns) is lost: the consumer
    /// hears nothing until request.timeout.ms, then fetches again from its position.
    DropFetchResponse,
    /// The transaction coordinator's answer to EndTxn (commitTransaction() or abortTransaction())
    /// is lost: the client hears nothing until request.timeout.ms and sends EndTxn again.
    DropEndTxnResponse,
    /// The producer process crashes and stays down: nothing restarts it.
    ProducerCrashStaysDown,
    /// The producer crashes in commitTransaction() before EndTxn leaves (every record of the
    /// transaction acknowledged) and restarts with the same transactional.id.
    ProducerCrashBeforeCommit,
    /// EndTxn(commit) reached the coordinator, which commits; the producer crashes before the
    /// answer and restarts with the same transactional.id, not knowing the outcome.
    ProducerCrashAfterEndTxn,
    /// The producer crashes right after commitTransaction() returned, and restarts with the same
    /// transactional.id.
    ProducerCrashAfterCommit,
}

/// Where on the stage a failure happens, so the UI can place its hotspot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hotspot {
    /// The link from the producer to the leader.
    ProduceLink,
    /// The link from the leader back to the producer.
    AckLink,
    /// The partition leader.
    Leader,
    /// The follower replica.
    Follower,
    /// The producer application and client.
    Producer,
    /// The consumer client.
    Consumer,
    /// The consumer application's processing.
    Processing,
    /// The link from the consumer to the group coordinator.
    CommitLink,
    /// The sink the consumer application writes to.
    Sink,
}

impl Fault {
    /// Every failure point, in the order the UI lists them.
    pub const ALL: [Fault; 26] = [
        Fault::DropProduceRequest,
        Fault::DropAck,
        Fault::LeaderCrashUnreplicatedAfterAck,
        Fault::LeaderCrashUnreplicatedBeforeAck,
        Fault::LeaderCrashReplicated,
        Fault::FollowerOutOfIsr,
        Fault::ProducerRestartSameId,
        Fault::ProducerRestartNewId,
        Fault::AppResendAfterTimeout,
        Fault::ZombieProducer,
        Fault::TransactionAbort,
        Fault::ConsumerCrashAfterFetch,
        Fault::ConsumerCrashAfterProcessing,
        Fault::ConsumerCrashAfterCommit,
        Fault::ProcessingThrows,
        Fault::ProcessingStall,
        Fault::DropOffsetCommit,
        Fault::DbWriteThenDie,
        Fault::NetworkDelayReorder,
        Fault::DiskLost,
        Fault::DropFetchResponse,
        Fault::DropEndTxnResponse,
        Fault::ProducerCrashStaysDown,
        Fault::ProducerCrashBeforeCommit,
        Fault::ProducerCrashAfterEndTxn,
        Fault::ProducerCrashAfterCommit,
    ];

    /// The stable name used in links and scenario files.
    pub fn slug(self) -> &'static str {
        match self {
            Fault::DropProduceRequest => "drop-produce-request",
            Fault::DropAck => "drop-ack",
            Fault::LeaderCrashUnreplicatedAfterAck => "leader-crash-unreplicated-after-ack",
            Fault::LeaderCrashUnreplicatedBeforeAck => "leader-crash-unreplicated-before-ack",
            Fault::LeaderCrashReplicated => "leader-crash-replicated",
            Fault::FollowerOutOfIsr => "follower-out-of-isr",
            Fault::ProducerRestartSameId => "producer-restart-same-id",
            Fault::ProducerRestartNewId => "producer-restart-new-id",
            Fault::AppResendAfterTimeout => "app-resend-after-timeout",
            Fault::ZombieProducer => "zombie-producer",
            Fault::TransactionAbort => "transaction-abort",
            Fault::ConsumerCrashAfterFetch => "consumer-crash-after-fetch",
            Fault::ConsumerCrashAfterProcessing => "consumer-crash-after-processing",
            Fault::ConsumerCrashAfterCommit => "consumer-crash-after-commit",
            Fault::ProcessingThrows => "processing-throws",
            Fault::ProcessingStall => "processing-stall",
            Fault::DropOffsetCommit => "drop-offset-commit",
            Fault::DbWriteThenDie => "db-write-then-die",
            Fault::NetworkDelayReorder => "network-delay-reorder",
            Fault::DiskLost => "disk-lost",
            Fault::DropFetchResponse => "drop-fetch-response",
            Fault::DropEndTxnResponse => "drop-end-txn-response",
            Fault::ProducerCrashStaysDown => "producer-crash-stays-down",
            Fault::ProducerCrashBeforeCommit => "producer-crash-before-commit",
            Fault::ProducerCrashAfterEndTxn => "producer-crash-after-end-txn",
            Fault::ProducerCrashAfterCommit => "producer-crash-after-commit",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Fault::DropProduceRequest => "Drop the produce request",
            Fault::DropAck => "Drop the ACK",
            Fault::LeaderCrashUnreplicatedAfterAck => "Leader crash before replication, after the ACK",
            Fault::LeaderCrashUnreplicatedBeforeAck => "Leader crash before replication, before the ACK",
            Fault::LeaderCrashReplicated => "Leader crash after replication",
            Fault::FollowerOutOfIsr => "Follower drops out of the ISR",
            Fault::ProducerRestartSameId => "Producer crash and restart, same transactional.id",
            Fault::ProducerRestartNewId => "Producer crash and restart, new transactional.id",
            Fault::AppResendAfterTimeout => "Application re-sends after a timeout",
            Fault::ZombieProducer => "Zombie producer wakes up",
            Fault::TransactionAbort => "Transaction abort",
            Fault::ConsumerCrashAfterFetch => "Consumer crash after fetch, before processing",
            Fault::ConsumerCrashAfterProcessing => "Consumer crash after processing, before commit",
            Fault::ConsumerCrashAfterCommit => "Consumer crash after commit, before processing finished",
            Fault::ProcessingThrows => "Processing throws; the application closes the consumer",
            Fault::ProcessingStall => "Processing stalls past max.poll.interval.ms",
            Fault::DropOffsetCommit => "Drop the offset-commit request",
            Fault::DbWriteThenDie => "Database write succeeds, then the process dies",
            Fault::NetworkDelayReorder => "Produce request damaged in transit (CORRUPT_MESSAGE, retriable)",
            Fault::DiskLost => "Leader's disk lost",
            Fault::DropFetchResponse => "Drop the fetch response",
            Fault::DropEndTxnResponse => "Drop the answer to EndTxn (commitTransaction)",
            Fault::ProducerCrashStaysDown => "Producer crash; it stays down",
            Fault::ProducerCrashBeforeCommit => "Producer crash before EndTxn; restart",
            Fault::ProducerCrashAfterEndTxn => "Producer crash after EndTxn committed, before its answer; restart",
            Fault::ProducerCrashAfterCommit => "Producer crash after commitTransaction returned; restart",
        }
    }

    /// Why this failure cannot strike at all under `config`, or `None` if it can: the one rule the
    /// stage's failure menus, Compare and the guarantee matrix (its `n/a`) share.
    pub fn cannot_strike(self, config: &super::config::Config) -> Option<&'static str> {
        match self {
            Fault::DropAck if config.acks == super::config::Acks::Zero => Some("acks=0: the producer waits for no ACK"),
            Fault::TransactionAbort
            | Fault::DropEndTxnResponse
            | Fault::ProducerCrashBeforeCommit
            | Fault::ProducerCrashAfterEndTxn
            | Fault::ProducerCrashAfterCommit
                if config.transactional_id.is_none() =>
            {
                Some("no transactional.id: no transaction")
            }
            _ => None,
        }
    }

    /// Where the failure sits on the stage.
    pub fn hotspot(self) -> Hotspot {
        match self {
            Fault::DropProduceRequest | Fault::NetworkDelayReorder => Hotspot::ProduceLink,
            Fault::DropAck => Hotspot::AckLink,
            Fault::LeaderCrashUnreplicatedAfterAck
            | Fault::LeaderCrashUnreplicatedBeforeAck
            | Fault::LeaderCrashReplicated
            | Fault::DiskLost => Hotspot::Leader,
            Fault::FollowerOutOfIsr => Hotspot::Follower,
            Fault::ProducerRestartSameId
            | Fault::ProducerRestartNewId
            | Fault::AppResendAfterTimeout
            | Fault::ZombieProducer
            | Fault::TransactionAbort
            | Fault::DropEndTxnResponse
            | Fault::ProducerCrashStaysDown
            | Fault::ProducerCrashBeforeCommit
            | Fault::ProducerCrashAfterEndTxn
            | Fault::ProducerCrashAfterCommit => Hotspot::Producer,
            Fault::ConsumerCrashAfterFetch | Fault::ConsumerCrashAfterCommit | Fault::DropFetchResponse => Hotspot::Consumer,
            Fault::ConsumerCrashAfterProcessing | Fault::ProcessingThrows | Fault::ProcessingStall => {
                Hotspot::Processing
            }
            Fault::DropOffsetCommit => Hotspot::CommitLink,
            Fault::DbWriteThenDie => Hotspot::Sink,
        }
    }

    /// A failure of a message on the network (a request or a response lost or damaged): it may
    /// strike in a window of time or several times (`Trigger::Window`, `Trigger::Count`).
    pub fn on_the_wire(self) -> bool {
        matches!(
            self,
            Fault::DropProduceRequest
                | Fault::DropAck
                | Fault::NetworkDelayReorder
                | Fault::DropOffsetCommit
                | Fault::DropFetchResponse
                | Fault::DropEndTxnResponse
        )
    }

    /// A failure of one produce attempt: it may strike a given attempt (`Trigger::Attempt`).
    pub fn per_attempt(self) -> bool {
        matches!(self, Fault::DropProduceRequest | Fault::DropAck | Fault::NetworkDelayReorder)
    }

    /// Whether a tick trigger makes the fault happen at that tick. The other faults need a matching
    /// moment (an ACK to drop, a record to crash before), so a tick only arms them from then on.
    pub fn strikes_at_tick(self) -> bool {
        matches!(
            self,
            Fault::LeaderCrashReplicated
                | Fault::FollowerOutOfIsr
                | Fault::ProducerRestartSameId
                | Fault::ProducerRestartNewId
                | Fault::ProducerCrashStaysDown
                | Fault::ZombieProducer
                | Fault::DiskLost
        )
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// A fault name that is not one of [`Fault::ALL`], or a malformed trigger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadFault(pub String);

impl fmt::Display for BadFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadFault {}

impl FromStr for Fault {
    type Err = BadFault;

    fn from_str(s: &str) -> Result<Fault, BadFault> {
        Fault::ALL.into_iter().find(|fault| fault.slug() == s).ok_or_else(|| {
            BadFault(format!("unknown fault {s:?}; expected one of {}", Fault::ALL.map(Fault::slug).join(", ")))
        })
    }
}

/// When an injected fault strikes. The first three strike once, at a moment each failure point
/// has always had (a produce request's first attempt, say); the last three are for failures on the
/// network ([`Fault::on_the_wire`]) and reach every attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Trigger {
    /// Armed for the next matching moment, whichever message it concerns.
    Next,
    /// At this tick, or armed from this tick for faults that need a matching moment.
    AtTick(Tick),
    /// Armed for the next matching moment that concerns this message.
    Message(MsgId),
    /// The produce request (or its ACK) of this attempt of the message, retries included:
    /// `drop-ack:m2#3`. Only for failures that strike one attempt ([`Fault::per_attempt`]).
    Attempt(MsgId, u32),
    /// Every matching moment from tick `.0` up to, not including, tick `.1`, whatever the message
    /// or attempt: `drop-produce-request@30..60`.
    Window(Tick, Tick),
    /// The next this many matching moments, whatever the message or attempt: `drop-ack*3`.
    Count(u16),
}

impl Trigger {
    /// The message the trigger names, if any.
    pub fn msg(self) -> Option<MsgId> {
        match self {
            Trigger::Message(msg) | Trigger::Attempt(msg, _) => Some(msg),
            _ => None,
        }
    }

    /// When it strikes, in words: "for m2", "for m2, attempt 3", "the next 3 times".
    pub fn words(self) -> String {
        match self {
            Trigger::Next => "the next time it can".to_owned(),
            Trigger::Message(msg) => format!("for {msg}"),
            Trigger::AtTick(tick) => format!("from t={tick}"),
            Trigger::Attempt(msg, attempt) => format!("for {msg}, attempt {attempt}"),
            Trigger::Window(from, to) => format!("every time from t={from} to t={to}"),
            Trigger::Count(n) => format!("the next {n} times"),
        }
    }

    /// The trigger `fault` takes when a menu offers this one to every failure: itself if `fault`
    /// can take it, else the nearest it can (a crash offered "m2, attempt 3" strikes for m2; one
    /// offered a window or a count, the next time it can).
    pub fn nearest_for(self, fault: Fault) -> Trigger {
        if self.refused_for(fault).is_none() {
            return self;
        }
        match self.msg() {
            Some(msg) => Trigger::Message(msg),
            None => Trigger::Next,
        }
    }

    /// Whether it may strike more than once.
    pub fn repeats(self) -> bool {
        matches!(self, Trigger::Window(..) | Trigger::Count(_))
    }

    /// Why `fault` cannot take this trigger, or `None` if it can.
    pub fn refused_for(self, fault: Fault) -> Option<&'static str> {
        match self {
            Trigger::Attempt(..) if !fault.per_attempt() => {
                Some("only a produce request, its damage or its ACK can strike a given attempt (#k)")
            }
            Trigger::Attempt(_, 0) => Some("attempts count from 1"),
            Trigger::Window(..) | Trigger::Count(_) if !fault.on_the_wire() => {
                Some("only a failure on the network can strike in a window (@from..to) or several times (*n)")
            }
            Trigger::Window(from, to) if from >= to => Some("a window ends after it starts (@from..to)"),
            Trigger::Count(0) => Some("strikes at least once (*1 or more)"),
            Trigger::Count(n) if n > MAX_COUNT => Some("strikes at most 20 times (*20)"),
            _ => None,
        }
    }
}

/// The most times one `*n` failure strikes.
pub const MAX_COUNT: u16 = 20;

/// The highest attempt a `#k` failure may name.
pub const MAX_ATTEMPT: u32 = 100;

/// One failure to inject: what and when. Written `drop-ack`, `drop-ack:m2` or `disk-lost@30`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FaultSpec {
    /// The failure point.
    pub fault: Fault,
    /// When it strikes.
    pub trigger: Trigger,
}

impl FaultSpec {
    /// A fault armed for the next matching moment concerning `msg`.
    pub fn for_message(fault: Fault, msg: u16) -> FaultSpec {
        FaultSpec { fault, trigger: Trigger::Message(MsgId(msg)) }
    }
}

impl fmt::Display for FaultSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.trigger {
            Trigger::Next => write!(f, "{}", self.fault),
            Trigger::AtTick(tick) => write!(f, "{}@{tick}", self.fault),
            Trigger::Message(msg) => write!(f, "{}:{msg}", self.fault),
            Trigger::Attempt(msg, attempt) => write!(f, "{}:{msg}#{attempt}", self.fault),
            Trigger::Window(from, to) => write!(f, "{}@{from}..{to}", self.fault),
            Trigger::Count(n) => write!(f, "{}*{n}", self.fault),
        }
    }
}

impl FromStr for FaultSpec {
    type Err = BadFault;

    fn from_str(s: &str) -> Result<FaultSpec, BadFault> {
        // Numbers in their canonical spelling only (no sign, no leading zero), so that a spec
        // reads back exactly as it is written.
        let spec = if let Some((name, msg)) = s.split_once(':') {
            let (msg, attempt) = match msg.split_once('#') {
                Some((msg, attempt)) => {
                    let attempt = crate::text::digits::<u32>(attempt).ok_or_else(|| {
                        BadFault(format!("{s:?}: expected an attempt number after '#' (digits, no sign or leading zero)"))
                    })?;
                    (msg, Some(attempt))
                }
                None => (msg, None),
            };
            let number = msg
                .strip_prefix('m')
                .and_then(crate::text::digits::<u16>)
                .filter(|n| *n >= 1)
                .ok_or_else(|| BadFault(format!("{s:?}: expected a message like m2 after ':' (digits, no sign or leading zero)")))?;
            let trigger = match attempt {
                Some(attempt) => Trigger::Attempt(MsgId(number), attempt),
                None => Trigger::Message(MsgId(number)),
            };
            FaultSpec { fault: name.parse()?, trigger }
        } else if let Some((name, when)) = s.split_once('@') {
            let tick = |t: &str| {
                crate::text::digits::<Tick>(t).ok_or_else(|| {
                    BadFault(format!("{s:?}: expected a tick number after '@' (digits, no sign or leading zero), or a window like @30..60"))
                })
            };
            let trigger = match when.split_once("..") {
                Some((from, to)) => Trigger::Window(tick(from)?, tick(to)?),
                None => Trigger::AtTick(tick(when)?),
            };
            FaultSpec { fault: name.parse()?, trigger }
        } else if let Some((name, n)) = s.split_once('*') {
            let n = crate::text::digits::<u16>(n).ok_or_else(|| {
                BadFault(format!("{s:?}: expected how many times after '*' (digits, no sign or leading zero)"))
            })?;
            FaultSpec { fault: name.parse()?, trigger: Trigger::Count(n) }
        } else {
            FaultSpec { fault: s.parse()?, trigger: Trigger::Next }
        };
        match spec.trigger.refused_for(spec.fault) {
            Some(why) => Err(BadFault(format!("{s:?}: {why}"))),
            None => Ok(spec),
        }
    }
}
