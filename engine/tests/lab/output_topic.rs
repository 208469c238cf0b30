//! Consume-transform-produce into an output topic (issue 15, item 4): offsets committed inside the
//! transaction against commitSync() after commitTransaction().

use delivery_lab::{Config, EventKind, ManualCommit, Preset, Verdict, World};

use crate::support::run_config;

fn run(manual_commit: ManualCommit, faults: &[&str]) -> World {
    let preset = Preset::ExactlyOnceKafka;
    run_config(Some(preset), Config { manual_commit, ..preset.config() }, 3, faults, 1)
}

/// A member that stalls past max.poll.interval.ms is removed from its group while it processes
/// m2, then finishes and commits. KIP-447: sendOffsetsToTransaction carries the group metadata, and
/// the coordinator refuses the transactional offset commit of a stale generation, so the output
/// and the offsets abort together and m2's output counts once. Committing the output with
/// commitTransaction() and the offsets with commitSync() afterwards splits them: the output
/// commits (no group check), commitSync() fails (CommitFailedException: the member left the
/// group), the member rejoins at the committed offset and processes m2 again: its output twice.
#[test]
fn commit_sync_after_commit_transaction_duplicates_what_offsets_in_the_transaction_do_not() {
    let atomic = run(ManualCommit::InTransaction, &["processing-stall:m2"]);
    let m2 = atomic.ledger().row(2).unwrap().clone();
    assert_eq!((m2.processed, m2.effects, m2.verdict), (2, 1, Verdict::ProcessedTwiceEffectOnce), "{m2:?}");

    let split = run(ManualCommit::SyncAfterTransaction, &["processing-stall:m2"]);
    let m2 = split.ledger().row(2).unwrap().clone();
    assert_eq!((m2.processed, m2.effects, m2.verdict), (2, 2, Verdict::Duplicated), "{m2:?}");
    // Two commits per batch: the output's, then the offsets' (which failed once for m2's batch).
    let events = split.events();
    let outputs = events.iter().filter(|e| matches!(e.kind, EventKind::OutputCommitted { .. })).count();
    let failed = events.iter().filter(|e| matches!(e.kind, EventKind::CommitFailed { .. })).count();
    assert!(outputs >= 3 && failed >= 1, "{outputs} output commits, {failed} failed commits");
}

#[test]
fn without_failures_both_ways_deliver_once() {
    for mode in [ManualCommit::InTransaction, ManualCommit::SyncAfterTransaction] {
        let world = run(mode, &[]);
        assert_eq!(world.ledger().summary.delivered_once, 3, "{mode:?}");
    }
}

#[test]
fn output_in_a_transaction_needs_the_consumer_to_commit_through_one() {
    // The lab's rule: a transactional output topic needs the application's own transaction.
    let preset = Preset::ExactlyOnceKafka;
    for (mode, ok) in [
        (ManualCommit::InTransaction, true),
        (ManualCommit::SyncAfterTransaction, true),
        (ManualCommit::AfterProcessing, false),
    ] {
        let config = Config { manual_commit: mode, ..preset.config() };
        assert_eq!(config.resolve().is_ok(), ok, "{mode:?}");
    }
}

/// Kafka's transactions cover Kafka only: "When writing to an external system, the limitation is
/// in the need to coordinate the consumer's position with what is actually stored as output"
/// (Kafka documentation, Message Delivery Semantics), and KIP-98's atomic writes span topic
/// partitions. An application that writes its output topic inside the transaction and also
/// INSERTs into a database: after a crash between processing and commit, the output's first
/// copy aborts (read_committed reads m2's output once) but the database keeps both rows.
#[test]
fn a_database_write_beside_the_transaction_is_duplicated_where_the_output_is_not() {
    use delivery_lab::{IsolationLevel, SinkKind};
    let preset = Preset::ExactlyOnceKafka;
    let config = Config { sink: SinkKind::OutputTopicAndDb, ..preset.config() };
    let world = run_config(Some(preset), config, 3, &["consumer-crash-after-processing:m2"], 1);
    let m2 = world.ledger().row(2).unwrap().clone();
    assert_eq!((m2.processed, m2.effects, m2.verdict), (2, 2, Verdict::Duplicated), "{m2:?}");
    let sink = world.sink();
    let read = sink.read_downstream(SinkKind::OutputTopicAndDb, IsolationLevel::ReadCommitted);
    assert_eq!(read.iter().filter(|m| m.0 == 2).count(), 1, "read_committed reads m2's output once: {read:?}");
    assert_eq!(sink.rows.iter().filter(|r| r.db && r.msg.0 == 2).count(), 2, "the database has two rows of m2");
    // Without failures, one row and one output each.
    let clean = run_config(Some(preset), Config { sink: SinkKind::OutputTopicAndDb, ..preset.config() }, 3, &[], 1);
    assert_eq!(clean.ledger().summary.delivered_once, 3);
    // The lab requires the application's transaction for a transactional output.
    let refused = Config { sink: SinkKind::OutputTopicAndDb, enable_auto_commit: true, ..Preset::AtLeastOnce.config() };
    assert!(refused.resolve().is_err());
}
