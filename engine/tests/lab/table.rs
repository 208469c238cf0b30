//! The table: one scenario in, the expected counters and verdict of a message out. Each case cites
//! the Kafka rule it checks; the expectations are reasoned from that rule, not read off a run.
//!
//! Conventions: three messages unless said otherwise; the preset's configuration with the changes
//! in `tweak`; only the messages listed are checked (the others' fate depends on batch timing).

use delivery_lab::{Acks, AutoCommitStyle, Config, IsolationLevel, ManualCommit, Preset, RunState, SinkKind, Verdict};

use crate::support::run_config;

use Preset::{AtLeastOnce as Alo, AtMostOnce as Amo, ExactlyOnceDatabase as EoDb, ExactlyOnceKafka as EoK};
use Verdict::*;

/// What a case expects of one message. `None` leaves a counter unchecked.
struct Expect {
    msg: u16,
    verdicts: &'static [Verdict],
    copies: Option<usize>,
    processed: Option<u32>,
    effects: Option<u32>,
}

const fn expect(msg: u16, verdicts: &'static [Verdict], copies: usize, processed: u32, effects: u32) -> Expect {
    Expect { msg, verdicts, copies: Some(copies), processed: Some(processed), effects: Some(effects) }
}

const fn verdict(msg: u16, verdicts: &'static [Verdict]) -> Expect {
    Expect { msg, verdicts, copies: None, processed: None, effects: None }
}

struct Case {
    name: &'static str,
    /// The Kafka rule the case checks: documentation section, KIP or source file.
    rule: &'static str,
    preset: Preset,
    tweak: fn(&mut Config),
    faults: &'static [&'static str],
    expect: &'static [Expect],
}

fn none(_: &mut Config) {}
fn acks_one(c: &mut Config) {
    c.acks = Acks::One;
}
fn acks_one_no_retries(c: &mut Config) {
    c.acks = Acks::One;
    c.retries = 0;
}
fn one_in_flight(c: &mut Config) {
    c.max_in_flight = 1;
}
fn unclean(c: &mut Config) {
    c.unclean_leader_election = true;
}
fn min_isr_two(c: &mut Config) {
    c.min_insync_replicas = 2;
}
fn rf_one(c: &mut Config) {
    c.replication_factor = 1;
}
fn read_uncommitted(c: &mut Config) {
    c.isolation_level = IsolationLevel::ReadUncommitted;
}
fn db_insert(c: &mut Config) {
    c.sink = SinkKind::DbInsert;
}
fn java_auto_commit(c: &mut Config) {
    c.enable_auto_commit = true;
    c.auto_commit_style = AutoCommitStyle::JavaPoll;
}
fn background_auto_commit_slow_processing(c: &mut Config) {
    c.enable_auto_commit = true;
    c.auto_commit_style = AutoCommitStyle::BackgroundStored;
    c.auto_commit_interval_ms = 1_000;
    c.processing_ms = 2_000;
}
fn background_auto_commit(c: &mut Config) {
    c.enable_auto_commit = true;
    c.auto_commit_style = AutoCommitStyle::BackgroundStored;
    c.auto_commit_interval_ms = 1_000;
}
fn offsets_in_db(c: &mut Config) {
    c.sink = SinkKind::DbOffsetsInDb;
}
fn upsert_by_offset(c: &mut Config) {
    c.sink = SinkKind::DbUpsertOffset;
}
fn java_defaults_acks_zero(c: &mut Config) {
    *c = Config { acks: Acks::Zero, ..Config::default() };
    c.auto_offset_reset = delivery_lab::OffsetReset::Earliest;
    c.sink = SinkKind::DbInsert;
}
fn commit_after(c: &mut Config) {
    c.manual_commit = ManualCommit::AfterProcessing;
}

const ONCE_OR_REORDERED: &[Verdict] = &[DeliveredOnce, Reordered];

const CASES: &[Case] = &[
    // ----- no fault: every preset delivers every message once -----
    Case { name: "at-most-once without faults", rule: "Kafka docs 4.6 Message Delivery Semantics", preset: Amo, tweak: none, faults: &[],
        expect: &[expect(1, &[DeliveredOnce], 1, 1, 1), expect(2, &[DeliveredOnce], 1, 1, 1), expect(3, &[DeliveredOnce], 1, 1, 1)] },
    Case { name: "at-least-once without faults", rule: "Kafka docs 4.6 Message Delivery Semantics", preset: Alo, tweak: none, faults: &[],
        expect: &[expect(1, &[DeliveredOnce], 1, 1, 1), expect(2, &[DeliveredOnce], 1, 1, 1), expect(3, &[DeliveredOnce], 1, 1, 1)] },
    Case { name: "exactly-once Kafka without faults", rule: "KIP-98 transactions; ConsumerConfig isolation.level=read_committed", preset: EoK, tweak: none, faults: &[],
        expect: &[expect(1, &[DeliveredOnce], 1, 1, 1), expect(2, &[DeliveredOnce], 1, 1, 1), expect(3, &[DeliveredOnce], 1, 1, 1)] },
    Case { name: "exactly-once database without faults", rule: "KIP-98 idempotent producer", preset: EoDb, tweak: none, faults: &[],
        expect: &[expect(1, &[DeliveredOnce], 1, 1, 1), expect(2, &[DeliveredOnce], 1, 1, 1), expect(3, &[DeliveredOnce], 1, 1, 1)] },
    // ----- drop the ACK -----
    Case { name: "lost ACK without idempotence duplicates in the log", rule: "Kafka docs 4.6: a producer that never got its ACK resends; ProducerConfig enable.idempotence=false", preset: Alo, tweak: none, faults: &["drop-ack:m2"],
        expect: &[expect(2, &[Duplicated], 2, 2, 2)] },
    Case { name: "lost ACK with idempotence is deduplicated by the broker", rule: "KIP-98; ProducerStateEntry.NUM_BATCHES_TO_RETAIN = 5; UnifiedLog answers a duplicate batch with its original offset", preset: EoDb, tweak: none, faults: &["drop-ack:m2"],
        expect: &[expect(2, &[DeliveredOnce], 1, 1, 1)] },
    Case { name: "lost ACK inside a transaction is deduplicated too", rule: "KIP-98: transactional producers are idempotent", preset: EoK, tweak: none, faults: &["drop-ack:m2"],
        expect: &[expect(2, &[DeliveredOnce], 1, 1, 1)] },
    Case { name: "acks=0 has no ACK to drop", rule: "ProducerConfig acks=0: the producer will not wait for any acknowledgment", preset: Amo, tweak: none, faults: &["drop-ack:m2"],
        expect: &[expect(2, &[DeliveredOnce], 1, 1, 1)] },
    // ----- drop the produce request -----
    Case { name: "acks=0 loses a dropped request silently", rule: "ProducerConfig acks=0: no guarantee the server received the record, retries take no effect", preset: Amo, tweak: none, faults: &["drop-produce-request:m2"],
        expect: &[expect(2, &[Lost], 0, 0, 0)] },
    Case { name: "misconfiguration acks=0 on Java defaults: idempotence switches off and the record is lost", rule: "ProducerConfig.postProcessAndValidateIdempotenceConfigs; acks=0", preset: Alo, tweak: java_defaults_acks_zero, faults: &["drop-produce-request:m2"],
        expect: &[expect(2, &[Lost], 0, 0, 0)] },
    Case { name: "retried request without idempotence and 5 in flight reorders", rule: "ProducerConfig max.in.flight.requests.per.connection: >1 without idempotence risks reordering on retries; the lost request breaks the connection, so m3's request is lost too, both fail at request.timeout.ms (NetworkClient.handleTimedOutRequests) and RecordAccumulator.reenqueue puts each at the head (addFirst): m3 is retried before m2", preset: Alo, tweak: none, faults: &["drop-produce-request:m2"],
        expect: &[expect(1, &[DeliveredOnce], 1, 1, 1), expect(2, &[Reordered], 1, 1, 1), expect(3, &[DeliveredOnce], 1, 1, 1)] },
    Case { name: "one request in flight keeps order on retry", rule: "ProducerConfig max.in.flight.requests.per.connection=1", preset: Alo, tweak: one_in_flight, faults: &["drop-produce-request:m2"],
        expect: &[expect(2, &[DeliveredOnce], 1, 1, 1), expect(3, &[DeliveredOnce], 1, 1, 1)] },
    Case { name: "idempotence keeps order on retry (OUT_OF_ORDER_SEQUENCE until the gap fills)", rule: "KIP-98 sequence numbers; ProducerConfig enable.idempotence keeps order with up to 5 in flight", preset: EoDb, tweak: none, faults: &["drop-produce-request:m2"],
        expect: &[expect(2, &[DeliveredOnce], 1, 1, 1), expect(3, &[DeliveredOnce], 1, 1, 1)] },
    // ----- a damaged request: a retriable error on the first attempt (network-delay-reorder) -----
    Case { name: "retried request without idempotence and 5 in flight is overtaken", rule: "ProducerConfig max.in.flight.requests.per.connection: risk of reordering after a failed send due to retries; CorruptRecordException is a RetriableException", preset: Alo, tweak: none, faults: &["network-delay-reorder:m1"],
        expect: &[expect(1, &[Reordered], 1, 1, 1)] },
    Case { name: "retried request with idempotence: the later one is refused until the gap fills", rule: "KIP-98: OUT_OF_ORDER_SEQUENCE_NUMBER; ProducerConfig enable.idempotence keeps order with up to 5 in flight", preset: EoDb, tweak: none, faults: &["network-delay-reorder:m1"],
        expect: &[expect(1, &[DeliveredOnce], 1, 1, 1), expect(2, &[DeliveredOnce], 1, 1, 1)] },
    Case { name: "one request in flight: a retried request is not overtaken", rule: "ProducerConfig max.in.flight.requests.per.connection=1; Kafka protocol guide, Network: requests on one connection are processed in order", preset: Alo, tweak: one_in_flight, faults: &["network-delay-reorder:m2"],
        expect: &[expect(2, &[DeliveredOnce], 1, 1, 1), expect(3, &[DeliveredOnce], 1, 1, 1)] },
    Case { name: "at-most-once never reorders: acks=0 loses the refused request", rule: "Kafka protocol guide, Network (in-order processing per connection); ProducerConfig acks=0, retries=0; KafkaApis.handleProduceRequest closes an acks=0 connection on error", preset: Amo, tweak: none, faults: &["network-delay-reorder:m2"],
        expect: &[expect(1, &[DeliveredOnce], 1, 1, 1), expect(2, &[Lost], 0, 0, 0), verdict(3, &[DeliveredOnce, Lost])] },
    Case { name: "retries=0 with acks=1: the error is reported, nothing reordered", rule: "ProducerConfig retries=0: a failed send is not retried; the callback gets the exception", preset: Alo, tweak: acks_one_no_retries, faults: &["network-delay-reorder:m2"],
        expect: &[expect(2, &[FailedAndReported], 0, 0, 0), expect(3, &[DeliveredOnce], 1, 1, 1)] },
    // ----- leader crashes -----
    Case { name: "acks=1, leader crash after the ACK before replication loses the record", rule: "ProducerConfig acks=1: lost if the leader fails before followers replicate", preset: Alo, tweak: acks_one, faults: &["leader-crash-unreplicated-after-ack:m2"],
        expect: &[expect(2, &[Lost], 0, 0, 0)] },
    Case { name: "acks=0, leader crash before replication loses the record, not the one already sent to the follower", rule: "ProducerConfig acks=0; KRaftConfigs BROKER_SESSION_TIMEOUT_MS_DEFAULT = 9000: no election before the lease ends, so the follower's fetcher (AbstractFetcherThread.processFetchRequest) appends m1's fetch response already on the wire", preset: Amo, tweak: none, faults: &["leader-crash-unreplicated-after-ack:m2"],
        expect: &[expect(1, &[DeliveredOnce], 1, 1, 1), expect(2, &[Lost], 0, 0, 0)] },
    Case { name: "acks=1, leader crash after m2's ACK loses m2 only", rule: "ProducerConfig acks=1 (lost if the leader fails before followers replicate); KRaftConfigs broker.session.timeout.ms (9000): the controller fences the dead leader only after its lease, so m1's fetch response reaches the follower first; m3's request fails with the connection and is retried to the new leader (Sender, retries > 0)", preset: Alo, tweak: acks_one, faults: &["leader-crash-unreplicated-after-ack:m2"],
        expect: &[expect(1, &[DeliveredOnce], 1, 1, 1), expect(2, &[Lost], 0, 0, 0), expect(3, &[DeliveredOnce], 1, 1, 1)] },
    Case { name: "acks=all cannot lose an acknowledged record to a clean failover", rule: "ProducerConfig acks=all: not lost while one in-sync replica lives; Kafka docs 4.7 Replication", preset: Alo, tweak: none, faults: &["leader-crash-unreplicated-after-ack:m2"],
        expect: &[expect(2, &[DeliveredOnce], 1, 1, 1)] },
    Case { name: "leader crash before the ACK: the producer retries to the new leader", rule: "Kafka docs 4.7 Replication; Sender retries NOT_LEADER/disconnects", preset: Alo, tweak: none, faults: &["leader-crash-unreplicated-before-ack:m2"],
        expect: &[Expect { msg: 2, verdicts: ONCE_OR_REORDERED, copies: Some(1), processed: Some(1), effects: Some(1) }] },
    Case { name: "leader crash after replication, before the ACK: retry duplicates without idempotence", rule: "Kafka docs 4.6: resend after a lost response can duplicate; 4.7: the new leader has the record", preset: Alo, tweak: none, faults: &["leader-crash-replicated:m2"],
        expect: &[expect(2, &[Duplicated], 2, 2, 2)] },
    Case { name: "leader crash after replication with idempotence: the new leader deduplicates", rule: "KIP-98: producer state is rebuilt from the replicated log (ProducerStateManager)", preset: EoDb, tweak: none, faults: &["leader-crash-replicated:m2"],
        expect: &[expect(2, &[DeliveredOnce], 1, 1, 1)] },
    Case { name: "follower out of ISR then leader crash: clean election waits, nothing lost", rule: "unclean.leader.election.enable=false: only ISR members lead; the old leader keeps its disk", preset: Alo, tweak: none, faults: &["follower-out-of-isr:m2", "leader-crash-unreplicated-after-ack:m2"],
        expect: &[expect(2, &[DeliveredOnce], 1, 1, 1)] },
    Case { name: "follower out of ISR then leader crash with unclean election loses an acks=all record", rule: "unclean.leader.election.enable=true may lose data; acks=all only waits for the current ISR", preset: Alo, tweak: unclean, faults: &["follower-out-of-isr:m2", "leader-crash-unreplicated-after-ack:m2"],
        expect: &[expect(2, &[Lost], 0, 0, 0)] },
    Case { name: "transactional producer after an unclean election: the next batch's OUT_OF_ORDER_SEQUENCE aborts its transaction, the next transaction succeeds", rule: "TransactionManager.canRetry: OUT_OF_ORDER_SEQUENCE_NUMBER for the next expected sequence is not retried by a transactional producer (abortable error); the abort bumps the epoch (KIP-360) and sequences restart at 0", preset: EoK, tweak: unclean, faults: &["follower-out-of-isr:m2", "leader-crash-unreplicated-after-ack:m2"],
        expect: &[expect(1, &[DeliveredOnce], 1, 1, 1), expect(2, &[Lost], 0, 0, 0), expect(3, &[FailedAndReported], 0, 0, 0)] },
    Case { name: "min.insync.replicas=2 refuses acks=all writes while the follower is out", rule: "TopicConfig min.insync.replicas: NotEnoughReplicas when the ISR is too small", preset: Alo, tweak: min_isr_two, faults: &["follower-out-of-isr:m2"],
        expect: &[Expect { msg: 2, verdicts: ONCE_OR_REORDERED, copies: Some(1), processed: Some(1), effects: Some(1) }] },
    Case { name: "one replica and a lost disk lose acknowledged records", rule: "Kafka docs 4.7: durability comes from replicas; replication.factor=1 has none", preset: Alo, tweak: rf_one, faults: &["disk-lost:m2"],
        expect: &[Expect { msg: 2, verdicts: &[Lost], copies: Some(0), processed: None, effects: None }] },
    Case { name: "two replicas survive the leader's lost disk", rule: "Kafka docs 4.7: a committed record is on every ISR member", preset: Alo, tweak: none, faults: &["disk-lost:m2"],
        expect: &[Expect { msg: 2, verdicts: &[DeliveredOnce, Reordered, Duplicated], copies: None, processed: None, effects: None }] },
    // ----- producer crash and restart, zombies, application re-send -----
    Case { name: "producer restart without transactions re-sends: duplicate", rule: "KIP-98: idempotence holds within one producer session only", preset: Alo, tweak: none, faults: &["producer-restart-same-id:m2"],
        expect: &[expect(2, &[Duplicated], 2, 2, 2)] },
    Case { name: "producer restart with idempotence: new producer id, duplicate in the log, upsert keeps one row", rule: "KIP-98: a new session gets a new producer id", preset: EoDb, tweak: none, faults: &["producer-restart-same-id:m2"],
        expect: &[expect(2, &[ProcessedTwiceEffectOnce], 2, 2, 1)] },
    Case { name: "transactional restart with the same id aborts the open transaction", rule: "KIP-98: InitProducerId bumps the epoch and aborts the previous epoch's transaction", preset: EoK, tweak: none, faults: &["producer-restart-same-id:m2"],
        expect: &[expect(2, &[DuplicateInLogVisibleOnce], 2, 1, 1)] },
    Case { name: "transactional restart with a new id: the old transaction times out, then visible once", rule: "KIP-98 transaction.timeout.ms; the LSO holds read_committed consumers", preset: EoK, tweak: none, faults: &["producer-restart-new-id:m2"],
        expect: &[expect(2, &[DuplicateInLogVisibleOnce], 2, 1, 1)] },
    Case { name: "misconfiguration read_uncommitted with transactions: the aborted copy is processed", rule: "ConsumerConfig isolation.level: read_uncommitted returns aborted transactional records", preset: EoK, tweak: read_uncommitted, faults: &["producer-restart-same-id:m2"],
        expect: &[expect(2, &[Duplicated], 2, 2, 2)] },
    Case { name: "transaction abort hides the message from read_committed", rule: "KIP-98: read_committed never returns aborted records", preset: EoK, tweak: none, faults: &["transaction-abort:m2"],
        expect: &[expect(2, &[AbortedInvisible], 1, 0, 0)] },
    Case { name: "transaction abort seen by read_uncommitted", rule: "ConsumerConfig isolation.level=read_uncommitted", preset: EoK, tweak: read_uncommitted, faults: &["transaction-abort:m2"],
        expect: &[expect(2, &[AbortedButSeen], 1, 1, 1)] },
    Case { name: "zombie without transactional.id is not fenced: duplicates", rule: "KIP-98: only a transactional.id fences zombies", preset: Alo, tweak: none, faults: &["zombie-producer:m2"],
        expect: &[verdict(2, &[Duplicated]), verdict(3, &[Duplicated])] },
    Case { name: "zombie with transactional.id is fenced", rule: "KIP-98 zombie fencing; ProducerFencedException", preset: EoK, tweak: none, faults: &["zombie-producer:m2"],
        expect: &[expect(2, &[DuplicateInLogVisibleOnce], 2, 1, 1), expect(3, &[DeliveredOnce], 1, 1, 1)] },
    Case { name: "application re-send without idempotence duplicates", rule: "KafkaProducer.send: every call is a new record", preset: Alo, tweak: none, faults: &["app-resend-after-timeout:m2"],
        expect: &[expect(2, &[Duplicated], 2, 2, 2)] },
    Case { name: "misconfiguration: application re-send defeats idempotence (upsert saves the sink)", rule: "KIP-98: sequence numbers are per record the client sends; a re-send is a new sequence", preset: EoDb, tweak: none, faults: &["app-resend-after-timeout:m2"],
        expect: &[expect(2, &[ProcessedTwiceEffectOnce], 2, 2, 1)] },
    Case { name: "application re-send defeats idempotence into a plain insert", rule: "KIP-98 sequence numbers per client record", preset: EoDb, tweak: db_insert, faults: &["app-resend-after-timeout:m2"],
        expect: &[expect(2, &[Duplicated], 2, 2, 2)] },
    Case { name: "application re-send inside a transaction commits both copies", rule: "KIP-98: a transaction commits every record sent in it", preset: EoK, tweak: none, faults: &["app-resend-after-timeout:m2"],
        expect: &[expect(2, &[Duplicated], 2, 2, 2)] },
    // ----- the consumer side -----
    Case { name: "crash after processing, before commit: processed twice", rule: "Kafka docs 4.6: process then save the position; a crash in between reprocesses", preset: Alo, tweak: none, faults: &["consumer-crash-after-processing:m2"],
        expect: &[expect(2, &[Duplicated], 1, 2, 2)] },
    Case { name: "crash after processing into an upsert: effect once", rule: "Kafka docs 4.6 (at-least-once) with an idempotent sink", preset: EoDb, tweak: none, faults: &["consumer-crash-after-processing:m2"],
        expect: &[expect(2, &[ProcessedTwiceEffectOnce], 1, 2, 1)] },
    Case { name: "crash after processing inside a transaction: output aborted, effect once", rule: "KIP-98/KIP-447: output and offsets commit atomically; a new instance aborts the old transaction", preset: EoK, tweak: none, faults: &["consumer-crash-after-processing:m2"],
        expect: &[expect(2, &[ProcessedTwiceEffectOnce], 1, 2, 1)] },
    Case { name: "commit before processing, crash: lost", rule: "Kafka docs 4.6: save the position then process; a crash loses the message (at-most-once)", preset: Amo, tweak: none, faults: &["consumer-crash-after-fetch:m2"],
        expect: &[expect(2, &[Lost], 1, 0, 0)] },
    Case { name: "commit after processing, crash after fetch: read again, once", rule: "Kafka docs 4.6 (at-least-once); a committed offset is the next offset to read", preset: Alo, tweak: none, faults: &["consumer-crash-after-fetch:m2"],
        expect: &[expect(2, &[DeliveredOnce], 1, 1, 1)] },
    Case { name: "Java auto-commit only commits what earlier polls returned", rule: "ConsumerCoordinator.maybeAutoCommitOffsetsAsync inside poll(); KafkaConsumer javadoc on auto-commit", preset: Alo, tweak: java_auto_commit, faults: &["consumer-crash-after-commit:m2"],
        expect: &[expect(2, &[DeliveredOnce], 1, 1, 1)] },
    Case { name: "misconfiguration: background auto-commit of stored offsets, crash mid-processing loses", rule: "librdkafka enable.auto.offset.store + auto.commit.interval.ms; seed brief: auto-commit is the #1 source of bugs", preset: Alo, tweak: background_auto_commit_slow_processing, faults: &["consumer-crash-after-commit:m2"],
        expect: &[expect(2, &[Lost], 1, 0, 0)] },
    Case { name: "Java auto-commit: close() after an exception commits unprocessed records", rule: "ConsumerCoordinator.close calls maybeAutoCommitOffsetsSync: close() commits the consumed positions when enable.auto.commit=true", preset: Alo, tweak: java_auto_commit, faults: &["processing-throws:m2"],
        expect: &[expect(2, &[Lost], 1, 0, 0)] },
    Case { name: "librdkafka background auto-commit: close() after an exception commits the stored offset of the record handed over", rule: "librdkafka CONFIGURATION.md enable.auto.offset.store=true: \"Automatically store offset of last message provided to application\"; rdkafka.h rd_kafka_consumer_close: committed offsets to broker", preset: Alo, tweak: background_auto_commit, faults: &["processing-throws:m2"],
        expect: &[expect(1, &[DeliveredOnce], 1, 1, 1), expect(2, &[Lost], 1, 0, 0)] },
    Case { name: "librdkafka background auto-commit: a crash right after hand-over commits nothing, the record is read again", rule: "librdkafka: stored offsets are committed by the auto.commit.interval.ms timer or on close; a crash runs neither", preset: Alo, tweak: background_auto_commit, faults: &["consumer-crash-after-fetch:m2"],
        expect: &[expect(2, &[DeliveredOnce], 1, 1, 1)] },
    Case { name: "manual commit after processing: an exception and restart reprocess", rule: "Kafka docs 4.6 at-least-once", preset: Alo, tweak: none, faults: &["processing-throws:m2"],
        expect: &[expect(2, &[DeliveredOnce], 1, 1, 1)] },
    Case { name: "processing past max.poll.interval.ms: commit fails, reprocessed", rule: "ConsumerConfig max.poll.interval.ms; CommitFailedException", preset: Alo, tweak: none, faults: &["processing-stall:m2"],
        expect: &[expect(2, &[Duplicated], 1, 2, 2)] },
    Case { name: "processing stall inside a transaction: the commit is fenced, effect once", rule: "KIP-447: sendOffsetsToTransaction checks the group generation", preset: EoK, tweak: none, faults: &["processing-stall:m2"],
        expect: &[expect(2, &[ProcessedTwiceEffectOnce], 1, 2, 1)] },
    Case { name: "a dropped offset commit is covered by the next one", rule: "OffsetCommit is cumulative: the committed offset is the next offset to read", preset: Alo, tweak: none, faults: &["drop-offset-commit:m2"],
        expect: &[expect(2, &[DeliveredOnce], 1, 1, 1)] },
    Case { name: "misconfiguration: exactly-once does not cover the database", rule: "KIP-98 scope: transactions cover Kafka topics and offsets, not external systems", preset: EoK, tweak: db_insert, faults: &["db-write-then-die:m2"],
        expect: &[expect(2, &[Duplicated], 1, 2, 2)] },
    Case { name: "database write then death with a plain insert: duplicate row", rule: "Kafka docs 4.6: the output and the position are not saved atomically", preset: Alo, tweak: none, faults: &["db-write-then-die:m2"],
        expect: &[expect(2, &[Duplicated], 1, 2, 2)] },
    Case { name: "offsets stored with the rows: restart resumes after the row", rule: "KafkaConsumer javadoc, Storing Offsets Outside Kafka", preset: Alo, tweak: offsets_in_db, faults: &["db-write-then-die:m2"],
        expect: &[expect(2, &[DeliveredOnce], 1, 1, 1)] },
    Case { name: "upsert keyed by offset does not merge producer duplicates", rule: "Kafka docs 4.6: a resent record gets a new offset", preset: Alo, tweak: upsert_by_offset, faults: &["drop-ack:m2"],
        expect: &[expect(2, &[Duplicated], 2, 2, 2)] },
    Case { name: "two lost ACKs outlast transaction.timeout.ms: fenced, re-created, visible once", rule: "ProducerConfig transaction.timeout.ms; the coordinator aborts with a bumped epoch (KIP-98, KIP-588)", preset: EoK, tweak: none, faults: &["drop-ack:m2", "drop-ack:m2"],
        expect: &[expect(2, &[DuplicateInLogVisibleOnce], 2, 1, 1), expect(3, &[DeliveredOnce], 1, 1, 1)] },
    // ----- double faults compose -----
    Case { name: "ACK lost upstream and consumer crash downstream", rule: "Kafka docs 4.6: duplicates arise on both sides; protocol guide, Network: responses on a connection return in order, so m3's ACK, sent after the lost one, is lost with the connection and m3 is retried too", preset: Alo, tweak: none, faults: &["drop-ack:m2", "consumer-crash-after-processing:m3"],
        expect: &[Expect { msg: 2, verdicts: &[Duplicated], copies: Some(2), processed: None, effects: None }, Expect { msg: 3, verdicts: &[Duplicated], copies: Some(2), processed: None, effects: None }] },
    Case { name: "a lost ACK breaks the connection: the ACKs behind it are lost too and, without idempotence, duplicated", rule: "Kafka protocol guide, Network (responses return in order on one connection); NetworkClient.handleTimedOutRequests disconnects and fails every in-flight request on the node", preset: Alo, tweak: none, faults: &["drop-ack:m2"],
        expect: &[expect(2, &[Duplicated], 2, 2, 2), verdict(3, &[Duplicated])] },
    Case { name: "a lost ACK breaks the connection: with idempotence every retried batch is deduplicated", rule: "KIP-98; ProducerStateEntry.NUM_BATCHES_TO_RETAIN = 5", preset: EoDb, tweak: none, faults: &["drop-ack:m2"],
        expect: &[expect(2, &[DeliveredOnce], 1, 1, 1), expect(3, &[DeliveredOnce], 1, 1, 1)] },
    Case { name: "ACK lost and consumer crash under exactly-once into a database", rule: "KIP-98 idempotence + idempotent sink", preset: EoDb, tweak: none, faults: &["drop-ack:m2", "consumer-crash-after-processing:m3"],
        expect: &[Expect { msg: 2, verdicts: &[DeliveredOnce, ProcessedTwiceEffectOnce], copies: Some(1), processed: None, effects: Some(1) }, expect(3, &[ProcessedTwiceEffectOnce], 1, 2, 1)] },
    Case { name: "dropped request and consumer crash under at-most-once", rule: "ProducerConfig acks=0; Kafka docs 4.6 at-most-once", preset: Amo, tweak: none, faults: &["drop-produce-request:m1", "consumer-crash-after-fetch:m3"],
        expect: &[expect(1, &[Lost], 0, 0, 0), expect(3, &[Lost], 1, 0, 0)] },
    Case { name: "dropped commit is retried by commitSync, then a crash reprocesses only the uncommitted", rule: "KafkaConsumer.commitSync javadoc: retriable errors are retried until default.api.timeout.ms", preset: Alo, tweak: commit_after, faults: &["drop-offset-commit:m1", "consumer-crash-after-processing:m2"],
        expect: &[expect(1, &[DeliveredOnce], 1, 1, 1), expect(2, &[Duplicated], 1, 2, 2)] },
];

#[test]
fn the_table_has_at_least_forty_cases_each_citing_a_rule() {
    assert!(CASES.len() >= 40, "{} cases", CASES.len());
    for case in CASES {
        assert!(!case.rule.is_empty(), "{} cites no rule", case.name);
    }
}

#[test]
fn every_case_matches_kafkas_rules() {
    let mut failures = Vec::new();
    for case in CASES {
        let mut config = case.preset.config();
        (case.tweak)(&mut config);
        let world = run_config(Some(case.preset), config, 3, case.faults, 1);
        if world.run_state() != RunState::Quiescent {
            failures.push(format!("{}: run did not finish", case.name));
            continue;
        }
        let ledger = world.ledger();
        for e in case.expect {
            let row = ledger.row(e.msg).expect("row");
            let mut wrong = Vec::new();
            if !e.verdicts.contains(&row.verdict) {
                wrong.push(format!("verdict {:?} not in {:?}", row.verdict, e.verdicts));
            }
            if e.copies.is_some_and(|c| c != row.offsets.len()) {
                wrong.push(format!("copies {} != {:?}", row.offsets.len(), e.copies));
            }
            if e.processed.is_some_and(|p| p != row.processed) {
                wrong.push(format!("processed {} != {:?}", row.processed, e.processed));
            }
            if e.effects.is_some_and(|x| x != row.effects) {
                wrong.push(format!("effects {} != {:?}", row.effects, e.effects));
            }
            if !wrong.is_empty() {
                failures.push(format!("{} [{}] m{}: {}\n    {}", case.name, case.rule, e.msg, wrong.join(", "), row.explanation));
            }
        }
    }
    assert!(failures.is_empty(), "{} failing:\n{}", failures.len(), failures.join("\n"));
}
