//! Built-in lessons: one scenario per pitfall, with captions and a predict-then-reveal question that
//! the engine grades from the run's ledger.
//!
//! A lesson is data: a preset with a few settings changed, a failure schedule, captions keyed to the
//! ticks at which their steps happen in the run, and a question whose answer is a [`Measure`] of the
//! finished run. The answer is never stored: [`Question::answer`] computes it from the ledger, so a
//! change to the engine that changed a story would show up as a lesson whose choices no longer
//! match (the tests check that exactly one choice does).

use std::fmt;

use serde::Serialize;
use serde_json::{json, Value};

use crate::preset::Preset;
use crate::scenario::{Caption, Scenario, ScenarioError};
use crate::sim::config::{Acks, AutoCommitStyle, CommitTimeout, Config, IsolationLevel, SinkKind};
use crate::sim::event::MsgId;
use crate::sim::fault::{Fault, FaultSpec, Trigger};
use crate::sim::ledger::{Ledger, MessageRow, Verdict};
use crate::sim::world::World;

/// A built-in lesson.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lesson {
    /// A stable name for links: lowercase letters, digits and `-`.
    pub slug: String,
    /// The title shown to people.
    pub title: String,
    /// What goes wrong in real systems, in one sentence.
    pub pitfall: String,
    /// The run: preset and configuration, messages, seed, faults, title and captions.
    pub scenario: Scenario,
    /// The question asked before the outcome shows.
    pub question: Question,
    /// Where Kafka states the rule the lesson shows (documentation, KIP or source).
    pub source: String,
}

/// A predict-then-reveal question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Question {
    /// The question, asked before the reveal.
    pub prompt: String,
    /// The caption (an index into the scenario's captions) at which the lesson pauses and asks.
    pub ask_at: usize,
    /// What the engine computes from the finished run to grade the answer.
    pub measure: Measure,
    /// The choices offered; exactly one matches the engine's answer.
    pub choices: Vec<Choice>,
}

/// A quantity of a finished run, read from its ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "measure", content = "msg")]
pub enum Measure {
    /// The message's verdict.
    Verdict(MsgId),
    /// How many times the message's processing finished.
    Processed(MsgId),
    /// How many copies of the message the log holds.
    LogCopies(MsgId),
    /// How many copies a read_committed consumer can see.
    VisibleReadCommitted(MsgId),
    /// How many copies a read_uncommitted consumer can see.
    VisibleReadUncommitted(MsgId),
    /// How many effects of the message the sink holds.
    Effects(MsgId),
    /// How many copies of the message's output a read_uncommitted reader of the output topic
    /// reads (aborted transactions' output included).
    OutputReadUncommitted(MsgId),
    /// How many messages were lost.
    Lost,
    /// How many messages were duplicated.
    Duplicated,
}

/// A value of a [`Measure`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    /// A verdict.
    Verdict(Verdict),
    /// A count.
    Count(u32),
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Verdict(v) => write!(f, "{v}"),
            Answer::Count(n) => write!(f, "{n}"),
        }
    }
}

/// One choice: a value of the measure, with the words shown for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// What the learner reads.
    pub label: String,
    /// The value it stands for.
    pub answer: Answer,
}

/// A lesson's entry in [`CATALOG`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The lesson's slug.
    pub slug: &'static str,
    /// How many steps (captions) it has: a link's `lesson-step` counts them from 0.
    pub steps: usize,
}

impl Entry {
    fn words(&self) -> (&'static str, &'static str) {
        let index = CATALOG.iter().position(|e| e.slug == self.slug).unwrap_or(0);
        WORDS[index]
    }

    /// Its title.
    pub fn title(&self) -> &'static str {
        self.words().0
    }

    /// What goes wrong in real systems, in one sentence.
    pub fn pitfall(&self) -> &'static str {
        self.words().1
    }

    /// The catalogue's entry for `slug`.
    pub fn by_slug(slug: &str) -> Option<&'static Entry> {
        CATALOG.iter().find(|e| e.slug == slug)
    }

    /// Every lesson's slug, in the catalogue's order.
    pub fn slugs() -> String {
        CATALOG.iter().map(|e| e.slug).collect::<Vec<_>>().join(", ")
    }
}

impl Lesson {
    /// Every built-in lesson, in teaching order.
    pub fn all() -> Vec<Lesson> {
        CATALOG.iter().zip(&LESSONS).map(|(entry, def)| def.build(entry)).collect()
    }

    /// The lesson with this slug.
    pub fn by_slug(slug: &str) -> Option<Lesson> {
        CATALOG.iter().zip(&LESSONS).find(|(entry, _)| entry.slug == slug).map(|(entry, def)| def.build(entry))
    }

    /// The slugs of every lesson, in teaching order.
    pub fn slugs() -> Vec<&'static str> {
        CATALOG.iter().map(|e| e.slug).collect()
    }

    /// Runs the lesson's scenario to its end.
    pub fn run(&self) -> Result<World, ScenarioError> {
        let mut world = World::new(&self.scenario)?;
        world.run_to_quiescence();
        Ok(world)
    }
}

/// The measures by name, as a lesson's JSON form writes them.
const MEASURES: [&str; 9] = ["verdict", "processed", "log-copies", "visible-read-committed", "visible-read-uncommitted", "effects", "lost", "duplicated", "output-read-uncommitted"];

impl Lesson {
    /// The lesson as JSON: what the worker sends the page when a lesson is opened (the page carries
    /// only the [`CATALOG`]). [`Lesson::from_json`] reads it back.
    pub fn to_value(&self) -> Value {
        let q = &self.question;
        let m = q.measure;
        let index = match m {
            Measure::Verdict(_) => 0,
            Measure::Processed(_) => 1,
            Measure::LogCopies(_) => 2,
            Measure::VisibleReadCommitted(_) => 3,
            Measure::VisibleReadUncommitted(_) => 4,
            Measure::Effects(_) => 5,
            Measure::Lost => 6,
            Measure::Duplicated => 7,
            Measure::OutputReadUncommitted(_) => 8,
        };
        let choices: Vec<Value> = q
            .choices
            .iter()
            .map(|c| match c.answer {
                Answer::Verdict(v) => json!({ "label": c.label, "verdict": v.slug() }),
                Answer::Count(n) => json!({ "label": c.label, "count": n }),
            })
            .collect();
        json!({
            "slug": self.slug, "title": self.title, "pitfall": self.pitfall, "source": self.source,
            "scenario": self.scenario.to_value(), "prompt": q.prompt, "ask_at": q.ask_at,
            "measure": MEASURES[index], "msg": m.msg().map(|msg| msg.0), "choices": choices,
        })
    }

    /// A lesson from [`Lesson::to_value`]'s JSON text, or what is wrong with it.
    pub fn from_json(text: &str) -> Result<Lesson, String> {
        Lesson::from_value(&crate::json::parse(text).map_err(|e| e.message)?)
    }

    /// A lesson from [`Lesson::to_value`]'s JSON, or what is wrong with it.
    pub fn from_value(value: &Value) -> Result<Lesson, String> {
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned).ok_or(format!("lesson: no {key}"));
        let msg = value.get("msg").and_then(Value::as_u64).map(|n| MsgId(n as u16));
        let measure = match (value.get("measure").and_then(Value::as_str), msg) {
            (Some("verdict"), Some(m)) => Measure::Verdict(m),
            (Some("processed"), Some(m)) => Measure::Processed(m),
            (Some("log-copies"), Some(m)) => Measure::LogCopies(m),
            (Some("visible-read-committed"), Some(m)) => Measure::VisibleReadCommitted(m),
            (Some("visible-read-uncommitted"), Some(m)) => Measure::VisibleReadUncommitted(m),
            (Some("effects"), Some(m)) => Measure::Effects(m),
            (Some("output-read-uncommitted"), Some(m)) => Measure::OutputReadUncommitted(m),
            (Some("lost"), _) => Measure::Lost,
            (Some("duplicated"), _) => Measure::Duplicated,
            _ => return Err("lesson: bad measure".to_owned()),
        };
        let mut choices = Vec::new();
        for c in value.get("choices").and_then(Value::as_array).ok_or("lesson: no choices")? {
            let answer = match (c.get("verdict").and_then(Value::as_str), c.get("count").and_then(Value::as_u64)) {
                (Some(slug), _) => Answer::Verdict(Verdict::ALL.into_iter().find(|v| v.slug() == slug).ok_or("lesson: bad verdict")?),
                (None, Some(n)) => Answer::Count(n as u32),
                _ => return Err("lesson: bad choice".to_owned()),
            };
            let label = c.get("label").and_then(Value::as_str).ok_or("lesson: a choice without a label")?.to_owned();
            choices.push(Choice { label, answer });
        }
        let scenario = Scenario::from_value(value.get("scenario").ok_or("lesson: no scenario")?).map_err(|e| e.to_string())?;
        let ask_at = value.get("ask_at").and_then(Value::as_u64).ok_or("lesson: no ask_at")? as usize;
        Ok(Lesson {
            slug: text("slug")?,
            title: text("title")?,
            pitfall: text("pitfall")?,
            scenario,
            question: Question { prompt: text("prompt")?, ask_at, measure, choices },
            source: text("source")?,
        })
    }
}

impl Measure {
    /// The message the measure is about, if it is about one.
    pub fn msg(self) -> Option<MsgId> {
        match self {
            Measure::Verdict(m)
            | Measure::Processed(m)
            | Measure::LogCopies(m)
            | Measure::VisibleReadCommitted(m)
            | Measure::VisibleReadUncommitted(m)
            | Measure::Effects(m)
            | Measure::OutputReadUncommitted(m) => Some(m),
            Measure::Lost | Measure::Duplicated => None,
        }
    }

    /// The measure's value in a ledger. A message the ledger has no row for counts 0 and is
    /// pending.
    pub fn of(self, ledger: &Ledger) -> Answer {
        let row = self.msg().and_then(|m| ledger.row(m.0));
        let count = |f: fn(&MessageRow) -> u32| Answer::Count(row.map_or(0, f));
        match self {
            Measure::Verdict(_) => Answer::Verdict(row.map_or(Verdict::Pending, |r| r.verdict)),
            Measure::Processed(_) => count(|r| r.processed),
            Measure::LogCopies(_) => count(|r| r.offsets.len() as u32),
            Measure::VisibleReadCommitted(_) => count(|r| r.visible_read_committed),
            Measure::VisibleReadUncommitted(_) => count(|r| r.visible_read_uncommitted),
            Measure::Effects(_) => count(|r| r.effects),
            Measure::OutputReadUncommitted(_) => count(|r| r.effects_read_uncommitted.unwrap_or(r.effects)),
            Measure::Lost => Answer::Count(ledger.summary.lost),
            Measure::Duplicated => Answer::Count(ledger.summary.duplicated),
        }
    }
}

impl Question {
    /// The engine's answer for a run (computed from `world.ledger()`, never stored). Ask it of a
    /// finished run: before the end it describes the run so far.
    pub fn answer(&self, world: &World) -> Answer {
        self.measure.of(&world.ledger())
    }

    /// The index of the choice that matches the engine's answer, if one does.
    pub fn correct_choice(&self, world: &World) -> Option<usize> {
        self.correct_choice_in(&world.ledger())
    }

    /// [`Question::correct_choice`] from the run's ledger, built already.
    pub fn correct_choice_in(&self, ledger: &Ledger) -> Option<usize> {
        let answer = self.measure.of(ledger);
        self.choices.iter().position(|c| c.answer == answer)
    }

    /// The answer in one sentence, followed by the ledger's explanation of the message's fate
    /// ([`MessageRow::explanation`], which starts with the verdict).
    pub fn explain(&self, world: &World) -> String {
        self.explain_in(&world.ledger())
    }

    /// [`Question::explain`] from the run's ledger, built already.
    pub fn explain_in(&self, ledger: &Ledger) -> String {
        let answer = self.measure.of(ledger);
        let n = match answer {
            Answer::Count(n) => n,
            Answer::Verdict(_) => 0,
        };
        let times = |n: u32| if n == 1 { "once".to_owned() } else { format!("{n} times") };
        let copies = |n: u32| if n == 1 { "1 copy".to_owned() } else { format!("{n} copies") };
        let lead = match self.measure {
            // The row's explanation starts with the verdict.
            Measure::Verdict(_) => String::new(),
            Measure::Processed(m) => format!("{m} was processed {}.", times(n)),
            Measure::LogCopies(m) => format!("The log holds {} of {m}.", copies(n)),
            Measure::VisibleReadCommitted(m) => format!("A read_committed consumer sees {} of {m}.", copies(n)),
            Measure::VisibleReadUncommitted(m) => format!("A read_uncommitted consumer sees {} of {m}.", copies(n)),
            Measure::Effects(m) => {
                format!("The sink holds {} of {m}.", if n == 1 { "1 effect".to_owned() } else { format!("{n} effects") })
            }
            Measure::OutputReadUncommitted(m) => {
                format!("A read_uncommitted reader of the output topic reads {} of {m}'s output.", copies(n))
            }
            Measure::Lost => format!("{n} lost."),
            Measure::Duplicated => format!("{n} duplicated."),
        };
        let details: Vec<&str> = match self.measure.msg() {
            Some(m) => ledger.row(m.0).map(|r| r.explanation.as_str()).into_iter().collect(),
            None => {
                let wanted = if self.measure == Measure::Lost { Verdict::Lost } else { Verdict::Duplicated };
                ledger.rows.iter().filter(|r| r.verdict == wanted).map(|r| r.explanation.as_str()).collect()
            }
        };
        let mut text = lead;
        for d in details {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(d);
            if !d.ends_with('.') {
                text.push('.');
            }
        }
        text
    }
}

/// A lesson as static data; [`Def::build`] turns it into a [`Lesson`].
struct Def {
    preset: Preset,
    /// The settings changed from the preset's.
    config: fn(Config) -> Config,
    messages: u16,
    seed: u64,
    faults: &'static [FaultSpec],
    captions: &'static [(u64, &'static str)],
    prompt: &'static str,
    ask_at: usize,
    measure: Measure,
    choices: &'static [(&'static str, Answer)],
    source: &'static str,
}

impl Def {
    fn build(&self, entry: &Entry) -> Lesson {
        let scenario = Scenario {
            preset: Some(self.preset),
            config: (self.config)(self.preset.config()),
            messages: self.messages,
            labels: Vec::new(),
            seed: self.seed,
            faults: self.faults.to_vec(),
            send_at: Vec::new(),
            title: Some(entry.title().to_owned()),
            captions: self.captions.iter().map(|&(tick, text)| Caption { tick, text: text.to_owned() }).collect(),
        };
        Lesson {
            slug: entry.slug.to_owned(),
            title: entry.title().to_owned(),
            pitfall: entry.pitfall().to_owned(),
            scenario,
            question: Question {
                prompt: self.prompt.to_owned(),
                ask_at: self.ask_at,
                measure: self.measure,
                choices: self.choices.iter().map(|&(label, answer)| Choice { label: label.to_owned(), answer }).collect(),
            },
            source: self.source.to_owned(),
        }
    }
}

const fn on(fault: Fault, msg: u16) -> FaultSpec {
    FaultSpec { fault, trigger: Trigger::Message(MsgId(msg)) }
}

const fn count(label: &'static str, n: u32) -> (&'static str, Answer) {
    (label, Answer::Count(n))
}

const fn verdict(label: &'static str, v: Verdict) -> (&'static str, Answer) {
    (label, Answer::Verdict(v))
}

const M1: MsgId = MsgId(1);
const M2: MsgId = MsgId(2);

fn same(c: Config) -> Config {
    c
}

/// Two consumers in the group, and a short max.poll.interval.ms (3 s) so a stall shows quickly.
fn group_of_two(c: Config) -> Config {
    Config { group_members: 2, max_poll_interval_ms: 3_000, ..c }
}

/// Every lesson's name and what it teaches, in the order the picker lists them: all the page
/// carries of the lessons until one is opened (`LESSONS`, index for index, holds the rest).
pub static CATALOG: [Entry; 21] = [
    Entry { slug: "auto-commit-loss", steps: 5 },
    Entry { slug: "lost-ack-duplicate", steps: 6 },
    Entry { slug: "idempotent-retry", steps: 5 },
    Entry { slug: "app-resend-defeats-idempotence", steps: 5 },
    Entry { slug: "consumer-crash-before-commit", steps: 5 },
    Entry { slug: "acks-1-leader-crash", steps: 6 },
    Entry { slug: "read-uncommitted-sees-aborted", steps: 5 },
    Entry { slug: "exactly-once-kafka", steps: 5 },
    Entry { slug: "exactly-once-not-database", steps: 5 },
    Entry { slug: "deduplicating-sink", steps: 5 },
    Entry { slug: "zombie-fencing", steps: 5 },
    Entry { slug: "auto-commit-close-after-error", steps: 4 },
    Entry { slug: "retry-reorders", steps: 5 },
    Entry { slug: "commit-answer-lost", steps: 5 },
    Entry { slug: "restart-after-end-txn", steps: 5 },
    Entry { slug: "error-but-written", steps: 4 },
    Entry { slug: "producer-stays-down", steps: 4 },
    Entry { slug: "commit-timeout-resend", steps: 5 },
    Entry { slug: "output-read-uncommitted", steps: 5 },
    Entry { slug: "rebalance-duplicate", steps: 5 },
    Entry { slug: "zombie-consumer-fenced", steps: 5 },
];

/// Every lesson's title and pitfall, index for index with [`CATALOG`]: a table of its own, so
/// that the page, which looks lessons up by slug, carries none of these sentences (the worker
/// writes the picker's list, `Entry::title` and `Entry::pitfall`).
static WORDS: [(&str, &str); 21] = [
    (
        "Auto-commit and a crash during processing",
        "Auto-commit can commit a record's offset before the application has processed it; a crash then skips the record for good.",
    ),
    (
        "The lost ACK",
        "When a broker's answer is lost, a producer without idempotence retries and the broker appends the record a second time.",
    ),
    (
        "Idempotence and the lost ACK",
        "With enable.idempotence=true the broker recognises a retried batch by producer id and sequence number and keeps one copy.",
    ),
    (
        "An application re-send with idempotence on",
        "Idempotence only covers the client's own retries: when the application calls send() again, the record gets a new sequence number and is stored twice.",
    ),
    (
        "A crash between processing and commit",
        "A consumer that crashes after processing a record but before committing its offset reprocesses the record after the restart.",
    ),
    (
        "acks=1 and a leader crash right after the ACK",
        "With acks=1 the leader answers before any follower has the record; if it crashes then, the record is gone though the producer was told it was stored.",
    ),
    (
        "read_uncommitted and an aborted transaction",
        "Transactions protect only readers that set isolation.level=read_committed; the default, read_uncommitted, returns aborted records too.",
    ),
    (
        "Exactly once, Kafka to Kafka: a crash mid-transaction",
        "A consume-transform-produce application that writes its output and its offsets in one transaction may process a record twice, but readers with read_committed see its output once.",
    ),
    (
        "Exactly-once settings and a database insert",
        "Kafka transactions cover Kafka topics and offsets only; a plain database insert made before the transaction commits is repeated after a crash.",
    ),
    (
        "A deduplicating sink",
        "Outside Kafka, exactly once comes from the sink: an upsert keyed by message id (or offsets stored with the rows) turns reprocessing into a no-op.",
    ),
    (
        "Zombie fencing: a frozen producer wakes after its replacement",
        "A producer that froze and wakes after its replacement started would write duplicates; with a transactional.id the new instance fences it and its open transaction is aborted.",
    ),
    (
        "Java auto-commit and close() after an exception",
        "With the Java client's auto-commit, close() commits the position of every record poll() returned, processed or not.",
    ),
    (
        "A retry without idempotence",
        "With more than one request in flight and idempotence off, a retried record lands after records sent later.",
    ),
    (
        "A lost answer to commitTransaction()",
        "When the answer to commitTransaction() is lost, the client's own retry of EndTxn is safe; an application that gives up and sends its input again duplicates it.",
    ),
    (
        "A restart that never heard its commit",
        "A producer that crashes after EndTxn reached the coordinator restarts without knowing its transaction committed; if it sends the same input again, readers see it twice.",
    ),
    (
        "An error that was not a failure",
        "send() can report an error for a record the broker wrote: the application believes it failed, and sending it again would write it twice.",
    ),
    (
        "A producer that never comes back",
        "A transactional producer that dies for good leaves its transaction open: read_committed readers wait until transaction.timeout.ms, when the coordinator aborts it.",
    ),
    (
        "commitTransaction() timed out, and the application sent again",
        "A TimeoutException from commitTransaction() does not say the commit failed: an application that then closes the producer and sends the transaction's records again writes them twice; calling commitTransaction() again is safe.",
    ),
    (
        "Exactly-once output, read with read_uncommitted",
        "Consume-transform-produce writes its output inside transactions; a downstream reader left at the default read_uncommitted also reads the output of transactions that aborted, so it sees duplicates.",
    ),
    (
        "A slow consumer loses its partition",
        "A group member that takes longer than max.poll.interval.ms between polls is removed and its partition goes to another member at the committed offset, but its application does not stop: both members process the same records.",
    ),
    (
        "The zombie consumer's late commit",
        "A member the group removed still finishes its batch and tries to commit; the group refuses it (CommitFailedException, and for a transaction KIP-447's generation check), so its late output aborts instead of counting twice.",
    ),
];

static LESSONS: [Def; 21] = [
    Def {
        preset: Preset::AtLeastOnce,
        config: |c| Config {
            enable_auto_commit: true,
            auto_commit_style: AutoCommitStyle::BackgroundStored,
            auto_commit_interval_ms: 1_000,
            processing_ms: 2_000,
            ..c
        },
        messages: 3,
        seed: 1,
        faults: &[on(Fault::ConsumerCrashAfterCommit, 2)],
        captions: &[
            (0, "The consumer auto-commits as librdkafka does: a record's offset is stored when the record is handed to the application, and a timer commits stored offsets every second. Processing a record takes 2 s."),
            (30, "poll() hands over m2 (offset 1). Its offset is stored at once, before processing starts."),
            (32, "The timer commits offset 2: the group now counts m2 as done, while it is still being processed."),
            (33, "The consumer crashes before it finishes m2."),
            (53, "The new instance starts at the committed offset 2, after m2, so m2 is never processed. Storing each offset only after processing (enable.auto.offset.store=false) would have kept it."),
        ],
        prompt: "The timer will commit while m2 is being processed, and then the consumer crashes. What becomes of m2?",
        ask_at: 1,
        measure: Measure::Verdict(M2),
        choices: &[
            verdict("Delivered once: the new instance reads m2 again", Verdict::DeliveredOnce),
            verdict("Lost: the committed offset has already passed it", Verdict::Lost),
            verdict("Duplicated: m2 is processed twice", Verdict::Duplicated),
        ],
        source: "librdkafka CONFIGURATION.md: enable.auto.commit, auto.commit.interval.ms, enable.auto.offset.store (\"store offset of last message provided to application\")",
    },
    Def {
        preset: Preset::AtLeastOnce,
        config: same,
        messages: 3,
        seed: 1,
        faults: &[on(Fault::DropAck, 2)],
        captions: &[
            (0, "At least once: acks=all, retries on, enable.idempotence=false. The consumer inserts a row per record and commits after processing."),
            (6, "Once the leader has answered m1 it reads m2, which waited behind it (a broker handles a connection's requests one at a time), and appends it at offset 1; m3 follows at offset 2."),
            (9, "The ACK for m2 is lost on the way back. The connection breaks with it, so m3's ACK is lost too."),
            (17, "The consumer processes m2 from offset 1. The producer still does not know m2 was stored."),
            (301, "After request.timeout.ms (30 s) without an answer, the producer retries m2 and m3."),
            (320, "The leader cannot tell a retry from a new record: m2 was appended again at offset 4 and is processed a second time. enable.idempotence=true prevents this."),
        ],
        prompt: "The producer will retry m2. After the run, how many times has m2 been processed?",
        ask_at: 2,
        measure: Measure::Processed(M2),
        choices: &[
            count("Once: the leader already has m2", 1),
            count("Twice: the retry writes a second copy", 2),
            count("Never: the producer thinks the send failed", 0),
        ],
        source: "Kafka docs, Producer Configs: enable.idempotence (\"If 'false', producer retries due to broker failures, etc., may write duplicates of the retried message in the stream\") and retries",
    },
    Def {
        preset: Preset::AtLeastOnce,
        config: |c| Config { enable_idempotence: Some(true), ..c },
        messages: 3,
        seed: 1,
        faults: &[on(Fault::DropAck, 2)],
        captions: &[
            (0, "The same failure with enable.idempotence=true: the producer has a producer id and numbers its records, m1 sequence 0, m2 sequence 1."),
            (6, "m2 is appended at offset 1 with sequence 1, once m1 is answered."),
            (9, "The ACK for m2 is lost, and m3's with it."),
            (301, "After request.timeout.ms the producer retries m2 with the same producer id and sequence number."),
            (304, "The leader finds sequence 1 among the last 5 batches it keeps for this producer and answers with the original offset 1 instead of appending again."),
        ],
        prompt: "The producer will retry m2. How many copies of m2 will the log hold?",
        ask_at: 2,
        measure: Measure::LogCopies(M2),
        choices: &[
            count("One: the leader recognises the retry", 1),
            count("Two: a retry is always appended", 2),
        ],
        source: "KIP-98, Idempotent Producer (producer id and per-partition sequence numbers); Kafka docs, Producer Configs: enable.idempotence (\"exactly one copy of each message is written in the stream\")",
    },
    Def {
        preset: Preset::AtLeastOnce,
        config: |c| Config { enable_idempotence: Some(true), ..c },
        messages: 3,
        seed: 1,
        faults: &[on(Fault::AppResendAfterTimeout, 2)],
        captions: &[
            (0, "enable.idempotence=true, but the application has its own deadline for send(), shorter than a round trip, and calls send() again when it passes."),
            (1, "The application sends m2; the producer gives it sequence 1."),
            (2, "The deadline passes and the application calls send() again; the producer gives this send sequence 2."),
            (8, "The leader has appended both, m2 at offset 1 (sequence 1) and at offset 2 (sequence 2): different sequence numbers are different records."),
            (20, "The consumer processes m2 twice and inserts two rows. Only a deduplicating sink (upsert by message id) absorbs an application re-send."),
        ],
        prompt: "The application has sent m2 twice. How many copies of m2 will the log hold?",
        ask_at: 2,
        measure: Measure::LogCopies(M2),
        choices: &[
            count("One: idempotence drops the second send", 1),
            count("Two: the second send is a new record", 2),
        ],
        source: "KIP-98, Idempotent Producer: sequence numbers are assigned by the producer client per record, so a record sent again by the application is a new record",
    },
    Def {
        preset: Preset::AtLeastOnce,
        config: same,
        messages: 3,
        seed: 1,
        faults: &[on(Fault::ConsumerCrashAfterProcessing, 2)],
        captions: &[
            (0, "At least once on the consumer side: poll(), process each record (insert a row), then commitSync()."),
            (15, "poll() returns m2 and m3. The group's committed offset is 1."),
            (17, "m2's row is inserted, then the consumer crashes before it commits."),
            (37, "A new instance starts at the committed offset 1, so it reads m2 again."),
            (41, "m2 is processed a second time and a second row is inserted. The offset commit and the insert are not atomic."),
        ],
        prompt: "After the restart, how many rows will the database hold for m2?",
        ask_at: 2,
        measure: Measure::Effects(M2),
        choices: &[
            count("One: the consumer resumes after m2", 1),
            count("Two: m2 is read and inserted again", 2),
            count("None: the crash rolls back the insert", 0),
        ],
        source: "Kafka docs 4.6 Message Delivery Semantics: read, process, then save the position; a crash before the position is saved makes the next process reprocess (at-least-once)",
    },
    Def {
        preset: Preset::AtLeastOnce,
        config: |c| Config { acks: Acks::One, ..c },
        messages: 3,
        seed: 1,
        faults: &[on(Fault::LeaderCrashUnreplicatedAfterAck, 2)],
        captions: &[
            (0, "acks=1: the leader answers as soon as it has appended a record, before the follower copies it."),
            (1, "m1 is appended at offset 0; m2 and m3 are on their way to the leader."),
            (3, "m2 is appended at offset 1 and the leader sends its ACK; then the leader crashes before the follower fetched m2."),
            (5, "The producer is told m2 is stored at offset 1, so it will never send it again."),
            (93, "The controller fences the old leader and elects the follower, which never had m2. The old leader truncates its log to match."),
            (99, "The consumer reads m1 and m3 only. acks=all would have waited for the follower before answering."),
        ],
        prompt: "The leader will acknowledge m2, then crash before the follower copies it. What becomes of m2?",
        ask_at: 1,
        measure: Measure::Verdict(M2),
        choices: &[
            verdict("Delivered once: it was acknowledged", Verdict::DeliveredOnce),
            verdict("Lost: only the crashed leader had it", Verdict::Lost),
            verdict("Duplicated: the producer retries it", Verdict::Duplicated),
        ],
        source: "Kafka docs, Producer Configs: acks=1 (\"should the leader fail immediately after acknowledging the record but before the followers have replicated it then the record will be lost\")",
    },
    Def {
        preset: Preset::ExactlyOnceKafka,
        config: |c| Config { isolation_level: IsolationLevel::ReadUncommitted, ..c },
        messages: 3,
        seed: 1,
        faults: &[on(Fault::TransactionAbort, 2)],
        captions: &[
            (0, "The producer writes each message in its own transaction; the consumer keeps the default isolation.level=read_uncommitted."),
            (14, "m2 is appended at offset 2 inside an open transaction."),
            (18, "The application aborts m2's transaction; the coordinator writes an ABORT marker after m2."),
            (21, "The consumer has processed m2 anyway: read_uncommitted returns every record below the high watermark, aborted ones included."),
            (31, "m3's transaction commits and m3 is processed as usual. isolation.level=read_committed would have skipped m2."),
        ],
        prompt: "m2's transaction is aborted. Will the consumer process m2?",
        ask_at: 2,
        measure: Measure::Processed(M2),
        choices: &[
            count("No: aborted records are never returned", 0),
            count("Yes, once: this consumer reads aborted records too", 1),
        ],
        source: "Kafka docs, Consumer Configs: isolation.level (\"If set to read_uncommitted (the default), consumer.poll() will return all messages, even transactional messages which have been aborted\"); KIP-98",
    },
    Def {
        preset: Preset::ExactlyOnceKafka,
        config: same,
        messages: 3,
        seed: 1,
        faults: &[on(Fault::ConsumerCrashAfterProcessing, 2)],
        captions: &[
            (0, "Exactly once, Kafka to Kafka: the consuming application writes its output and its offsets in the same transaction; readers use isolation.level=read_committed."),
            (25, "The application reads m2 and processes it."),
            (27, "m2's output is written inside the open transaction, then the application crashes before committing it."),
            (47, "The restarted instance uses the same transactional.id: its predecessor's open transaction is aborted, m2's output with it, and it resumes at the committed offset 2."),
            (52, "m2 is processed again and its output committed once: processed twice, one effect."),
        ],
        prompt: "m2 was processed but its transaction never committed. How many copies of m2's output will a read_committed reader see?",
        ask_at: 2,
        measure: Measure::Effects(M2),
        choices: &[
            count("One: the first output is aborted", 1),
            count("Two: m2 is processed twice", 2),
            count("None: the crash loses m2", 0),
        ],
        source: "KIP-98, Transactional Messaging (atomic writes across partitions, offsets in the transaction, read_committed) and KIP-447; Kafka docs, Producer Configs: transactional.id",
    },
    Def {
        preset: Preset::ExactlyOnceKafka,
        config: |c| Config { sink: SinkKind::DbInsert, ..c },
        messages: 3,
        seed: 1,
        faults: &[on(Fault::DbWriteThenDie, 2)],
        captions: &[
            (0, "Exactly-once settings (transactions, read_committed), but the application inserts each result into a database, outside Kafka's transaction."),
            (25, "The application reads m2."),
            (27, "The database insert of m2 commits, then the process dies before the Kafka transaction holding its offset commits."),
            (47, "The restart aborts the open transaction and resumes at the committed offset 2, before m2."),
            (52, "m2 is inserted again: two rows. Kafka can abort its own writes, not a database's."),
        ],
        prompt: "The insert of m2 committed but the offset did not. How many rows will the database hold for m2?",
        ask_at: 2,
        measure: Measure::Effects(M2),
        choices: &[
            count("One: exactly-once covers the insert", 1),
            count("Two: the insert happens again", 2),
        ],
        source: "KIP-98: transactions make writes to Kafka topics and consumer offsets atomic, nothing outside Kafka; Kafka docs 4.6 Message Delivery Semantics (for external systems, store the output and the offset together)",
    },
    Def {
        preset: Preset::ExactlyOnceDatabase,
        config: same,
        messages: 3,
        seed: 1,
        faults: &[on(Fault::DbWriteThenDie, 2)],
        captions: &[
            (0, "At least once, into a database that upserts each result by message id."),
            (15, "poll() returns m2 and m3."),
            (17, "m2's row is written, then the process dies before committing the offset."),
            (37, "The restart resumes at the committed offset 1 and reads m2 again."),
            (41, "The upsert overwrites m2's row: processed twice, one effect. Storing the offset in the same database transaction works too."),
        ],
        prompt: "m2 will be processed again. How many rows will the database hold for m2?",
        ask_at: 2,
        measure: Measure::Effects(M2),
        choices: &[
            count("One: the upsert overwrites the row", 1),
            count("Two: every processing run writes a row", 2),
        ],
        source: "Kafka docs 4.6 Message Delivery Semantics (at-least-once reprocesses; for external systems, make the output idempotent or store the offset with it); KafkaConsumer javadoc, Storing Offsets Outside Kafka",
    },
    Def {
        preset: Preset::ExactlyOnceKafka,
        config: same,
        messages: 3,
        seed: 1,
        faults: &[on(Fault::ZombieProducer, 2)],
        captions: &[
            (0, "A transactional producer (transactional.id set) writes each message in a transaction of its own; the consumer reads with read_committed."),
            (14, "The producer sends m2 and freezes (a long GC pause, say) with its transaction open."),
            (35, "A replacement starts with the same transactional.id, and the coordinator bumps the producer epoch."),
            (39, "The new epoch fenced the old instance and its open transaction was aborted, m2's first copy with it. The replacement writes m2 again, at offset 4, and commits it."),
            (77, "The old instance wakes up and tries to commit: the coordinator refuses with PRODUCER_FENCED."),
        ],
        prompt: "Both instances will have written m2. How many copies of m2 will a read_committed consumer see?",
        ask_at: 2,
        measure: Measure::VisibleReadCommitted(M2),
        choices: &[
            count("None: the abort removes m2", 0),
            count("One: the zombie's copy is aborted", 1),
            count("Two: both instances wrote it", 2),
        ],
        source: "KIP-98, Transactional Guarantees and zombie fencing: InitProducerId bumps the epoch of the transactional.id, aborts its open transaction and fences older epochs (ProducerFencedException)",
    },
    Def {
        preset: Preset::AtLeastOnce,
        config: |c| Config { enable_auto_commit: true, auto_commit_style: AutoCommitStyle::JavaPoll, ..c },
        messages: 3,
        seed: 1,
        faults: &[on(Fault::ProcessingThrows, 2)],
        captions: &[
            (0, "The Java consumer with enable.auto.commit=true: poll() and close() commit the position after every record poll() has returned."),
            (12, "poll() returns m2. Processing m2 throws, and the application's finally block calls close()."),
            (14, "close() auto-committed offset 2, past m2, though it was not processed."),
            (32, "The restarted consumer starts at offset 2: m2 is never processed. Committing manually after processing keeps it."),
        ],
        prompt: "Processing m2 threw and the consumer is closing. What becomes of m2?",
        ask_at: 1,
        measure: Measure::Verdict(M2),
        choices: &[
            verdict("Delivered once: the restart reads it again", Verdict::DeliveredOnce),
            verdict("Lost: close() commits past it", Verdict::Lost),
            verdict("Duplicated: it is processed twice", Verdict::Duplicated),
        ],
        source: "KafkaConsumer javadoc: close() (\"If auto-commit is enabled, this will commit the current offsets\") and Automatic Offset Committing; ConsumerCoordinator.close (maybeAutoCommitOffsetsSync)",
    },
    Def {
        preset: Preset::AtLeastOnce,
        config: same,
        messages: 3,
        seed: 1,
        faults: &[on(Fault::NetworkDelayReorder, 1)],
        captions: &[
            (0, "At least once with enable.idempotence=false and up to 5 requests in flight (max.in.flight.requests.per.connection=5)."),
            (1, "m1's request arrives damaged; the leader refuses it with CORRUPT_MESSAGE, a retriable error."),
            (3, "While m1 waits to be retried, m2, already in flight, is appended at offset 0; m3 follows at offset 1."),
            (9, "The retry of m1 is appended at offset 2, after messages sent later."),
            (18, "The consumer processes m2, m3, then m1. enable.idempotence=true, or one request in flight, keeps send order across retries."),
        ],
        prompt: "m1 will be retried. Where does it end up?",
        ask_at: 1,
        measure: Measure::Verdict(M1),
        choices: &[
            verdict("In order: the producer keeps send order", Verdict::DeliveredOnce),
            verdict("After m2 and m3: reordered", Verdict::Reordered),
            verdict("Lost: the leader refused it", Verdict::Lost),
        ],
        source: "Kafka docs, Producer Configs: max.in.flight.requests.per.connection (\"if set to greater than 1 and enable.idempotence is set to false, there is a risk of message reordering after a failed send due to retries\")",
    },
    Def {
        preset: Preset::ExactlyOnceKafka,
        config: same,
        messages: 3,
        seed: 1,
        faults: &[on(Fault::DropEndTxnResponse, 1)],
        captions: &[
            (0, "Exactly once, Kafka to Kafka: every message is its own transaction, and consumers read with isolation.level=read_committed. commitTransaction() sends EndTxn to the transaction coordinator and waits for its answer."),
            (12, "EndTxn(commit) for m1's transaction reaches the coordinator, which writes the COMMIT marker. Its answer to the producer is lost on the way."),
            (15, "The consumer reads m1: the transaction is committed, whatever the producer has heard."),
            (311, "commitTransaction() is still waiting. After request.timeout.ms the client sends EndTxn again."),
            (315, "The coordinator answers a retry for a transaction it has committed with the same result: no second marker, no second copy. commitTransaction() returns and m2 goes out. Had the application given up and sent m1 again, m1 would be in the output twice."),
        ],
        prompt: "The coordinator has committed, but its answer is lost and the client will send EndTxn again. How many copies of m1 will read_committed consumers see?",
        ask_at: 1,
        measure: Measure::VisibleReadCommitted(M1),
        choices: &[
            count("One: the retry finds the transaction committed already", 1),
            count("Two: the retry commits m1 a second time", 2),
            count("None: an unanswered commit is rolled back", 0),
        ],
        source: "KafkaProducer.commitTransaction javadoc (a TimeoutException \"does not mean the request did not actually reach the broker ... It is safe to retry\"); TransactionCoordinator.handleEndTransaction",
    },
    Def {
        preset: Preset::ExactlyOnceKafka,
        config: same,
        messages: 3,
        seed: 1,
        faults: &[on(Fault::ProducerCrashAfterEndTxn, 1)],
        captions: &[
            (0, "Exactly once, Kafka to Kafka: every message is its own transaction, the transactional.id is fixed, and consumers read with read_committed."),
            (12, "EndTxn(commit) for m1's transaction reaches the coordinator, which writes the COMMIT marker. At that moment the producer process crashes, before the answer arrives."),
            (36, "A new instance starts with the same transactional.id; InitProducerId bumps the epoch and fences the old instance. The application never learnt m1 was committed, so it sends m1 again."),
            (42, "m1's second transaction commits too: fencing aborts a transaction left open, never one that committed."),
            (47, "The consumer processes m1 a second time. A restarted application must resume after what it committed (from its own committed input offsets, say), not after what it heard."),
        ],
        prompt: "The coordinator committed m1's transaction, but the producer crashed before hearing so and restarts with the same transactional.id. What becomes of m1?",
        ask_at: 1,
        measure: Measure::Verdict(M1),
        choices: &[
            verdict("Delivered once: the new epoch fences the old transaction", Verdict::DeliveredOnce),
            verdict("Duplicated: the restart sends m1 again and that commits too", Verdict::Duplicated),
            verdict("Aborted: the restart rolls the transaction back", Verdict::AbortedInvisible),
        ],
        source: "KIP-98, zombie fencing (InitProducerId aborts an incomplete transaction of the previous epoch); KafkaProducer.initTransactions javadoc",
    },
    Def {
        preset: Preset::AtLeastOnce,
        config: |c| Config { acks: Acks::One, retries: 0, ..c },
        messages: 3,
        seed: 1,
        faults: &[on(Fault::DropAck, 1)],
        captions: &[
            (0, "acks=1 and retries=0: the producer gives up on a record at its first error. The consumer commits after processing each record."),
            (1, "The leader appends m1 at offset 0 and answers, but the ACK is lost on the way back, and the connection with it: the ACKs for m2 and m3 are lost too."),
            (5, "Consumers read what the log holds: m1 is processed."),
            (300, "request.timeout.ms passes without an answer: send() fails for m1, m2 and m3. The application is told all three failed, yet each is in the log and was processed. Sending them again would write each a second time."),
        ],
        prompt: "The ACK for m1 is lost and retries=0, so send() will report an error. What becomes of m1?",
        ask_at: 1,
        measure: Measure::Verdict(M1),
        choices: &[
            verdict("Failed and reported: the error says it did not happen", Verdict::FailedAndReported),
            verdict("Delivered once: it is in the log and processed, despite the error", Verdict::DeliveredOnce),
            verdict("Lost: nobody retries it", Verdict::Lost),
        ],
        source: "Kafka docs 4.6, Message Delivery Semantics (a producer that gets no response cannot tell whether the message was committed); Producer Configs, retries",
    },
    Def {
        preset: Preset::ExactlyOnceKafka,
        config: same,
        messages: 3,
        seed: 1,
        faults: &[on(Fault::ProducerCrashStaysDown, 2)],
        captions: &[
            (0, "Exactly once, Kafka to Kafka: every message is its own transaction, and consumers read with read_committed. No one will restart this producer."),
            (14, "m1's transaction has committed. The producer sends m2, which opens a transaction, and its process dies right after."),
            (15, "The leader appends m2 inside the open transaction. No commit and no abort will come from the producer, and the last stable offset stops before m2."),
            (615, "transaction.timeout.ms (60 s) after the transaction began, the coordinator fences the producer id and aborts it. read_committed consumers skip m2; m3 was never sent at all."),
        ],
        prompt: "The producer dies for good with m2's transaction open. What do read_committed consumers get of m2?",
        ask_at: 1,
        measure: Measure::Verdict(M2),
        choices: &[
            verdict("It is delivered once: the leader has it", Verdict::DeliveredOnce),
            verdict("Nothing: the coordinator aborts the transaction after its timeout", Verdict::AbortedInvisible),
            verdict("Lost: the leader drops it", Verdict::Lost),
        ],
        source: "KIP-98, transaction.timeout.ms (the coordinator proactively aborts a transaction that has been open longer); Producer Configs, transaction.timeout.ms",
    },
    Def {
        preset: Preset::ExactlyOnceKafka,
        config: |c| Config { max_block_ms: 20_000, commit_timeout: CommitTimeout::Close, resend_on_error: true, ..c },
        messages: 3,
        seed: 1,
        faults: &[on(Fault::DropEndTxnResponse, 1)],
        captions: &[
            (0, "Exactly once, Kafka to Kafka, with commitTransaction() allowed to block 20 s (max.block.ms=20000), less than the 30 s after which the client sends a lost EndTxn again. When it times out, this application closes the producer and sends the transaction's records again."),
            (12, "EndTxn(commit) for m1's transaction reaches the coordinator, which writes the COMMIT marker. Its answer is lost on the way back to the producer."),
            (211, "20 s after it was called, commitTransaction() throws TimeoutException. The application takes the transaction as failed, closes the producer and starts a new one with the same transactional.id."),
            (235, "The new instance's InitProducerId finds nothing to complete: the commit went through. The application sends m1 again, in a new transaction, which commits too."),
            (246, "read_committed consumers read m1 a second time. Had the application called commitTransaction() again, the call would have waited for the first commit and nothing would have been written twice."),
        ],
        prompt: "commitTransaction() for m1 times out and the application re-sends m1 in a new transaction. How many copies of m1 will read_committed consumers see?",
        ask_at: 2,
        measure: Measure::VisibleReadCommitted(M1),
        choices: &[
            count("One: the timeout means the first commit failed", 1),
            count("Two: the first commit went through, and the re-send commits too", 2),
            count("None: fencing aborts both", 0),
        ],
        source: "KafkaProducer.commitTransaction javadoc (a TimeoutException does not mean the request did not reach the broker; it is safe to retry; if not retrying, the only option is to close the producer); Producer Configs, max.block.ms",
    },
    Def {
        preset: Preset::ExactlyOnceKafka,
        config: same,
        messages: 3,
        seed: 1,
        faults: &[on(Fault::ConsumerCrashAfterProcessing, 2)],
        captions: &[
            (0, "Exactly once, Kafka to Kafka: the consumer application writes each result to an output topic and commits its input offsets in the same transaction. Downstream, the output topic has a reader with read_committed and a reader with read_uncommitted (the consumer default)."),
            (27, "The application has written m2's result into the output topic, inside its open transaction, and crashes before committing it."),
            (47, "A new instance starts; the crashed instance's transaction is aborted, and an ABORT marker follows m2's first result in the output topic. The new instance resumes at the committed input offset: m2 again."),
            (52, "m2 is processed a second time and its result written again, in a new transaction, which commits."),
            (57, "The read_committed reader skipped the aborted result: one copy of m2's output. The read_uncommitted reader read both."),
        ],
        prompt: "m2's first result was written in a transaction that aborted, and m2 is processed again. How many copies of m2's result will the read_uncommitted reader of the output topic read?",
        ask_at: 2,
        measure: Measure::OutputReadUncommitted(M2),
        choices: &[
            count("One: exactly once holds for every reader", 1),
            count("Two: read_uncommitted also reads the aborted transaction's output", 2),
            count("None: the crash discards the output", 0),
        ],
        source: "KIP-98 (consumers with isolation.level=read_committed skip aborted transactions' records); Consumer Configs, isolation.level (default read_uncommitted)",
    },
    Def {
        preset: Preset::AtLeastOnce,
        config: group_of_two,
        messages: 3,
        seed: 1,
        faults: &[on(Fault::ProcessingStall, 2)],
        captions: &[
            (0, "At least once, with two consumers in one group. The topic has one partition: consumer 1 reads it and consumer 2 stands by. Each commits after processing its batch; max.poll.interval.ms is 3 s here."),
            (15, "Consumer 1's poll() returns m2 and m3, and processing m2 hangs."),
            (45, "3 s without a poll: consumer 1's client leaves the group. The coordinator rebalances, and consumer 2 takes the partition at the committed offset: m2."),
            (52, "Consumer 2 processes m2 and m3 and commits offset 3. Consumer 1 is still inside m2: nothing stopped its application."),
            (73, "Consumer 1 finishes its batch, m2 and m3 a second time, and its commit is refused: it is no longer in the group. It rejoins, and the range assignor gives it the partition back at offset 3."),
        ],
        prompt: "Consumer 1 is stuck in m2 past max.poll.interval.ms, and the group will give its partition to consumer 2. How many times will m2 be processed?",
        ask_at: 1,
        measure: Measure::Processed(M2),
        choices: &[
            count("Once: losing the partition discards the slow member's work", 1),
            count("Twice: the new owner starts at the committed offset while the slow one finishes", 2),
            count("Never: the rebalance skips it", 0),
        ],
        source: "Consumer Configs, max.poll.interval.ms (the group rebalances to reassign the partitions to another member); KafkaConsumer javadoc, Detecting Consumer Failures; ConsumerCoordinator.onJoinPrepare",
    },
    Def {
        preset: Preset::ExactlyOnceKafka,
        config: group_of_two,
        messages: 3,
        seed: 1,
        faults: &[on(Fault::ProcessingStall, 2)],
        captions: &[
            (0, "Exactly once, Kafka to Kafka, with two consumers in a group: consumer 1 reads the partition, consumer 2 stands by. Each commits its input offsets in the transaction that writes its output, with its group metadata (sendOffsetsToTransaction)."),
            (25, "Consumer 1 polls m2, and processing it hangs."),
            (55, "3 s without a poll: consumer 1 leaves the group, and generation 2 gives the partition to consumer 2 at the committed offset: m2."),
            (63, "Consumer 2 processes m2 and m3 and commits its transaction: output and offsets together."),
            (78, "Consumer 1 wakes up, writes m2's output and commits. Its generation is stale: the coordinator refuses its offsets (KIP-447), and the whole transaction, output included, aborts."),
        ],
        prompt: "Consumer 1 is stuck in m2 past max.poll.interval.ms; consumer 2 will take over and process m2 too, and consumer 1 will finish it later. How many copies of m2's output will read_committed readers see?",
        ask_at: 1,
        measure: Measure::Effects(M2),
        choices: &[
            count("One: the zombie's late commit is refused, and its output aborts with it", 1),
            count("Two: both members' transactions commit", 2),
            count("None: the rebalance aborts both", 0),
        ],
        source: "KIP-447 (the offsets sent to a transaction carry the consumer group metadata, and a member of an old generation is fenced); KafkaProducer.sendOffsetsToTransaction javadoc (CommitFailedException if the consumer has been kicked out of the group)",
    },
];
