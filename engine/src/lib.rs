//! The Kafka Delivery Lab engine: a deterministic model of a Kafka producer, broker and consumer.
//!
//! This crate is plain Rust. It imports no web crate, reads no clock and uses no OS randomness, so a
//! run is a pure function of its scenario, natively and in the browser.
//!
//! The codemap of this crate and of the whole lab is ARCHITECTURE.md at the repository's root (one
//! codemap, kept there); the modelling decisions below are the engine's own.
//!
//! # Architecture invariants
//!
//! - No web crate, no clock of the standard library, no OS randomness, no floating point in
//!   anything that decides an outcome; observable iteration is over `Vec`s in a fixed order. The same scenario gives the same
//!   event log, byte for byte, everywhere.
//! - Every failure is a `FaultSpec` entering through `World::inject`.
//! - Everything is bounded: `MAX_EVENTS` events, `MAX_TICK` ticks, `MAX_MESSAGES` messages,
//!   `MAX_FAULTS` faults, `MAX_APP_SENDS` sends per message, `MAX_SESSIONS` producer instances.

//! # Modelling decisions
//!
//! Where sources disagree the engine follows Kafka's code; where it simplifies, it says so here.
//!
//! - Time: one tick is 100 ms (`TICK_MS`); every `*.ms` setting is divided by it, rounding up.
//!   Each network hop takes `lab.network.latency.ms` plus a seeded jitter, and every directed link
//!   is first-in first-out: Kafka processes the requests of one connection in order and answers
//!   in order (protocol guide, "Network"), so nothing overtakes on the wire. A broker reads a
//!   connection's next request only once it has answered the one before ("a single in-flight
//!   request per connection"; SocketServer mutes the channel until the response is sent): an
//!   acks=all request that waits for the follower holds the requests pipelined behind it
//!   (`Partition::queued`), and with one record per batch each record then waits a replication
//!   round trip where Kafka would batch the records that arrived meanwhile. Reordering needs a
//!   retried request: `network-delay-reorder` (slug kept for links) makes a message's first
//!   request arrive damaged, refused with the retriable CORRUPT_MESSAGE; with acks=0 the broker
//!   closes the connection instead and the requests behind it are lost
//!   (`Partition::acks0_broker_closes_connection`).
//! - Configuration: `Config` holds a value for every setting, so it cannot tell a default from a
//!   value set explicitly. Where Kafka distinguishes them it says so: `enable.idempotence` is an
//!   `Option`; `delivery.timeout.ms` below `request.timeout.ms` is refused as Kafka refuses an
//!   explicit value (a defaulted one Kafka would raise instead), and the error says so.
//! - One record per batch and per produce request. Idempotent brokers keep the last 5 batches per
//!   producer id, rebuilt from the log (so a new leader deduplicates too); a new epoch starts at
//!   sequence 0; after a failed batch the producer bumps its epoch (KIP-360), but a batch that
//!   expired after it went out leaves its sequence unresolved: nothing new is numbered until the
//!   batches in flight complete, and the epoch is bumped only if none after it was acknowledged
//!   (TransactionManager.maybeResolveSequences); an OUT_OF_ORDER_SEQUENCE bumps it only for the
//!   batch right after the last acknowledged one, and any other is retried as it is
//!   (TransactionManager.canRetry), so an old batch out of the broker's window is refused until
//!   delivery.timeout.ms, never written twice. A broker whose log
//!   no longer holds anything of a producer id it once had (truncation, a lost disk) accepts any
//!   sequence from it (ProducerAppendInfo.checkSequence). Kafka accepts any first sequence from a
//!   producer id it never saw as well; the lab requires 0 there, which differs from Kafka only if
//!   a new producer's very first batch is refused while a later one is in flight
//!   (`network-delay-reorder` on the first message), where Kafka would append the later batch
//!   first. As RecordAccumulator does, a retried batch goes out again only once every lower
//!   sequence of its epoch has an outcome, and nothing is drained behind it meanwhile. Without
//!   idempotence a retried batch goes back to the head of the queue (RecordAccumulator.reenqueue,
//!   `addFirst`), so batches failed together are retried newest first. A produce request's
//!   producer id and transactional flag (its batch header) are read from the producer's record
//!   (`World::produce_request_header`); everything else it carries is a field of
//!   `FlightKind::Produce`. An idempotent (not transactional) producer instance gets its
//!   producer id when it starts, without an InitProducerId round trip
//!   (`Producer::start_producer_session`).
//! - Connections: `drop-ack` and `drop-produce-request` break the producer's connection to the
//!   leader in one direction (TCP does not lose one message and deliver the next): every later
//!   response (after a lost ACK) or request (after a lost request) on it is lost too, until the
//!   oldest request reaches `request.timeout.ms`, when the client disconnects and fails every
//!   request in flight on it (NetworkClient.handleTimedOutRequests); they are all retried. A
//!   record its delivery.timeout.ms failed first still leaves its request to time out and close
//!   the connection (`Producer::disconnect`), so a broken connection always recovers.
//!   Simplifications: with acks=0 (nothing waits for an answer) `drop-produce-request` loses that
//!   one request only, and `drop-offset-commit` loses that one commit only.
//! - Lost answers elsewhere: a lost fetch response (`drop-fetch-response`) leaves the consumer
//!   waiting request.timeout.ms, counted from the loss (a real fetch is answered within
//!   fetch.max.wait.ms, which the lab folds into parking), then it fetches again from its
//!   position. A lost EndTxn answer (`drop-end-txn-response`) makes the client send EndTxn again
//!   after request.timeout.ms (TransactionManager re-enqueues a disconnected request), and the
//!   coordinator answers a retry for a transaction it completed with the same outcome. The
//!   AddPartitionsToTxn round trip does not exist in the lab (partitions join a transaction on
//!   their first write, as with KIP-890's server-side verification), so it has no answer to lose.
//!   A network failure may strike a given attempt (`#k`), every time in a window (`@from..to`) or
//!   the next n times (`*n`); the three older triggers reach only the moments they always did.
//! - Retries back off exponentially from `retry.backoff.ms` to 1 s (KIP-580); a request to a
//!   broker that is down fails at once (the connection closes) rather than after
//!   `request.timeout.ms`; `delivery.timeout.ms` bounds every send, in flight or not. While the
//!   partition has no leader the producer sends nothing (it cannot connect) and records wait in
//!   the accumulator, whatever `acks` is; the consumer's poll waits too. Clients learn the new
//!   leader at once, without a metadata request (`World::clients_learn_leader`).
//! - Failover: when the leader crashes its sockets close: the requests it held unanswered fail at
//!   once, responses it had already sent still arrive, and requests still on their way fail when
//!   they reach it. The controller fences it and elects a new leader only after
//!   `broker.session.timeout.ms` (9000 ms by default, KRaft).
//!   Meanwhile the partition has no leader and the follower appends a fetch response that was
//!   already on its way. The crashed broker cannot register again before it is fenced
//!   (DUPLICATE_BROKER_REGISTRATION), so it returns after the later of `lab.restart.ms` and the
//!   fencing.
//! - Partitions: leader plus at most one follower that long-polls; the high watermark is the
//!   smallest log end offset in the ISR and does not move while the ISR is below
//!   `min.insync.replicas` (Kafka 3.7+). `follower-out-of-isr` removes the follower at once (as if
//!   `replica.lag.time.max.ms` had passed) and lets it rejoin after `lab.restart.ms`, once it has
//!   reached the high watermark and the current leader epoch's start offset
//!   (Partition.isFollowerInSync). Simplification: the high watermark ignores a caught-up
//!   follower that has not rejoined yet (Kafka's `shouldWaitForReplicaToJoinIsr`). The
//!   transaction and group coordinators never fail.
//! - A transactional producer does not retry an OUT_OF_ORDER_SEQUENCE for its next expected
//!   batch (reachable after an unclean election): the transaction aborts, its other batches fail,
//!   and the abort bumps the epoch (the InitProducerId of KIP-360 folded into the EndTxn answer:
//!   `Producer::abort_bumps_epoch`).
//! - Known simplifications on the producer's error paths: the CONCURRENT_TRANSACTIONS round trip of an InitProducerId that fences an open transaction is
//!   folded into one answer (with Kafka's epoch + 2); after an acks=0 connection closes, the next
//!   request reconnects.
//! - Producer processes: a crash either restarts an instance after `lab.restart.ms` (same or new
//!   transactional.id) or leaves the producer down (`producer-crash-stays-down`): the records it
//!   had not delivered die with it, and messages the application never passed to send() get no
//!   verdict of loss (they are "pending": never sent). A crash may strike at each step of
//!   commitTransaction(): before EndTxn leaves, after EndTxn reached the coordinator (which
//!   commits) but before its answer, or after commitTransaction() returned; the restarted
//!   application sends again what it does not know to be committed (its messages not yet
//!   acknowledged), so the middle one duplicates under exactly-once (KIP-98 fences only an open
//!   transaction). commitTransaction() blocks for at most `max.block.ms`; if its answer has not
//!   come by then it throws TimeoutException and the application, as `lab.commit.timeout` says,
//!   calls it again (it waits for the same commit: harmless) or closes the producer, takes the
//!   transaction's messages as failed and starts a new instance with the same transactional.id,
//!   whose InitProducerId completes or aborts what the coordinator holds
//!   (KafkaProducer.commitTransaction's javadoc: retry, or close). A timer of a commit that
//!   returned is cancelled: it moves no clock.
//! - `lab.manual.commit=commit-sync-after-transaction`: the consumer application commits a
//!   transaction holding its output only (no group metadata to check), then its offsets with
//!   commitSync(); a failed commitSync is retried like any other, and one the group refuses
//!   (a member removed for exceeding max.poll.interval.ms) sends the member back to its committed
//!   offset with its output already committed.
//! - The send schedule (`Scenario::send_at`) gives a message its own send tick, or an event of
//!   the run to wait for (an earlier message acknowledged, as with a blocking `send().get()`, or
//!   processed; a commit; a consumer crash; a rebalance), with a delay after it; the application
//!   still sends in program order (a message due before the one ahead of it goes right after it,
//!   and one waiting for an event holds those after it), and a message without an entry follows
//!   the one before it by `lab.send.interval.ms`.
//! - Transactions: partitions join a transaction implicitly on the first write (as with KIP-890);
//!   markers take an offset; a transaction whose marker is not yet below the high watermark still
//!   holds the last stable offset; markers lost in a failover are written again. The
//!   coordinator writes its markers into the leader's log itself, as if WriteTxnMarkers were
//!   answered at once (`TxnCoordinator::flush_pending_markers`), and takes an EndTxn's producer
//!   id from the instance that sent it (`TxnCoordinator::end_txn_producer_id`).
//! - Consumers: fetches park at the leader until there is something readable (no empty
//!   responses); consumers detect truncation after a leader change from the committed offset's
//!   leader epoch (KIP-320). The consumer checks its position (KIP-320's OffsetsForLeaderEpoch,
//!   auto.offset.reset) when its fetch reaches the leader, without those round trips
//!   (`Partition::consumer_checks_position_at_leader`); a commit stores the leader epoch the consumer
//!   holds when the commit lands (`World::consumer_leader_epoch`). By default one consumer in
//!   the group: a rebalance is a rejoin at the committed offset, with no JoinGroup round trip
//!   (`GroupCoordinator::join`), and a restart rejoins at once (Kafka's coordinator would wait for
//!   the dead member's session.timeout.ms first: the outcome is the same, only later).
//! - Partitions (`num.partitions`, 1 to 3): message n carries a key that the default partitioner
//!   sends to partition (n - 1) mod the count (the lab picks keys that spread evenly; a re-send
//!   keeps its key, so its partition). Each partition lives on brokers of its own
//!   (`replication.factor` × partitions brokers, partition p's first broker leading), so a broker
//!   crash touches one partition; in a real cluster a broker holds replicas of several partitions
//!   and its crash moves the leadership of each. A fault that strikes at a tick without a message
//!   strikes partition 0's brokers. The producer keeps a connection, an in-flight limit and
//!   sequence numbers per partition (one leader per connection); a transaction gets a marker in
//!   every partition it wrote to. The consumer fetches every partition it owns at once (one fetch
//!   per leader, as Fetcher.sendFetches) and poll() returns one partition's records at a time;
//!   what arrives while the application is busy waits for the next poll(). Auto-commit and
//!   close() commit every partition's position; commitSync after a batch commits the batch's
//!   partition (the others have not moved since their last commit). Kafka's OffsetCommit request
//!   carries every partition committed at once; the lab sends a flight per partition and keeps
//!   the request's fate whole (`Consumer::commit_each`): a fault strikes the request once and
//!   loses all its partitions, and a synchronous commit that times out is sent again for all of
//!   them. A closing member leaves once none of them is on its way (ConsumerCoordinator.close
//!   commits, then leaves). Known limits, each needing several partitions and a slow member: one
//!   poll() returns one partition's records where Kafka's returns up to
//!   max.poll.records from every buffered partition, so a member polls more often (which matters
//!   against max.poll.interval.ms); a cooperative member's commits while it rejoins are accepted
//!   (the Java client fails them with RebalanceInProgressException). With
//!   `lab.sink=db-offsets-in-db` the database keeps one offset, so that sink needs one partition.
//!   Events of partition 0 leave the partition out, so a one-partition run is what it was.
//! - Consumer groups of several (`lab.group.members`, 2 or 3) share the partitions: RangeAssignor
//!   gives contiguous ranges in member order, the first members one more; CooperativeStickyAssignor
//!   keeps each partition with its owner while the group stays balanced and hands a partition
//!   that moves away from a live member over only after that member revoked it at its next poll()
//!   (KIP-429's follow-up rebalance folded in). A member with no partition stands by.
//!   The classic protocol: a join, a removal (max.poll.interval.ms: LeaveGroup from the heartbeat
//!   thread; close(); session.timeout.ms after a crash) starts a rebalance that completes once
//!   every member has rejoined at its next poll() (a member waiting in poll() rejoins at once:
//!   the heartbeat that tells it is folded in, as are JoinGroup and SyncGroup), or after the
//!   rebalance timeout (max.poll.interval.ms), which removes the dynamic members that did not
//!   rejoin (a dead one) and keeps static ones. A member inside poll() is never removed for
//!   max.poll.interval.ms. RangeAssignor sorts members by member id, which starts with the
//!   client.id: the lab's members are consumer-1..3, so the first member takes the partition;
//!   with auto-commit an owner commits what it consumed before rejoining, with either protocol
//!   (ConsumerCoordinator.onJoinPrepare), and close() commits before its LeaveGroup. A rebalance
//!   listener committing in onPartitionsRevoked is not a setting: every commit style of the lab
//!   commits before poll() returns to the group, so it would find nothing to commit. A removed
//!   member loses its partition (onPartitionsLost) but finishes its batch; its commits are
//!   refused. Static members (`group.instance.id`, KIP-345) send no LeaveGroup and keep their
//!   partition until session.timeout.ms; a restart within it takes the old member's place. A consumer that dies closes its
//!   connection and the leader forgets its parked fetch at once (`Partition::forget_consumer_fetch`).
//!   max.poll.interval.ms counts from the moment poll() returns records (a poll() waiting for
//!   records keeps its timer fresh: KafkaConsumer.poll calls the coordinator on every pass), and
//!   processing that ends at the deadline's tick is too late: a batch whose processing takes
//!   max.poll.interval.ms or longer has its member removed every time (reduce max.poll.records).
//!   Auto-commit is either the Java client's (inside `poll()` and `close()`) or
//!   librdkafka's background commit of offsets stored as each record is handed over (before any
//!   processing, so `close()` after a throw commits past the record that threw). Each interval
//!   and `close()` commit every position the group's committed offset is behind, so a commit
//!   lost on the wire is made good by the next one (the Java client commits
//!   `subscriptions.allConsumed()` every interval, changed or not: a commit of an equal offset
//!   changes nothing, and leaving it out lets the run end).
//! - Faults that strike at a tick (and the start) go before every other action of their tick, so
//!   a fault injected mid-run into a snapshot strikes where the same fault injected at tick 0 does;
//!   the explorer relies on it (an armed fault changes nothing before it strikes).
//! - `World::step` runs one action and returns the events it recorded (usually one, sometimes an
//!   arrival and what it caused at the same instant), so a snapshot per step is always consistent.

pub mod explore;
pub mod export;
pub mod json;
pub mod lesson;
pub mod order;
pub mod preset;
pub mod run;
#[cfg(feature = "determinism-probe")]
pub mod probe;
pub mod scenario;
pub mod sim;
pub mod text;

pub use explore::{
    explore, matrix, Cell, Counterexample, ExploreError, ExploreQuery, ExploreReport, Explorer, Finding, Matrix, MatrixRow,
    Outcome, OutcomeResult, Progress, Witness,
};
pub use lesson::{Answer, Choice, Lesson, Measure, Question};
pub use preset::{Preset, UnknownPreset};
pub use scenario::{Caption, Scenario, ScenarioError, DEFAULT_MESSAGES, DEFAULT_PRESET, DEFAULT_SEED, SCENARIO_VERSION};
pub use sim::broker::{EntryKind, LogEntry, Partition, Replica, TxnMark};
pub use sim::config::{
    Acks, Assignor, AutoCommitStyle, CommitTimeout, Config, ConfigError, EffectiveConfig, IsolationLevel, ManualCommit, OffsetReset, SinkKind,
    TICK_MS,
};
pub use sim::event::{Actor, Event, EventId, EventKind, FetchedRecord, FlightId, FlightKind, MsgId, Tick};
pub use sim::fault::{Fault, FaultSpec, Hotspot, Trigger};
pub use sim::schedule::{SendAfter, SendAt};
pub use sim::group::GroupCoordinator;
pub use sim::ledger::{Ledger, MessageRow, Summary, Verdict};
pub use sim::txn::{TxnCoordinator, TxnMeta, TxnPhase};
pub use sim::world::{Flight, FlightState, RunState, Snapshot, World, MAX_EVENTS, MAX_FAULTS, MAX_MESSAGES, MAX_TICK};
