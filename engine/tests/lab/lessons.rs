//! The built-in lessons: well-formed data, graded by the engine, and each telling the story Kafka's
//! rules say it should. The per-lesson expectations are reasoned from the cited rule, not read off
//! a run.

use std::collections::BTreeSet;

use delivery_lab::sim::event::{Actor, EventKind, FlightKind, ProduceError};
use delivery_lab::{Answer, EntryKind, Lesson, Measure, MsgId, Scenario, TxnMark, Verdict, World};

fn lesson(slug: &str) -> Lesson {
    Lesson::by_slug(slug).unwrap_or_else(|| panic!("no lesson {slug}"))
}

fn finished(lesson: &Lesson) -> World {
    let world = lesson.run().unwrap_or_else(|e| panic!("{}: {e}", lesson.slug));
    assert_eq!(world.run_state(), delivery_lab::RunState::Quiescent, "{} did not finish", lesson.slug);
    world
}

fn last_tick(world: &World) -> u64 {
    world.events().last().map_or(0, |e| e.tick)
}

// ----- the data -----

#[test]
fn there_are_at_least_eleven_lessons_with_unique_well_formed_slugs() {
    let lessons = Lesson::all();
    assert!(lessons.len() >= 11, "{} lessons", lessons.len());
    let mut slugs = BTreeSet::new();
    for l in &lessons {
        assert!(!l.slug.is_empty() && l.slug.len() <= 40, "{:?}", l.slug);
        assert!(
            l.slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "slug {:?} is not lowercase letters, digits and '-'",
            l.slug
        );
        assert!(!l.slug.starts_with('-') && !l.slug.ends_with('-') && !l.slug.contains("--"), "{:?}", l.slug);
        assert!(slugs.insert(l.slug.clone()), "duplicate slug {}", l.slug);
        assert_eq!(Lesson::by_slug(&l.slug).as_ref(), Some(l));
        for text in [&l.title, &l.pitfall, &l.source, &l.question.prompt] {
            assert!(!text.is_empty() && text.len() <= 300, "{}: {text:?}", l.slug);
        }
        assert!(l.question.prompt.ends_with('?'), "{}: the prompt is a question", l.slug);
        assert_eq!(l.scenario.title.as_deref(), Some(l.title.as_str()));
        assert!((3..=5).contains(&l.scenario.messages), "{}: {} messages", l.slug, l.scenario.messages);
    }
    assert_eq!(Lesson::slugs(), lessons.iter().map(|l| l.slug.as_str()).collect::<Vec<_>>());
    assert!(Lesson::by_slug("no-such-lesson").is_none());
}

#[test]
fn captions_are_few_ordered_from_tick_zero_and_each_marks_an_event_of_the_run() {
    for l in Lesson::all() {
        let world = finished(&l);
        let captions = &l.scenario.captions;
        assert!((3..=6).contains(&captions.len()), "{}: {} captions", l.slug, captions.len());
        assert_eq!(captions[0].tick, 0, "{}: the first caption is at tick 0", l.slug);
        assert!(captions.windows(2).all(|w| w[0].tick < w[1].tick), "{}: captions not sorted by tick", l.slug);
        for c in captions {
            assert!(c.tick <= last_tick(&world), "{}: caption at t={} after the run's end", l.slug, c.tick);
            assert!(
                world.events().iter().any(|e| e.tick == c.tick),
                "{}: nothing happens at t={} ({:?})",
                l.slug,
                c.tick,
                c.text
            );
            assert!(!c.text.is_empty() && c.text.len() <= 300, "{}: {:?}", l.slug, c.text);
        }
        assert!(l.question.ask_at < captions.len(), "{}: ask_at out of range", l.slug);
    }
}

#[test]
fn every_scenario_is_a_valid_scenario_document() {
    for l in Lesson::all() {
        let text = l.scenario.to_json();
        let back = Scenario::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", l.slug));
        assert_eq!(back, l.scenario, "{}: the JSON round trip changed the scenario", l.slug);
    }
}

#[test]
fn the_question_is_asked_before_the_story_ends() {
    // At the tick of the caption that asks, the message's row must still change before the end:
    // the learner predicts, then sees.
    for l in Lesson::all() {
        let msg = l.question.measure.msg().expect("every built-in question is about one message");
        let at = l.scenario.captions[l.question.ask_at].tick;
        let mut world = World::new(&l.scenario).unwrap();
        world.run_until(at);
        let then = world.ledger();
        world.run_to_quiescence();
        let end = world.ledger();
        let key = |r: &delivery_lab::MessageRow| {
            (r.verdict, r.offsets.clone(), r.attempts, r.processed, r.effects, r.visible_read_committed)
        };
        assert_ne!(key(then.row(msg.0).unwrap()), key(end.row(msg.0).unwrap()), "{}: the story of {msg} is over by t={at}", l.slug);
    }
}

// ----- grading -----

#[test]
fn exactly_one_choice_matches_the_engines_answer() {
    for l in Lesson::all() {
        let world = finished(&l);
        let q = &l.question;
        assert!((2..=4).contains(&q.choices.len()), "{}: {} choices", l.slug, q.choices.len());
        let answers: BTreeSet<String> = q.choices.iter().map(|c| format!("{:?}", c.answer)).collect();
        assert_eq!(answers.len(), q.choices.len(), "{}: two choices share a value", l.slug);
        let answer = q.answer(&world);
        let matching: Vec<usize> = (0..q.choices.len()).filter(|&i| q.choices[i].answer == answer).collect();
        assert_eq!(matching.len(), 1, "{}: the engine answers {answer}, choices {:?}", l.slug, q.choices);
        assert_eq!(q.correct_choice(&world), Some(matching[0]), "{}", l.slug);
        for c in &q.choices {
            let kind_matches = matches!((c.answer, answer), (Answer::Count(_), Answer::Count(_)) | (Answer::Verdict(_), Answer::Verdict(_)));
            assert!(kind_matches, "{}: choice {:?} is not a value of {:?}", l.slug, c.label, q.measure);
        }
        let explanation = q.explain(&world);
        assert!(explanation.contains(&q.measure.msg().unwrap().to_string()), "{}: {explanation}", l.slug);
        assert!(explanation.len() < 1_500, "{}: {explanation}", l.slug);
    }
}

#[test]
fn each_lesson_is_deterministic() {
    for l in Lesson::all() {
        let a = finished(&l);
        let b = finished(&l);
        assert_eq!(a.event_log_hash(), b.event_log_hash(), "{}", l.slug);
        // The scenario as a document (a link, an embed) replays the same run.
        let mut c = World::new(&Scenario::from_json(&l.scenario.to_json()).unwrap()).unwrap();
        c.run_to_quiescence();
        assert_eq!(a.event_log_hash(), c.event_log_hash(), "{}: the JSON form runs differently", l.slug);
    }
}

#[test]
fn answers_and_explanations_read_plainly() {
    let l = lesson("lost-ack-duplicate");
    let world = finished(&l);
    assert_eq!(l.question.answer(&world).to_string(), "2");
    let text = l.question.explain(&world);
    assert!(text.starts_with("m2 was processed 2 times."), "{text}");
    assert!(text.contains("enable.idempotence=true"), "{text}");
    assert_eq!(Measure::Verdict(MsgId(2)).of(&world.ledger()).to_string(), "duplicated");
    assert_eq!(Measure::Duplicated.of(&world.ledger()), Answer::Count(world.ledger().summary.duplicated));
}

// ----- what each lesson teaches, by Kafka's rules -----

/// The answer the lesson's question must get, and the row of the message it asks about.
fn graded(slug: &str, expected: Answer) -> (World, delivery_lab::MessageRow) {
    let l = lesson(slug);
    let world = finished(&l);
    assert_eq!(l.question.answer(&world), expected, "{slug}: {}", l.question.explain(&world));
    let msg = l.question.measure.msg().unwrap();
    let row = world.ledger().row(msg.0).unwrap().clone();
    (world, row)
}

#[test]
fn auto_commit_loss() {
    // librdkafka CONFIGURATION.md: with enable.auto.offset.store=true the offset of a message is
    // stored when it is provided to the application, and enable.auto.commit commits stored offsets
    // every auto.commit.interval.ms. A crash after that commit, before processing finished, leaves
    // the group's offset past a record nobody processed: it is never read again.
    let (world, m2) = graded("auto-commit-loss", Answer::Verdict(Verdict::Lost));
    assert_eq!(m2.offsets.len(), 1, "m2 is in the log");
    assert_eq!(m2.processed, 0);
    assert!(world.committed_offset().is_some_and(|c| c > m2.offsets[0]), "the committed offset passed m2");
}

#[test]
fn lost_ack_duplicate() {
    // Kafka docs, Producer Configs, enable.idempotence: "If 'false', producer retries due to broker
    // failures, etc., may write duplicates of the retried message in the stream"; retries > 0 re-sends
    // a record whose response never came (request.timeout.ms). Two copies, each read and processed.
    let (_, m2) = graded("lost-ack-duplicate", Answer::Count(2));
    assert_eq!(m2.offsets.len(), 2);
    assert_eq!(m2.attempts, 2);
    assert_eq!(m2.effects, 2, "a plain insert per processing run");
    assert_eq!(m2.verdict, Verdict::Duplicated);
}

#[test]
fn idempotent_retry() {
    // KIP-98 (Idempotent Producer): the broker keeps the sequence numbers of a producer id's recent
    // batches and acknowledges a retried one without appending it; Kafka docs, enable.idempotence:
    // "the producer will ensure that exactly one copy of each message is written in the stream".
    let (world, m2) = graded("idempotent-retry", Answer::Count(1));
    assert_eq!(m2.attempts, 2, "the producer did retry");
    assert_eq!((m2.processed, m2.effects), (1, 1));
    assert_eq!(m2.verdict, Verdict::DeliveredOnce);
    assert!(world.events().iter().any(|e| matches!(e.kind, EventKind::DuplicateFound { msg: MsgId(2), .. })));
}

#[test]
fn app_resend_defeats_idempotence() {
    // KIP-98: sequence numbers are assigned by the producer client to each record it is given; a
    // second send() of the same payload is a new record with the next sequence number, which the
    // broker has no reason to drop.
    let (world, m2) = graded("app-resend-defeats-idempotence", Answer::Count(2));
    assert!(world.config().idempotence);
    assert_eq!(m2.app_sends, 2);
    let seqs: BTreeSet<Option<u32>> = world
        .partition()
        .log()
        .iter()
        .filter_map(|e| match e.kind {
            EntryKind::Data { msg: MsgId(2), seq, .. } => Some(seq),
            _ => None,
        })
        .collect();
    assert_eq!(seqs.len(), 2, "two records with different sequence numbers: {seqs:?}");
    assert_eq!((m2.processed, m2.effects, m2.verdict), (2, 2, Verdict::Duplicated));
}

#[test]
fn consumer_crash_before_commit() {
    // Kafka docs 4.6 Message Delivery Semantics: a consumer that processes and then saves its
    // position may crash in between; the process that takes over starts from the saved position and
    // processes the record again (at-least-once).
    let (_, m2) = graded("consumer-crash-before-commit", Answer::Count(2));
    assert_eq!(m2.offsets.len(), 1, "one copy in the log");
    assert_eq!(m2.processed, 2);
    assert_eq!(m2.verdict, Verdict::Duplicated);
}

#[test]
fn acks_1_leader_crash() {
    // Kafka docs, Producer Configs, acks=1: "should the leader fail immediately after acknowledging
    // the record but before the followers have replicated it then the record will be lost."
    let (_, m2) = graded("acks-1-leader-crash", Answer::Verdict(Verdict::Lost));
    assert_eq!(m2.acks, 1, "the producer was told it succeeded");
    assert_eq!(m2.errors, 0);
    assert!(m2.offsets.is_empty(), "no copy survives the failover");
    assert_eq!(m2.processed, 0);
}

#[test]
fn read_uncommitted_sees_aborted() {
    // Kafka docs, Consumer Configs, isolation.level: "If set to read_uncommitted (the default),
    // consumer.poll() will return all messages, even transactional messages which have been
    // aborted." (KIP-98)
    let (world, m2) = graded("read-uncommitted-sees-aborted", Answer::Count(1));
    assert_eq!(m2.offsets.len(), 1);
    assert_eq!(world.partition().txn_mark(m2.offsets[0]), Some(TxnMark::Aborted));
    assert_eq!(m2.visible_read_committed, 0, "read_committed would not see it");
    assert_eq!(m2.verdict, Verdict::AbortedButSeen);
}

#[test]
fn exactly_once_kafka() {
    // KIP-98 / KIP-447: output records and consumed offsets commit or abort together; a new
    // instance with the same transactional.id aborts its predecessor's open transaction, and
    // read_committed readers never see aborted output. Processing may run twice; the output counts once.
    let (_, m2) = graded("exactly-once-kafka", Answer::Count(1));
    assert_eq!(m2.processed, 2, "the record was processed again after the crash");
    assert_eq!(m2.verdict, Verdict::ProcessedTwiceEffectOnce);
}

#[test]
fn exactly_once_not_database() {
    // KIP-98: transactions cover writes to Kafka partitions and consumer offsets; a database insert
    // is outside them. The insert committed, the offset did not, so the record is processed again
    // and inserted again (Kafka docs 4.6: the output and the position are not stored atomically).
    let (world, m2) = graded("exactly-once-not-database", Answer::Count(2));
    assert!(world.config().transactional, "exactly-once settings are in force");
    assert_eq!((m2.offsets.len(), m2.processed), (1, 2));
    assert_eq!(m2.verdict, Verdict::Duplicated);
}

#[test]
fn deduplicating_sink() {
    // Kafka docs 4.6: at-least-once delivery processes a record again after a crash; with an
    // idempotent output (an upsert keyed by the message) the second write changes nothing.
    let (world, m2) = graded("deduplicating-sink", Answer::Count(1));
    assert_eq!(m2.processed, 2);
    assert_eq!(m2.verdict, Verdict::ProcessedTwiceEffectOnce);
    assert!(world.events().iter().any(|e| matches!(
        e.kind,
        EventKind::SinkWrite { msg: MsgId(2), outcome: delivery_lab::sim::event::SinkOutcome::Overwritten, .. }
    )));
}

#[test]
fn zombie_fencing() {
    // KIP-98, zombie fencing: InitProducerId for the same transactional.id bumps the epoch, aborts
    // the open transaction of the old epoch, and the coordinator and brokers reject the old epoch
    // from then on (ProducerFencedException / INVALID_PRODUCER_EPOCH).
    let (world, m2) = graded("zombie-fencing", Answer::Count(1));
    assert_eq!(m2.offsets.len(), 2, "both instances wrote m2");
    let log = world.partition().log();
    let epochs: Vec<(u16, Option<TxnMark>)> = m2
        .offsets
        .iter()
        .map(|&o| match log[o as usize].kind {
            EntryKind::Data { epoch, .. } => (epoch, world.partition().txn_mark(o)),
            EntryKind::Marker { .. } => panic!("m2's offset holds a marker"),
        })
        .collect();
    let (old, new) = (epochs[0], epochs[1]);
    assert!(old.0 < new.0, "the replacement has a higher epoch: {epochs:?}");
    assert_eq!(old.1, Some(TxnMark::Aborted), "the zombie's copy is aborted");
    assert_eq!(new.1, Some(TxnMark::Committed));
    // The zombie (the first producer session) is refused once it wakes up.
    let woke = world.events().iter().position(|e| matches!(e.kind, EventKind::ProducerWoke { session: 0 })).expect("the zombie woke up");
    let refused = world.events()[woke..].iter().any(|e| {
        matches!(
            e.kind,
            EventKind::Arrived { to: Actor::Producer { session: 0 }, what: FlightKind::EndTxnResponse { ok: false, .. }, .. }
                | EventKind::Refused { error: ProduceError::ProducerFenced | ProduceError::InvalidProducerEpoch, .. }
        )
    });
    assert!(refused, "the zombie's commit or writes are rejected");
    assert_eq!((m2.processed, m2.effects), (1, 1));
}

#[test]
fn auto_commit_close_after_error() {
    // KafkaConsumer javadoc, close(): "If auto-commit is enabled, this will commit the current
    // offsets", i.e. the position after every record poll() returned, processed or not
    // (ConsumerCoordinator.close -> maybeAutoCommitOffsetsSync). The restart starts past them.
    let (world, m2) = graded("auto-commit-close-after-error", Answer::Verdict(Verdict::Lost));
    assert_eq!(m2.processed, 0);
    // close() committed offset 2, the position after m2, the record poll() returned last.
    let closed = world.events().iter().position(|e| matches!(e.kind, EventKind::ConsumerClosed { .. })).expect("close() ran");
    let commit = world.events()[closed..].iter().find_map(|e| match e.kind {
        EventKind::Committed { offset, .. } => Some(offset),
        _ => None,
    });
    assert_eq!(commit, Some(2), "close() commits the position past m2");
}

#[test]
fn retry_reorders() {
    // Kafka docs, Producer Configs, max.in.flight.requests.per.connection: "if set to greater than 1
    // and enable.idempotence is set to false, there is a risk of message reordering after a failed
    // send due to retries".
    let (world, m1) = graded("retry-reorders", Answer::Verdict(Verdict::Reordered));
    let ledger = world.ledger();
    let m2 = ledger.row(2).unwrap();
    assert_eq!((m1.offsets.len(), m2.offsets.len()), (1, 1));
    assert!(m1.offsets[0] > m2.offsets[0], "m1 lands after m2");
    assert_eq!(m1.processed, 1, "nothing lost or duplicated, only out of order");
}

#[test]
fn commit_answer_lost() {
    // KafkaProducer.commitTransaction javadoc: a commit that timed out may have reached the broker,
    // "It is safe to retry"; TransactionCoordinator.handleEndTransaction answers a retry for a
    // completed transaction with its result. One committed copy, one marker for it.
    let (world, m1) = graded("commit-answer-lost", Answer::Count(1));
    assert_eq!((m1.offsets.len(), m1.processed, m1.verdict), (1, 1, Verdict::DeliveredOnce));
    assert!(world.events().iter().any(|e| matches!(e.kind, EventKind::EndTxnTimedOut { commit: true, .. })), "the client sent EndTxn again");
}

#[test]
fn restart_after_end_txn() {
    // KIP-98: InitProducerId fences the old epoch and aborts its open transaction; a committed one
    // stays. The restarted application sends m1 again: a second committed copy.
    let (_, m1) = graded("restart-after-end-txn", Answer::Verdict(Verdict::Duplicated));
    assert_eq!((m1.app_sends, m1.visible_read_committed, m1.processed), (2, 2, 2));
}

#[test]
fn error_but_written() {
    // Kafka docs 4.6: without the response a producer cannot tell whether the record was committed.
    // With retries=0 the lost ACK fails send() although the leader appended m1.
    let (_, m1) = graded("error-but-written", Answer::Verdict(Verdict::DeliveredOnce));
    assert_eq!((m1.errors, m1.offsets.len(), m1.processed), (1, 1, 1));
    assert!(m1.also.contains(&Verdict::Ambiguous), "{m1:?}");
}

#[test]
fn producer_stays_down() {
    // KIP-98, transaction.timeout.ms: the coordinator aborts a transaction its producer left open.
    let (world, m2) = graded("producer-stays-down", Answer::Verdict(Verdict::AbortedInvisible));
    assert_eq!((m2.offsets.len(), m2.visible_read_committed, m2.processed), (1, 0, 0));
    let m3 = world.ledger().row(3).unwrap().clone();
    assert_eq!((m3.app_sends, m3.verdict), (0, Verdict::Pending), "never sent");
}

#[test]
fn commit_timeout_resend() {
    // KafkaProducer.commitTransaction javadoc: a TimeoutException after max.block.ms "does not mean
    // the request did not actually reach the broker"; if not retrying, "the only option is to close
    // the producer". Here the commit had gone through: the application's re-send is a second
    // committed copy, and the one instance that timed out is the one it closed.
    let (world, m1) = graded("commit-timeout-resend", Answer::Count(2));
    assert_eq!((m1.app_sends, m1.visible_read_committed, m1.processed), (2, 2, 2));
    assert_eq!(m1.verdict, Verdict::Duplicated);
    let timeouts = world.events().iter().filter(|e| matches!(e.kind, EventKind::CommitTimedOut { retry: false, .. })).count();
    assert_eq!(timeouts, 1);
    // The other messages, sent by the new instance, are delivered once.
    for m in 2..=3 {
        assert_eq!(world.ledger().row(m).unwrap().verdict, Verdict::DeliveredOnce, "m{m}");
    }
}

#[test]
fn output_read_uncommitted() {
    // KIP-98: a reader with isolation.level=read_committed skips the records of aborted
    // transactions; the default, read_uncommitted, returns them too. The first run of m2 wrote its
    // result in a transaction that aborted when its instance crashed.
    let (world, m2) = graded("output-read-uncommitted", Answer::Count(2));
    assert_eq!((m2.processed, m2.effects, m2.effects_read_uncommitted), (2, 1, Some(2)));
    assert_eq!(m2.verdict, Verdict::ProcessedTwiceEffectOnce);
    // The output topic holds the aborted result, its ABORT marker, then the committed one.
    use delivery_lab::sim::sink::OutputEntry;
    let log = world.sink().output_log(world.config().config.sink);
    let is_m2 = |e: &OutputEntry| matches!(e, OutputEntry::Record { msg, .. } if msg.0 == 2);
    let first = log.iter().position(is_m2).expect("m2's first result");
    let abort = first + log[first..].iter().position(|e| matches!(e, OutputEntry::Marker { commit: false, .. })).expect("an ABORT after it");
    let second = abort + log[abort..].iter().position(is_m2).expect("m2's second result after the ABORT");
    assert!(log[second..].iter().any(|e| matches!(e, OutputEntry::Marker { commit: true, .. })), "{log:?}");
}

/// The ticks at which the processing of `msg` started and finished, and the tick at which the
/// partition moved to the second member: the slow member's processing started before the move,
/// the new owner's after it, and the new owner's finished first.
fn overtaken_by_the_new_owner(world: &World, msg: u16) {
    let ticks = |pick: fn(&EventKind) -> Option<u16>| -> Vec<u64> {
        world.events().iter().filter(|e| pick(&e.kind) == Some(msg)).map(|e| e.tick).collect()
    };
    let starts = ticks(|k| match k {
        EventKind::ProcessingStarted { msg, .. } => Some(msg.0),
        _ => None,
    });
    let finishes = ticks(|k| match k {
        EventKind::ProcessingFinished { msg, .. } => Some(msg.0),
        _ => None,
    });
    let second = Some(delivery_lab::sim::event::MEMBER_BASE + 1);
    let moved = world
        .events()
        .iter()
        .find(|e| matches!(e.kind, EventKind::Rebalanced { owner, .. } if owner == second))
        .expect("the partition moves to consumer 2")
        .tick;
    assert!(starts.len() == 2 && finishes.len() == 2, "{starts:?} {finishes:?}");
    assert!(starts[0] < moved && moved <= starts[1], "{starts:?}, moved at {moved}");
    assert!(starts[1] < finishes[0] && finishes[0] < finishes[1], "the new owner's run finishes first: {starts:?} {finishes:?}");
}

#[test]
fn rebalance_duplicate() {
    // Consumer Configs, max.poll.interval.ms: "If poll() is not called before expiration of this
    // timeout, then the consumer is considered failed and the group will rebalance in order to
    // reassign the partitions to another member." The new owner starts at the committed offset;
    // the slow member's application still finishes the batch it holds.
    let (world, m2) = graded("rebalance-duplicate", Answer::Count(2));
    assert_eq!((m2.effects, m2.verdict), (2, Verdict::Duplicated));
    overtaken_by_the_new_owner(&world, 2);
}

#[test]
fn zombie_consumer_fenced() {
    // KIP-447: the offsets a transaction commits carry the consumer group metadata, and the
    // coordinator refuses them from a member of an older generation; the application aborts
    // (KafkaProducer.sendOffsetsToTransaction: CommitFailedException when the consumer has been
    // kicked out of the group). Its late output never becomes visible to read_committed readers.
    let (world, m2) = graded("zombie-consumer-fenced", Answer::Count(1));
    assert_eq!((m2.processed, m2.verdict), (2, Verdict::ProcessedTwiceEffectOnce));
    let aborted = world.events().iter().filter(|e| matches!(e.kind, EventKind::ConsumerTxnAborted { .. })).count();
    assert_eq!(aborted, 1, "the zombie's transaction, and no other, aborts");
    overtaken_by_the_new_owner(&world, 2);
}

#[test]
fn every_lesson_has_a_kafka_behaviour_test() {
    // The per-lesson tests above, by slug: a new lesson needs one too.
    let tested = [
        "auto-commit-loss",
        "lost-ack-duplicate",
        "idempotent-retry",
        "app-resend-defeats-idempotence",
        "consumer-crash-before-commit",
        "acks-1-leader-crash",
        "read-uncommitted-sees-aborted",
        "exactly-once-kafka",
        "exactly-once-not-database",
        "deduplicating-sink",
        "zombie-fencing",
        "auto-commit-close-after-error",
        "retry-reorders",
        "commit-answer-lost",
        "restart-after-end-txn",
        "error-but-written",
        "producer-stays-down",
        "commit-timeout-resend",
        "output-read-uncommitted",
        "rebalance-duplicate",
        "zombie-consumer-fenced",
    ];
    assert_eq!(Lesson::slugs(), tested);
}


// ----- no spoilers (issue 14) -----

/// Lower-case words, punctuation dropped ("m2's" is "m2" "s").
fn words(text: &str) -> Vec<String> {
    text.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

/// Whether `text` says `term` (its words, in a row).
fn says(text: &str, term: &[String]) -> bool {
    !term.is_empty() && words(text).windows(term.len()).any(|w| w == term)
}

/// The outcome in the lesson's own words, derived from its question and the engine's answer: the
/// right choice's head (the label before its colon: "Twice", "Lost", "After m2 and m3"), the
/// verdict's name, "twice" for a count of two, and every pair of words of the right choice's
/// reason that neither a wrong choice nor the prompt uses ("new record").
fn outcome_terms(l: &Lesson) -> Vec<Vec<String>> {
    let question = &l.question;
    let right = question.correct_choice(&finished(l)).unwrap_or_else(|| panic!("{}: no choice is right", l.slug));
    let label = question.choices[right].label.as_str();
    let (head, reason) = label.split_once(':').unwrap_or((label, ""));
    let mut terms = vec![words(head)];
    match question.choices[right].answer {
        Answer::Verdict(v) => terms.push(words(v.label())),
        Answer::Count(2) if !terms.contains(&words("twice")) => terms.push(words("twice")),
        Answer::Count(_) => {}
    }
    let elsewhere: Vec<String> = question
        .choices
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != right)
        .flat_map(|(_, c)| words(&c.label))
        .chain(words(&question.prompt))
        .collect();
    let reason = words(reason);
    for pair in reason.windows(2) {
        if pair.iter().all(|w| w.len() > 2 && !elsewhere.contains(w)) {
            terms.push(pair.to_vec());
        }
    }
    terms
}

#[test]
fn no_title_and_no_caption_before_the_question_is_passed_states_the_answer() {
    let mut spoilers = Vec::new();
    for l in Lesson::all() {
        let terms = outcome_terms(&l);
        let shown_before = l.scenario.captions.iter().take(l.question.ask_at + 1).map(|c| c.text.as_str());
        for text in std::iter::once(l.title.as_str()).chain(shown_before) {
            for term in terms.iter().filter(|t| says(text, t)) {
                spoilers.push(format!("{}: {text:?} says {:?}", l.slug, term.join(" ")));
            }
        }
    }
    assert!(spoilers.is_empty(), "titles and captions shown before the prediction is locked state the outcome:\n{}", spoilers.join("\n"));
}

#[test]
fn every_lesson_reads_back_from_its_json_and_the_catalogue_matches_it() {
    // The page carries only the catalogue; the worker sends the rest as `Lesson::to_value`.
    let lessons = delivery_lab::Lesson::all();
    assert_eq!(lessons.len(), delivery_lab::lesson::CATALOG.len());
    for (lesson, entry) in lessons.iter().zip(&delivery_lab::lesson::CATALOG) {
        assert_eq!((lesson.slug.as_str(), lesson.title.as_str(), lesson.pitfall.as_str()), (entry.slug, entry.title(), entry.pitfall()));
        assert_eq!(lesson.scenario.captions.len(), entry.steps, "{}", entry.slug);
        let back = delivery_lab::Lesson::from_json(&lesson.to_value().to_string()).unwrap();
        assert_eq!(&back, lesson);
    }
    for bad in ["{}", "[]", "not json", r#"{"slug":"x"}"#] {
        assert!(delivery_lab::Lesson::from_json(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_ledger_without_words_is_the_ledger_with_no_explanations() {
    // The page builds its ledger without the sentences (the worker writes them): every verdict,
    // counter and cause must be the command line's, for every lesson, mid-run and at the end.
    for lesson in Lesson::all() {
        // Half-way (by the lesson's last caption) and at the end.
        let mut world = World::new(&lesson.scenario).unwrap();
        world.run_until(lesson.scenario.captions.last().map_or(10, |c| c.tick));
        for _ in 0..2 {
            let full = world.ledger();
            let mut lean = world.ledger_without_words();
            assert!(lean.rows.iter().all(|row| row.explanation.is_empty()), "{}", lesson.slug);
            assert!(full.rows.iter().all(|row| !row.explanation.is_empty()), "{}", lesson.slug);
            for (lean, full) in lean.rows.iter_mut().zip(&full.rows) {
                lean.explanation.clone_from(&full.explanation);
            }
            assert_eq!(lean, full, "{}", lesson.slug);
            world.run_to_quiescence();
        }
    }
}
