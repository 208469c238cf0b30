//! The application's reaction when commitTransaction() times out (issue 15, item 2): max.block.ms
//! and `lab.commit.timeout`. KafkaProducer.commitTransaction's javadoc: "this method will raise
//! TimeoutException if the transaction cannot be committed before expiration of max.block.ms, but
//! this does not mean the request did not actually reach the broker. ... It is safe to retry in
//! either case, but it is not possible to attempt a different operation (such as
//! abortTransaction) since the commit may already be in the progress of completing. If not
//! retrying, the only option is to close the producer."

use delivery_lab::{CommitTimeout, Config, EventKind, Preset, Verdict, World};

use crate::support::run_config;

/// Exactly-once into Kafka with commitTransaction() blocking at most 20 s, shorter than the 30 s
/// request.timeout.ms after which the client sends a lost EndTxn again: a lost answer to the
/// commit makes commitTransaction() time out first.
fn commit_answer_lost(reaction: CommitTimeout, resend: bool, faults: &[&str]) -> World {
    let preset = Preset::ExactlyOnceKafka;
    let config = Config { max_block_ms: 20_000, commit_timeout: reaction, resend_on_error: resend, ..preset.config() };
    run_config(Some(preset), config, 2, faults, 1)
}

fn timed_out(world: &World) -> Vec<bool> {
    world.events().iter().filter_map(|e| match e.kind {
        EventKind::CommitTimedOut { retry, .. } => Some(retry),
        _ => None,
    }).collect()
}

#[test]
fn a_retried_commit_after_a_commit_that_went_through_is_harmless() {
    let world = commit_answer_lost(CommitTimeout::Retry, false, &["drop-end-txn-response:m1"]);
    assert_eq!(timed_out(&world), vec![true], "one timeout, then the retried call gets the answer");
    let ledger = world.ledger();
    for m in 1..=2 {
        let row = ledger.row(m).unwrap();
        assert_eq!(row.verdict, Verdict::DeliveredOnce, "{row:?}");
        assert_eq!(row.app_sends, 1, "{row:?}");
    }
}

#[test]
fn closing_and_resending_after_a_commit_that_went_through_duplicates_it() {
    // The commit reached the coordinator (only its answer was lost): the records are committed,
    // and the application, taking them as failed, sends them again in a new transaction.
    let world = commit_answer_lost(CommitTimeout::Close, true, &["drop-end-txn-response:m1"]);
    assert_eq!(timed_out(&world), vec![false]);
    let m1 = world.ledger().row(1).unwrap().clone();
    assert_eq!(m1.verdict, Verdict::Duplicated, "{m1:?}");
    assert_eq!(m1.visible_read_committed, 2, "{m1:?}");
    assert_eq!(world.producers().len(), 2, "a new producer instance");
}

#[test]
fn closing_without_resending_leaves_a_record_reported_failed_yet_written() {
    let world = commit_answer_lost(CommitTimeout::Close, false, &["drop-end-txn-response:m1"]);
    let m1 = world.ledger().row(1).unwrap().clone();
    assert_eq!(m1.app_sends, 1, "{m1:?}");
    assert_eq!(m1.visible_read_committed, 1, "the commit went through: {m1:?}");
    assert!(m1.verdict == Verdict::Ambiguous || m1.also.contains(&Verdict::Ambiguous), "{m1:?}");
}

#[test]
fn a_commit_answered_within_max_block_ms_never_times_out() {
    // The default max.block.ms (60 s) covers one lost answer and the client's own EndTxn retry
    // after request.timeout.ms (30 s): the application sees no exception, whatever its reaction.
    let preset = Preset::ExactlyOnceKafka;
    let config = Config { commit_timeout: CommitTimeout::Close, resend_on_error: true, ..preset.config() };
    let world = run_config(Some(preset), config, 2, &["drop-end-txn-response:m1"], 1);
    assert!(timed_out(&world).is_empty());
    assert_eq!(world.ledger().summary.delivered_once, 2);
}

#[test]
fn max_block_ms_below_a_tick_is_refused_by_name() {
    let config = Config { max_block_ms: 0, ..Preset::ExactlyOnceKafka.config() };
    assert_eq!(config.resolve().unwrap_err().field, "max.block.ms");
}
