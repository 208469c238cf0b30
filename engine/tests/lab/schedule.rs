//! The send schedule (issue 15, item 5): each message sent at its own tick, so that records can be
//! produced while a consumer is down or before its first commit, where `auto.offset.reset` decides
//! what the consumer reads.

use delivery_lab::{Config, EventKind, MsgId, OffsetReset, Preset, Scenario, SendAt, Verdict, World};

/// Runs `preset` (with `config` changes) on `messages` messages, the send schedule `send_at` and
/// the failures `faults` (written as in links), to the end.
fn run(preset: Preset, config: impl Fn(Config) -> Config, messages: u16, send_at: &[Option<u64>], faults: &[&str]) -> World {
    run_at(preset, config, messages, &ticks(send_at), faults)
}

/// A schedule of ticks only.
fn ticks(at: &[Option<u64>]) -> Vec<Option<SendAt>> {
    at.iter().map(|t| t.map(SendAt::Tick)).collect()
}

/// As `run`, with any schedule.
fn run_at(preset: Preset, config: impl Fn(Config) -> Config, messages: u16, send_at: &[Option<SendAt>], faults: &[&str]) -> World {
    let scenario = Scenario {
        config: config(preset.config()),
        send_at: send_at.to_vec(),
        faults: faults.iter().map(|f| f.parse().expect("fault spec")).collect(),
        ..Scenario::from_preset(preset, messages, 1)
    };
    let mut world = World::new(&scenario).expect("valid scenario");
    world.run_to_quiescence();
    world
}

/// The tick at which the application sent each message the first time, in the order it sent them.
fn sends(world: &World) -> Vec<(MsgId, u64)> {
    world
        .events()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::AppSend { msg, resend: false, .. } => Some((msg, e.tick)),
            _ => None,
        })
        .collect()
}

#[test]
fn each_scheduled_message_is_sent_at_its_tick_and_the_others_follow_the_interval() {
    let world = run(Preset::AtLeastOnce, |c| c, 4, &[Some(5), None, Some(300)], &[]);
    let interval = world.config().send_interval;
    assert!(interval > 0);
    assert_eq!(
        sends(&world),
        vec![(MsgId(1), 5), (MsgId(2), 5 + interval), (MsgId(3), 300), (MsgId(4), 300 + interval)]
    );
    assert_eq!(world.ledger().summary.delivered_once, 4);
}

#[test]
fn the_application_sends_in_order_even_when_a_later_message_is_due_first() {
    // One producer thread calls send() in program order: m3, due at 20, waits for m2 (due at 200)
    // and goes right after it.
    let world = run(Preset::AtLeastOnce, |c| c, 3, &[Some(0), Some(200), Some(20)], &[]);
    assert_eq!(sends(&world), vec![(MsgId(1), 0), (MsgId(2), 200), (MsgId(3), 200)]);
}

#[test]
fn without_a_schedule_the_run_is_what_it_was() {
    // An empty schedule, and one of nulls only, are the interval: the same event log.
    let plain = run(Preset::ExactlyOnceKafka, |c| c, 3, &[], &["drop-ack:m2"]);
    let nulls = run(Preset::ExactlyOnceKafka, |c| c, 3, &[None, None, None], &["drop-ack:m2"]);
    assert_eq!(plain.events(), nulls.events());
}

/// Records produced while the consumer is down, after it crashed before its first commit: it comes
/// back with no committed offset, so `auto.offset.reset` places it. Kafka's consumer configuration
/// (https://kafka.apache.org/documentation/#consumerconfigs_auto.offset.reset): "What to do when
/// there is no initial offset in Kafka ... earliest: automatically reset the offset to the earliest
/// offset; latest: automatically reset the offset to the latest offset".
fn produced_while_the_consumer_is_down(reset: OffsetReset) -> World {
    // m1 is fetched and the consumer crashes before processing it; m2 is written while it is
    // down; m3 long after it is back.
    run(
        Preset::AtLeastOnce,
        |c| Config { auto_offset_reset: reset, ..c },
        3,
        &[Some(0), Some(8), Some(400)],
        &["consumer-crash-after-fetch:m1"],
    )
}

#[test]
fn latest_skips_the_records_written_before_the_consumer_came_back() {
    let world = produced_while_the_consumer_is_down(OffsetReset::Latest);
    let ledger = world.ledger();
    assert_eq!(ledger.row(1).unwrap().verdict, Verdict::Lost);
    assert_eq!(ledger.row(2).unwrap().verdict, Verdict::Lost, "m2 was written while the consumer was down");
    assert_eq!(ledger.row(3).unwrap().verdict, Verdict::DeliveredOnce, "m3 was written after it came back");
}

#[test]
fn earliest_reads_every_record_written_before_the_consumer_came_back() {
    let world = produced_while_the_consumer_is_down(OffsetReset::Earliest);
    let ledger = world.ledger();
    for m in 1..=3 {
        assert_eq!(ledger.row(m).unwrap().verdict, Verdict::DeliveredOnce, "m{m}");
    }
}

#[test]
fn a_transaction_left_open_waiting_for_a_late_message_is_aborted_by_its_timeout() {
    // transaction.timeout.ms: "The maximum amount of time in ms that the transaction coordinator
    // will wait for a transaction status update from the producer before proactively aborting the
    // ongoing transaction" (Kafka's producer configuration). m2 belongs to m1's transaction but is
    // sent long after the timeout: the coordinator aborts m1's transaction first.
    let world = run(
        Preset::ExactlyOnceKafka,
        |c| Config { transaction_messages: 2, ..c },
        2,
        &[None, Some(2_000)],
        &[],
    );
    let expired = world.events().iter().find(|e| matches!(e.kind, EventKind::TxnExpired { .. })).map(|e| e.tick);
    let expired = expired.expect("the coordinator aborts the open transaction");
    assert!(expired >= world.config().transaction_timeout && expired < 2_000, "aborted at {expired}");
    // The aborted copy of m1 is never read: read_committed skips it, and the re-sent m1 is read once.
    let m1 = world.ledger().row(1).unwrap().clone();
    assert_eq!(m1.visible_read_committed, 1, "{m1:?}");
    assert_eq!(m1.processed, 1, "{m1:?}");
}

#[test]
fn a_schedule_is_kept_by_the_scenario_file_and_bad_ones_are_refused_by_path() {
    let text = r#"{"version":1,"preset":"at-least-once","messages":3,"seed":1,"send_at":[0,null,300,null],"faults":[]}"#;
    let err = Scenario::from_json(text).unwrap_err();
    assert_eq!(err.path, "send_at", "four entries for three messages: {err}");
    let text = r#"{"version":1,"preset":"at-least-once","messages":3,"seed":1,"send_at":[0,-4],"faults":[]}"#;
    assert_eq!(Scenario::from_json(text).unwrap_err().path, "send_at[1]");
    let text = r#"{"version":1,"preset":"at-least-once","messages":3,"seed":1,"send_at":[0,"soon"],"faults":[]}"#;
    assert_eq!(Scenario::from_json(text).unwrap_err().path, "send_at[1]");
    let text = r#"{"version":1,"preset":"at-least-once","messages":3,"seed":1,"send_at":[7,null,300,null],"faults":[]}"#;
    assert!(Scenario::from_json(text).is_err());
    // Trailing nulls say nothing: dropped, so the file written back is the canonical one.
    let text = r#"{"version":1,"preset":"at-least-once","messages":3,"seed":1,"send_at":[null,30,null],"faults":[]}"#;
    let scenario = Scenario::from_json(text).unwrap();
    assert_eq!(scenario.send_at, ticks(&[None, Some(30)]));
    assert_eq!(Scenario::from_json(&scenario.to_json()).unwrap(), scenario);
    // No schedule: no key, so a version 1 file written today reads as it did.
    assert!(!Scenario::default().to_json().contains("send_at"));
}

#[test]
fn a_producer_restarted_before_a_scheduled_send_still_sends_it() {
    // The first instance crashes while m2 waits for its time; the restarted instance sends it then.
    let world = run(Preset::AtLeastOnce, |c| c, 2, &[None, Some(300)], &["producer-restart-same-id:m1"]);
    let m2 = sends(&world).into_iter().find(|(m, _)| m.0 == 2).map(|(_, t)| t);
    assert_eq!(m2, Some(300), "{:?}", sends(&world));
    assert_eq!(world.ledger().row(2).unwrap().verdict, Verdict::DeliveredOnce);
}

#[test]
fn the_explorer_searches_under_the_schedule_and_its_counterexamples_replay() {
    use delivery_lab::explore::{explore, ExploreQuery, Finding, Outcome};
    // Five scheduled messages, a query of two: the schedule is cut to the messages searched, and
    // the loss that latest allows (m2 written while the consumer is down) is found and replays.
    let scenario = Scenario {
        config: Config { auto_offset_reset: OffsetReset::Latest, ..Preset::AtLeastOnce.config() },
        send_at: ticks(&[Some(0), Some(8), Some(400), None, Some(900)]),
        ..Scenario::from_preset(Preset::AtLeastOnce, 5, 1)
    };
    let report = explore(&scenario, ExploreQuery::new(2, 1)).expect("explores");
    assert_eq!(report.scenario.send_at, ticks(&[Some(0), Some(8)]));
    let Finding::Found(lost) = report.result(Outcome::Loss) else { panic!("no loss found: {:?}", report.result(Outcome::Loss)) };
    let replayed = Scenario::from_json(&report.scenario_with(&lost.schedule).to_json()).expect("loads");
    let mut world = World::new(&replayed).unwrap();
    world.run_to_quiescence();
    assert_eq!(world.ledger().row(lost.msg.0).unwrap().verdict, Verdict::Lost);
}

/// The first tick at which `kind` matches.
fn first_tick(world: &World, kind: impl Fn(&EventKind) -> bool) -> Option<u64> {
    world.events().iter().find(|e| kind(&e.kind)).map(|e| e.tick)
}

fn after(text: &str) -> Option<SendAt> {
    Some(text.parse().expect("a schedule entry"))
}

#[test]
fn a_message_scheduled_after_an_earlier_ones_ack_is_a_blocking_send() {
    // KafkaProducer.send's javadoc: "If you want to simulate a simple blocking call you can call
    // the get() method immediately": the next send() waits for the record's acknowledgement, so a
    // lost ACK holds it back through the retry (drop-ack:m1 forces one).
    let world = run_at(Preset::AtLeastOnce, |c| c, 2, &[None, after("acked:m1")], &["drop-ack:m1"]);
    let acked = first_tick(&world, |k| matches!(k, EventKind::ProducerAcked { msg: MsgId(1), .. })).expect("m1 acked");
    let retried = first_tick(&world, |k| matches!(k, EventKind::Retry { msg: MsgId(1), .. })).expect("m1 retried");
    assert!(retried < acked);
    assert_eq!(sends(&world), vec![(MsgId(1), 0), (MsgId(2), acked)]);
    // Without the wait, m2 goes out while m1's ACK is lost.
    let free = run(Preset::AtLeastOnce, |c| c, 2, &[], &["drop-ack:m1"]);
    assert!(sends(&free)[1].1 < retried, "{:?}", sends(&free));
}

#[test]
fn records_sent_after_a_consumer_crash_are_written_while_it_is_down_and_latest_skips_them() {
    // Kafka docs, consumer configs, auto.offset.reset: "What to do when there is no initial offset
    // in Kafka ...: earliest: automatically reset the offset to the earliest offset; latest:
    // automatically reset the offset to the latest offset". The consumer crashes before its first
    // commit; m2 and m3 are sent 5 ticks after the crash, before the replacement starts.
    let schedule = [None, after("consumer-crash+5")];
    let faults = ["consumer-crash-after-fetch:m1"];
    let latest = run_at(Preset::AtLeastOnce, |c| Config { auto_offset_reset: OffsetReset::Latest, ..c }, 3, &schedule, &faults);
    let crashed = first_tick(&latest, |k| matches!(k, EventKind::ConsumerCrashed { .. })).expect("crashed");
    let restarted = first_tick(&latest, |k| matches!(k, EventKind::ConsumerStarted { instance, .. } if *instance > 0)).expect("restarted");
    let sent = sends(&latest);
    assert_eq!(sent[1], (MsgId(2), crashed + 5));
    assert!(sent[2].1 < restarted, "m3 follows m2 by the interval, still before the restart: {sent:?}");
    for m in 1..=3 {
        assert_eq!(latest.ledger().row(m).unwrap().verdict, Verdict::Lost, "m{m} under latest");
    }
    let earliest = run_at(Preset::AtLeastOnce, |c| Config { auto_offset_reset: OffsetReset::Earliest, ..c }, 3, &schedule, &faults);
    for m in 1..=3 {
        assert_eq!(earliest.ledger().row(m).unwrap().verdict, Verdict::DeliveredOnce, "m{m} under earliest");
    }
}

#[test]
fn a_send_waiting_for_an_event_that_never_happens_is_never_made_and_holds_the_ones_after_it() {
    // One consumer, no failure: no rebalance ever starts. The application sends in program
    // order, so m3 (no entry) waits behind m2. Nothing was produced: pending, not lost.
    let world = run_at(Preset::AtLeastOnce, |c| c, 3, &[None, after("rebalance")], &[]);
    assert_eq!(sends(&world), vec![(MsgId(1), 0)]);
    let ledger = world.ledger();
    assert_eq!(ledger.row(1).unwrap().verdict, Verdict::DeliveredOnce);
    for m in 2..=3 {
        let row = ledger.row(m).unwrap();
        assert_eq!(row.verdict, Verdict::Pending, "m{m}");
        assert!(row.explanation.contains("holds m2 until rebalance, which never happened"), "m{m}: {}", row.explanation);
    }
    // The producer's box on the stage says what it still waits for.
    assert_eq!(world.waiting_to_send(), Some((MsgId(2), SendAt::After(delivery_lab::SendAfter::Rebalance, 0))));
}

#[test]
fn a_send_after_a_commit_or_a_processed_message_waits_for_that_moment() {
    let world = run_at(Preset::AtLeastOnce, |c| c, 3, &[None, after("processed:m1+3"), after("commit")], &[]);
    let processed = first_tick(&world, |k| matches!(k, EventKind::ProcessingFinished { msg: MsgId(1), .. })).unwrap();
    let committed = first_tick(&world, |k| matches!(k, EventKind::Committed { .. })).unwrap();
    let sent = sends(&world);
    assert_eq!(sent[1], (MsgId(2), processed + 3));
    assert_eq!(sent[2], (MsgId(3), committed.max(processed + 3)), "{sent:?}");
}

#[test]
fn event_entries_read_and_write_in_one_text_form_and_bad_ones_name_their_message() {
    let text = r#"{"version":1,"preset":"at-least-once","messages":3,"seed":1,"send_at":[0,"acked:m1+20","rebalance"],"faults":[]}"#;
    let scenario = Scenario::from_json(text).unwrap();
    assert_eq!(scenario.send_at[1], after("acked:m1+20"));
    assert!(scenario.to_json().contains(r#""acked:m1+20""#), "{}", scenario.to_json());
    assert_eq!(Scenario::from_json(&scenario.to_json()).unwrap(), scenario);
    for (entries, path, words) in [
        (r#"[0,"acked:m2"]"#, "send_at[1]", "before m2"),
        (r#"["processed:m1"]"#, "send_at[0]", "before m1"),
        (r#"[0,"commit+100001"]"#, "send_at[1]", "from 0 to"),
        (r#"[0,"acked:m0"]"#, "send_at[1]", "acked:mN"),
        (r#"[0,"commit+05"]"#, "send_at[1]", "commit+05"),
        (r#"[true]"#, "send_at[0]", "or null"),
    ] {
        let text = format!(r#"{{"version":1,"preset":"at-least-once","messages":3,"seed":1,"send_at":{entries},"faults":[]}}"#);
        let err = Scenario::from_json(&text).unwrap_err();
        assert_eq!(err.path, path, "{entries}: {err}");
        assert!(err.message.contains(words), "{entries}: {err}");
    }
    // The page's field: the same rules, the error naming the message.
    assert_eq!(delivery_lab::scenario::read_schedule(" 0 , , commit+5", 3).unwrap(), vec![Some(SendAt::Tick(0)), None, after("commit+5")]);
    assert_eq!(delivery_lab::scenario::read_schedule("0, acked:m3", 3).unwrap_err(), "must wait for a message before m2");
}
