//! Topics of several partitions (issue 15, item 3): the producer spreads messages by key, each
//! partition has its own leader, follower, log, sequence numbers and committed offset, order holds
//! per partition only, and a consumer group's members share the partitions.

use delivery_lab::sim::event::MEMBER_BASE;
use delivery_lab::{Actor, Config, EventKind, FlightKind, MsgId, Preset, Verdict, World};

use crate::support::{events_where, run_config};

fn topic(preset: Preset, partitions: u8, tweak: impl FnOnce(&mut Config), messages: u16, faults: &[&str]) -> World {
    let mut config = Config { num_partitions: partitions, ..preset.config() };
    tweak(&mut config);
    run_config(Some(preset), config, messages, faults, 1)
}

fn msgs(world: &World, partition: usize) -> Vec<u16> {
    world.partitions()[partition].log().iter().filter_map(|e| e.msg()).map(|m| m.0).collect()
}

/// Kafka documentation, Introduction ("Topics"): "Events with the same event key ... are written
/// to the same partition, and Kafka guarantees that any consumer of a given topic-partition will
/// always read that partition's events in exactly the same order as they were written"; and
/// Design ("Consumer Position"): Kafka provides a total order over records within a partition,
/// not between partitions. The lab keys message n to partition (n - 1) mod the partition count:
/// each partition's log holds its messages in send order, from offset 0, on a leader of its own,
/// and a consumer reading the partitions in whatever interleaving is not "reordered".
#[test]
fn messages_spread_over_the_partitions_and_order_holds_within_each() {
    let world = topic(Preset::AtLeastOnce, 3, |_| {}, 7, &[]);
    assert_eq!((msgs(&world, 0), msgs(&world, 1), msgs(&world, 2)), (vec![1, 4, 7], vec![2, 5], vec![3, 6]));
    let leaders: Vec<Option<u8>> = world.partitions().iter().map(|p| p.leader).collect();
    assert_eq!(leaders, [Some(0), Some(2), Some(4)], "replication.factor=2: each partition on brokers of its own");
    let processed: Vec<u16> = world
        .events()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::ProcessingFinished { msg, .. } => Some(msg.0),
            _ => None,
        })
        .collect();
    assert_ne!(processed, (1..=7).collect::<Vec<_>>(), "the partitions are read side by side, not in send order: {processed:?}");
    for row in world.ledger().rows {
        assert_eq!((row.verdict, row.also.as_slice()), (Verdict::DeliveredOnce, &[][..]), "{row:?}");
    }
}

/// TransactionManager keeps a sequence number per partition (its TopicPartitionEntry's
/// nextSequence), and the broker checks them per partition (ProducerStateManager): the first batch
/// of an idempotent producer in each partition has sequence 0.
#[test]
fn the_idempotent_producer_numbers_each_partition_from_zero() {
    let world = topic(Preset::AtLeastOnce, 2, |c| c.enable_idempotence = Some(true), 5, &[]);
    let mut by_broker = events_where(&world, |e| match *e {
        EventKind::Appended { broker, seq, .. } => Some((broker, seq)),
        _ => None,
    });
    by_broker.sort();
    assert_eq!(by_broker, [(0, Some(0)), (0, Some(1)), (0, Some(2)), (2, Some(0)), (2, Some(1))]);
}

/// Kafka documentation, Replication: each partition has its own leader and followers, and a
/// failover elects a new leader for the partitions of the broker that failed only. The crash of
/// m2's leader (partition 1) leaves partition 0's leader, its leader epoch and its acknowledgements
/// alone.
#[test]
fn a_leader_crash_fails_over_its_own_partition_only() {
    let world = topic(Preset::AtLeastOnce, 2, |_| {}, 4, &["leader-crash-unreplicated-before-ack:m2"]);
    let crashed: Vec<u8> = world
        .events()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::BrokerCrashed { broker, .. } => Some(broker),
            _ => None,
        })
        .collect();
    assert_eq!(crashed, [2], "partition 1's leader");
    let (p0, p1) = (&world.partitions()[0], &world.partitions()[1]);
    assert_eq!((p0.leader, p0.leader_epoch), (Some(0), 0), "partition 0 keeps its leader");
    assert_eq!((p1.leader, p1.leader_epoch), (Some(3), 1), "partition 1's follower took over");
    let fenced = world.events().iter().find(|e| matches!(e.kind, EventKind::BrokerFenced { .. })).unwrap().tick;
    let m3_acked = world.events().iter().find(|e| matches!(e.kind, EventKind::ProducerAcked { msg: MsgId(3), .. })).unwrap().tick;
    assert!(m3_acked < fenced, "m3 (partition 0) is acknowledged while partition 1 has no leader");
    for row in world.ledger().rows {
        assert_eq!(row.processed, 1, "{row:?}");
    }
}

/// KIP-98: the transaction coordinator writes a COMMIT or ABORT marker into every partition the
/// transaction wrote to (WriteTxnMarkers), so a transaction over two partitions is visible to a
/// read_committed consumer in both or in neither. An aborted one leaves both partitions' records
/// aborted, and neither is processed.
#[test]
fn a_transaction_over_two_partitions_ends_with_a_marker_in_each() {
    let tweak = |c: &mut Config| c.transaction_messages = 2;
    let committed = topic(Preset::ExactlyOnceKafka, 2, tweak, 2, &[]);
    let markers = |world: &World| -> Vec<(u8, bool)> {
        let mut m = events_where(world, |e| match *e {
            EventKind::MarkerWritten { partition, commit, .. } => Some((partition, commit)),
            _ => None,
        });
        m.sort();
        m
    };
    assert_eq!(markers(&committed), [(0, true), (1, true)]);
    for row in committed.ledger().rows {
        assert_eq!((row.processed, row.verdict), (1, Verdict::DeliveredOnce), "{row:?}");
    }
    let aborted = topic(Preset::ExactlyOnceKafka, 2, tweak, 2, &["transaction-abort:m1"]);
    assert_eq!(markers(&aborted), [(0, false), (1, false)], "the transaction aborts in both partitions");
    for row in aborted.ledger().rows {
        assert_eq!((row.processed, row.verdict), (0, Verdict::AbortedInvisible), "{row:?}");
    }
}

/// RangeAssignor.assign: partitions in order split into contiguous ranges, the first
/// `partitions % consumers` consumers getting one more (its javadoc's example: with three
/// partitions and two consumers, C0 gets p0 and p1, C1 gets p2). Each member fetches only its own
/// partitions, and commits each partition's offset.
#[test]
fn range_gives_the_first_member_two_of_three_partitions() {
    let world = topic(Preset::AtLeastOnce, 3, |c| c.group_members = 2, 6, &[]);
    let group = world.group();
    assert_eq!(group.owners, [Some(MEMBER_BASE), Some(MEMBER_BASE), Some(MEMBER_BASE + 1)]);
    for e in world.events() {
        if let EventKind::Sent { from: Actor::Consumer { instance }, to: Actor::Broker(b), what: FlightKind::Fetch { .. }, .. } = e.kind {
            let partition = b / 2;
            assert_eq!(group.owner(partition), Some(instance), "a fetch of partition {partition} by {instance}");
        }
    }
    assert_eq!(group.committed, [Some(2), Some(2), Some(2)], "each partition's own committed offset");
}

/// A crashed member's partition is read again from the partition's committed offset by whoever
/// owns it next (ConsumerCoordinator.refreshCommittedOffsetsIfNeeded), here the member's restarted
/// process, a new member (dynamic membership): what the crashed member processed after its last
/// commit is processed again (at-least-once), and only in that partition; the other partition's
/// committed offset keeps the other member from reading its records again after the rebalance.
#[test]
fn a_crashed_members_partition_is_read_again_from_its_committed_offset() {
    // Partition 1 (m2, m4) is the second member's; it crashes after processing m2, before its commit.
    let world = topic(Preset::AtLeastOnce, 2, |c| c.group_members = 2, 4, &["consumer-crash-after-processing:m2"]);
    assert_eq!(world.group().owners[..2], [Some(MEMBER_BASE), Some(MEMBER_BASE + 1 + 3)], "{:?}", world.group());
    let rows = world.ledger().rows;
    assert_eq!((rows[1].processed, rows[1].verdict), (2, Verdict::Duplicated), "{:?}", rows[1]);
    for row in [&rows[0], &rows[2], &rows[3]] {
        assert_eq!((row.processed, row.verdict), (1, Verdict::DeliveredOnce), "{row:?}");
    }
}

/// KIP-429 (incremental cooperative rebalancing): a partition that moves from a member still in
/// the group is first revoked by that member (onPartitionsRevoked, at a poll(), after the records
/// it is processing), and only a follow-up rebalance gives it to its new owner, which starts at
/// the committed offset. Here the second member stalls past max.poll.interval.ms, the first takes
/// partition 1 over, and when the second rejoins, CooperativeStickyAssignor balances the group by
/// moving partition 1 back: never while the first still works on it, so with offsets in the
/// transaction (KIP-447) every record's output is committed once.
#[test]
fn cooperative_sticky_hands_a_partition_over_only_after_its_owner_revoked_it() {
    let world = topic(
        Preset::ExactlyOnceKafka,
        2,
        |c| {
            c.group_members = 2;
            c.assignor = delivery_lab::Assignor::CooperativeSticky;
            c.max_poll_interval_ms = 3_000;
        },
        6,
        &["processing-stall:m2"],
    );
    let events = world.events();
    let back = events
        .iter()
        .rev()
        .find(|e| matches!(e.kind, EventKind::PartitionAssigned { partition: 1, owner: Some(o) } if o != MEMBER_BASE))
        .expect("partition 1 goes back to the second member");
    let first_member_done = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::ProcessingFinished { msg, .. } if msg.0 % 2 == 0))
        .filter(|e| e.id < back.id)
        .count();
    assert!(first_member_done > 0);
    let rejoined = events.iter().rev().find(|e| matches!(e.kind, EventKind::Rebalanced { .. })).unwrap();
    assert!(rejoined.id < back.id, "the hand-over follows the rebalance");
    let sink = world.sink();
    let committed: Vec<u16> = sink
        .rows
        .iter()
        .filter(|row| row.txn.is_some_and(|t| sink.txn_outcomes.iter().any(|o| o.txn == t && o.committed)))
        .map(|row| row.msg.0)
        .collect();
    let mut unique = committed.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), committed.len(), "an output committed twice: {committed:?}");
    assert_eq!(unique, [1, 2, 3, 4, 5, 6]);
}

/// Offsets are per partition: m1, m2 and m3 all sit at offset 0 of partitions 0, 1 and 2. An
/// application upserting by input offset must key its rows by (topic, partition, offset), the
/// coordinates of a record (Kafka documentation, Design: "each message in the partition is
/// assigned a unique sequential id called the offset"; it is unique within its partition only).
/// So each message keeps its own row, and none overwrites another's.
#[test]
fn an_upsert_by_offset_keys_its_rows_by_partition_and_offset() {
    let world = topic(Preset::AtLeastOnce, 3, |c| c.sink = delivery_lab::SinkKind::DbUpsertOffset, 3, &[]);
    for row in world.ledger().rows {
        assert_eq!((row.offsets.as_slice(), row.effects, row.verdict), (&[0][..], 1, Verdict::DeliveredOnce), "{row:?}");
    }
    let writes = world.events().iter().filter(|e| matches!(e.kind, EventKind::SinkWrite { outcome: delivery_lab::sim::event::SinkOutcome::Inserted, .. })).count();
    assert_eq!(writes, 3, "three inserts, no overwrite");
}

/// ConsumerCoordinator.close -> maybeAutoCommitOffsetsSync: with auto-commit on, close() commits
/// the position of every partition the member owns, in one OffsetCommit, and waits for it before
/// it sends LeaveGroup (KafkaConsumer javadoc, close(): "If auto-commit is enabled, this will
/// commit the current offsets"). A member of two partitions that closes after processing m2
/// threw commits past m2 in its partition: m2 is lost, and no one reads it again. (The lab sends
/// a commit per partition; the member used to leave after the first, and the second was refused.)
#[test]
fn close_commits_every_partition_before_the_member_leaves() {
    let tweak = |c: &mut Config| {
        c.group_members = 2;
        c.enable_auto_commit = true;
        c.auto_commit_style = delivery_lab::AutoCommitStyle::JavaPoll;
    };
    let world = topic(Preset::AtLeastOnce, 3, tweak, 6, &["processing-throws:m2"]);
    let refused = events_where(&world, |e| matches!(e, EventKind::CommitFailed { .. }).then_some(()));
    assert!(refused.is_empty(), "no commit of the closing member is refused");
    let m2 = world.ledger().row(2).unwrap().clone();
    assert_eq!((m2.processed, m2.verdict), (0, Verdict::Lost), "{m2:?}");
}

/// KIP-360 and TransactionManager.bumpIdempotentProducerEpoch: when a batch fails, the idempotent
/// producer bumps its epoch and rewrites the sequences of that batch's partition only
/// (partitionsToRewriteSequences); another partition's batch already sent keeps its epoch and
/// sequence when it is retried, so its leader recognises a retry of a batch it has written
/// (DUPLICATE_SEQUENCE_NUMBER) and keeps one copy. m1 (partition 0) fails after its one retry;
/// m2's ACK (partition 1) is lost, and m2 is retried after request.timeout.ms.
#[test]
fn an_epoch_bump_for_one_partition_leaves_another_partitions_retry_a_duplicate_the_broker_drops() {
    let tweak = |c: &mut Config| {
        c.enable_idempotence = Some(true);
        c.retries = 1;
    };
    let world = topic(Preset::AtLeastOnce, 2, tweak, 2, &["network-delay-reorder:m1#1", "network-delay-reorder:m1#2", "drop-ack:m2"]);
    let m1 = world.ledger().row(1).unwrap().clone();
    assert_eq!(m1.verdict, Verdict::FailedAndReported, "m1 fails after its retry: {m1:?}");
    assert_eq!(msgs(&world, 1), vec![2], "partition 1 holds m2 once");
    let found = events_where(&world, |e| matches!(e, EventKind::DuplicateFound { msg, .. } if msg.0 == 2).then_some(()));
    assert_eq!(found.len(), 1, "the leader recognised m2's retry");
}

/// Kafka's OffsetCommit request carries every partition the client commits at once
/// (OffsetCommitRequestData: topics, each with its partitions; ConsumerCoordinator
/// sendOffsetCommitRequest builds one request from the whole offsets map), so a lost request loses
/// all of them, and commitSync retries the whole map. The lab sends a flight per partition: the
/// flights a member sends at one moment share one fate, and a synchronous commit that timed out
/// is sent again for every partition it had.
#[test]
fn the_partitions_of_one_offset_commit_are_lost_together() {
    let mut batches = 0;
    for members in [1, 2] {
        for style in [delivery_lab::AutoCommitStyle::JavaPoll, delivery_lab::AutoCommitStyle::BackgroundStored] {
            for m in 1..=6 {
                let tweak = |c: &mut Config| {
                    c.group_members = members;
                    c.enable_auto_commit = true;
                    c.auto_commit_style = style;
                };
                let fault = format!("drop-offset-commit:m{m}");
                let world = topic(Preset::AtLeastOnce, 3, tweak, 6, &[&fault, "processing-throws:m5"]);
                // Every OffsetCommit sent, by (sender, tick): how many, and how many were dropped.
                let mut groups: std::collections::BTreeMap<(String, u64), (u32, u32)> = Default::default();
                let mut sent_at = std::collections::BTreeMap::new();
                for e in world.events() {
                    match e.kind {
                        EventKind::Sent { flight, from, what: FlightKind::OffsetCommit { .. }, .. } => {
                            let key = (format!("{from:?}"), e.tick);
                            groups.entry(key.clone()).or_default().0 += 1;
                            sent_at.insert(flight, key);
                        }
                        EventKind::Dropped { flight, .. } => {
                            if let Some(key) = sent_at.get(&flight) {
                                groups.get_mut(key).unwrap().1 += 1;
                            }
                        }
                        _ => {}
                    }
                }
                for (key, (sent, dropped)) in &groups {
                    assert!(*dropped == 0 || dropped == sent, "{fault}, {members} member(s), {style:?}: {key:?} sent {sent}, dropped {dropped}");
                    if *sent > 1 && *dropped > 0 {
                        batches += 1;
                    }
                }
            }
        }
    }
    assert!(batches > 0, "some request of several partitions was lost");
}

/// The same rule for a synchronous commit: member 2 crashes, the rebalance makes member 1 commit
/// its two partitions before it rejoins (ConsumerCoordinator.onJoinPrepare, a synchronous
/// commit of every consumed position) and that request is lost; after request.timeout.ms the
/// commit is sent again, for both partitions.
#[test]
fn a_synchronous_commit_of_two_partitions_that_timed_out_is_sent_again_for_both() {
    let tweak = |c: &mut Config| {
        c.group_members = 2;
        c.enable_auto_commit = true;
    };
    let world = topic(Preset::AtLeastOnce, 3, tweak, 6, &["consumer-crash-after-processing:m3", "drop-offset-commit:m1"]);
    let member1 = Actor::Consumer { instance: MEMBER_BASE };
    let commits = events_where(&world, |e| match *e {
        EventKind::Sent { from, what: FlightKind::OffsetCommit { partition, offset, .. }, .. } if from == member1 => Some((partition, offset)),
        _ => None,
    });
    let failed = world.events().iter().find(|e| matches!(e.kind, EventKind::CommitFailed { .. })).map(|e| e.tick).expect("the lost commit timed out");
    let resent: Vec<u8> = world
        .events()
        .iter()
        .filter(|e| e.tick == failed)
        .filter_map(|e| match e.kind {
            EventKind::Sent { from, what: FlightKind::OffsetCommit { partition, .. }, .. } if from == member1 => Some(partition),
            _ => None,
        })
        .collect();
    assert_eq!(resent, vec![0, 1], "both partitions again: {commits:?}");
    let group = world.group();
    assert_eq!((group.committed(0), group.committed(1)), (Some(2), Some(2)));
}
