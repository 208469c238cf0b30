//! Configuration with Kafka's names and the Java client's defaults (Kafka 3.2+), and its resolution
//! into the settings actually in force.
//!
//! Kafka names are used verbatim as the settings' names (`SETTINGS`), so a scenario file reads like a
//! `.properties` file.
//! Settings that are the lab's own (how long processing takes, which sink, which commit style) are
//! prefixed `lab.` so nobody mistakes them for Kafka's.

use std::fmt;

use serde_json::{Map, Value};

/// How many milliseconds one logical tick stands for. Every `*.ms` setting is divided by this (rounding
/// up), so `delivery.timeout.ms=120000` is 1200 ticks and `request.timeout.ms=30000` is 300 ticks.
pub const TICK_MS: u32 = 100;

/// The largest `*.ms` value a scenario may set: one day. It keeps tick arithmetic far from overflow.
pub const MAX_MS: u32 = 86_400_000;

/// `acks`: how many replicas must have a record before the leader answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Acks {
    /// `acks=0`: the producer does not wait for any answer; its send succeeds when the request leaves.
    Zero,
    /// `acks=1`: the leader answers once it has appended the record.
    One,
    /// `acks=all` (or `-1`): the leader answers once every in-sync replica has the record.
    All,
}

impl Acks {
    /// The value as written in a properties file.
    pub fn as_str(self) -> &'static str {
        match self {
            Acks::Zero => "0",
            Acks::One => "1",
            Acks::All => "all",
        }
    }
}

/// `isolation.level`: which records a fetch may return.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IsolationLevel {
    /// Reads up to the high watermark, aborted and open transactional records included.
    ReadUncommitted,
    /// Reads up to the last stable offset and never returns aborted records.
    ReadCommitted,
}

/// `auto.offset.reset`: where a consumer without a valid committed offset starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OffsetReset {
    /// The first offset still in the log.
    Earliest,
    /// The end of the log: records written before the consumer started are skipped.
    Latest,
}

/// Which auto-commit behaviour the lab models when `enable.auto.commit=true`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AutoCommitStyle {
    /// The Java client: `poll()` commits, every `auto.commit.interval.ms`, the positions of records
    /// returned by earlier polls (ConsumerCoordinator.maybeAutoCommitOffsetsAsync), and `close()`
    /// commits too. A synchronous poll-process loop is therefore at-least-once.
    JavaPoll,
    /// librdkafka's default: offsets are stored when a record is handed to the application and a
    /// background timer commits them, so a crash mid-processing loses the stored records.
    BackgroundStored,
}

/// When a consumer with `enable.auto.commit=false` commits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ManualCommit {
    /// `commitSync()` after the polled batch is processed: at-least-once.
    AfterProcessing,
    /// `commitSync()` right after `poll()`, before processing: at-most-once.
    BeforeProcessing,
    /// `sendOffsetsToTransaction()` then `commitTransaction()` of the application's own transactional
    /// producer (KIP-98, KIP-447): offsets and output commit or abort together.
    InTransaction,
    /// `commitTransaction()` of the output alone, then `commitSync()` of the offsets: two commits,
    /// so a crash or a lost commit between them leaves output committed whose input offsets are
    /// not (the mistake `sendOffsetsToTransaction` exists to prevent).
    SyncAfterTransaction,
}

/// What the application does when `commitTransaction()` throws `TimeoutException` (its answer
/// did not come within `max.block.ms`). KafkaProducer.commitTransaction's javadoc: "It is safe to
/// retry in either case, but it is not possible to attempt a different operation (such as
/// abortTransaction) since the commit may already be in the progress of completing. If not
/// retrying, the only option is to close the producer."
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CommitTimeout {
    /// Call `commitTransaction()` again: it waits for the same commit, so the retry is harmless.
    Retry,
    /// Close the producer and start a new one with the same transactional.id: the application
    /// treats the transaction's messages as failed (re-sending them when `lab.resend.on.error`),
    /// although the commit may have gone through.
    Close,
}

/// The consumer's `partition.assignment.strategy`: how the group's leader spreads the topic's
/// partitions over the members (the classic group protocol, which Kafka 4 clients still default to).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Assignor {
    /// RangeAssignor with the eager protocol (the Java client's default, first in its default
    /// list): every member revokes everything it owns before it rejoins, and the members, sorted,
    /// take the partitions in order.
    Range,
    /// CooperativeStickyAssignor: a member keeps the partitions it owns if it can, and revokes only
    /// those that move (KIP-429).
    CooperativeSticky,
}

/// Where the consumer application's processing leaves its effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SinkKind {
    /// Processing has no external effect; the lab counts processing runs only.
    None,
    /// An output topic written by a plain (non-transactional) send.
    OutputTopic,
    /// An output topic written inside the application's transaction; read with read_committed.
    OutputTopicInTransaction,
    /// A database table with a plain INSERT per processed record.
    DbInsert,
    /// Both, in one run: the output topic inside the application's transaction, and a plain
    /// database INSERT beside it, which no Kafka transaction covers.
    OutputTopicAndDb,
    /// A database UPSERT keyed by the message id: a second copy overwrites the first row.
    DbUpsertMessageId,
    /// A database UPSERT keyed by the input offset: copies at two offsets make two rows.
    DbUpsertOffset,
    /// The row and the consumed offset in one database transaction; on restart the consumer seeks to
    /// the offset stored in the database instead of the group's committed offset.
    DbOffsetsInDb,
}

impl SinkKind {
    /// Whether the output topic is written inside the consumer application's transactions.
    pub fn transactional_output(self) -> bool {
        matches!(self, SinkKind::OutputTopicInTransaction | SinkKind::OutputTopicAndDb)
    }

    /// Whether the sink is a database (outside Kafka's transactions).
    pub fn is_database(self) -> bool {
        matches!(
            self,
            SinkKind::DbInsert
                | SinkKind::DbUpsertMessageId
                | SinkKind::DbUpsertOffset
                | SinkKind::DbOffsetsInDb
        )
    }
}

/// A complete producer, broker and consumer configuration, with Kafka's names.
///
/// `Config::default()` is the Java client's defaults of Kafka 3.2+, plus the lab's topology defaults
/// (replication factor 2 so that failover can be shown).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Producer: `acks` (default `all` since Kafka 3.0, KIP-679).
    pub acks: Acks,
    /// Producer: `retries` (default 2147483647; the real bound is `delivery.timeout.ms`).
    pub retries: u32,
    /// Producer: `delivery.timeout.ms`, the upper bound on reporting success or failure after send().
    pub delivery_timeout_ms: u32,
    /// Producer: `request.timeout.ms`, how long the client waits for a response before retrying.
    pub request_timeout_ms: u32,
    /// Producer: `retry.backoff.ms`.
    pub retry_backoff_ms: u32,
    /// Producer: `enable.idempotence`; `None` is "not set", which Kafka treats differently from `true`.
    pub enable_idempotence: Option<bool>,
    /// Producer: `max.in.flight.requests.per.connection` (default 5).
    pub max_in_flight: u32,
    /// Producer: `transactional.id`; set, it turns on transactions.
    pub transactional_id: Option<String>,
    /// Producer: `transaction.timeout.ms` (default 60000).
    pub transaction_timeout_ms: u32,
    /// `max.block.ms`: how long `commitTransaction()` (and send()'s metadata wait) may block.
    pub max_block_ms: u32,
    /// `lab.commit.timeout`: the application's reaction when `commitTransaction()` times out.
    pub commit_timeout: CommitTimeout,
    /// Topic: `replication.factor`, 1 or 2 in the lab.
    pub replication_factor: u8,
    /// Topic: `min.insync.replicas` (default 1).
    pub min_insync_replicas: u8,
    /// Topic: `unclean.leader.election.enable` (default false).
    pub unclean_leader_election: bool,
    /// KRaft controller: `broker.session.timeout.ms` (default 9000), how long a broker that stopped
    /// heartbeating keeps its lease. A crashed leader is fenced, and its partitions get a new
    /// leader, only when the lease runs out; until then the crashed broker cannot register again.
    pub broker_session_timeout_ms: u32,
    /// Consumer: `enable.auto.commit` (default true).
    pub enable_auto_commit: bool,
    /// Consumer: `auto.commit.interval.ms` (default 5000).
    pub auto_commit_interval_ms: u32,
    /// Consumer: `isolation.level` (default read_uncommitted).
    pub isolation_level: IsolationLevel,
    /// Consumer: `auto.offset.reset` (default latest).
    pub auto_offset_reset: OffsetReset,
    /// Consumer: `max.poll.records` (default 500).
    pub max_poll_records: u32,
    /// Consumer: `max.poll.interval.ms` (default 300000).
    pub max_poll_interval_ms: u32,
    /// Consumer: `session.timeout.ms` (default 45000 since Kafka 3.0, KIP-735): how long the group
    /// coordinator keeps a member that stopped heartbeating (a crashed process).
    pub session_timeout_ms: u32,
    /// Consumer: `partition.assignment.strategy`.
    pub assignor: Assignor,
    /// Consumer: `group.instance.id`; set, the members are static (KIP-345), each with this id
    /// and its number: a restart within `session.timeout.ms` gets its assignment back with no
    /// rebalance, and a member that stops polling or closes sends no LeaveGroup.
    pub group_instance_id: Option<String>,
    /// Lab: how many consumers of the same `group.id` run (1 to 3); each owns the partitions the
    /// assignor gives it, and a member with none stands by.
    pub group_members: u8,
    /// Topic: its number of partitions (1 to 3; the broker setting `num.partitions` gives an
    /// auto-created topic its count). Message n goes to partition (n - 1) mod this, as its key
    /// decides (lib.rs, "Modelling decisions", partitions).
    pub num_partitions: u8,
    /// Lab: which auto-commit behaviour is modelled.
    pub auto_commit_style: AutoCommitStyle,
    /// Lab: when a manual-commit consumer commits.
    pub manual_commit: ManualCommit,
    /// Lab: where processing leaves its effect.
    pub sink: SinkKind,
    /// Lab: whether the producer application sends a message again (a new record) when send() fails.
    pub resend_on_error: bool,
    /// Lab: messages per producer transaction when `transactional.id` is set.
    pub transaction_messages: u32,
    /// Lab: time the application takes to process one record.
    pub processing_ms: u32,
    /// Lab: time between two application sends.
    pub send_interval_ms: u32,
    /// Lab: one-way network latency of every link.
    pub network_latency_ms: u32,
    /// Lab: how long a crashed process or broker takes to come back.
    pub restart_ms: u32,
    /// Lab: extra latency drawn from the seed, 0 to this, per network message. Each link stays
    /// first-in first-out (as a TCP connection is), so jitter alone never reorders requests.
    pub network_jitter_ms: u32,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            acks: Acks::All,
            retries: i32::MAX as u32,
            delivery_timeout_ms: 120_000,
            request_timeout_ms: 30_000,
            retry_backoff_ms: 100,
            enable_idempotence: None,
            max_in_flight: 5,
            transactional_id: None,
            transaction_timeout_ms: 60_000,
            max_block_ms: 60_000,
            commit_timeout: CommitTimeout::Retry,
            replication_factor: 2,
            min_insync_replicas: 1,
            unclean_leader_election: false,
            broker_session_timeout_ms: 9_000,
            enable_auto_commit: true,
            auto_commit_interval_ms: 5_000,
            isolation_level: IsolationLevel::ReadUncommitted,
            auto_offset_reset: OffsetReset::Latest,
            max_poll_records: 500,
            max_poll_interval_ms: 300_000,
            session_timeout_ms: 45_000,
            assignor: Assignor::Range,
            group_instance_id: None,
            group_members: 1,
            num_partitions: 1,
            auto_commit_style: AutoCommitStyle::JavaPoll,
            manual_commit: ManualCommit::AfterProcessing,
            sink: SinkKind::None,
            resend_on_error: false,
            transaction_messages: 1,
            processing_ms: 200,
            send_interval_ms: 100,
            network_latency_ms: 100,
            restart_ms: 2_000,
            network_jitter_ms: 100,
        }
    }
}

/// A setting's value type: how it is written in JSON (a scenario file's `config` object) and read
/// back. Written by hand rather than derived: serde's derives cost the page about 5 KB gzipped for
/// this one struct, and every setting's rule is here in one line.
trait SettingValue: Sized {
    fn to_json(&self) -> Value;
    /// The value, or what the setting expects instead.
    fn from_json(value: &Value) -> Result<Self, String>;
}

impl SettingValue for u32 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
    fn from_json(value: &Value) -> Result<u32, String> {
        value.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or_else(|| format!("expected a whole number from 0 to {}", u32::MAX))
    }
}

impl SettingValue for u8 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
    fn from_json(value: &Value) -> Result<u8, String> {
        value.as_u64().and_then(|n| u8::try_from(n).ok()).ok_or_else(|| format!("expected a whole number from 0 to {}", u8::MAX))
    }
}

impl SettingValue for bool {
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
    fn from_json(value: &Value) -> Result<bool, String> {
        value.as_bool().ok_or_else(|| "expected true or false".to_owned())
    }
}

impl SettingValue for Option<bool> {
    fn to_json(&self) -> Value {
        self.map_or(Value::Null, Value::Bool)
    }
    fn from_json(value: &Value) -> Result<Option<bool>, String> {
        match value {
            Value::Null => Ok(None),
            Value::Bool(b) => Ok(Some(*b)),
            _ => Err("expected true, false, or null for not set".to_owned()),
        }
    }
}

impl SettingValue for Option<String> {
    fn to_json(&self) -> Value {
        self.as_deref().map_or(Value::Null, Value::from)
    }
    fn from_json(value: &Value) -> Result<Option<String>, String> {
        match value {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s.clone())),
            _ => Err("expected a string, or null for not set".to_owned()),
        }
    }
}

impl SettingValue for Acks {
    fn to_json(&self) -> Value {
        match self {
            Acks::All => Value::from("all"),
            Acks::One => Value::from(1),
            Acks::Zero => Value::from(0),
        }
    }
    fn from_json(value: &Value) -> Result<Acks, String> {
        // Kafka accepts "all", "-1", "0" and "1"; JSON files also write the numbers bare.
        let parsed = match value {
            Value::Number(n) => match n.as_i64() {
                Some(0) => Some(Acks::Zero),
                Some(1) => Some(Acks::One),
                Some(-1) => Some(Acks::All),
                _ => None,
            },
            Value::String(text) => match text.as_str() {
                "0" => Some(Acks::Zero),
                "1" => Some(Acks::One),
                "all" | "-1" => Some(Acks::All),
                _ => None,
            },
            _ => None,
        };
        parsed.ok_or_else(|| "acks must be 0, 1, \"all\" or -1".to_owned())
    }
}

/// An enum setting written as one of a fixed set of names.
macro_rules! named_values {
    ($($ty:ident { $($variant:ident = $name:literal,)* })*) => {$(
        impl $ty {
            /// The value as a scenario file writes it.
            pub fn name(self) -> &'static str {
                match self { $($ty::$variant => $name,)* }
            }
        }

        impl SettingValue for $ty {
            fn to_json(&self) -> Value {
                Value::from(self.name())
            }
            fn from_json(value: &Value) -> Result<$ty, String> {
                match value.as_str() {
                    $(Some($name) => Ok($ty::$variant),)*
                    _ => Err(format!("expected one of {}", [$($name),*].join(", "))),
                }
            }
        }
    )*};
}

named_values! {
    IsolationLevel { ReadUncommitted = "read_uncommitted", ReadCommitted = "read_committed", }
    OffsetReset { Earliest = "earliest", Latest = "latest", }
    AutoCommitStyle { JavaPoll = "java-poll", BackgroundStored = "background-stored", }
    CommitTimeout { Retry = "retry", Close = "close", }
    Assignor { Range = "range", CooperativeSticky = "cooperative-sticky", }
    ManualCommit {
        AfterProcessing = "after-processing",
        BeforeProcessing = "before-processing",
        InTransaction = "in-transaction",
        SyncAfterTransaction = "commit-sync-after-transaction",
    }
    SinkKind {
        None = "none",
        OutputTopic = "output-topic",
        OutputTopicInTransaction = "output-topic-in-transaction",
        DbInsert = "db-insert",
        OutputTopicAndDb = "output-topic-and-db-insert",
        DbUpsertMessageId = "db-upsert-message-id",
        DbUpsertOffset = "db-upsert-offset",
        DbOffsetsInDb = "db-offsets-in-db",
    }
}

/// Every setting by its name, bound to its field: one list gives the JSON form both ways.
macro_rules! settings {
    ($($field:ident = $name:literal,)*) => {
        /// Every setting's name, in the order of [`Config`]'s fields.
        pub const SETTINGS: &[&str] = &[$($name,)*];

        impl Config {
            /// The configuration as a scenario file's `config` object: every setting by name.
            pub fn to_value(&self) -> Value {
                let mut map = Map::new();
                $(map.insert($name.into(), self.$field.to_json());)*
                Value::Object(map)
            }

            /// Sets one setting from its JSON value. `Err` says what is wrong: an unknown name, or
            /// a value of the wrong type or out of the type's range (the lab's own ranges are
            /// [`Config::resolve`]'s).
            pub fn set(&mut self, name: &str, value: &Value) -> Result<(), String> {
                let set = match name {
                    $($name => SettingValue::from_json(value).map(|v| self.$field = v),)*
                    _ => return Err(format!("unknown setting; known settings: {}", sorted_settings().join(", "))),
                };
                set.map_err(|expected| format!("{}: {expected}", crate::text::shorten(&value.to_string(), 40)))
            }
        }
    };
}

settings! {
    acks = "acks",
    retries = "retries",
    delivery_timeout_ms = "delivery.timeout.ms",
    request_timeout_ms = "request.timeout.ms",
    retry_backoff_ms = "retry.backoff.ms",
    enable_idempotence = "enable.idempotence",
    max_in_flight = "max.in.flight.requests.per.connection",
    transactional_id = "transactional.id",
    transaction_timeout_ms = "transaction.timeout.ms",
    max_block_ms = "max.block.ms",
    commit_timeout = "lab.commit.timeout",
    replication_factor = "replication.factor",
    min_insync_replicas = "min.insync.replicas",
    unclean_leader_election = "unclean.leader.election.enable",
    broker_session_timeout_ms = "broker.session.timeout.ms",
    enable_auto_commit = "enable.auto.commit",
    auto_commit_interval_ms = "auto.commit.interval.ms",
    isolation_level = "isolation.level",
    auto_offset_reset = "auto.offset.reset",
    max_poll_records = "max.poll.records",
    max_poll_interval_ms = "max.poll.interval.ms",
    session_timeout_ms = "session.timeout.ms",
    assignor = "partition.assignment.strategy",
    group_instance_id = "group.instance.id",
    group_members = "lab.group.members",
    num_partitions = "num.partitions",
    auto_commit_style = "lab.auto.commit.style",
    manual_commit = "lab.manual.commit",
    sink = "lab.sink",
    resend_on_error = "lab.resend.on.error",
    transaction_messages = "lab.transaction.messages",
    processing_ms = "lab.processing.ms",
    send_interval_ms = "lab.send.interval.ms",
    network_latency_ms = "lab.network.latency.ms",
    restart_ms = "lab.restart.ms",
    network_jitter_ms = "lab.network.jitter.ms",
}

/// The settings' names in alphabetical order, as an error lists them.
fn sorted_settings() -> Vec<&'static str> {
    let mut names = SETTINGS.to_vec();
    crate::order::sort(&mut names);
    names
}

/// A configuration Kafka itself would refuse (a `ConfigException`), or one outside the lab's range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The setting at fault, by its Kafka (or `lab.`) name.
    pub field: &'static str,
    /// What is wrong, in Kafka's words where Kafka has them.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// The settings in force after Kafka's resolution rules, with times in ticks, and one sentence per
/// automatic change so the UI can say "idempotence: off (acks != all)".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EffectiveConfig {
    /// The configuration as written.
    pub config: Config,
    /// Whether the idempotent producer is in force.
    pub idempotence: bool,
    /// Whether the producer is transactional.
    pub transactional: bool,
    /// The producer's retry budget, in attempts after the first.
    pub retries: u32,
    /// `delivery.timeout.ms` in ticks.
    pub delivery_timeout: u64,
    /// `request.timeout.ms` in ticks.
    pub request_timeout: u64,
    /// `retry.backoff.ms` in ticks (at least one).
    pub retry_backoff: u64,
    /// `transaction.timeout.ms` in ticks.
    pub transaction_timeout: u64,
    /// `max.block.ms` in ticks, at least one.
    pub max_block: u64,
    /// `auto.commit.interval.ms` in ticks (at least one).
    pub auto_commit_interval: u64,
    /// `max.poll.interval.ms` in ticks.
    pub max_poll_interval: u64,
    /// `lab.processing.ms` in ticks (at least one).
    pub processing: u64,
    /// `lab.send.interval.ms` in ticks.
    pub send_interval: u64,
    /// `lab.network.latency.ms` in ticks (at least one, so every message visibly travels).
    pub latency: u64,
    /// `lab.restart.ms` in ticks (at least one).
    pub restart: u64,
    /// `lab.network.jitter.ms` in ticks.
    pub jitter: u64,
    /// `broker.session.timeout.ms` in ticks: from a broker's crash to its fencing and the election.
    pub session_timeout: u64,
    /// The consumer's `session.timeout.ms` in ticks: from a member's crash to its removal.
    pub member_session_timeout: u64,
    /// Sentences on what the resolution changed, such as "idempotence: off (acks != all)".
    pub notes: Vec<String>,
}

/// Milliseconds to ticks, rounding up so that a non-zero time never collapses to zero.
pub fn ms_to_ticks(ms: u32) -> u64 {
    u64::from(ms).div_ceil(u64::from(TICK_MS))
}

impl Config {
    /// Resolves the configuration as Kafka does, or refuses it as Kafka would.
    ///
    /// The idempotence rules are ProducerConfig.postProcessAndValidateIdempotenceConfigs: a defaulted
    /// `enable.idempotence` is switched off by `acks` other than all, `retries=0` or more than 5 in
    /// flight; set explicitly to true, the same combinations are a ConfigException. A
    /// `transactional.id` requires idempotence (KafkaProducer.configureTransactionState).
    pub fn resolve(&self) -> Result<EffectiveConfig, ConfigError> {
        self.check_ranges()?;
        let mut notes = Vec::new();
        let idempotence = self.resolve_idempotence(&mut notes)?;
        let transactional = self.transactional_id.is_some();
        if transactional && !idempotence {
            return Err(ConfigError {
                field: "transactional.id",
                message: "Cannot set a transactional.id without also enabling idempotence.".into(),
            });
        }
        self.check_consumer(&mut notes)?;
        Ok(EffectiveConfig {
            config: self.clone(),
            idempotence,
            transactional,
            retries: self.retries,
            delivery_timeout: ms_to_ticks(self.delivery_timeout_ms),
            request_timeout: ms_to_ticks(self.request_timeout_ms).max(1),
            retry_backoff: ms_to_ticks(self.retry_backoff_ms).max(1),
            transaction_timeout: ms_to_ticks(self.transaction_timeout_ms).max(1),
            max_block: ms_to_ticks(self.max_block_ms).max(1),
            auto_commit_interval: ms_to_ticks(self.auto_commit_interval_ms).max(1),
            max_poll_interval: ms_to_ticks(self.max_poll_interval_ms).max(1),
            processing: ms_to_ticks(self.processing_ms).max(1),
            send_interval: ms_to_ticks(self.send_interval_ms),
            latency: ms_to_ticks(self.network_latency_ms).max(1),
            restart: ms_to_ticks(self.restart_ms).max(1),
            jitter: ms_to_ticks(self.network_jitter_ms),
            session_timeout: ms_to_ticks(self.broker_session_timeout_ms),
            member_session_timeout: ms_to_ticks(self.session_timeout_ms).max(1),
            notes,
        })
    }

    fn resolve_idempotence(&self, notes: &mut Vec<String>) -> Result<bool, ConfigError> {
        let explicit = self.enable_idempotence == Some(true);
        if self.enable_idempotence == Some(false) {
            notes.push("idempotence: off (enable.idempotence=false)".into());
            return Ok(false);
        }
        let reason = if self.acks != Acks::All {
            Some(("acks", "acks != all", "Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence."))
        } else if self.retries == 0 {
            Some(("retries", "retries=0", "Must set retries to non-zero when using the idempotent producer."))
        } else if self.max_in_flight > 5 {
            Some((
                "max.in.flight.requests.per.connection",
                "max.in.flight.requests.per.connection > 5",
                "Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.",
            ))
        } else {
            None
        };
        // ProducerConfig.postProcessAndValidateIdempotenceConfigs checks retries before acks.
        let reason = if explicit && self.retries == 0 {
            Some(("retries", "retries=0", "Must set retries to non-zero when using the idempotent producer."))
        } else {
            reason
        };
        match reason {
            Some((field, _, message)) if explicit => Err(ConfigError { field, message: message.into() }),
            Some((_, why, _)) => {
                notes.push(format!("idempotence: off ({why})"));
                Ok(false)
            }
            None => Ok(true),
        }
    }

    fn check_consumer(&self, notes: &mut Vec<String>) -> Result<(), ConfigError> {
        let transaction = matches!(self.manual_commit, ManualCommit::InTransaction | ManualCommit::SyncAfterTransaction);
        if self.enable_auto_commit && transaction {
            return Err(ConfigError {
                field: "enable.auto.commit",
                message: "the lab requires enable.auto.commit=false for offsets sent in a transaction (its consumer commits only through the transaction); Kafka itself does not refuse the combination".into(),
            });
        }
        if self.enable_auto_commit {
            let style = match self.auto_commit_style {
                AutoCommitStyle::JavaPoll => "auto-commit: Java client, committed inside poll()",
                AutoCommitStyle::BackgroundStored => {
                    "auto-commit: background timer over offsets stored on delivery (librdkafka)"
                }
            };
            notes.push(style.into());
        }
        if self.num_partitions > 1 && self.sink == SinkKind::DbOffsetsInDb {
            return Err(ConfigError {
                field: "lab.sink",
                message: "db-offsets-in-db keeps one offset in the database: it needs num.partitions=1".into(),
            });
        }
        if self.sink.transactional_output() && (self.enable_auto_commit || !transaction) {
            return Err(ConfigError {
                field: "lab.sink",
                message: format!("{} needs lab.manual.commit=in-transaction (or commit-sync-after-transaction)", self.sink.name()),
            });
        }
        Ok(())
    }

    fn check_ranges(&self) -> Result<(), ConfigError> {
        let range = |field: &'static str, value: u32, low: u32, high: u32| {
            if value < low || value > high {
                Err(ConfigError { field, message: format!("{value} is outside {low}..={high}") })
            } else {
                Ok(())
            }
        };
        range("delivery.timeout.ms", self.delivery_timeout_ms, 1, MAX_MS)?;
        range("request.timeout.ms", self.request_timeout_ms, 1, MAX_MS)?;
        range("retry.backoff.ms", self.retry_backoff_ms, 0, MAX_MS)?;
        range("max.in.flight.requests.per.connection", self.max_in_flight, 1, 50)?;
        range("transaction.timeout.ms", self.transaction_timeout_ms, 1, MAX_MS)?;
        // Kafka accepts 0; the lab needs one tick, so that a retried commitTransaction() waits.
        range("max.block.ms", self.max_block_ms, TICK_MS, MAX_MS)?;
        range("replication.factor", u32::from(self.replication_factor), 1, 2)?;
        range("min.insync.replicas", u32::from(self.min_insync_replicas), 1, u32::from(self.replication_factor))?;
        range("auto.commit.interval.ms", self.auto_commit_interval_ms, 0, MAX_MS)?;
        range("max.poll.records", self.max_poll_records, 1, 10_000)?;
        range("max.poll.interval.ms", self.max_poll_interval_ms, 1, MAX_MS)?;
        range("lab.transaction.messages", self.transaction_messages, 1, 50)?;
        range("lab.processing.ms", self.processing_ms, 0, 60_000)?;
        range("lab.send.interval.ms", self.send_interval_ms, 0, 60_000)?;
        range("lab.network.latency.ms", self.network_latency_ms, 0, 60_000)?;
        range("lab.restart.ms", self.restart_ms, 0, 600_000)?;
        range("lab.network.jitter.ms", self.network_jitter_ms, 0, 10_000)?;
        range("broker.session.timeout.ms", self.broker_session_timeout_ms, 0, 600_000)?;
        // The group coordinator refuses a JoinGroup whose session timeout is outside
        // group.min.session.timeout.ms..=group.max.session.timeout.ms (6000 and 1800000 by
        // default) with INVALID_SESSION_TIMEOUT.
        range("session.timeout.ms", self.session_timeout_ms, 6_000, 1_800_000)?;
        range("lab.group.members", u32::from(self.group_members), 1, 3)?;
        range("num.partitions", u32::from(self.num_partitions), 1, 3)?;
        if self.delivery_timeout_ms < self.request_timeout_ms {
            // KafkaProducer.configureDeliveryTimeout throws only when delivery.timeout.ms was set
            // explicitly; left at its default, Kafka raises it to linger.ms + request.timeout.ms
            // with a warning. `Config` holds a number whether or not it was set, so the lab cannot
            // tell the two apart and refuses both, saying so.
            return Err(ConfigError {
                field: "delivery.timeout.ms",
                message: format!(
                    "delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms \
                     ({} < 0 + {}). Kafka throws this only when delivery.timeout.ms is set explicitly; \
                     left at its default it raises delivery.timeout.ms to linger.ms + request.timeout.ms. \
                     The lab cannot tell a default from a set value, so set delivery.timeout.ms to at \
                     least {}.",
                    self.delivery_timeout_ms, self.request_timeout_ms, self.request_timeout_ms
                ),
            });
        }
        if self.transactional_id.is_some() && self.transaction_timeout_ms > 900_000 {
            // Not a client ConfigException: the transaction coordinator refuses InitProducerId
            // with INVALID_TRANSACTION_TIMEOUT above transaction.max.timeout.ms (default 900000).
            return Err(ConfigError {
                field: "transaction.timeout.ms",
                message: "The transaction timeout is larger than the maximum value allowed by the broker (as configured by transaction.max.timeout.ms, 900000 by default); the coordinator would refuse InitProducerId with INVALID_TRANSACTION_TIMEOUT".into(),
            });
        }
        for (field, id) in [("transactional.id", &self.transactional_id), ("group.instance.id", &self.group_instance_id)] {
            if id.as_ref().is_some_and(|id| id.is_empty() || id.chars().count() > 64) {
                return Err(ConfigError {
                    field,
                    message: format!("the lab requires 1 to 64 characters (Kafka only requires a non-empty {field})"),
                });
            }
        }
        Ok(())
    }
}
