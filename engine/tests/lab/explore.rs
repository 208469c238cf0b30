//! The explorer and the guarantee matrix. Expected behaviour is Kafka's, cited: the "Message
//! Delivery Semantics" section of Kafka's design documentation, the producer's `acks`, `retries`
//! and `enable.idempotence`, the consumer's commit semantics, and KIP-98.

use delivery_lab::{
    explore, matrix, ExploreQuery, ExploreReport, Explorer, Fault, Finding, Outcome, Preset, Scenario, World,
};

fn report(preset: Preset, query: ExploreQuery) -> ExploreReport {
    explore(&Scenario::from_preset(preset, 3, 1), query).expect("valid query")
}

/// A fresh run of a scenario, to quiescence.
fn fresh(scenario: &Scenario) -> World {
    let mut world = World::new(scenario).expect("valid scenario");
    world.run_to_quiescence();
    world
}

/// The report as text (without links: the engine makes none).
fn text(report: &ExploreReport) -> String {
    report.to_text(&|_| String::new())
}

/// Whether some message of a finished run shows the outcome, judged from its full ledger.
fn shows(world: &World, outcome: Outcome) -> bool {
    world.ledger().rows.iter().any(|r| outcome.holds(r.verdict, &r.also, r.processed))
}

/// Every counterexample replays: a fresh World of the scenario plus the schedule gives the verdict
/// it claims.
fn check_replays(report: &ExploreReport) {
    for result in &report.results {
        let Finding::Found(c) = &result.finding else { continue };
        let scenario = report.scenario_with(&c.schedule);
        let world = fresh(&scenario);
        let row = world.ledger().row(c.msg.0).cloned().expect("the message exists");
        assert_eq!(row.verdict, c.verdict, "{}: {:?}", result.outcome, c.schedule_text);
        assert!(result.outcome.holds(row.verdict, &row.also, row.processed), "{}: {}", result.outcome, row.explanation);
        assert!(world.faults().iter().all(|f| f.struck.is_some()));
    }
}

#[test]
fn at_most_once_can_lose_a_message_with_one_failure() {
    // "At most once: messages may be lost but are never redelivered" (Message Delivery
    // Semantics). With acks=0 "the producer will not wait for any acknowledgment ... the retries
    // configuration will not take effect" (ProducerConfig acks), and committing before processing
    // loses a record whose processing fails (Kafka docs, consumer position and commit).
    let r = report(Preset::AtMostOnce, ExploreQuery::new(3, 1));
    let Finding::Found(c) = r.result(Outcome::Loss) else { panic!("no loss found: {}", text(&r)) };
    assert_eq!(c.schedule.len(), 1, "one failure is enough");
    check_replays(&r);
}

#[test]
fn at_least_once_can_duplicate_with_one_failure() {
    // "At least once: messages are never lost but may be redelivered" (Message Delivery
    // Semantics); with enable.idempotence=false a retry after a lost response writes the record
    // again (ProducerConfig retries: "may ... result in duplicates"), and a consumer that fails
    // after processing and before committing processes the record again.
    let r = report(Preset::AtLeastOnce, ExploreQuery::new(3, 1));
    for outcome in [Outcome::DuplicateProcessing, Outcome::DuplicateEffect] {
        let Finding::Found(c) = r.result(outcome) else { panic!("no {outcome} found: {}", text(&r)) };
        assert_eq!(c.schedule.len(), 1);
    }
    check_replays(&r);
}

#[test]
fn exactly_once_kafka_loses_nothing_and_keeps_one_effect_within_the_bound() {
    // KIP-98: idempotent, transactional writes; offsets committed in the transaction; consumers
    // with isolation.level=read_committed see only committed transactions. Left out: what the
    // guarantee does not cover. An application that re-sends its input (after a timeout, or after
    // a restart that never learnt its transaction committed: producer-crash-after-end-txn) writes
    // new records (KIP-98 makes exactly once a property of the read-process-write loop, not of the
    // producer's own input), a producer process that stays down takes its undelivered records with
    // it (no one is left to retry them), and a leader that loses its disk while it is the only in-sync replica loses acknowledged
    // data ("as long as at least one in-sync replica remains alive", Replication).
    let query = ExploreQuery {
        messages: 3,
        faults: 2,
        exclude: vec![
            Fault::AppResendAfterTimeout,
            Fault::ProducerRestartSameId,
            Fault::ProducerRestartNewId,
            Fault::ZombieProducer,
            Fault::DiskLost,
            Fault::ProducerCrashStaysDown,
            Fault::ProducerCrashAfterEndTxn,
        ],
    };
    let r = report(Preset::ExactlyOnceKafka, query);
    assert!(r.complete, "{}", text(&r));
    for outcome in [Outcome::Loss, Outcome::DuplicateEffect, Outcome::AbortedSeen, Outcome::Reorder] {
        assert!(matches!(r.result(outcome), Finding::Impossible { .. }), "{outcome}: {}", text(&r));
    }
    assert!(r.runs > 1000, "the search ran: {} runs", r.runs);
}

#[test]
fn every_counterexample_of_the_default_query_replays() {
    for preset in Preset::ALL {
        let r = report(preset, ExploreQuery::default());
        assert!(r.complete);
        check_replays(&r);
    }
}

#[test]
fn found_counterexamples_are_shortest() {
    // Breadth first: nothing found with k failures is reported with more.
    let one = report(Preset::AtLeastOnce, ExploreQuery::new(3, 1));
    let two = report(Preset::AtLeastOnce, ExploreQuery::new(3, 2));
    for outcome in Outcome::ALL {
        if let (Finding::Found(a), Finding::Found(b)) = (one.result(outcome), two.result(outcome)) {
            assert_eq!(a.schedule.len(), b.schedule.len(), "{outcome}");
        }
    }
    // acks=all with replication keeps an acknowledged record through one failure (Replication).
    assert!(matches!(one.result(Outcome::Loss), Finding::Impossible { .. }), "{}", text(&one));
}

#[test]
fn a_search_in_slices_gives_the_same_report_and_bounds_are_refused() {
    let scenario = Scenario::from_preset(Preset::ExactlyOnceDatabase, 3, 1);
    let mut explorer = Explorer::new(&scenario, ExploreQuery::default()).unwrap();
    let mut last = 0.0;
    let mut slices = 0;
    while !explorer.run(5_000) {
        let p = explorer.progress();
        assert!(p.fraction >= last && p.fraction <= 1.0);
        last = p.fraction;
        slices += 1;
    }
    assert!(slices > 5);
    assert!(explorer.progress().done);
    assert_eq!(explorer.report(), explore(&scenario, ExploreQuery::default()).unwrap());
    for query in [ExploreQuery::new(0, 1), ExploreQuery::new(6, 1), ExploreQuery::new(3, 4)] {
        let e = Explorer::new(&scenario, query).err().expect("refused");
        assert!(e.to_string().contains("bounded"), "{e}");
    }
    // Zero failures: the fault-free run alone.
    let r = explore(&scenario, ExploreQuery::new(2, 0)).unwrap();
    assert_eq!(r.runs, 1);
}

#[test]
fn the_matrix_agrees_with_single_runs() {
    let m = matrix(None).unwrap();
    assert_eq!(m.rows.len(), 4);
    for (row, preset) in m.rows.iter().zip(Preset::ALL) {
        for cell in &row.cells {
            // Each witness, run on its own from a scenario built here, shows its outcome.
            for w in &cell.outcomes {
                let world = fresh(&Scenario::from_preset(preset, 3, 1).with_fault(w.spec));
                assert!(shows(&world, w.outcome), "{preset} {}: {} does not show {}", cell.fault, w.spec, w.outcome);
            }
            // The failure aimed at each message shows nothing the cell does not list, and strikes
            // only where the cell says the failure applies.
            for m in 1..=3 {
                let spec = delivery_lab::FaultSpec::for_message(cell.fault, m);
                let world = fresh(&Scenario::from_preset(preset, 3, 1).with_fault(spec));
                let struck = world.events().iter().any(|e| matches!(e.kind, delivery_lab::EventKind::FaultStruck { .. }));
                assert!(cell.applies || !struck, "{preset} {spec} struck but the cell says n/a");
                for outcome in Outcome::ALL {
                    if shows(&world, outcome) {
                        assert!(cell.outcomes.iter().any(|w| w.outcome == outcome), "{preset} {spec} shows {outcome}, cell: {}", cell.text());
                    }
                }
            }
        }
    }
    // Kafka's own table, in short: at most once loses, at least once duplicates, and the upsert
    // sink never keeps two effects.
    let col = |name: &str| m.rows.iter().find(|r| r.name == name).unwrap();
    assert!(col("at-most-once").cells.iter().any(|c| c.outcomes.iter().any(|w| w.outcome == Outcome::Loss)));
    assert!(col("at-least-once").cells.iter().any(|c| c.outcomes.iter().any(|w| w.outcome == Outcome::DuplicateEffect)));
    assert!(col("exactly-once-db").cells.iter().all(|c| c.outcomes.iter().all(|w| w.outcome != Outcome::DuplicateEffect)));
}


#[test]
fn a_failure_that_cannot_strike_says_why_and_the_matrix_agrees() {
    // ProducerConfig acks (https://kafka.apache.org/documentation/#producerconfigs_acks): "acks=0
    // If set to zero then the producer will not wait for any acknowledgment from the server at
    // all": there is no ACK to drop. ProducerConfig transactional.id: without one the producer
    // cannot use transactions, so there is no transaction to abort.
    let zero = delivery_lab::Config { acks: delivery_lab::Acks::Zero, ..Preset::AtLeastOnce.config() };
    assert!(Fault::DropAck.cannot_strike(&zero).is_some_and(|why| why.contains("acks=0")));
    assert_eq!(Fault::DropAck.cannot_strike(&Preset::AtLeastOnce.config()), None);
    assert!(Fault::TransactionAbort.cannot_strike(&Preset::AtLeastOnce.config()).is_some_and(|why| why.contains("transactional.id")));
    assert_eq!(Fault::TransactionAbort.cannot_strike(&Preset::ExactlyOnceKafka.config()), None);
    // The matrix, which tries every moment of a run, finds no moment where the rule says none.
    let m = matrix(None).unwrap();
    for row in &m.rows {
        for cell in &row.cells {
            let rule = cell.fault.cannot_strike(&row.scenario.config);
            if rule.is_some() {
                assert!(!cell.applies, "{}: {:?} strikes though {rule:?}", row.name, cell.fault);
            }
            if matches!(cell.fault, Fault::DropAck | Fault::TransactionAbort) {
                assert_eq!(rule.is_some(), !cell.applies, "{}: {:?}", row.name, cell.fault);
            }
        }
    }
}
