//! Consumer groups of several members over the topic's partition (issue 15, item 3): the classic
//! group protocol's rebalances, eager RangeAssignor against CooperativeStickyAssignor, the
//! fencing of a member the group removed, and session.timeout.ms for a crashed one.

use delivery_lab::sim::event::MEMBER_BASE;
use delivery_lab::{Assignor, Config, Event, EventKind, Preset, Verdict, World};

use crate::support::{events_where, run_config};

fn group(preset: Preset, tweak: impl FnOnce(&mut Config), messages: u16, faults: &[&str]) -> World {
    let mut config = Config { group_members: 2, max_poll_interval_ms: 3_000, ..preset.config() };
    tweak(&mut config);
    run_config(Some(preset), config, messages, faults, 1)
}

fn first(events: &[Event], pick: impl Fn(&EventKind) -> bool) -> Option<&Event> {
    events.iter().find(|e| pick(&e.kind))
}

/// The instances that wrote `msg` to the sink, in order (the writer is the member processing it).
fn write_ticks(world: &World, msg: u16) -> Vec<u64> {
    world
        .events()
        .iter()
        .filter(|e| matches!(e.kind, EventKind::SinkWrite { msg: m, .. } if m.0 == msg))
        .map(|e| e.tick)
        .collect()
}

/// ConsumerConfig, max.poll.interval.ms: "If poll() is not called before expiration of this
/// timeout, then the consumer is considered failed and the group will rebalance in order to
/// reassign the partitions to another member." The slow member still holds its batch and finishes
/// it (nothing stops the application), so the records after its last commit are processed by both
/// members: the other one starts at the committed offset while the slow one is still at work.
#[test]
fn a_slow_member_loses_its_partition_and_both_members_process_its_batch() {
    let world = group(Preset::AtLeastOnce, |_| {}, 4, &["processing-stall:m2"]);
    let events = world.events();
    let left = first(events, |k| matches!(k, EventKind::ConsumerLeftGroup { instance } if *instance == MEMBER_BASE)).expect("removed");
    let moved = first(events, |k| matches!(k, EventKind::Rebalanced { owner: Some(o), .. } if *o == MEMBER_BASE + 1))
        .expect("the partition moves to the second member");
    assert_eq!(left.tick, moved.tick, "with the slow member gone, the other is the whole group: it rejoins at once");
    for msg in 2..=4 {
        let row = world.ledger().row(msg).unwrap().clone();
        assert_eq!((row.processed, row.effects, row.verdict), (2, 2, Verdict::Duplicated), "{row:?}");
    }
    // The second member's copy of m2 is written before the slow member's, which finishes later.
    let m2 = write_ticks(&world, 2);
    assert!(m2.len() == 2 && m2[0] > moved.tick, "{m2:?}");
    let zombie_done = first(events, |k| matches!(k, EventKind::ProcessingFinished { msg, .. } if msg.0 == 2)).unwrap();
    assert_eq!(zombie_done.tick, m2[0], "the first finished copy is the new owner's");
}

/// GroupCoordinator.handleCommitOffsets refuses an OffsetCommit from a member that is no longer in
/// the group (UNKNOWN_MEMBER_ID, or ILLEGAL_GENERATION for an old generation); the Java client
/// throws CommitFailedException. The zombie's late commit changes nothing: the committed offset
/// stays the new owner's.
#[test]
fn the_zombies_late_commit_is_refused_and_changes_nothing() {
    let world = group(Preset::AtLeastOnce, |_| {}, 4, &["processing-stall:m2"]);
    let events = world.events();
    let refused = first(events, |k| matches!(k, EventKind::CommitFailed { .. })).expect("the zombie's commit is refused");
    let before: Vec<u64> = events
        .iter()
        .take_while(|e| e.id != refused.id)
        .filter_map(|e| match e.kind {
            EventKind::Committed { offset, .. } => Some(offset),
            _ => None,
        })
        .collect();
    assert_eq!(before.last(), Some(&4), "the new owner committed all four before the zombie tried");
    assert!(
        !events.iter().skip_while(|e| e.id != refused.id).any(|e| matches!(e.kind, EventKind::Committed { offset, .. } if offset < 4)),
        "the committed offset never moves back"
    );
    let lost = first(events, |k| matches!(k, EventKind::PartitionRevoked { instance, lost: true } if *instance == MEMBER_BASE));
    assert!(lost.is_some_and(|l| l.tick >= refused.tick), "its partition is lost (onPartitionsLost), then it rejoins");
}

/// RangeAssignor sorts the members (by member id, which starts with the client.id: the lab's
/// members are consumer-1, consumer-2...) and gives the partition to the first; with the eager
/// protocol the owner revokes it before rejoining (ConsumerCoordinator.onJoinPrepare), so the
/// returning zombie takes it back. CooperativeStickyAssignor keeps a partition with its owner
/// (KIP-429), so nothing moves when the zombie rejoins.
#[test]
fn range_hands_the_partition_back_to_the_first_member_and_cooperative_sticky_keeps_it() {
    let owners = |assignor: Assignor| -> Vec<Option<u8>> {
        let world = group(Preset::AtLeastOnce, |c| c.assignor = assignor, 4, &["processing-stall:m2"]);
        world
            .events()
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::Rebalanced { owner, .. } => Some(owner),
                _ => None,
            })
            .collect()
    };
    let (one, two) = (Some(MEMBER_BASE), Some(MEMBER_BASE + 1));
    assert_eq!(owners(Assignor::Range), [one, two, one]);
    assert_eq!(owners(Assignor::CooperativeSticky), [one, two, two]);
}

/// ConsumerCoordinator.onJoinPrepare: with enable.auto.commit the member commits its position
/// before it revokes its partitions in a rebalance (and waits for that commit), so the member
/// taking the partition over starts where the last one stopped: a hand-back duplicates nothing.
#[test]
fn an_eager_revocation_auto_commits_before_the_partition_moves() {
    let world = group(Preset::AtLeastOnce, |c| c.enable_auto_commit = true, 4, &["processing-stall:m2"]);
    let events = world.events();
    let revoked = first(events, |k| matches!(k, EventKind::PartitionRevoked { lost: false, .. })).expect("a revocation");
    let committed_before = events.iter().take_while(|e| e.id != revoked.id).filter_map(|e| match e.kind {
        EventKind::Committed { offset, .. } => Some(offset),
        _ => None,
    });
    assert_eq!(committed_before.last(), Some(4), "the position is committed before the partition is given up");
    let restart = events
        .iter()
        .skip_while(|e| e.id != revoked.id)
        .find_map(|e| match e.kind {
            EventKind::ConsumerStarted { position, .. } => Some(position),
            _ => None,
        });
    assert_eq!(restart, Some(4), "the next owner starts at the committed position");
}

/// ConsumerConfig, session.timeout.ms: "If no heartbeats are received by the broker before the
/// expiration of this session timeout, then the broker will remove this client from the group and
/// initiate a rebalance." A crashed owner keeps its partition (nobody reads it) until then (its
/// process comes back only after 20 s here).
#[test]
fn a_crashed_member_keeps_its_partition_until_its_session_times_out() {
    let world = group(
        Preset::AtLeastOnce,
        |c| {
            c.session_timeout_ms = 10_000;
            c.restart_ms = 20_000;
        },
        4,
        &["consumer-crash-after-fetch:m2"],
    );
    let events = world.events();
    let crash = first(events, |k| matches!(k, EventKind::ConsumerCrashed { .. })).unwrap();
    let expired = first(events, |k| matches!(k, EventKind::MemberExpired { instance } if *instance == MEMBER_BASE)).unwrap();
    assert_eq!(expired.tick, crash.tick + 100, "10000 ms = 100 ticks after the crash");
    let next = first(events, |k| matches!(k, EventKind::Rebalanced { generation, .. } if *generation > 1)).unwrap();
    assert_eq!(next.tick, expired.tick, "no new generation before the dead member is removed");
    assert!(world.ledger().rows.iter().all(|r| r.effects >= 1), "{:?}", world.ledger().summary);
}

/// KIP-447: sendOffsetsToTransaction carries the consumer group metadata, and the coordinator
/// refuses the transactional offset commit of a member that left the group, so the zombie's
/// transaction aborts: m2 is processed by both members, its output read_committed once.
#[test]
fn a_transactional_zombie_is_fenced_by_its_group_metadata() {
    let world = group(Preset::ExactlyOnceKafka, |_| {}, 3, &["processing-stall:m2"]);
    let m2 = world.ledger().row(2).unwrap().clone();
    assert_eq!((m2.processed, m2.effects, m2.verdict), (2, 1, Verdict::ProcessedTwiceEffectOnce), "{m2:?}");
    assert!(world.events().iter().any(|e| matches!(e.kind, EventKind::ConsumerTxnAborted { .. })));
}

/// A group of one member (the default) never rebalances: the lab's lone consumer rejoins by itself.
#[test]
fn a_group_of_one_has_no_rebalance() {
    let world = group(Preset::AtLeastOnce, |c| c.group_members = 1, 4, &["processing-stall:m2"]);
    assert!(!world.events().iter().any(|e| matches!(e.kind, EventKind::RebalanceStarted { .. } | EventKind::Rebalanced { .. })));
}

/// Without failures a group of three delivers every message once; one member reads, the others
/// stand by (one partition).
#[test]
fn a_group_of_three_without_failures_delivers_once() {
    for preset in [Preset::AtLeastOnce, Preset::ExactlyOnceKafka] {
        let world = group(preset, |c| c.group_members = 3, 5, &[]);
        assert_eq!(world.ledger().summary.delivered_once, 5, "{preset:?}");
        let readers = events_where(&world, |e| match *e {
            EventKind::ConsumerStarted { instance, .. } => Some(instance),
            _ => None,
        });
        assert_eq!(readers, [MEMBER_BASE], "{preset:?}");
    }
}

/// ConsumerConfig, group.instance.id: "If set, the consumer is treated as a static member ...
/// This can be used in combination with a larger session timeout to avoid group rebalances caused
/// by transient unavailability (e.g. process restarts)." KIP-345: a static member that rejoins
/// with its id before its session expires gets its assignment back with no rebalance. A dynamic
/// member's restart is a new member: its join starts a rebalance, which waits for the dead member
/// until session.timeout.ms removes it.
#[test]
fn a_static_member_restarting_within_its_session_keeps_its_partition_without_a_rebalance() {
    let crash = ["consumer-crash-after-fetch:m2"];
    let statics = group(Preset::AtLeastOnce, |c| c.group_instance_id = Some("worker".into()), 3, &crash);
    let events = statics.events();
    let crashed = first(events, |k| matches!(k, EventKind::ConsumerCrashed { .. })).unwrap().tick;
    assert!(!events.iter().any(|e| e.tick > crashed && matches!(e.kind, EventKind::RebalanceStarted { .. } | EventKind::Rebalanced { .. })));
    let back = first(events, |k| matches!(k, EventKind::MemberReturned { .. })).expect("it returns");
    let resumed = first(events, |k| matches!(k, EventKind::ConsumerStarted { instance, .. } if *instance == MEMBER_BASE + 3)).unwrap();
    assert_eq!((back.tick, resumed.tick), (crashed + 20, crashed + 20), "lab.restart.ms (2 s) after the crash");
    assert_eq!(statics.ledger().summary.delivered_once, 3);

    // GroupCoordinator: a JoinGroup starts a rebalance that waits for every known member up to
    // the rebalance timeout (the consumer's max.poll.interval.ms, 3 s here), then onCompleteJoin
    // removes the dynamic members that did not rejoin: the dead one.
    let dynamic = group(Preset::AtLeastOnce, |_| {}, 3, &crash);
    let events = dynamic.events();
    let rebalance = first(events, |k| matches!(k, EventKind::RebalanceStarted { generation: 1 })).unwrap();
    assert_eq!(rebalance.tick, crashed + 20, "the restarted process joins as a new member");
    let late = first(events, |k| matches!(k, EventKind::RebalanceTimedOut { instance } if *instance == MEMBER_BASE)).unwrap();
    let done = first(events, |k| matches!(k, EventKind::Rebalanced { generation: 2, .. })).unwrap();
    assert_eq!((late.tick, done.tick), (crashed + 50, crashed + 50), "30 ticks of rebalance timeout, not 45 s of session");
}

/// ConsumerCoordinator.close commits (auto-commit) and waits for the answer before
/// AbstractCoordinator.close sends LeaveGroup: the member taking the partition over starts at that
/// commit, as a lone consumer's restart would.
#[test]
fn a_closing_member_leaves_only_after_its_last_auto_commit() {
    let world = group(Preset::AtLeastOnce, |c| c.enable_auto_commit = true, 3, &["processing-throws:m2"]);
    let events = world.events();
    let closed = first(events, |k| matches!(k, EventKind::ConsumerClosed { .. })).unwrap();
    let stored = first(events, |k| matches!(k, EventKind::Committed { .. }) ).unwrap();
    let moved = first(events, |k| matches!(k, EventKind::Rebalanced { owner, .. } if *owner == Some(MEMBER_BASE + 1))).unwrap();
    assert!(closed.tick < stored.tick && stored.tick <= moved.tick, "commit {}, then the rebalance {}", stored.tick, moved.tick);
    assert!(!events.iter().any(|e| matches!(e.kind, EventKind::CommitFailed { .. })), "the close commit is taken");
    let start = first(events, |k| matches!(k, EventKind::ConsumerStarted { instance, .. } if *instance == MEMBER_BASE + 1)).unwrap();
    assert!(matches!(start.kind, EventKind::ConsumerStarted { committed: Some(_), .. }), "{start:?}");
}

/// ConsumerCoordinator.poll: "Always update the heartbeat last poll time so that the heartbeat
/// thread does not leave the group proactively ... even if (say) the coordinator cannot be found":
/// a member waiting inside poll() (here for a new leader, for 9 s with max.poll.interval.ms 3 s) is
/// never removed.
#[test]
fn a_member_waiting_in_poll_for_a_leader_stays_in_the_group() {
    let world = group(Preset::AtLeastOnce, |_| {}, 4, &["leader-crash-replicated:m2"]);
    assert!(!world.events().iter().any(|e| matches!(e.kind, EventKind::ConsumerLeftGroup { .. } | EventKind::RebalanceStarted { generation: 1.. })));
}

/// AbstractCoordinator.maybeLeaveGroup: "only dynamic members will send LeaveGroupRequest to the
/// broker, consumer with valid group.instance.id is viewed as static member that never sends
/// LeaveGroup, and the membership expiration is only controlled by session timeout." A static
/// member that stalls keeps its partition (the other member never reads it); its own late commit
/// fails (its generation was reset), and it rejoins with its id and reads from the committed offset.
#[test]
fn a_static_member_that_stalls_keeps_its_partition_until_its_session_expires() {
    let world = group(Preset::AtLeastOnce, |c| c.group_instance_id = Some("worker".into()), 3, &["processing-stall:m2"]);
    let events = world.events();
    assert!(first(events, |k| matches!(k, EventKind::MemberSilent { instance } if *instance == MEMBER_BASE)).is_some());
    assert!(!events.iter().any(|e| matches!(e.kind, EventKind::Rebalanced { owner, .. } if owner == Some(MEMBER_BASE + 1))));
    assert!(first(events, |k| matches!(k, EventKind::CommitFailed { .. })).is_some(), "its late commit fails");
    let m2 = world.ledger().row(2).unwrap().clone();
    assert_eq!((m2.processed, m2.verdict), (2, Verdict::Duplicated), "it reads m2 again itself: {m2:?}");

    // Stalled longer than its session: the coordinator expires it and the partition moves.
    let long = group(Preset::AtLeastOnce, |c| {
        c.group_instance_id = Some("worker".into());
        c.session_timeout_ms = 6_000;
        c.restart_ms = 10_000;
    }, 3, &["processing-stall:m2"]);
    let events = long.events();
    let silent = first(events, |k| matches!(k, EventKind::MemberSilent { .. })).unwrap().tick;
    let expired = first(events, |k| matches!(k, EventKind::MemberExpired { instance } if *instance == MEMBER_BASE)).unwrap();
    assert_eq!(expired.tick, silent + 60);
    assert!(first(events, |k| matches!(k, EventKind::Rebalanced { owner, .. } if *owner == Some(MEMBER_BASE + 1))).is_some_and(|e| e.tick == expired.tick));
}
