//! Every setting, named as in Kafka's configuration, and the configuration as Java properties and
//! as a confluent-kafka Python dict. A change restarts the run; a combination Kafka would refuse is
//! refused here too, with Kafka's reason.

use delivery_lab::{Acks, AutoCommitStyle, CommitTimeout, Config, IsolationLevel, ManualCommit, OffsetReset, SinkKind};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::explorer_protocol::{ExportTask, Reply, Task};
use crate::lab::Action;
use crate::ui::worker::{run_once, JobSlot};

#[derive(Properties, PartialEq)]
pub struct SettingsProps {
    pub config: Config,
    /// Why the last change was refused, if it was.
    pub error: Option<String>,
    pub dispatch: Callback<Action>,
}

/// A select over a fixed set of values; `set` writes the chosen one into a copy of the config.
/// Only this shim is generic: the select itself is built once for every type of value.
fn choice<T: Copy + PartialEq + 'static>(
    props: &SettingsProps,
    name: &'static str,
    help: &'static str,
    current: T,
    options: &'static [(T, &'static str)],
    set: fn(&mut Config, T),
) -> Html {
    let labels: Vec<&'static str> = options.iter().map(|(_, label)| *label).collect();
    let selected = options.iter().position(|(value, _)| *value == current);
    select(props, name, help, labels, selected, Box::new(move |config, i| set(config, options[i].0)))
}

fn select(
    props: &SettingsProps,
    name: &'static str,
    help: &'static str,
    labels: Vec<&'static str>,
    selected: Option<usize>,
    set: Box<dyn Fn(&mut Config, usize)>,
) -> Html {
    let config = props.config.clone();
    let dispatch = props.dispatch.clone();
    let options = labels.clone();
    let onchange = Callback::from(move |event: Event| {
        let select: HtmlSelectElement = event.target_unchecked_into();
        if let Some(i) = options.iter().position(|label| *label == select.value()) {
            let mut next = config.clone();
            set(&mut next, i);
            dispatch.emit(Action::SetConfig(next));
        }
    });
    let id = field_id(name);
    html! {
        <label class="setting" for={id.clone()} title={help}>
            <code class="setting-name">{ name }</code>
            <select id={id} {onchange}>
                { for labels.iter().enumerate().map(|(i, label)| html! {
                    <option value={*label} selected={selected == Some(i)}>{ *label }</option>
                }) }
            </select>
        </label>
    }
}

/// A number field; `set` writes the value into a copy of the config.
fn number(
    props: &SettingsProps,
    name: &'static str,
    help: &'static str,
    current: u32,
    set: fn(&mut Config, u32),
) -> Html {
    let config = props.config.clone();
    let dispatch = props.dispatch.clone();
    let onchange = Callback::from(move |event: Event| {
        let input: HtmlInputElement = event.target_unchecked_into();
        if let Ok(value) = input.value().trim().parse::<u32>() {
            let mut next = config.clone();
            set(&mut next, value);
            dispatch.emit(Action::SetConfig(next));
        }
    });
    let id = field_id(name);
    html! {
        <label class="setting" for={id.clone()} title={help}>
            <code class="setting-name">{ name }</code>
            <input id={id} type="number" min="0" value={current.to_string()} {onchange} />
        </label>
    }
}

fn field_id(name: &str) -> String {
    format!("setting-{}", name.replace('.', "-"))
}

const ACKS: &[(Acks, &str)] = &[(Acks::Zero, "0"), (Acks::One, "1"), (Acks::All, "all")];
const IDEMPOTENCE: &[(Option<bool>, &str)] =
    &[(None, "not set (default)"), (Some(true), "true"), (Some(false), "false")];
const TRANSACTIONAL: &[(bool, &str)] = &[(false, "not set"), (true, "delivery-lab-producer")];
const COMMIT_TIMEOUT: &[(CommitTimeout, &str)] =
    &[(CommitTimeout::Retry, "call commitTransaction() again"), (CommitTimeout::Close, "close the producer, take it as failed")];
const REPLICATION: &[(u8, &str)] = &[(1, "1"), (2, "2")];
const MIN_ISR: &[(u8, &str)] = &[(1, "1"), (2, "2")];
const BOOL: &[(bool, &str)] = &[(false, "false"), (true, "true")];
const ISOLATION: &[(IsolationLevel, &str)] =
    &[(IsolationLevel::ReadUncommitted, "read_uncommitted"), (IsolationLevel::ReadCommitted, "read_committed")];
const RESET: &[(OffsetReset, &str)] = &[(OffsetReset::Earliest, "earliest"), (OffsetReset::Latest, "latest")];
const AUTO_STYLE: &[(AutoCommitStyle, &str)] = &[
    (AutoCommitStyle::JavaPoll, "Java client: inside poll()"),
    (AutoCommitStyle::BackgroundStored, "librdkafka: background, stored offsets"),
];
const MANUAL: &[(ManualCommit, &str)] = &[
    (ManualCommit::AfterProcessing, "commitSync after processing"),
    (ManualCommit::BeforeProcessing, "commitSync before processing"),
    (ManualCommit::InTransaction, "sendOffsetsToTransaction"),
    (ManualCommit::SyncAfterTransaction, "commitTransaction, then commitSync"),
];
const SINKS: &[(SinkKind, &str)] = &[
    (SinkKind::None, "none"),
    (SinkKind::OutputTopic, "output topic"),
    (SinkKind::OutputTopicInTransaction, "output topic, in the transaction"),
    (SinkKind::DbInsert, "database: INSERT"),
    (SinkKind::DbUpsertMessageId, "database: UPSERT by message id"),
    (SinkKind::DbUpsertOffset, "database: UPSERT by offset"),
    (SinkKind::DbOffsetsInDb, "database: rows and offsets in one transaction"),
];

#[function_component(Settings)]
pub fn settings(props: &SettingsProps) -> Html {
    let c = &props.config;
    let export = use_config_export(c);
    html! {
        <div class="settings">
            if let Some(error) = &props.error {
                <p class="error" role="alert">
                    { format!("Kafka would refuse this: {error}. The last valid settings stay in force.") }
                </p>
            }
            <div class="setting-groups">
                <fieldset>
                    <legend>{ "Producer" }</legend>
                    { choice(props, "acks", "How many replicas must have a record before the leader answers",
                        c.acks, ACKS, |c, v| c.acks = v) }
                    { number(props, "retries", "Retries of a failed send (bounded by delivery.timeout.ms)",
                        c.retries, |c, v| c.retries = v) }
                    { choice(props, "enable.idempotence", "Producer id and sequence numbers: the broker drops retried duplicates",
                        c.enable_idempotence, IDEMPOTENCE, |c, v| c.enable_idempotence = v) }
                    { number(props, "max.in.flight.requests.per.connection", "Requests sent before earlier ones are answered",
                        c.max_in_flight, |c, v| c.max_in_flight = v) }
                    { choice(props, "transactional.id", "Set, it turns on transactions and zombie fencing",
                        c.transactional_id.is_some(), TRANSACTIONAL,
                        |c, v| c.transactional_id = v.then(|| "delivery-lab-producer".to_owned())) }
                    { number(props, "request.timeout.ms", "How long the client waits for an answer before retrying",
                        c.request_timeout_ms, |c, v| c.request_timeout_ms = v) }
                    { number(props, "delivery.timeout.ms", "The bound on reporting success or failure after send()",
                        c.delivery_timeout_ms, |c, v| c.delivery_timeout_ms = v) }
                    { number(props, "transaction.timeout.ms", "An open transaction of a dead producer is aborted after this",
                        c.transaction_timeout_ms, |c, v| c.transaction_timeout_ms = v) }
                    { number(props, "max.block.ms", "How long commitTransaction() waits before it throws TimeoutException",
                        c.max_block_ms, |c, v| c.max_block_ms = v) }
                    { choice(props, "lab.commit.timeout", "What the application does when commitTransaction() times out",
                        c.commit_timeout, COMMIT_TIMEOUT, |c, v| c.commit_timeout = v) }
                    { choice(props, "lab.resend.on.error", "The application sends the message again when send() fails (a new record)",
                        c.resend_on_error, BOOL, |c, v| c.resend_on_error = v) }
                </fieldset>
                <fieldset>
                    <legend>{ "Topic and broker" }</legend>
                    { choice(props, "replication.factor", "Copies of the partition: the leader, and a follower when 2",
                        c.replication_factor, REPLICATION, |c, v| c.replication_factor = v) }
                    { choice(props, "min.insync.replicas", "With acks=all, fewer in-sync replicas than this refuses writes",
                        c.min_insync_replicas, MIN_ISR, |c, v| c.min_insync_replicas = v) }
                    { choice(props, "unclean.leader.election.enable", "Let an out-of-sync replica lead (and lose data)",
                        c.unclean_leader_election, BOOL, |c, v| c.unclean_leader_election = v) }
                </fieldset>
                <fieldset>
                    <legend>{ "Consumer" }</legend>
                    { choice(props, "enable.auto.commit", "Commit offsets automatically",
                        c.enable_auto_commit, BOOL, |c, v| c.enable_auto_commit = v) }
                    { number(props, "auto.commit.interval.ms", "How often auto-commit commits",
                        c.auto_commit_interval_ms, |c, v| c.auto_commit_interval_ms = v) }
                    { choice(props, "lab.auto.commit.style", "Which client's auto-commit the lab models",
                        c.auto_commit_style, AUTO_STYLE, |c, v| c.auto_commit_style = v) }
                    { choice(props, "lab.manual.commit", "When the application commits with auto-commit off",
                        c.manual_commit, MANUAL, |c, v| c.manual_commit = v) }
                    { choice(props, "isolation.level", "read_committed reads up to the last stable offset only",
                        c.isolation_level, ISOLATION, |c, v| c.isolation_level = v) }
                    { choice(props, "auto.offset.reset", "Where a consumer without a committed offset starts",
                        c.auto_offset_reset, RESET, |c, v| c.auto_offset_reset = v) }
                    { number(props, "max.poll.interval.ms", "A consumer that does not poll for this long leaves its group",
                        c.max_poll_interval_ms, |c, v| c.max_poll_interval_ms = v) }
                </fieldset>
                <fieldset>
                    <legend>{ "Application" }</legend>
                    { choice(props, "lab.sink", "Where processing leaves its effect",
                        c.sink, SINKS, |c, v| c.sink = v) }
                    { number(props, "lab.processing.ms", "How long processing one record takes",
                        c.processing_ms, |c, v| c.processing_ms = v) }
                    { number(props, "lab.send.interval.ms", "Time between two sends of the application",
                        c.send_interval_ms, |c, v| c.send_interval_ms = v) }
                    { number(props, "lab.network.latency.ms", "One-way latency of every network link",
                        c.network_latency_ms, |c, v| c.network_latency_ms = v) }
                </fieldset>
            </div>
            { export }
        </div>
    }
}

/// The configuration as a learner would paste it into a real client, with copy buttons: written
/// by the worker when the reader opens it (the page carries neither the writers nor their texts),
/// and again when a setting changes while it is open.
/// A hook of `Settings` rather than a component of its own: one component less in the page.
#[hook]
fn use_config_export(config: &Config) -> Html {
    let open = use_state(|| false);
    let texts = use_state(|| None::<Result<[String; 2], String>>);
    let copied = use_state(|| None::<&'static str>);
    let job: JobSlot = use_mut_ref(|| None);
    {
        let (texts, job) = (texts.clone(), job.clone());
        use_effect_with((*open, config.clone()), move |(open, config)| {
            if *open {
                let task = Task::Export(ExportTask { config: config.to_value().to_string() });
                let pick = |reply| if let Reply::Export(done) = reply { Some([done.java, done.python]) } else { None };
                run_once(&job, &task, pick, move |export| texts.set(Some(export)));
            }
        });
    }
    let ontoggle = {
        let open = open.clone();
        Callback::from(move |event: Event| open.set(event.target_unchecked_into::<web_sys::Element>().has_attribute("open")))
    };
    let block = |i: usize, what: &'static str, title: &'static str, text: &str| {
        let copy = {
            let (copied, text) = (copied.clone(), text.to_owned());
            Callback::from(move |_| {
                if let Some(window) = web_sys::window() {
                    // Clipboard access may be refused (an embedding frame, an insecure origin); the
                    // text stays selectable in the page either way.
                    let _ = window.navigator().clipboard().write_text(&text);
                    copied.set(Some(what));
                }
            })
        };
        html! {
            <div class="export-block">
                <div class="export-head">
                    <h3 class="subhead">{ title }</h3>
                    <button type="button" class="chip" onclick={copy}>
                        { if *copied == Some(what) { "Copied" } else { "Copy" } }
                    </button>
                </div>
                <pre tabindex="0" aria-label={title} class={["export-java", "export-python"][i]}>{ text }</pre>
            </div>
        }
    };
    html! {
        <details class="config-export-details" {ontoggle}>
            <summary>{ "These settings in a real client (Java, Python)" }</summary>
            <div class="config-export" aria-live="polite">
                { match &*texts {
                    None => html! { <p class="muted">{ "Writing the settings…" }</p> },
                    Some(Err(message)) => html! { <p class="error" role="alert">{ format!("The settings could not be written: {message}") }</p> },
                    Some(Ok([java, python])) => html! {
                        <>
                            { block(0, "java", "Java properties", java) }
                            { block(1, "python", "Python (confluent-kafka)", python) }
                        </>
                    },
                } }
            </div>
        </details>
    }
}
