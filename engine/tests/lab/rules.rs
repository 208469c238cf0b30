//! Timing rules that a verdict alone does not show: the LSO holding read_committed consumers back,
//! the high watermark frozen below min.insync.replicas, fencing, bounds, narration and causes.

use delivery_lab::{Config, EventKind, IsolationLevel, Preset, RunState, Scenario, World, MAX_EVENTS};

use crate::support::run_config;

fn first_tick(world: &World, pred: impl Fn(&EventKind) -> bool) -> Option<u64> {
    world.events().iter().find(|e| pred(&e.kind)).map(|e| e.tick)
}

#[test]
fn an_open_transaction_of_a_dead_producer_holds_read_committed_back_until_it_times_out() {
    // KIP-98: the LSO stops at the first open transaction, so later records (committed by the new
    // instance) stay unread until transaction.timeout.ms aborts the old one.
    let preset = Preset::ExactlyOnceKafka;
    let world = run_config(Some(preset), preset.config(), 3, &["producer-restart-new-id:m2"], 1);
    let expired = first_tick(&world, |k| matches!(k, EventKind::TxnExpired { fenced: false, .. })).expect("timeout abort");
    let timeout = world.config().transaction_timeout;
    assert!(expired >= timeout, "aborted at {expired}, before transaction.timeout.ms ({timeout} ticks)");
    let m3_processed = first_tick(&world, |k| matches!(k, EventKind::ProcessingStarted { msg, .. } if msg.0 == 3)).unwrap();
    assert!(m3_processed > expired, "m3 read at {m3_processed} before the LSO moved at {expired}");
    let row = world.ledger().row(3).unwrap().clone();
    assert_eq!(row.verdict, delivery_lab::Verdict::DeliveredOnce);
    assert!(row.also.contains(&delivery_lab::Verdict::Delayed), "{row:?}");
}

#[test]
fn read_uncommitted_is_not_held_back_by_the_open_transaction() {
    let preset = Preset::ExactlyOnceKafka;
    let config = Config { isolation_level: IsolationLevel::ReadUncommitted, ..preset.config() };
    let world = run_config(Some(preset), config, 3, &["producer-restart-new-id:m2"], 1);
    let expired = first_tick(&world, |k| matches!(k, EventKind::TxnExpired { .. })).unwrap();
    let m3 = first_tick(&world, |k| matches!(k, EventKind::ProcessingStarted { msg, .. } if msg.0 == 3)).unwrap();
    assert!(m3 < expired);
}

#[test]
fn same_transactional_id_fences_at_once() {
    let preset = Preset::ExactlyOnceKafka;
    let world = run_config(Some(preset), preset.config(), 3, &["producer-restart-same-id:m2"], 1);
    let fenced = first_tick(&world, |k| matches!(k, EventKind::TxnExpired { fenced: true, .. })).unwrap();
    assert!(fenced < world.config().transaction_timeout, "fenced at {fenced}");
}

#[test]
fn the_high_watermark_stays_put_while_the_isr_is_below_min_insync() {
    // Kafka 3.7+: with acks=1 the leader still appends, but the HW (and so consumers) wait.
    let config = Config { acks: delivery_lab::Acks::One, min_insync_replicas: 2, ..Preset::AtLeastOnce.config() };
    let world = run_config(Some(Preset::AtLeastOnce), config, 3, &["follower-out-of-isr:m2"], 1);
    let events = world.events();
    let out = events.iter().position(|e| matches!(e.kind, EventKind::IsrChanged { follower_in: false, .. })).unwrap();
    let back = events.iter().position(|e| matches!(e.kind, EventKind::IsrChanged { follower_in: true, .. })).unwrap();
    assert!(events[out..back].iter().all(|e| !matches!(e.kind, EventKind::HighWatermark { .. })));
    assert!(events[out..back].iter().any(|e| matches!(e.kind, EventKind::Appended { .. })));
    assert_eq!(world.ledger().summary.delivered_once, 3);
}

#[test]
fn narration_reads_as_a_sentence_per_event() {
    let world = run_config(Some(Preset::AtLeastOnce), Preset::AtLeastOnce.config(), 3, &["drop-ack:m2"], 1);
    let dropped = world.events().iter().find(|e| matches!(e.kind, EventKind::Dropped { .. })).unwrap();
    let text = dropped.describe();
    assert!(text.starts_with(&format!("t={}: the ACK for m2 (offset 1) was dropped", dropped.tick)), "{text}");
    for event in world.events() {
        assert!(!event.describe().contains('{'), "{}", event.describe());
    }
}

#[test]
fn every_event_after_the_first_names_an_earlier_cause() {
    let world = run_config(Some(Preset::ExactlyOnceKafka), Preset::ExactlyOnceKafka.config(), 4, &["zombie-producer:m2", "consumer-crash-after-processing:m3"], 1);
    for event in world.events() {
        if let Some(cause) = event.cause {
            assert!(cause < event.id, "{event:?}");
        }
    }
    let row = world.ledger().row(2).unwrap().clone();
    assert!(!row.cause.is_empty());
    assert!(row.cause.iter().any(|id| matches!(world.events()[id.0 as usize].kind, EventKind::FaultStruck { .. })));
}

#[test]
fn a_verdict_explanation_cites_the_fault_and_the_setting() {
    let world = run_config(Some(Preset::AtLeastOnce), Preset::AtLeastOnce.config(), 3, &["drop-ack:m2"], 1);
    let row = world.ledger().row(2).unwrap().clone();
    assert!(row.explanation.contains("the ACK for m2 (offset 1) was dropped"), "{}", row.explanation);
    assert!(row.explanation.contains("idempotence: off (enable.idempotence=false)"), "{}", row.explanation);
}

#[test]
fn faults_that_never_find_their_moment_are_reported() {
    let world = run_config(Some(Preset::AtMostOnce), Preset::AtMostOnce.config(), 3, &["drop-ack:m2"], 1);
    assert!(world.events().iter().any(|e| matches!(e.kind, EventKind::FaultNotApplicable { .. })));
}

#[test]
fn events_are_bounded_and_a_long_run_stops_truncated() {
    // Fifty messages with a slow consumer, retries and restarts stay within the bound or stop cleanly.
    let scenario = Scenario::from_preset(Preset::AtLeastOnce, 50, 1)
        .with_fault("follower-out-of-isr@1".parse().unwrap())
        .with_fault("drop-ack".parse().unwrap());
    let mut world = World::new(&scenario).unwrap();
    let state = world.run_to_quiescence();
    assert!(world.events().len() <= MAX_EVENTS + 1);
    assert!(matches!(state, RunState::Quiescent | RunState::Truncated));
}

#[test]
fn run_until_stops_at_the_tick_and_step_returns_the_events_of_one_action() {
    let mut world = World::new(&Scenario::from_preset(Preset::AtLeastOnce, 3, 1)).unwrap();
    world.run_until(5);
    assert!(world.events().iter().all(|e| e.tick <= 5));
    let before = world.events().len();
    let n = world.step().map(<[_]>::len).unwrap();
    assert_eq!(world.events().len(), before + n);
    assert!(n >= 1);
}

#[test]
fn a_run_past_the_event_bound_stops_truncated_with_a_partial_ledger() {
    // min.insync.replicas=2 with the follower out of the ISR for ten minutes: every acks=all
    // write gets NOT_ENOUGH_REPLICAS (a retriable error, Partition.appendRecordsToLeader) and fifty
    // records retry about once a second, exceeding the event bound long before
    // delivery.timeout.ms (one hour here) ends them.
    let config = Config {
        min_insync_replicas: 2,
        restart_ms: 600_000,
        max_in_flight: 50,
        delivery_timeout_ms: 3_600_000,
        ..Preset::AtLeastOnce.config()
    };
    let scenario = Scenario {
        preset: None,
        config,
        messages: 50,
        labels: Vec::new(),
        seed: 1,
        faults: vec!["follower-out-of-isr@1".parse().unwrap()],
        send_at: Vec::new(),
        title: None,
        captions: Vec::new(),
    };
    let mut world = World::new(&scenario).unwrap();
    assert_eq!(world.run_to_quiescence(), RunState::Truncated);
    // The bound is checked after each action, and one action records a few events at one instant.
    assert!((MAX_EVENTS + 1..=MAX_EVENTS + 16).contains(&world.events().len()), "{}", world.events().len());
    assert!(matches!(world.events().last().unwrap().kind, EventKind::RunTruncated { .. }));
    assert!(world.step().is_none(), "a truncated run does not go on");
    assert_eq!(world.ledger().run_state, RunState::Truncated);
}

#[test]
fn a_crashed_leader_is_replaced_only_after_broker_session_timeout_and_the_follower_keeps_what_was_sent() {
    // KRaftConfigs: broker.session.timeout.ms (default 9000) is how long a broker lease lasts
    // without heartbeats; only then does the controller fence the broker and elect a new leader.
    // The follower's fetcher appends a response that left the leader before the crash.
    let config = Config { acks: delivery_lab::Acks::One, ..Preset::AtLeastOnce.config() };
    let world = run_config(Some(Preset::AtLeastOnce), config.clone(), 3, &["leader-crash-unreplicated-after-ack:m2"], 1);
    let crashed = first_tick(&world, |k| matches!(k, EventKind::BrokerCrashed { .. })).unwrap();
    let elected = first_tick(&world, |k| matches!(k, EventKind::LeaderElected { .. })).unwrap();
    assert_eq!(config.broker_session_timeout_ms, 9_000);
    assert!(elected >= crashed + u64::from(9_000 / delivery_lab::TICK_MS), "elected at {elected}, crash at {crashed}");
    let events = world.events();
    let replicated_m1 = events.iter().any(|e| {
        e.tick >= crashed && e.tick < elected && matches!(e.kind, EventKind::Replicated { broker: 1, from: 0, .. })
    });
    assert!(replicated_m1, "the follower did not append the fetch response already on the wire");
    // Nothing is sent to the dead broker's replacement before it exists, and nothing new is
    // appended while the partition has no leader.
    assert!(!events.iter().any(|e| e.tick > crashed && e.tick < elected && matches!(e.kind, EventKind::Appended { .. })));
}

#[test]
fn narration_names_kafkas_errors_and_what_really_happened() {
    // KIP-588 / ProducerAppendInfo.checkProducerEpoch: since 2.7 a partition leader answers a
    // stale epoch with INVALID_PRODUCER_EPOCH, not PRODUCER_FENCED. The fenced producer did not
    // crash: the application closed it. The timed-out transaction was opened under epoch 0
    // (TransactionCoordinator bumps the epoch when it aborts it).
    let config = Config { transaction_timeout_ms: 1_000, transaction_messages: 3, ..Preset::ExactlyOnceKafka.config() };
    let world = run_config(Some(Preset::ExactlyOnceKafka), config, 3, &["drop-produce-request:m2"], 1);
    let text: Vec<String> = world.events().iter().map(|e| e.describe()).collect();
    assert!(text.iter().any(|t| t.contains("refused m") && t.ends_with(": INVALID_PRODUCER_EPOCH")), "{text:#?}");
    assert!(!text.iter().any(|t| t.contains("refused") && t.contains("PRODUCER_FENCED")), "{text:#?}");
    assert!(!world.events().iter().any(|e| matches!(e.kind, EventKind::ProducerCrashed { .. })));
    assert!(world.events().iter().any(|e| matches!(e.kind, EventKind::ProducerClosed { session: 0 })));
    let began = world.events().iter().find_map(|e| match e.kind { EventKind::TxnBegan { epoch, .. } => Some(epoch), _ => None });
    let expired = world.events().iter().find_map(|e| match e.kind { EventKind::TxnExpired { epoch, .. } => Some(epoch), _ => None });
    assert_eq!(began, Some(0));
    assert_eq!(expired, began);

    // Without idempotence the producer has no producer id (NO_PRODUCER_ID = -1).
    let world = run_config(Some(Preset::AtLeastOnce), Preset::AtLeastOnce.config(), 1, &[], 1);
    let started = world.events().iter().find(|e| matches!(e.kind, EventKind::ProducerStarted { .. })).unwrap();
    assert!(started.describe().ends_with("the producer started without a producer id (idempotence off)"), "{}", started.describe());

    // A request to a leader that crashed fails with the closed connection, not a timeout.
    let world = run_config(Some(Preset::AtLeastOnce), Preset::AtLeastOnce.config(), 3, &["leader-crash-unreplicated-before-ack:m2"], 1);
    assert!(world.events().iter().any(|e| matches!(e.kind, EventKind::ConnectionClosed { broker: 0, .. })));
}

#[test]
fn cause_sentences_keep_the_deciding_event_and_name_the_setting_that_prevents_it() {
    use delivery_lab::{Acks, OffsetReset, Verdict};
    // ConsumerConfig auto.offset.reset=latest: a consumer without a committed offset starts at the
    // end of the log, so what was written before its start is skipped.
    let config = Config { enable_auto_commit: true, auto_offset_reset: OffsetReset::Latest, ..Preset::AtLeastOnce.config() };
    let world = run_config(Some(Preset::AtLeastOnce), config, 3, &["consumer-crash-after-fetch:m1"], 1);
    let row = world.ledger().row(1).unwrap().clone();
    assert_eq!(row.verdict, Verdict::Lost);
    assert!(row.explanation.contains("consumer instance 2 started at offset"), "{}", row.explanation);
    assert!(row.explanation.contains("auto.offset.reset=earliest"), "{}", row.explanation);

    // ProducerConfig acks: with acks=1 the record is lost if the leader fails before followers
    // replicate it; acks=all prevents that, idempotence does not.
    let config = Config { acks: Acks::One, ..Preset::AtLeastOnce.config() };
    let world = run_config(Some(Preset::AtLeastOnce), config, 3, &["leader-crash-unreplicated-after-ack:m2"], 1);
    let row = world.ledger().row(2).unwrap().clone();
    assert!(row.explanation.contains("acks=all"), "{}", row.explanation);
    assert!(!row.explanation.contains("idempotence"), "{}", row.explanation);

    // Kafka docs 4.6: committing before processing is at-most-once; the commit decides the loss.
    let world = run_config(Some(Preset::AtMostOnce), Preset::AtMostOnce.config(), 3, &["consumer-crash-after-processing:m2"], 1);
    let row = world.ledger().row(3).unwrap().clone();
    assert_eq!(row.verdict, Verdict::Lost);
    assert!(row.explanation.contains("the group's committed offset is now"), "{}", row.explanation);
    assert!(row.explanation.contains("lab.manual.commit=after-processing"), "{}", row.explanation);

    // ProducerConfig delivery.timeout.ms: the expiry is what the application was told.
    let config = Config { replication_factor: 1, restart_ms: 20_000, delivery_timeout_ms: 5_000, request_timeout_ms: 3_000, ..Preset::AtLeastOnce.config() };
    let world = run_config(Some(Preset::AtLeastOnce), config, 3, &["leader-crash-replicated@2"], 1);
    for row in world.ledger().rows {
        assert_eq!(row.verdict, Verdict::FailedAndReported);
        assert!(row.explanation.contains("delivery.timeout.ms expired"), "{}", row.explanation);
    }
}

#[test]
fn an_aborted_copy_a_read_uncommitted_consumer_processed_is_reported_as_aborted_but_seen() {
    // ConsumerConfig isolation.level: read_uncommitted "will return all messages, even
    // transactional messages which have been aborted"; read_committed would have hidden the copy.
    let config = Config { isolation_level: IsolationLevel::ReadUncommitted, ..Preset::ExactlyOnceKafka.config() };
    let world = run_config(Some(Preset::ExactlyOnceKafka), config, 3, &["producer-restart-same-id:m2"], 6);
    let row = world.ledger().row(2).unwrap().clone();
    assert_eq!(row.verdict, delivery_lab::Verdict::Duplicated);
    assert!(row.also.contains(&delivery_lab::Verdict::AbortedButSeen), "{row:?}");
    assert!(row.explanation.contains("isolation.level=read_committed"), "{}", row.explanation);
}

#[test]
fn a_leader_crash_fails_the_request_it_was_handling_at_once() {
    // NetworkClient: a closed connection fails every in-flight request on it at once (a
    // retriable NetworkException); nothing waits for request.timeout.ms.
    let world = run_config(Some(Preset::AtLeastOnce), Preset::AtLeastOnce.config(), 3, &["leader-crash-unreplicated-before-ack:m2"], 1);
    let crashed = first_tick(&world, |k| matches!(k, EventKind::BrokerCrashed { .. })).unwrap();
    let closed = first_tick(&world, |k| matches!(k, EventKind::ConnectionClosed { msg, .. } if msg.0 == 2)).unwrap();
    assert_eq!(closed, crashed);
    assert!(!world.events().iter().any(|e| matches!(e.kind, EventKind::RequestTimedOut { .. })));
}

#[test]
fn an_idempotent_producer_holds_a_retried_batch_until_the_earlier_sequence_resolves() {
    // RecordAccumulator.shouldStopDrainBatchesForPartition: a retried batch is drained only when
    // its sequence is the first in flight (TransactionManager.firstInFlightSequence), so a later
    // batch does not spin on OUT_OF_ORDER_SEQUENCE_NUMBER while an earlier one is unresolved.
    for faults in [["leader-crash-unreplicated-before-ack:m2"], ["drop-produce-request:m2"]] {
        let world = run_config(Some(Preset::ExactlyOnceDatabase), Preset::ExactlyOnceDatabase.config(), 3, &faults, 1);
        let refusals = world
            .events()
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Refused { msg, .. } if msg.0 == 3))
            .count();
        assert!(refusals <= 1, "{faults:?}: m3 refused {refusals} times");
        let row = world.ledger().row(3).unwrap().clone();
        assert!(row.attempts <= 3, "{faults:?}: {row:?}");
        assert_eq!(row.verdict, delivery_lab::Verdict::DeliveredOnce);
    }
}

#[test]
fn a_broker_that_lost_a_producers_state_accepts_its_next_sequence() {
    // ProducerAppendInfo.checkSequence: with no current producer epoch for the producer id (its
    // records are gone), the broker accepts writes with any sequence number; it does not answer
    // OUT_OF_ORDER_SEQUENCE_NUMBER.
    let config = Config { replication_factor: 1, ..Preset::ExactlyOnceDatabase.config() };
    let world = run_config(Some(Preset::ExactlyOnceDatabase), config, 3, &["disk-lost:m2"], 1);
    assert!(!world.events().iter().any(|e| matches!(e.kind, EventKind::Refused { .. })), "a sequence was refused");
    let m3 = world.events().iter().find_map(|e| match e.kind {
        EventKind::Appended { msg, seq, .. } if msg.0 == 3 => Some(seq),
        _ => None,
    });
    assert_eq!(m3, Some(Some(2)));
    use delivery_lab::sim::broker::{check_sequence_after_loss, SequenceCheck};
    assert_eq!(check_sequence_after_loss(&[], 7, 0, 5, true), SequenceCheck::Append);
    assert_eq!(check_sequence_after_loss(&[], 7, 0, 5, false), SequenceCheck::OutOfOrder);
}

#[test]
fn a_returning_replica_rejoins_the_isr_only_once_it_reached_the_leader_epochs_start() {
    // Partition.isFollowerInSync: followerEndOffset >= highWatermark and
    // >= leaderEpochStartOffset.
    let config = Config { acks: delivery_lab::Acks::One, ..Preset::AtLeastOnce.config() };
    let world = run_config(Some(Preset::AtLeastOnce), config, 5, &["leader-crash-unreplicated-after-ack:m2"], 1);
    let elected = world.events().iter().find_map(|e| match e.kind {
        EventKind::LeaderElected { broker, leader_epoch, .. } => Some((broker, leader_epoch)),
        _ => None,
    });
    let (leader, epoch) = elected.expect("a failover");
    let log = &world.partition().replicas[usize::from(leader)].log;
    let epoch_start = log.iter().position(|e| e.leader_epoch == epoch).unwrap_or(log.len()) as u64;
    let mut replicated_to = 0;
    let mut rejoined = false;
    for e in world.events() {
        match e.kind {
            EventKind::Replicated { broker, to, .. } if broker != leader => replicated_to = to,
            EventKind::Truncated { broker, from, .. } if broker != leader => replicated_to = from,
            EventKind::IsrChanged { follower_in: true, .. } => {
                assert!(replicated_to >= epoch_start, "rejoined at {replicated_to}, epoch starts at {epoch_start}");
                rejoined = true;
            }
            _ => {}
        }
    }
    assert!(rejoined);
}

#[test]
fn an_upsert_keyed_by_offset_keeps_only_the_last_message_written_at_an_offset() {
    // An UPSERT by input offset replaces the row: after a truncation reuses an offset, the
    // message first read there no longer has a row of its own.
    use delivery_lab::sim::sink::{Sink, SinkRow};
    let sink = Sink {
        rows: vec![
            SinkRow { msg: delivery_lab::MsgId(1), offset: 0, partition: 0, txn: None, db: false },
            SinkRow { msg: delivery_lab::MsgId(3), offset: 0, partition: 0, txn: None, db: false },
        ],
        ..Sink::default()
    };
    assert_eq!(sink.effects(delivery_lab::SinkKind::DbUpsertOffset, delivery_lab::MsgId(1)), 0);
    assert_eq!(sink.effects(delivery_lab::SinkKind::DbUpsertOffset, delivery_lab::MsgId(3)), 1);
}

#[test]
fn a_lost_request_loses_the_requests_behind_it_and_the_timeout_fails_them_together() {
    // Kafka protocol guide, Network: one connection delivers requests in order, so the request
    // after a lost one cannot be processed; NetworkClient.handleTimedOutRequests then disconnects
    // and fails every in-flight request on the node at the same instant.
    let world = run_config(Some(Preset::AtLeastOnce), Preset::AtLeastOnce.config(), 3, &["drop-produce-request:m2"], 1);
    let dropped: Vec<u16> = world
        .events()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Dropped { what: delivery_lab::FlightKind::Produce { msg, .. }, .. }
            | EventKind::LostWithConnection { what: delivery_lab::FlightKind::Produce { msg, .. }, .. } => Some(msg.0),
            _ => None,
        })
        .collect();
    assert_eq!(dropped, vec![2, 3]);
    let timed_out = first_tick(&world, |k| matches!(k, EventKind::RequestTimedOut { msg, .. } if msg.0 == 2)).unwrap();
    let closed = first_tick(&world, |k| matches!(k, EventKind::ConnectionClosed { msg, .. } if msg.0 == 3)).unwrap();
    assert_eq!(timed_out, closed);
}

#[test]
fn a_restart_that_fences_an_open_transaction_gets_the_epoch_bumped_twice() {
    // TransactionCoordinator.handleInitProducerId: with a transaction ongoing the coordinator
    // fences with a bumped epoch to abort it (prepareFenceProducerEpoch), answers
    // CONCURRENT_TRANSACTIONS, and the client's retry bumps the epoch again.
    let world = run_config(Some(Preset::ExactlyOnceKafka), Preset::ExactlyOnceKafka.config(), 3, &["producer-restart-same-id:m2"], 1);
    let epochs: Vec<u16> = world.events().iter().filter_map(|e| match e.kind {
        EventKind::ProducerStarted { epoch, .. } => Some(epoch),
        _ => None,
    }).collect();
    assert_eq!(epochs.len(), 2, "{epochs:?}");
    assert_eq!(epochs[1], epochs[0] + 2);
}

#[test]
fn java_auto_commit_close_after_a_throw_loses_the_rest_of_the_returned_batch() {
    // ConsumerCoordinator.close -> maybeAutoCommitOffsetsSync commits the position after the whole
    // batch poll() returned, so every record of that batch from the one that threw on is lost.
    let config = Config {
        enable_auto_commit: true,
        auto_commit_style: delivery_lab::AutoCommitStyle::JavaPoll,
        ..Preset::AtLeastOnce.config()
    };
    let world = run_config(Some(Preset::AtLeastOnce), config, 4, &["processing-throws:m2"], 1);
    let ledger = world.ledger();
    let m2_offset = ledger.row(2).unwrap().offsets[0];
    let (from, to) = world
        .events()
        .iter()
        .find_map(|e| match e.kind {
            EventKind::Polled { from, to, .. } if from <= m2_offset && m2_offset < to => Some((from, to)),
            _ => None,
        })
        .expect("m2 was returned by a poll");
    assert!(from <= m2_offset);
    for row in &ledger.rows {
        if row.offsets.first().is_some_and(|o| *o >= m2_offset && *o < to) {
            assert_eq!(row.verdict, delivery_lab::Verdict::Lost, "{}", row.explanation);
        }
    }
}

#[test]
fn an_abortable_out_of_order_sequence_aborts_at_once_and_the_bumped_epoch_recovers() {
    // TransactionManager.canRetry: a transactional producer does not retry OUT_OF_ORDER_SEQUENCE
    // for its next expected batch; the transaction aborts and the epoch bump (KIP-360) lets the
    // following transactions write from sequence 0 again.
    let config = Config { unclean_leader_election: true, ..Preset::ExactlyOnceKafka.config() };
    let world = run_config(Some(Preset::ExactlyOnceKafka), config, 5, &["follower-out-of-isr:m2", "leader-crash-unreplicated-after-ack:m2"], 1);
    let ledger = world.ledger();
    let m3 = ledger.row(3).unwrap();
    assert_eq!(m3.verdict, delivery_lab::Verdict::FailedAndReported, "{}", m3.explanation);
    assert_eq!(m3.attempts, 1, "{}", m3.explanation);
    for m in [4, 5] {
        let row = ledger.row(m).unwrap();
        assert_eq!(row.verdict, delivery_lab::Verdict::DeliveredOnce, "{}", row.explanation);
    }
}

/// Steps `world` until an event matching `pred` has been recorded.
fn step_until(world: &mut World, pred: impl Fn(&EventKind) -> bool) {
    while !world.events().iter().any(|e| pred(&e.kind)) {
        assert!(world.step().is_some(), "the run ended before the event");
    }
}

#[test]
fn mid_run_a_message_still_on_its_way_is_pending_not_delayed() {
    // Kafka docs (Replication): "Only committed messages are ever given out to the consumer"; a
    // record the leader appended but the follower has not fetched yet sits above the high
    // watermark. Before any failure that is a message in flight, not one held back: "delayed" is
    // the outcome of a run that ended with it held back (a failover, an open transaction).
    let preset = Preset::AtLeastOnce;
    let scenario = Scenario::from_preset(preset, 3, 1);
    let mut world = World::new(&scenario).unwrap();
    step_until(&mut world, |k| matches!(k, EventKind::Appended { msg, .. } if msg.0 == 1));
    assert_eq!(world.run_state(), RunState::Running);
    for row in &world.ledger().rows {
        assert_eq!(row.verdict, delivery_lab::Verdict::Pending, "{row:?}");
        assert!(!row.also.contains(&delivery_lab::Verdict::Delayed), "{row:?}");
        assert!(row.explanation.contains("pending"), "{}", row.explanation);
    }
}

#[test]
fn a_message_held_back_by_an_open_transaction_is_pending_mid_run_and_delayed_at_the_end() {
    // KIP-98 / ConsumerConfig isolation.level: read_committed consumers "will only return
    // transactional messages which have been committed" and stop at the first open transaction
    // (the LSO). m3 waits for the dead producer's transaction to time out: while the run goes on
    // it is pending; once the run is over the ledger says it was delayed.
    let preset = Preset::ExactlyOnceKafka;
    let mut scenario = Scenario::from_preset(preset, 3, 1);
    scenario.faults = vec!["producer-restart-new-id:m2".parse().unwrap()];
    let mut world = World::new(&scenario).unwrap();
    step_until(&mut world, |k| matches!(k, EventKind::Appended { msg, .. } if msg.0 == 3));
    let mid = world.ledger().row(3).unwrap().clone();
    assert_eq!(mid.verdict, delivery_lab::Verdict::Pending, "{mid:?}");
    assert!(!mid.also.contains(&delivery_lab::Verdict::Delayed), "{mid:?}");
    world.run_to_quiescence();
    let end = world.ledger().row(3).unwrap().clone();
    assert!(end.verdict == delivery_lab::Verdict::Delayed || end.also.contains(&delivery_lab::Verdict::Delayed), "{end:?}");
}

/// A duplicate with two causes gets both remedies (issue 14). Kafka docs 4.6, Message Delivery
/// Semantics: the idempotent producer removes the duplicates its own retries write to the log;
/// a consumer that processes a record and crashes before its position is saved processes it again
/// ("at-least-once"), which only storing the position with the output, or an idempotent output,
/// prevents. With a lost ACK (a retried copy in the log) and a crash after processing, naming only
/// enable.idempotence would leave the reader with a duplicate.
#[test]
fn a_duplicate_from_a_retry_and_a_reprocessing_names_both_remedies() {
    let config = Preset::AtLeastOnce.config();
    let world = crate::support::run_config(Some(Preset::AtLeastOnce), config, 3, &["drop-ack:m2", "consumer-crash-after-processing:m2"], 1);
    let ledger = world.ledger();
    let m2 = ledger.rows.iter().find(|r| r.msg.0 == 2).unwrap();
    assert!(m2.offsets.len() > 1 && m2.processed > 2, "{}", m2.explanation);
    assert!(m2.explanation.contains("enable.idempotence=true"), "{}", m2.explanation);
    assert!(m2.explanation.contains("an idempotent sink, or offsets committed with the output"), "{}", m2.explanation);
    // With only the lost ACK, the producer's remedy is the whole answer.
    let world = crate::support::run_config(Some(Preset::AtLeastOnce), Preset::AtLeastOnce.config(), 3, &["drop-ack:m2"], 1);
    let m2 = world.ledger().rows.into_iter().find(|r| r.msg.0 == 2).unwrap();
    assert!(m2.explanation.contains("enable.idempotence=true") && !m2.explanation.contains("idempotent sink"), "{}", m2.explanation);
}

/// The cause chain of a message processed more than once has a line per processing run and per
/// effect, and the restart that read it again with the committed offset it resumed from (Kafka
/// docs 4.6, Message Delivery Semantics: a consumer that crashes before saving its position
/// resumes from the last committed one and processes those records again) (issue 14).
#[test]
fn a_reprocessed_message_s_cause_chain_has_each_run_each_effect_and_the_restart() {
    let world = run_config(Some(Preset::AtLeastOnce), Preset::AtLeastOnce.config(), 3, &["drop-ack:m2", "consumer-crash-after-processing:m2"], 1);
    let ledger = world.ledger();
    let m2 = ledger.rows.iter().find(|r| r.msg.0 == 2).unwrap();
    let chain: Vec<&EventKind> = m2.cause.iter().map(|id| &world.events()[id.0 as usize].kind).collect();
    let runs = chain.iter().filter(|k| matches!(k, EventKind::ProcessingFinished { msg, .. } if msg.0 == 2)).count();
    let effects = chain.iter().filter(|k| matches!(k, EventKind::SinkWrite { msg, .. } if msg.0 == 2)).count();
    assert_eq!((runs, effects), (m2.processed as usize, m2.effects as usize), "{chain:?}");
    assert!(
        chain.iter().any(|k| matches!(k, EventKind::ConsumerStarted { committed: Some(_), .. })),
        "the restart and its committed offset: {chain:?}"
    );
    assert!(m2.cause.len() <= 16);
}

/// A zombie's duplicate under exactly-once names its real cause (issue 14). KIP-98, zombie
/// fencing: the replacement's InitProducerId fences the old epoch and aborts the old instance's
/// *open* transaction; a transaction it had already committed stays. So when the zombie froze
/// after committing, the replacement re-sending the same input writes a second committed copy:
/// the explanation must say that, not offer fencing (which happened) as the remedy.
#[test]
fn a_zombie_s_committed_duplicate_under_exactly_once_names_the_replacement_s_resend() {
    let mut found = 0;
    for tick in 0..80 {
        let spec = format!("zombie-producer@{tick}");
        let world = run_config(Some(Preset::ExactlyOnceKafka), Preset::ExactlyOnceKafka.config(), 3, &[spec.as_str()], 1);
        for row in world.ledger().rows.iter().filter(|r| r.verdict == delivery_lab::Verdict::Duplicated) {
            found += 1;
            assert!(row.explanation.contains("sent") && row.explanation.contains("although the old instance had already committed it"), "{spec}: {}", row.explanation);
            assert!(!row.explanation.contains("would have fenced the old instance"), "{spec}: {}", row.explanation);
        }
    }
    assert!(found > 0, "some moment of the zombie's freeze duplicates a committed message");
}

/// The sink as a reader sees it (`Sink::as_read`, drawn on the stage) agrees with the ledger's
/// effects: per message, the rows a reader sees are its effects. KIP-98: an aborted transaction's
/// writes are not read (read_committed); an upsert keeps one row per key (Kafka docs 4.6).
#[test]
fn the_sink_as_read_shows_each_message_s_effects() {
    for preset in Preset::ALL {
        for fault in delivery_lab::Fault::ALL {
            let spec = format!("{}:m2", fault.slug());
            let world = run_config(Some(preset), preset.config(), 3, &[spec.as_str()], 1);
            let kind = world.config().config.sink;
            if kind == delivery_lab::SinkKind::None {
                continue;
            }
            let read = world.sink().as_read(kind);
            for row in world.ledger().rows {
                let seen = read.iter().filter(|r| r.msg == row.msg && r.state == delivery_lab::sim::sink::RowState::Seen).count();
                assert_eq!(seen as u32, row.effects, "{preset:?} {spec}: {}", row.explanation);
            }
        }
    }
}

#[test]
fn a_connection_broken_by_a_lost_request_recovers_when_delivery_timeout_equals_request_timeout() {
    // NetworkClient.handleTimedOutRequests disconnects a node whose oldest request passed
    // request.timeout.ms; Sender.getExpiredInflightBatches fails the batch at its delivery
    // deadline (Kafka allows delivery.timeout.ms = linger.ms + request.timeout.ms). At that same
    // instant the connection is closed, so the application's re-send goes over a new one.
    let config = Config {
        delivery_timeout_ms: 30_000,
        request_timeout_ms: 30_000,
        resend_on_error: true,
        ..Preset::AtLeastOnce.config()
    };
    let world = run_config(Some(Preset::AtLeastOnce), config, 2, &["drop-produce-request:m1"], 1);
    assert_eq!(world.run_state(), RunState::Quiescent);
    let ledger = world.ledger();
    for msg in 1..=2 {
        let row = ledger.row(msg).unwrap();
        assert_eq!(row.verdict, delivery_lab::Verdict::DeliveredOnce, "m{msg}: {row:?}");
        assert_eq!(row.app_sends, 2, "m{msg} failed once, then its re-send landed: {row:?}");
    }
}

#[test]
fn both_ends_of_a_reordering_are_marked() {
    // Kafka docs, Producer Configs, max.in.flight.requests.per.connection: "if set to greater than
    // 1 and enable.idempotence is set to false, there is a risk of message reordering after a
    // failed send due to retries". m1's first request is refused (retriable) while m2 and m3,
    // already in flight, are appended: m1 lands behind them, and they land ahead of m1.
    let config = Config { enable_idempotence: Some(false), max_in_flight: 5, ..Preset::AtLeastOnce.config() };
    let world = run_config(Some(Preset::AtLeastOnce), config, 3, &["network-delay-reorder:m1"], 1);
    let ledger = world.ledger();
    let m1 = ledger.row(1).unwrap();
    assert_eq!(m1.verdict, delivery_lab::Verdict::Reordered, "{m1:?}");
    assert!(m1.explanation.contains("behind m2, m3"), "{}", m1.explanation);
    for msg in 2..=3 {
        let row = ledger.row(msg).unwrap();
        assert_eq!(row.verdict, delivery_lab::Verdict::DeliveredOnce, "{row:?}");
        assert!(row.also.contains(&delivery_lab::Verdict::Reordered), "m{msg} overtook m1: {row:?}");
        assert!(row.explanation.contains("ahead of m1"), "{}", row.explanation);
    }
    // With idempotence the broker keeps sequence order (OUT_OF_ORDER_SEQUENCE for m2 until m1
    // lands): nothing is reordered at either end.
    let config = Config { enable_idempotence: Some(true), ..Preset::AtLeastOnce.config() };
    let world = run_config(Some(Preset::AtLeastOnce), config, 3, &["network-delay-reorder:m1"], 1);
    for row in &world.ledger().rows {
        assert!(row.verdict != delivery_lab::Verdict::Reordered && !row.also.contains(&delivery_lab::Verdict::Reordered), "{row:?}");
    }
}

#[test]
fn a_send_reported_failed_whose_record_was_written_is_ambiguous() {
    // Kafka docs 4.6, Message Delivery Semantics: a producer that "fails to receive a response
    // indicating that the message was committed" cannot tell whether it was written. With acks=1
    // and retries=0 a lost ACK fails send() after request.timeout.ms although the leader appended
    // the record: the application is told "failed" about a record consumers will read.
    let config = Config { acks: delivery_lab::Acks::One, retries: 0, ..Preset::AtLeastOnce.config() };
    let world = run_config(Some(Preset::AtLeastOnce), config, 1, &["drop-ack:m1"], 1);
    let m1 = world.ledger().row(1).unwrap().clone();
    assert_eq!(m1.errors, 1, "{m1:?}");
    assert_eq!(m1.offsets.len(), 1, "{m1:?}");
    assert!(m1.also.contains(&delivery_lab::Verdict::Ambiguous), "{m1:?}");
    assert!(m1.explanation.contains("re-send would write it again"), "{}", m1.explanation);
    // With retries the producer re-sends the record itself and hears of its success: it reported
    // no failure, so nothing is ambiguous (the duplicate is a separate verdict).
    let config = Config { acks: delivery_lab::Acks::One, ..Preset::AtLeastOnce.config() };
    let world = run_config(Some(Preset::AtLeastOnce), config, 1, &["drop-ack:m1"], 1);
    let m1 = world.ledger().row(1).unwrap().clone();
    assert_eq!(m1.errors, 0, "{m1:?}");
    assert!(!m1.also.contains(&delivery_lab::Verdict::Ambiguous), "{m1:?}");
}

fn alo(tweak: impl FnOnce(&mut Config)) -> Config {
    let mut config = Preset::AtLeastOnce.config();
    tweak(&mut config);
    config
}

#[test]
fn a_lost_retry_is_retried_again() {
    // Kafka docs, Producer Configs, retries: the client "will resend any record whose send fails
    // with a potentially transient error" until delivery.timeout.ms. The first and the second
    // attempt are both lost (each breaks the connection until request.timeout.ms); the third lands.
    let config = alo(|_| {});
    let world = run_config(Some(Preset::AtLeastOnce), config, 1, &["drop-produce-request:m1", "drop-produce-request:m1#2"], 1);
    let m1 = world.ledger().row(1).unwrap().clone();
    assert_eq!((m1.attempts, m1.verdict), (3, delivery_lab::Verdict::DeliveredOnce), "{m1:?}");
    let timeouts = world.events().iter().filter(|e| matches!(e.kind, EventKind::RequestTimedOut { .. })).count();
    assert_eq!(timeouts, 2, "each lost attempt waits request.timeout.ms");
}

#[test]
fn every_attempt_lost_in_a_window_as_long_as_the_delivery_timeout_fails_the_send() {
    // Kafka docs, delivery.timeout.ms: "An upper bound on the time to report success or failure
    // after a call to send() returns". Every request for 130 s is lost (the default
    // delivery.timeout.ms is 120 s): send() fails, and the application hears of it.
    let world = run_config(Some(Preset::AtLeastOnce), alo(|_| {}), 1, &["drop-produce-request@0..1300"], 1);
    let m1 = world.ledger().row(1).unwrap().clone();
    assert_eq!(m1.verdict, delivery_lab::Verdict::FailedAndReported, "{m1:?}");
    assert!(m1.attempts >= 2, "retried within the window: {m1:?}");
    let struck = world.events().iter().filter(|e| matches!(e.kind, EventKind::FaultStruck { .. })).count();
    assert_eq!(struck as u32, m1.attempts, "the window struck every attempt: {m1:?}");
    // A window that closes before the retry lets it through.
    let world = run_config(Some(Preset::AtLeastOnce), alo(|_| {}), 1, &["drop-produce-request@0..100"], 1);
    assert_eq!(world.ledger().row(1).unwrap().verdict, delivery_lab::Verdict::DeliveredOnce);
}

#[test]
fn lost_acks_duplicate_without_idempotence_and_not_with_it() {
    // KIP-98 (idempotent producer): the broker keeps the last sequence numbers per producer id and
    // answers a retried batch it already has with its original offset (DUPLICATE_SEQUENCE is a
    // success to the client). Without idempotence every retry whose ACK was lost is a new copy.
    let no_idem = alo(|c| c.enable_idempotence = Some(false));
    let world = run_config(Some(Preset::AtLeastOnce), no_idem, 1, &["drop-ack*2"], 1);
    let m1 = world.ledger().row(1).unwrap().clone();
    assert_eq!((m1.attempts, m1.offsets.len()), (3, 3), "two ACKs lost, three copies: {m1:?}");
    assert_eq!(m1.verdict, delivery_lab::Verdict::Duplicated, "{m1:?}");
    let idem = alo(|c| c.enable_idempotence = Some(true));
    let world = run_config(Some(Preset::AtLeastOnce), idem, 1, &["drop-ack*2"], 1);
    let m1 = world.ledger().row(1).unwrap().clone();
    assert_eq!((m1.attempts, m1.offsets.len(), m1.acks), (3, 1, 1), "{m1:?}");
    assert_eq!(m1.verdict, delivery_lab::Verdict::DeliveredOnce, "{m1:?}");
}

#[test]
fn a_request_failed_early_by_its_delivery_deadline_still_closes_its_broken_connection() {
    // Sender.getExpiredInflightBatches fails m1 at its delivery deadline (45 s) while its second
    // request, lost on the wire, is still in the NetworkClient; that request's own
    // request.timeout.ms (30 s after it left) disconnects the node
    // (NetworkClient.handleTimedOutRequests), which fails the application's re-send, sent on the
    // broken connection meanwhile; retried on a new connection, it lands.
    let config = alo(|c| {
        c.delivery_timeout_ms = 45_000;
        c.request_timeout_ms = 30_000;
        c.resend_on_error = true;
    });
    let world = run_config(Some(Preset::AtLeastOnce), config, 1, &["drop-produce-request:m1", "drop-produce-request:m1#2"], 1);
    let failed = first_tick(&world, |k| matches!(k, EventKind::ProducerFailed { .. })).expect("m1 fails at its deadline");
    assert_eq!(failed, 450, "delivery.timeout.ms from send() at t=0");
    let second = world
        .events()
        .iter()
        .find(|e| matches!(e.kind, EventKind::Sent { what: delivery_lab::FlightKind::Produce { attempt: 2, .. }, .. }))
        .unwrap()
        .tick;
    let closed = first_tick(&world, |k| matches!(k, EventKind::ConnectionClosed { .. })).expect("the disconnect fails the re-send");
    assert_eq!(closed, second + 300, "request.timeout.ms after the second attempt left");
    let m1 = world.ledger().row(1).unwrap().clone();
    assert_eq!((m1.app_sends, m1.verdict), (2, delivery_lab::Verdict::DeliveredOnce), "{m1:?}");
}

#[test]
fn a_lost_fetch_response_only_delays_the_records_by_request_timeout() {
    // Kafka docs, Consumer Configs, request.timeout.ms: "the maximum amount of time the client will
    // wait for the response of a request. If the response is not received before the timeout
    // elapses the client will resend the request if necessary". The consumer's position did not
    // move (it never saw the records), so the new fetch returns them again: nothing is lost or
    // processed twice, they are only late.
    for preset in [Preset::AtMostOnce, Preset::AtLeastOnce, Preset::ExactlyOnceKafka] {
        let world = run_config(Some(preset), preset.config(), 3, &["drop-fetch-response:m1"], 1);
        let lost = first_tick(&world, |k| matches!(k, EventKind::Dropped { fault: Some(delivery_lab::Fault::DropFetchResponse), .. }))
            .expect("the response is lost");
        let processed = first_tick(&world, |k| matches!(k, EventKind::ProcessingStarted { msg, .. } if msg.0 == 1)).unwrap();
        assert!(processed >= lost + world.config().request_timeout, "{preset:?}: m1 processed at {processed}, lost at {lost}");
        for row in &world.ledger().rows {
            assert_eq!((row.verdict, row.processed), (delivery_lab::Verdict::DeliveredOnce, 1), "{preset:?}: {row:?}");
        }
    }
}

#[test]
fn a_retried_end_txn_after_a_commit_that_succeeded_is_harmless() {
    // KafkaProducer.commitTransaction javadoc: a timeout "does not mean the request did not
    // actually reach the broker ... It is safe to retry". The client's EndTxnHandler re-sends a
    // disconnected EndTxn; TransactionCoordinator.handleEndTransaction answers a retry for a
    // transaction it already completed with the same result, writing no second marker.
    let preset = Preset::ExactlyOnceKafka;
    let clean = run_config(Some(preset), preset.config(), 3, &[], 1);
    for faults in [&["drop-end-txn-response:m1"][..], &["drop-end-txn-response*2"][..]] {
        let world = run_config(Some(preset), preset.config(), 3, faults, 1);
        let retries = world.events().iter().filter(|e| matches!(e.kind, EventKind::EndTxnTimedOut { commit: true, .. })).count();
        assert_eq!(retries, if faults[0].ends_with("*2") { 2 } else { 1 }, "{faults:?}");
        let markers = |w: &World| w.events().iter().filter(|e| matches!(e.kind, EventKind::MarkerWritten { .. })).count();
        assert_eq!(markers(&world), markers(&clean), "{faults:?}: one marker per transaction, retry or not");
        for row in &world.ledger().rows {
            assert_eq!((row.verdict, row.offsets.len(), row.processed), (delivery_lab::Verdict::DeliveredOnce, 1, 1), "{faults:?}: {row:?}");
        }
        // commitTransaction() blocks until the answer: the next transaction waits for the retry.
        let retried = first_tick(&world, |k| matches!(k, EventKind::EndTxnTimedOut { .. })).unwrap();
        let m2_sent = first_tick(&world, |k| matches!(k, EventKind::AppSend { msg, .. } if msg.0 == 2)).unwrap();
        assert!(m2_sent > retried, "{faults:?}");
    }
    // No transaction, nothing to lose: the failure cannot strike.
    assert!(delivery_lab::Fault::DropEndTxnResponse.cannot_strike(&Preset::AtLeastOnce.config()).is_some());
}

#[test]
fn a_producer_that_stays_down_sends_nothing_more_and_its_open_transaction_times_out() {
    // Nothing restarts the process: messages the application never passed to send() are not sent
    // (no verdict of loss: nothing was produced). KIP-98: a transaction left open by a producer
    // that never comes back is aborted by the coordinator after transaction.timeout.ms, and
    // read_committed readers never see its records.
    let world = run_config(Some(Preset::AtLeastOnce), Preset::AtLeastOnce.config(), 3, &["producer-crash-stays-down:m2"], 1);
    let ledger = world.ledger();
    assert_eq!(ledger.row(3).unwrap().app_sends, 0);
    assert_eq!(ledger.row(3).unwrap().verdict, delivery_lab::Verdict::Pending);
    assert!(ledger.row(3).unwrap().explanation.contains("never sent"));
    assert!(!world.events().iter().any(|e| matches!(e.kind, EventKind::ProducerStarted { session: 1, .. })), "no restart");
    assert!(world.producer_down_for_good(), "the stage says so");
    // A crash with a restart is not down for good, even while the restart is on its way.
    let mut world = delivery_lab::World::new(&Scenario::from_preset(Preset::AtLeastOnce, 3, 1).with_fault("producer-restart-same-id:m2".parse().unwrap())).unwrap();
    while !world.events().iter().any(|e| matches!(e.kind, EventKind::ProducerCrashed { .. })) {
        world.step();
    }
    assert!(!world.producer_down_for_good());
    let preset = Preset::ExactlyOnceKafka;
    let world = run_config(Some(preset), preset.config(), 3, &["producer-crash-stays-down:m2"], 1);
    let expired = first_tick(&world, |k| matches!(k, EventKind::TxnExpired { fenced: false, .. })).expect("the timeout aborts it");
    assert!(expired >= world.config().transaction_timeout);
    let m2 = world.ledger().row(2).unwrap().clone();
    assert_eq!((m2.verdict, m2.visible_read_committed), (delivery_lab::Verdict::AbortedInvisible, 0), "{m2:?}");
}

#[test]
fn a_crash_at_each_step_of_commit_transaction_decides_what_the_restart_sends_again() {
    // KIP-98, the same transactional.id after a restart: InitProducerId fences the old epoch and
    // aborts its open transaction, but a transaction the coordinator committed stays committed.
    // The restarted application re-sends what it does not know to be committed.
    let preset = Preset::ExactlyOnceKafka;
    let run = |fault: &str| {
        let world = run_config(Some(preset), preset.config(), 3, &[fault], 1);
        world.ledger().row(1).unwrap().clone()
    };
    // Before EndTxn: the open transaction is aborted by the fencing; the re-send commits once.
    let m1 = run("producer-crash-before-commit:m1");
    assert_eq!((m1.verdict, m1.offsets.len(), m1.visible_read_committed), (delivery_lab::Verdict::DuplicateInLogVisibleOnce, 2, 1), "{m1:?}");
    // After EndTxn reached the coordinator: it committed; the re-send is a second committed copy.
    let m1 = run("producer-crash-after-end-txn:m1");
    assert_eq!((m1.verdict, m1.visible_read_committed), (delivery_lab::Verdict::Duplicated, 2), "{m1:?}");
    assert!(m1.explanation.contains("resume after what it committed"), "{}", m1.explanation);
    // After commitTransaction() returned: the application knows; the restart sends nothing again.
    let m1 = run("producer-crash-after-commit:m1");
    assert_eq!((m1.verdict, m1.app_sends, m1.offsets.len()), (delivery_lab::Verdict::DeliveredOnce, 1, 1), "{m1:?}");
}

/// TransactionManager.canRetry: an idempotent producer retries an OUT_OF_ORDER_SEQUENCE as it is
/// unless the batch is the next one after the last acknowledged (isNextSequence): "We should
/// retry the OutOfOrderSequenceException if the batch is _not_ the next batch". m1's ACK is lost
/// with the only replica's crash; by the time its request times out, m2 to m8 are acknowledged,
/// and m1's sequence has left the broker's five-batch window. Its retries keep sequence 0 and are
/// refused until delivery.timeout.ms fails it: the log holds one copy, and send() reported a
/// failure (ambiguous), never a second copy under a new epoch.
#[test]
fn an_old_batch_refused_as_out_of_order_is_retried_as_it_is_never_written_twice() {
    // Found by the proptest invariant idempotence_in_one_session_gives_no_duplicate_and_send_order.
    let scenario = Scenario::from_json(
        r#"{"version": 1, "messages": 8, "seed": 15180815091510808608,
            "config": {"replication.factor": 1, "max.in.flight.requests.per.connection": 2, "lab.network.jitter.ms": 100},
            "faults": ["leader-crash-unreplicated-after-ack", "drop-ack@0..20"]}"#,
    )
    .unwrap();
    let mut world = World::new(&scenario).unwrap();
    world.run_to_quiescence();
    assert!(world.config().idempotence);
    let m1 = world.ledger().row(1).unwrap().clone();
    assert_eq!(m1.offsets.len(), 1, "{m1:?}");
    assert!(m1.also.contains(&delivery_lab::Verdict::Ambiguous), "send() reported m1 failed although it is in the log: {m1:?}");
    let refused = world
        .events()
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Refused { error: delivery_lab::sim::event::ProduceError::OutOfOrderSequence, .. }))
        .count();
    assert!(refused > 1, "refused again and again: {refused}");
}

/// TransactionManager.handleFailedBatch marks the sequence of a batch that expired after it went
/// out as unresolved, and maybeResolveSequences bumps the epoch only once no batch is in flight,
/// and only if the later batches were not acknowledged; meanwhile the batches still being retried
/// keep their sequences (RecordAccumulator: "Don't drain any new batches while the state of
/// previous sequence numbers is unknown"). Here m1 to m3 were written but their ACKs lost; the
/// only replica restarts, m4 to m8 go through, and m1 to m3 are refused (out of the broker's
/// window) until each expires. None is written again under a new epoch: each is in the log once,
/// and reported failed.
#[test]
fn batches_retried_while_an_earlier_one_expires_keep_their_sequences() {
    // Found by the proptest invariant idempotence_in_one_session_gives_no_duplicate_and_send_order.
    let scenario = Scenario::from_json(
        r#"{"version": 1, "messages": 8, "seed": 18080778502559664214,
            "config": {"replication.factor": 1, "max.in.flight.requests.per.connection": 4, "lab.network.jitter.ms": 300,
                       "lab.processing.ms": 2000, "max.poll.records": 1, "auto.offset.reset": "earliest",
                       "enable.auto.commit": false, "isolation.level": "read_committed"},
            "faults": ["leader-crash-unreplicated-after-ack:m3", "drop-ack*1"]}"#,
    )
    .unwrap();
    let mut world = World::new(&scenario).unwrap();
    world.run_to_quiescence();
    let ledger = world.ledger();
    for msg in 1..=3 {
        let row = ledger.row(msg).unwrap();
        assert_eq!(row.offsets.len(), 1, "{row:?}");
        assert!(row.also.contains(&delivery_lab::Verdict::Ambiguous), "{row:?}");
    }
    assert_eq!(ledger.summary.duplicated, 0);
}

/// Determinism: looking at a run (stepping it to a tick past its last action, as playback does)
/// changes nothing in it. A run that is over but for its closing step (here a second
/// drop-produce-request that finds no request to drop is reported as not applicable) records
/// that step at the tick of its last action, not at the tick someone played up to. Found by the
/// proptest the_same_scenario_gives_the_same_event_log.
#[test]
fn playing_past_the_end_does_not_move_the_closing_step() {
    let scenario = Scenario::from_json(
        r#"{"version": 1, "messages": 1, "seed": 0,
            "config": {"acks": 0, "max.in.flight.requests.per.connection": 1, "replication.factor": 1, "lab.processing.ms": 100},
            "faults": ["drop-produce-request:m1", "drop-produce-request"]}"#,
    )
    .unwrap();
    let mut straight = World::new(&scenario).unwrap();
    straight.run_to_quiescence();
    let mut looked = World::new(&scenario).unwrap();
    looked.run_until(straight.events().last().unwrap().tick + 10);
    looked.run_to_quiescence();
    assert_eq!(looked.events(), straight.events());
}

/// Kafka protocol guide, "Network": "The broker's request processing allows only a single
/// in-flight request per connection in order to guarantee this ordering" (SocketServer mutes a
/// connection once it has read a request and unmutes it when the response is sent).
#[test]
fn a_broker_reads_a_connections_next_request_only_after_answering_the_one_before() {
    let preset = Preset::AtLeastOnce;
    let config = Config { acks: delivery_lab::Acks::All, max_in_flight: 5, ..preset.config() };
    let world = run_config(Some(preset), config, 3, &[], 1);
    let events = world.events();
    let at = |pred: &dyn Fn(&EventKind) -> bool| events.iter().position(|e| pred(&e.kind)).expect("event");
    for k in 2..=3u16 {
        let arrived = at(&|e| {
            matches!(e, EventKind::Arrived { what: delivery_lab::FlightKind::Produce { msg, .. }, .. } if msg.0 == k)
        });
        let answered = at(&|e| {
            matches!(e, EventKind::Sent { what: delivery_lab::FlightKind::ProduceResponse { msg, .. }, .. } if msg.0 == k - 1)
        });
        let appended = at(&|e| matches!(e, EventKind::Appended { msg, .. } if msg.0 == k));
        assert!(arrived < answered, "m{k} was pipelined: it reached the leader before m{}'s answer left", k - 1);
        assert!(answered < appended, "m{k} appended before m{} was answered", k - 1);
    }
    assert_eq!(world.ledger().summary.delivered_once, 3);
}

/// With idempotence and two requests in flight, a leader crash before m1's ACK must not let m2
/// land ahead of m1 (Producer Configs, max.in.flight.requests.per.connection: with idempotence
/// "ordering is preserved" for up to 5 requests in flight). Before the broker handled one request
/// per connection at a time, this run (found by the idempotence property) wrote m2 ahead of m1.
/// Here m1's retry is refused (NOT_ENOUGH_REPLICAS, then OUT_OF_ORDER_SEQUENCE_NUMBER once m2 is
/// in: the new leader kept no state of the producer) until delivery.timeout.ms fails it.
#[test]
fn idempotence_keeps_order_across_a_leader_crash_with_two_requests_in_flight() {
    let config = Config {
        acks: delivery_lab::Acks::All,
        enable_idempotence: Some(true),
        max_in_flight: 2,
        replication_factor: 2,
        min_insync_replicas: 2,
        network_jitter_ms: 100,
        ..Config::default()
    };
    let world = run_config(None, config, 2, &["leader-crash-unreplicated-before-ack"], 6462935153538845250);
    let log: Vec<u16> = world.partition().log().iter().filter_map(|e| e.msg()).map(|m| m.0).collect();
    assert!(log.windows(2).all(|w| w[0] < w[1]), "the log holds each message once, in send order: {log:?}");
    assert!(world.ledger().rows.iter().all(|r| r.verdict != delivery_lab::Verdict::Reordered), "{:?}", world.ledger().rows);
}

/// Producer Configs, max.in.flight.requests.per.connection: "if this configuration is set to be
/// greater than 1 and enable.idempotence is set to false, there is a risk of message reordering
/// after a failed send due to retries". When the leader crashes while handling m2, with m3 queued
/// behind it on the connection, the client fails the connection's requests oldest first
/// (NetworkClient.processDisconnection over InFlightRequests.clearAll) and each failed batch goes
/// back to the head of its queue (RecordAccumulator.reenqueue: addFirst without idempotence), so
/// m3 is sent again before m2 and lands first.
#[test]
fn a_crash_with_a_request_queued_behind_the_failed_one_reorders_without_idempotence() {
    let world = run_config(Some(Preset::AtLeastOnce), Preset::AtLeastOnce.config(), 3, &["leader-crash-unreplicated-before-ack:m2"], 1);
    let log: Vec<u16> = world.partition().log().iter().filter_map(|e| e.msg()).map(|m| m.0).collect();
    assert_eq!(log, vec![1, 3, 2], "m3's retry went out first");
    assert_eq!(world.ledger().row(2).unwrap().verdict, delivery_lab::Verdict::Reordered);
}

#[test]
fn auto_commit_commits_again_at_the_next_interval_after_a_lost_commit() {
    // ConsumerCoordinator.maybeAutoCommitOffsetsAsync / doAutoCommitOffsetsAsync: every
    // auto.commit.interval.ms the Java client commits subscriptions.allConsumed(), whether or not
    // the positions moved, so a commit lost on the wire is made good by the next one. m1's commit
    // is lost; m2 comes 12 s later and the consumer crashes when it fetches m2. The interval's
    // second commit of 1 landed before the crash, so the new instance starts after m1.
    let scenario = Scenario {
        config: Config { enable_auto_commit: true, ..Preset::AtLeastOnce.config() },
        send_at: vec![None, Some(delivery_lab::SendAt::Tick(120))],
        faults: ["drop-offset-commit:m1", "consumer-crash-after-fetch:m2"].iter().map(|f| f.parse().unwrap()).collect(),
        ..Scenario::from_preset(Preset::AtLeastOnce, 2, 1)
    };
    let mut world = World::new(&scenario).unwrap();
    world.run_to_quiescence();
    let commits: Vec<u64> = world.events().iter().filter_map(|e| match e.kind {
        EventKind::Committed { offset, .. } => Some(offset),
        _ => None,
    }).collect();
    let crashed = first_tick(&world, |k| matches!(k, EventKind::ConsumerCrashed { .. })).unwrap();
    let first = first_tick(&world, |k| matches!(k, EventKind::Committed { offset: 1, .. })).unwrap();
    assert!(first < crashed, "the commit of 1 was made again before the crash: {commits:?}");
    let restarted = world.events().iter().find_map(|e| match e.kind {
        EventKind::ConsumerStarted { instance, position, .. } if instance > 0 => Some(position),
        _ => None,
    });
    assert_eq!(restarted, Some(1));
    let ledger = world.ledger();
    assert_eq!(ledger.row(1).unwrap().verdict, delivery_lab::Verdict::DeliveredOnce);
    assert_eq!(ledger.row(1).unwrap().processed, 1);
}
