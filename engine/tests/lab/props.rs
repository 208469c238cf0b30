//! Property tests over random configurations and failure schedules: the invariants a Kafka
//! engineer would name, checked after every step or at the end of the run.

use proptest::prelude::*;

use delivery_lab::{
    Actor, Partition, Acks, Assignor, AutoCommitStyle, Config, EventKind, Fault, FaultSpec, FlightKind, IsolationLevel, ManualCommit, MsgId,
    OffsetReset, RunState, Scenario, SendAfter, SendAt, SinkKind, Trigger, TxnMark, TxnPhase, World,
};

const SINKS: [SinkKind; 8] = [
    SinkKind::None,
    SinkKind::OutputTopic,
    SinkKind::OutputTopicInTransaction,
    SinkKind::DbInsert,
    SinkKind::DbUpsertMessageId,
    SinkKind::DbUpsertOffset,
    SinkKind::DbOffsetsInDb,
    SinkKind::OutputTopicAndDb,
];

fn config_strategy() -> impl Strategy<Value = Config> {
    (
        (0u8..3, prop::option::of(Just(false)), 1u32..=5, any::<bool>(), 1u8..=2, any::<bool>(), any::<bool>()),
        (any::<bool>(), any::<bool>(), 0u8..4, any::<bool>(), 0usize..8, prop::sample::select(vec![100u32, 200, 2000]), prop::sample::select(vec![0u32, 100, 300])),
        (1u8..=3, any::<bool>(), any::<bool>(), 1u8..=3),
    )
        .prop_map(|((acks, idem, in_flight, txn, rf, min2, unclean), (auto, background, manual, rc, sink, processing, jitter), (members, sticky, statics, partitions))| {
            let mut c = Config {
                acks: [Acks::Zero, Acks::One, Acks::All][usize::from(acks)],
                enable_idempotence: idem,
                max_in_flight: in_flight,
                transactional_id: txn.then(|| "tx".to_string()),
                replication_factor: rf,
                min_insync_replicas: if min2 && rf == 2 { 2 } else { 1 },
                unclean_leader_election: unclean,
                enable_auto_commit: auto,
                auto_commit_style: if background { AutoCommitStyle::BackgroundStored } else { AutoCommitStyle::JavaPoll },
                manual_commit: [
                    ManualCommit::AfterProcessing,
                    ManualCommit::BeforeProcessing,
                    ManualCommit::InTransaction,
                    ManualCommit::SyncAfterTransaction,
                ][usize::from(manual)],
                isolation_level: if rc { IsolationLevel::ReadCommitted } else { IsolationLevel::ReadUncommitted },
                auto_offset_reset: OffsetReset::Earliest,
                sink: SINKS[sink],
                processing_ms: processing,
                network_jitter_ms: jitter,
                group_members: members,
                assignor: if sticky { Assignor::CooperativeSticky } else { Assignor::Range },
                group_instance_id: statics.then(|| "worker".to_owned()),
                num_partitions: if SINKS[sink] == SinkKind::DbOffsetsInDb { 1 } else { partitions },
                ..Config::default()
            };
            if c.transactional_id.is_some() {
                c.acks = Acks::All;
                c.enable_idempotence = Some(true);
            }
            let in_transaction = matches!(c.manual_commit, ManualCommit::InTransaction | ManualCommit::SyncAfterTransaction);
            if c.sink.transactional_output() && (c.enable_auto_commit || !in_transaction) {
                c.sink = SinkKind::OutputTopic;
            }
            if c.enable_auto_commit && in_transaction {
                c.manual_commit = ManualCommit::AfterProcessing;
            }
            c
        })
}

/// Every failure point with every kind of trigger it takes: an attempt, a window and a count reach
/// only the failures on the network (`Trigger::nearest_for` gives the others their nearest).
fn fault_strategy(messages: u16) -> impl Strategy<Value = FaultSpec> {
    (0usize..Fault::ALL.len(), 0u8..6, 1u16..=messages, 0u64..60, 1u32..=3).prop_map(|(f, kind, msg, tick, n)| {
        let fault = Fault::ALL[f];
        let trigger = match kind {
            0 => Trigger::Next,
            1 => Trigger::AtTick(tick),
            2 => Trigger::Message(MsgId(msg)),
            3 => Trigger::Attempt(MsgId(msg), n),
            4 => Trigger::Window(tick, tick + 20 * u64::from(n)),
            _ => Trigger::Count(n as u16),
        };
        FaultSpec { fault, trigger: trigger.nearest_for(fault) }
    })
}

/// Settings the main strategy leaves at their defaults: batch sizes, transaction sizes,
/// application re-sends and retries.
fn extras_strategy() -> impl Strategy<Value = (u32, u32, bool, bool)> {
    (prop::sample::select(vec![1u32, 2, 3, 500]), 1u32..=3, any::<bool>(), prop::bool::weighted(0.2))
}

fn scenario_strategy() -> impl Strategy<Value = Scenario> {
    (config_strategy(), extras_strategy(), 1u16..=8, any::<u64>()).prop_flat_map(|(mut config, extras, messages, seed)| {
        let (max_poll_records, transaction_messages, resend_on_error, no_retries) = extras;
        config.max_poll_records = max_poll_records;
        config.transaction_messages = transaction_messages;
        config.resend_on_error = resend_on_error;
        if no_retries && config.transactional_id.is_none() {
            config.retries = 0;
        }
        // A send schedule for some runs: messages sent at their own ticks or after events of the
        // run (an earlier message's ack or processing, a commit, a consumer crash, a rebalance),
        // some while consumers are down or before a first commit.
        let schedule = prop::collection::vec(prop::option::of((0u8..6, 0u64..400)), 0..=usize::from(messages));
        (prop::collection::vec(fault_strategy(messages), 0..=4), prop::bool::weighted(0.3), schedule).prop_map(move |(faults, scheduled, entries)| {
            let earlier = |i: usize, n: u64| MsgId(1 + (n % i.max(1) as u64) as u16);
            let mut send_at: Vec<Option<SendAt>> = entries.iter().enumerate().map(|(i, e)| e.map(|(kind, n)| match kind {
                1 if i > 0 => SendAt::After(SendAfter::Acked(earlier(i, n)), n % 50),
                2 if i > 0 => SendAt::After(SendAfter::Processed(earlier(i, n)), n % 50),
                3 => SendAt::After(SendAfter::Commit, n % 50),
                4 => SendAt::After(SendAfter::ConsumerCrash, n % 50),
                5 => SendAt::After(SendAfter::Rebalance, n % 50),
                _ => SendAt::Tick(n),
            })).collect();
            delivery_lab::scenario::trim_schedule(&mut send_at, messages);
            Scenario {
            preset: None,
            config: config.clone(),
            messages,
            labels: Vec::new(),
            seed,
            faults,
            send_at: if scheduled { send_at } else { Vec::new() },
            title: None,
            captions: Vec::new(),
            }
        })
    })
}

/// Runs step by step, checking the partition's invariants after each step.
fn run_checked(scenario: &Scenario) -> Result<World, TestCaseError> {
    let mut world = World::new(scenario).map_err(|e| TestCaseError::fail(e.to_string()))?;
    while world.step().is_some() {
        for p in world.partitions() {
            for replica in &p.replicas {
                for (i, entry) in replica.log.iter().enumerate() {
                    prop_assert_eq!(entry.offset, i as u64, "offsets unique and increasing");
                }
            }
            prop_assert!(p.lso() <= p.hw(), "LSO {} > HW {}", p.lso(), p.hw());
            prop_assert!(p.hw() <= p.leo(), "HW {} > LEO {}", p.hw(), p.leo());
        }
        if let Some(EventKind::Sent { from: Actor::Broker(b), what: FlightKind::FetchResponse { to, .. }, .. }) = world.events().last().map(|e| e.kind) {
            let p = part_on(&world, b);
            prop_assert!(to <= p.hw(), "a fetch returned up to {} past HW {}", to, p.hw());
        }
    }
    prop_assert_eq!(world.run_state(), RunState::Quiescent);
    Ok(world)
}

/// Runs `scenario` with the two documented ways to lose committed data left out: an unclean
/// election (unclean.leader.election.enable) and a lost disk (before KIP-966). Rejects a case
/// with a lost disk, or whose configuration Kafka refuses.
fn run_keeping_committed_data(scenario: &mut Scenario) -> Result<World, TestCaseError> {
    scenario.config.unclean_leader_election = false;
    prop_assume!(!has(scenario, &[Fault::DiskLost]));
    prop_assume!(scenario.config.resolve().is_ok());
    run_checked(scenario)
}

/// The partition broker `b` holds a replica of.
fn part_on(world: &World, b: u8) -> &Partition {
    world.partitions().iter().find(|p| p.replica(b).is_some()).expect("every broker holds a partition")
}

/// The log of the partition `msg` goes to.
fn log_of(world: &World, msg: MsgId) -> &[delivery_lab::sim::broker::LogEntry] {
    world.partitions()[world.partition_of(msg)].log()
}

fn has(scenario: &Scenario, faults: &[Fault]) -> bool {
    scenario.faults.iter().any(|s| faults.contains(&s.fault))
}

fn processing_counts(world: &World) -> Vec<(u64, MsgId, u32)> {
    let mut counts: Vec<(u64, MsgId, u32)> = Vec::new();
    for event in world.events() {
        if let EventKind::ProcessingFinished { msg, offset } = event.kind {
            match counts.iter_mut().find(|(o, m, _)| *o == offset && *m == msg) {
                Some(entry) => entry.2 += 1,
                None => counts.push((offset, msg, 1)),
            }
        }
    }
    counts
}

/// The scenario with auto-commit off and commitSync() at `when` (an output topic in a
/// transaction becomes a plain one: it needs the application's transaction).
fn commit_sync(mut scenario: Scenario, when: ManualCommit) -> Scenario {
    scenario.config.enable_auto_commit = false;
    scenario.config.manual_commit = when;
    if scenario.config.sink.transactional_output() {
        scenario.config.sink = SinkKind::OutputTopic;
    }
    scenario
}

/// The first readable record of `partition` below `limit` (aborted ones skipped for
/// read_committed) that the application has not finished processing, with its offset.
fn unprocessed_below(world: &World, partition: usize, limit: u64, read_committed: bool) -> Option<(MsgId, usize)> {
    let counts = processing_counts(world);
    let log = world.partitions()[partition].log();
    log.iter().enumerate().take(limit as usize).find_map(|(i, entry)| {
        let msg = entry.msg()?;
        let skipped = read_committed && delivery_lab::sim::broker::txn_mark(log, i) == TxnMark::Aborted;
        let processed = counts.iter().any(|(o, m, _)| *o == i as u64 && *m == msg);
        (!skipped && !processed).then_some((msg, i))
    })
}

fn config() -> ProptestConfig {
    crate::support::proptest_config(0x5EED_2026)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn partition_invariants_hold_at_every_step(scenario in scenario_strategy()) {
        prop_assume!(scenario.config.resolve().is_ok());
        let world = run_checked(&scenario)?;
        // Kafka protocol guide, "Network": on one connection requests are processed in the order
        // they are sent and responses return in that order. Every directed link is FIFO.
        let flights = world.flights();
        for (i, a) in flights.iter().enumerate() {
            for b in &flights[i + 1..] {
                if a.from == b.from && a.to == b.to {
                    prop_assert!(a.arrives <= b.arrives, "flight {:?} overtaken by {:?} in {}", a.id, b.id, scenario.to_json());
                }
            }
        }
    }

    #[test]
    fn read_committed_never_returns_aborted_records(scenario in scenario_strategy(), abort in 0usize..4, msg in 1u16..=6) {
        // Transactions and a fault that aborts one, so aborted records exist to be filtered.
        let mut scenario = scenario;
        scenario.config.isolation_level = IsolationLevel::ReadCommitted;
        scenario.config.transactional_id = Some("tx".into());
        scenario.config.acks = Acks::All;
        scenario.config.enable_idempotence = Some(true);
        let fault = [Fault::TransactionAbort, Fault::ProducerRestartSameId, Fault::ZombieProducer, Fault::ProducerRestartNewId][abort];
        scenario.faults.push(FaultSpec { fault, trigger: Trigger::Message(MsgId(msg.min(scenario.messages))) });
        // An unclean election (or a lost disk) may put an aborted copy at an offset a consumer
        // once read a committed record from; Kafka promises nothing there.
        let world = run_keeping_committed_data(&mut scenario)?;
        for flight in world.flights() {
            for &delivery_lab::FetchedRecord { offset, msg } in flight.records() {
                let log = log_of(&world, msg);
                if log.get(offset as usize).and_then(|e| e.msg()) == Some(msg) {
                    let mark = delivery_lab::sim::broker::txn_mark(log, offset as usize);
                    prop_assert!(mark != TxnMark::Aborted, "aborted {} at {} returned in {}", msg, offset, scenario.to_json());
                }
            }
        }
    }

    #[test]
    fn idempotence_in_one_session_gives_no_duplicate_and_send_order(scenario in scenario_strategy()) {
        let mut scenario = scenario;
        scenario.config.resend_on_error = false;
        // One session and no application re-send: the failures that make another leave the run.
        let mut scenario = scenario;
        let others = [
            Fault::AppResendAfterTimeout,
            Fault::ProducerRestartSameId,
            Fault::ProducerRestartNewId,
            Fault::ZombieProducer,
            Fault::ProducerCrashBeforeCommit,
            Fault::ProducerCrashAfterEndTxn,
            Fault::ProducerCrashAfterCommit,
        ];
        scenario.faults.retain(|spec| !others.contains(&spec.fault));
        // Nor a lost disk of the only replica, nor an unclean election: the leader loses the
        // producer's state with its log, accepts any sequence from the producer it no longer
        // knows (ProducerAppendInfo.checkSequence), and the client's epoch bump for the gap
        // (TransactionManager.canRetry, KIP-360) re-sequences batches whose ACK was lost: Kafka
        // writes those twice, or out of order, too. Idempotence holds while the partition keeps
        // the producer's state.
        if scenario.config.replication_factor == 1 {
            scenario.faults.retain(|spec| spec.fault != Fault::DiskLost);
        }
        scenario.config.unclean_leader_election = false;
        let Ok(effective) = scenario.config.resolve() else { return Ok(()) };
        prop_assume!(effective.idempotence);
        let world = run_checked(&scenario)?;
        // A fenced transactional producer is replaced by a new instance: a second session.
        prop_assume!(world.producers().len() == 1);
        // Kafka keeps order per partition only.
        for p in world.partitions() {
            let msgs: Vec<MsgId> = p.log().iter().filter_map(|e| e.msg()).collect();
            for pair in msgs.windows(2) {
                prop_assert!(pair[0] < pair[1], "log order {:?} is not send order in {}", msgs, scenario.to_json());
            }
        }
    }

    #[test]
    fn commit_before_processing_never_processes_twice(scenario in scenario_strategy()) {
        let mut scenario = commit_sync(scenario, ManualCommit::BeforeProcessing);
        // With offsets in the database the group's commit is not where a member starts: a member
        // taking a slow member's partition over reads the database's offset, which the slow one
        // writes only with its output (so both process the record, as in Kafka).
        prop_assume!(scenario.config.sink != SinkKind::DbOffsetsInDb || scenario.config.group_members == 1);
        let world = run_keeping_committed_data(&mut scenario)?;
        for (offset, msg, count) in processing_counts(&world) {
            prop_assert!(count <= 1, "{} at offset {} processed {} times in {}", msg, offset, count, scenario.to_json());
        }
    }

    #[test]
    fn commit_after_processing_loses_nothing_visible(scenario in scenario_strategy()) {
        let mut scenario = commit_sync(scenario, ManualCommit::AfterProcessing);
        // Unclean elections and lost disks rewrite offsets under a committed position.
        let world = run_keeping_committed_data(&mut scenario)?;
        let read_committed = scenario.config.isolation_level == IsolationLevel::ReadCommitted;
        for (n, p) in world.partitions().iter().enumerate() {
            let limit = if read_committed { p.lso() } else { p.hw() };
            if let Some((msg, i)) = unprocessed_below(&world, n, limit, read_committed) {
                prop_assert!(false, "{} at offset {} was never processed in {}", msg, i, scenario.to_json());
            }
        }
    }

    #[test]
    fn no_acknowledged_record_is_lost_while_an_in_sync_replica_survives(scenario in scenario_strategy()) {
        // Kafka docs, Replication: a committed message is not lost "as long as at least one in-sync
        // replica remains alive"; with acks=all and min.insync.replicas=2 the ACK comes only once
        // both replicas have the record. A lost disk (before KIP-966) and an unclean election are
        // the documented ways out, so they are left out.
        let mut scenario = scenario;
        scenario.config.acks = Acks::All;
        scenario.config.replication_factor = 2;
        scenario.config.min_insync_replicas = 2;
        let world = run_keeping_committed_data(&mut scenario)?;
        for event in world.events() {
            if let EventKind::ProducerAcked { msg, record, offset: Some(offset) } = event.kind {
                let log = log_of(&world, msg);
                let kept = log.get(offset as usize).is_some_and(|e| matches!(e.kind, delivery_lab::EntryKind::Data { record: r, .. } if r == record));
                prop_assert!(kept, "{} (record {}) acknowledged at offset {} is gone in {}", msg, record, offset, scenario.to_json());
            }
        }
    }

    #[test]
    fn every_send_completes_within_delivery_timeout(scenario in scenario_strategy()) {
        let Ok(effective) = scenario.config.resolve() else { return Ok(()) };
        let world = run_checked(&scenario)?;
        for event in world.events() {
            if let EventKind::ProducerAcked { record, .. } | EventKind::ProducerFailed { record, .. } = event.kind {
                let r = world.records()[usize::from(record)];
                prop_assert!(event.tick <= r.created + effective.delivery_timeout, "record {} completed at {} (sent {})", record, event.tick, r.created);
            }
        }
        for r in world.records() {
            let session = &world.producers()[usize::from(r.session)];
            let live = session.alive && session.txn != delivery_lab::sim::producer::SessionTxn::Fenced;
            if live {
                prop_assert!(matches!(r.state, delivery_lab::sim::producer::RecordState::Acked | delivery_lab::sim::producer::RecordState::Failed), "record {} ended {:?}", r.id, r.state);
            }
        }
    }

    #[test]
    fn no_transaction_is_open_at_quiescence(scenario in scenario_strategy()) {
        prop_assume!(scenario.config.resolve().is_ok());
        let world = run_checked(&scenario)?;
        for txn in world.transactions() {
            prop_assert_ne!(txn.phase, TxnPhase::Ongoing);
        }
        for p in world.partitions() {
            let log = p.log();
            for i in 0..log.len() {
                prop_assert_ne!(delivery_lab::sim::broker::txn_mark(log, i), TxnMark::Open);
            }
        }
    }

    /// KIP-98 and KIP-447: with the input offsets sent in the transaction that writes the output,
    /// each input record's output is committed at most once, whatever fails (the zombie's commit is
    /// refused by its stale generation, an aborted transaction's output never counts).
    #[test]
    fn offsets_in_the_transaction_commit_each_records_output_at_most_once(scenario in scenario_strategy()) {
        let mut scenario = scenario;
        scenario.config.enable_auto_commit = false;
        scenario.config.manual_commit = ManualCommit::InTransaction;
        scenario.config.sink = SinkKind::OutputTopicInTransaction;
        scenario.config.transactional_id = Some("tx".into());
        scenario.config.acks = Acks::All;
        scenario.config.enable_idempotence = Some(true);
        let world = run_keeping_committed_data(&mut scenario)?;
        let sink = world.sink();
        let committed = |txn: Option<u32>| txn.is_some_and(|t| sink.txn_outcomes.iter().any(|o| o.txn == t && o.committed));
        let mut seen: Vec<(MsgId, u64)> = Vec::new();
        for row in sink.rows.iter().filter(|row| committed(row.txn)) {
            prop_assert!(!seen.contains(&(row.msg, row.offset)), "{} from offset {} committed twice in {}", row.msg, row.offset, scenario.to_json());
            seen.push((row.msg, row.offset));
        }
        // And a read_committed reader downstream reads only those.
        let read = sink.read_downstream(SinkKind::OutputTopicInTransaction, IsolationLevel::ReadCommitted);
        prop_assert_eq!(read.len(), seen.len());
    }

    /// With commitSync() after processing (auto-commit off), the group's committed offset never
    /// passes a readable record the application has not finished processing, at any step.
    #[test]
    fn the_committed_offset_never_passes_an_unprocessed_record(scenario in scenario_strategy()) {
        let mut scenario = commit_sync(scenario, ManualCommit::AfterProcessing);
        scenario.config.unclean_leader_election = false;
        prop_assume!(!has(&scenario, &[Fault::DiskLost]));
        prop_assume!(scenario.config.resolve().is_ok());
        let read_committed = scenario.config.isolation_level == IsolationLevel::ReadCommitted;
        let mut world = World::new(&scenario).map_err(|e| TestCaseError::fail(e.to_string()))?;
        while world.step().is_some() {
            for partition in 0..world.partitions().len() {
                let Some(committed) = world.group().committed(partition as u8) else { continue };
                if let Some((msg, i)) = unprocessed_below(&world, partition, committed, read_committed) {
                    prop_assert!(false, "committed offset {} of partition {} passes {} at offset {}, not processed, in {}", committed, partition, msg, i, scenario.to_json());
                }
            }
        }
    }

    #[test]
    fn the_same_scenario_gives_the_same_event_log(scenario in scenario_strategy()) {
        prop_assume!(scenario.config.resolve().is_ok());
        let mut first = World::new(&scenario).unwrap();
        let mut second = World::new(&scenario).unwrap();
        first.run_until(15);
        let mut snapshot = first.clone();
        first.run_to_quiescence();
        second.run_to_quiescence();
        snapshot.run_to_quiescence();
        prop_assert_eq!(first.event_log_hash(), second.event_log_hash());
        prop_assert_eq!(first.event_log_hash(), snapshot.event_log_hash());
        prop_assert_eq!(first.events(), second.events());
    }
}
