//! Each preset's promise, checked under every single failure point, every trigger and several
//! seeds: the guarantee matrix the explorer will show, with the exceptions Kafka documents.

use delivery_lab::{EventKind, Fault, Preset, Scenario, Verdict, World};

use crate::support::all_specs;

fn runs(preset: Preset) -> impl Iterator<Item = (String, World)> {
    all_specs(3).into_iter().flat_map(move |spec| {
        (1..=3u64).map(move |seed| {
            let scenario = Scenario::from_preset(preset, 4, seed).with_fault(spec);
            let mut world = World::new(&scenario).unwrap();
            world.run_to_quiescence();
            (format!("{preset} {spec} seed {seed}"), world)
        })
    })
}

/// A producer process that stays down takes what it had not delivered with it: nobody is left to
/// retry (Kafka docs 4.6, Message Delivery Semantics: the producer's resending is what makes
/// delivery at least once). No preset promises anything about records of a dead process.
fn gave_up(world: &World) -> bool {
    struck(world, &[Fault::ProducerCrashStaysDown])
}

/// New records for the same message: an application re-send, and a restart that never learnt its
/// transaction committed and sends it again (KIP-98 fences the old instance's open transaction,
/// not one it committed).
fn resent(world: &World) -> bool {
    struck(world, &[Fault::AppResendAfterTimeout, Fault::ProducerCrashAfterEndTxn])
}

fn struck(world: &World, faults: &[Fault]) -> bool {
    world.faults().iter().any(|f| faults.contains(&f.spec.fault) && f.struck.is_some())
}

/// How often each record (an offset holding a message) was processed. A lost disk can put a new
/// record at an offset a consumer already read, so a record is the pair, not the offset alone.
fn processed_per_offset(world: &World) -> Vec<(u64, u32)> {
    let mut counts: Vec<((u64, delivery_lab::MsgId), u32)> = Vec::new();
    for event in world.events() {
        if let EventKind::ProcessingFinished { offset, msg } = event.kind {
            match counts.iter_mut().find(|(key, _)| *key == (offset, msg)) {
                Some(c) => c.1 += 1,
                None => counts.push(((offset, msg), 1)),
            }
        }
    }
    counts.into_iter().map(|((offset, _), count)| (offset, count)).collect()
}

#[test]
fn at_least_once_loses_nothing_under_any_single_fault() {
    // acks=all with retries and a clean election keep every acknowledged record (ProducerConfig
    // acks, Kafka docs 4.7); committing after processing re-reads after any consumer failure.
    for (name, world) in runs(Preset::AtLeastOnce).filter(|(_, w)| !gave_up(w)) {
        for row in world.ledger().rows {
            assert!(!matches!(row.verdict, Verdict::Lost | Verdict::FailedAndReported), "{name}: {}", row.explanation);
        }
    }
}

#[test]
fn at_most_once_never_processes_an_offset_twice() {
    // Committing before processing (Kafka docs 4.6): a record is read past before it is processed.
    for (name, world) in runs(Preset::AtMostOnce) {
        for (offset, count) in processed_per_offset(&world) {
            assert!(count <= 1, "{name}: offset {offset} processed {count} times");
        }
    }
}

#[test]
fn exactly_once_kafka_keeps_one_effect_and_loses_nothing_except_application_resends() {
    // KIP-98/KIP-447: idempotence, fencing, transactional offsets and read_committed; an application
    // re-send is a second record the transaction commits like any other.
    for (name, world) in runs(Preset::ExactlyOnceKafka).filter(|(_, w)| !gave_up(w)) {
        let resend = resent(&world);
        for row in world.ledger().rows {
            assert!(!matches!(row.verdict, Verdict::Lost | Verdict::FailedAndReported), "{name}: {}", row.explanation);
            if !resend {
                assert!(row.effects <= 1, "{name}: {}", row.explanation);
            }
        }
    }
}

#[test]
fn exactly_once_into_a_database_keeps_one_row_per_message_and_loses_nothing() {
    // The upsert keyed by message id absorbs every duplicate, even application re-sends and zombies.
    for (name, world) in runs(Preset::ExactlyOnceDatabase) {
        for row in world.ledger().rows {
            if !gave_up(&world) {
                assert!(!matches!(row.verdict, Verdict::Lost | Verdict::FailedAndReported), "{name}: {}", row.explanation);
            }
            assert!(row.effects <= 1, "{name}: {}", row.explanation);
        }
    }
}

/// Two faults in one run, on the same or neighbouring messages: the promises still hold, except
/// where Kafka itself gives up. A lost disk plus a second fault can leave the broker that lost its
/// disk as the only in-sync replica (Kafka before KIP-966 elects it and loses the data), and an
/// application re-send is a new record for every preset but the upsert.
#[test]
fn double_faults_keep_each_presets_promise() {
    use delivery_lab::{FaultSpec, MsgId, Trigger};
    let mut broken = Vec::new();
    for preset in [Preset::AtLeastOnce, Preset::ExactlyOnceKafka, Preset::ExactlyOnceDatabase] {
        for a in Fault::ALL {
            for b in Fault::ALL {
                if a == Fault::DiskLost || b == Fault::DiskLost {
                    continue;
                }
                for (ma, mb) in [(1u16, 2u16), (2, 2), (2, 3)] {
                    let scenario = Scenario::from_preset(preset, 4, u64::from(ma + mb))
                        .with_fault(FaultSpec { fault: a, trigger: Trigger::Message(MsgId(ma)) })
                        .with_fault(FaultSpec { fault: b, trigger: Trigger::Message(MsgId(mb)) });
                    let mut world = World::new(&scenario).unwrap();
                    world.run_to_quiescence();
                    let resend = resent(&world);
                    for row in world.ledger().rows {
                        let lost = matches!(row.verdict, Verdict::Lost | Verdict::FailedAndReported) && !gave_up(&world);
                        let doubled = row.effects > 1 && preset != Preset::AtLeastOnce && !(resend && preset == Preset::ExactlyOnceKafka);
                        if lost || doubled {
                            broken.push(format!("{preset} {a}:m{ma} + {b}:m{mb}: {}", row.explanation));
                        }
                    }
                }
            }
        }
    }
    assert!(broken.is_empty(), "{} broken:\n{}", broken.len(), broken.join("\n"));
}

/// At most once under two faults: committing before processing (Kafka docs 4.6) means an offset
/// is never processed twice, for every pair of failure points on neighbouring messages.
#[test]
fn double_faults_never_make_at_most_once_process_twice() {
    use delivery_lab::{FaultSpec, MsgId, Trigger};
    let mut broken = Vec::new();
    for a in Fault::ALL {
        for b in Fault::ALL {
            for (ma, mb) in [(1u16, 2u16), (2, 2), (2, 3)] {
                let scenario = Scenario::from_preset(Preset::AtMostOnce, 4, u64::from(ma * mb))
                    .with_fault(FaultSpec { fault: a, trigger: Trigger::Message(MsgId(ma)) })
                    .with_fault(FaultSpec { fault: b, trigger: Trigger::Message(MsgId(mb)) });
                let mut world = World::new(&scenario).unwrap();
                world.run_to_quiescence();
                for (offset, count) in processed_per_offset(&world) {
                    if count > 1 {
                        broken.push(format!("{a}:m{ma} + {b}:m{mb}: offset {offset} processed {count} times"));
                    }
                }
            }
        }
    }
    assert!(broken.is_empty(), "{} broken:\n{}", broken.len(), broken.join("\n"));
}

/// The idempotent producer keeps send order under any pair of faults that leaves it one session
/// and no application re-send (ProducerConfig enable.idempotence: "exactly one copy ... in order").
#[test]
fn idempotent_presets_never_reorder_under_double_faults() {
    use delivery_lab::{FaultSpec, MsgId, Trigger};
    let other_sessions = [
        Fault::ProducerRestartSameId,
        Fault::ProducerRestartNewId,
        Fault::ZombieProducer,
        Fault::AppResendAfterTimeout,
        Fault::ProducerCrashBeforeCommit,
        Fault::ProducerCrashAfterEndTxn,
        Fault::ProducerCrashAfterCommit,
    ];
    let mut broken = Vec::new();
    for preset in [Preset::ExactlyOnceDatabase, Preset::ExactlyOnceKafka] {
        for a in Fault::ALL.into_iter().filter(|f| !other_sessions.contains(f)) {
            for b in Fault::ALL.into_iter().filter(|f| !other_sessions.contains(f)) {
                let scenario = Scenario::from_preset(preset, 4, 11)
                    .with_fault(FaultSpec { fault: a, trigger: Trigger::Message(MsgId(1)) })
                    .with_fault(FaultSpec { fault: b, trigger: Trigger::Message(MsgId(2)) });
                let mut world = World::new(&scenario).unwrap();
                world.run_to_quiescence();
                for row in world.ledger().rows {
                    if row.verdict == Verdict::Reordered || row.also.contains(&Verdict::Reordered) {
                        broken.push(format!("{preset} {a}:m1 + {b}:m2: {}", row.explanation));
                    }
                }
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}
