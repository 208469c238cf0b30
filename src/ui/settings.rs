//! Every setting, named as in Kafka's configuration, and the configuration as Java properties and
//! as a confluent-kafka Python dict. A change restarts the run; a combination Kafka would refuse is
//! refused here too, with Kafka's reason.

use delivery_lab::Config;
use serde_json::Value;
use yew::prelude::*;

use crate::lab::Action;

/// A setting's value as the configuration's JSON form has it (`Config::set` reads it).
#[derive(Clone, Copy)]
enum J {
    Null,
    Bool(bool),
    Num(u32),
    Str(&'static str),
}

impl J {
    fn value(self) -> Value {
        match self {
            J::Null => Value::Null,
            J::Bool(on) => Value::Bool(on),
            J::Num(n) => Value::from(n),
            J::Str(text) => Value::from(text),
        }
    }
}

/// A field of the form: a number, or a choice among values, each with the label the select shows.
/// The whole form is this table, drawn by one loop and read by one change handler.
type Field = (&'static str, &'static str, &'static [(J, &'static str)]);

const NUMBER: &[(J, &str)] = &[];
const BOOL: &[(J, &str)] = &[(J::Bool(false), "false"), (J::Bool(true), "true")];
const ONE_TWO: &[(J, &str)] = &[(J::Num(1), "1"), (J::Num(2), "2")];
const ONE_TO_THREE: &[(J, &str)] = &[(J::Num(1), "1"), (J::Num(2), "2"), (J::Num(3), "3")];

const GROUPS: &[(&str, &[Field])] = &[
    ("Producer", &[
        ("acks", "How many replicas must have a record before the leader answers",
            &[(J::Num(0), "0"), (J::Num(1), "1"), (J::Str("all"), "all")]),
        ("retries", "Retries of a failed send (bounded by delivery.timeout.ms)", NUMBER),
        ("enable.idempotence", "Producer id and sequence numbers: the broker drops retried duplicates",
            &[(J::Null, "not set (default)"), (J::Bool(true), "true"), (J::Bool(false), "false")]),
        ("max.in.flight.requests.per.connection", "Requests sent before earlier ones are answered", NUMBER),
        ("transactional.id", "Set, it turns on transactions and zombie fencing",
            &[(J::Null, "not set"), (J::Str("delivery-lab-producer"), "delivery-lab-producer")]),
        ("request.timeout.ms", "How long the client waits for an answer before retrying", NUMBER),
        ("delivery.timeout.ms", "The bound on reporting success or failure after send()", NUMBER),
        ("transaction.timeout.ms", "An open transaction of a dead producer is aborted after this", NUMBER),
        ("max.block.ms", "How long commitTransaction() waits before it throws TimeoutException", NUMBER),
        ("lab.commit.timeout", "What the application does when commitTransaction() times out",
            &[(J::Str("retry"), "call commitTransaction() again"), (J::Str("close"), "close the producer, take it as failed")]),
        ("lab.resend.on.error", "The application sends the message again when send() fails (a new record)", BOOL),
    ]),
    ("Topic and broker", &[
        ("num.partitions", "Partitions of the topic: order holds within each", ONE_TO_THREE),
        ("replication.factor", "Copies of each partition: the leader, and a follower when 2", ONE_TWO),
        ("min.insync.replicas", "With acks=all, fewer in-sync replicas than this refuses writes", ONE_TWO),
        ("unclean.leader.election.enable", "Let an out-of-sync replica lead (and lose data)", BOOL),
    ]),
    ("Consumer", &[
        ("enable.auto.commit", "Commit offsets automatically", BOOL),
        ("auto.commit.interval.ms", "How often auto-commit commits", NUMBER),
        ("lab.auto.commit.style", "Which client's auto-commit the lab models",
            &[(J::Str("java-poll"), "Java client: inside poll()"), (J::Str("background-stored"), "librdkafka: background, stored offsets")]),
        ("lab.manual.commit", "When the application commits with auto-commit off", &[
            (J::Str("after-processing"), "commitSync after processing"),
            (J::Str("before-processing"), "commitSync before processing"),
            (J::Str("in-transaction"), "sendOffsetsToTransaction"),
            (J::Str("commit-sync-after-transaction"), "commitTransaction, then commitSync"),
        ]),
        ("isolation.level", "read_committed reads up to the last stable offset only",
            &[(J::Str("read_uncommitted"), "read_uncommitted"), (J::Str("read_committed"), "read_committed")]),
        ("auto.offset.reset", "Where a consumer without a committed offset starts",
            &[(J::Str("earliest"), "earliest"), (J::Str("latest"), "latest")]),
        ("max.poll.interval.ms", "A consumer that does not poll for this long leaves its group", NUMBER),
        ("lab.group.members", "Consumers with the same group.id; one without a partition stands by",
            ONE_TO_THREE),
        ("partition.assignment.strategy", "How a rebalance assigns the partitions",
            &[(J::Str("range"), "range (eager)"), (J::Str("cooperative-sticky"), "cooperative-sticky")]),
        ("session.timeout.ms", "A crashed member keeps its partition until this passes", NUMBER),
        ("group.instance.id", "Set, members are static: a restart within session.timeout.ms keeps the partition, no rebalance",
            &[(J::Null, "not set"), (J::Str("delivery-lab-consumer"), "delivery-lab-consumer")]),
    ]),
    ("Application", &[
        ("lab.sink", "Where processing leaves its effect", &[
            (J::Str("none"), "none"),
            (J::Str("output-topic"), "output topic"),
            (J::Str("output-topic-in-transaction"), "output topic, in the transaction"),
            (J::Str("db-insert"), "database: INSERT"),
            (J::Str("output-topic-and-db-insert"), "output topic in the transaction, and a database INSERT"),
            (J::Str("db-upsert-message-id"), "database: UPSERT by message id"),
            (J::Str("db-upsert-offset"), "database: UPSERT by offset"),
            (J::Str("db-offsets-in-db"), "database: rows and offsets in one transaction"),
        ]),
        ("lab.processing.ms", "How long processing one record takes", NUMBER),
        ("lab.send.interval.ms", "Time between two sends of the application", NUMBER),
        ("lab.network.latency.ms", "One-way latency of every network link", NUMBER),
    ]),
];

fn field_id(name: &str) -> String {
    format!("setting-{}", name.replace('.', "-"))
}

/// The value a field's change asks for: the chosen option's, or the number typed.
fn chosen(name: &str, text: &str) -> Option<Value> {
    let (_, _, options) = GROUPS.iter().flat_map(|(_, fields)| fields.iter()).find(|(n, _, _)| *n == name)?;
    if options.is_empty() {
        return text.trim().parse::<u32>().ok().map(Value::from);
    }
    options.iter().find(|(_, label)| *label == text).map(|(j, _)| j.value())
}

/// The option a field shows for the value in force: the equal one, else one of the same JSON
/// type (a transactional.id of a scenario file shows as set).
fn shown(options: &[(J, &str)], current: &Value) -> Option<usize> {
    let same_type = |v: &Value| std::mem::discriminant(v) == std::mem::discriminant(current);
    options.iter().position(|(j, _)| j.value() == *current).or_else(|| options.iter().position(|(j, _)| same_type(&j.value())))
}

/// The form: one field per setting of `GROUPS`, one change handler for all of them. Keyed by the
/// number of changes asked for (`key`): a refused change rebuilds it, so its fields show the
/// configuration in force, not the refused one. A function of the app's state, not a component.
pub fn settings_form(key: u64, config: &Config, error: Option<String>, dispatch: &Callback<Action>) -> Html {
    let current = config.to_value();
    // One handler for the whole form: a change bubbles up with its field's name and value.
    let onchange = {
        let (config, dispatch) = (config.clone(), dispatch.clone());
        Callback::from(move |event: Event| {
            let Some(field) = event.target_dyn_into::<web_sys::Element>() else { return };
            let name = crate::js::attribute(&field, "name").unwrap_or_default();
            let text = js_sys::Reflect::get(&field, &"value".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
            let mut next = config.clone();
            if chosen(&name, &text).is_some_and(|value| next.set(&name, &value).is_ok()) {
                dispatch.emit(Action::SetConfig(next));
            }
        })
    };
    let field = |&(name, help, options): &Field| {
        let id = field_id(name);
        let value = &current[name];
        let input = if options.is_empty() {
            html! { <input id={id.clone()} {name} type="number" min="0" value={value.to_string()} /> }
        } else {
            let selected = shown(options, value);
            html! {
                <select id={id.clone()} {name}>
                    { for options.iter().enumerate().map(|(i, (_, label))| html! {
                        <option value={*label} selected={selected == Some(i)}>{ *label }</option>
                    }) }
                </select>
            }
        };
        html! {
            <label class="setting" for={id} title={help}>
                <code class="setting-name">{ name }</code>
                { input }
            </label>
        }
    };
    html! {
        <div class="settings" key={key.to_string()}>
            if let Some(error) = error {
                <p class="error" role="alert">
                    { format!("Kafka would refuse this: {error}. The last valid settings stay in force.") }
                </p>
            }
            <div class="setting-groups" {onchange}>
                { for GROUPS.iter().map(|(legend, fields)| html! {
                    <fieldset>
                        <legend>{ *legend }</legend>
                        { for fields.iter().map(field) }
                    </fieldset>
                }) }
            </div>
        </div>
    }
}

/// The configuration as a learner would paste it into a real client, with copy buttons: written
/// by the worker when the reader opens it (the page carries neither the writers nor their texts),
/// and again when the run changes while it is open (`App::ask_export`).
pub fn config_export(
    texts: Option<&Result<[String; 2], String>>,
    copied: Option<&'static str>,
    on_toggle: &Callback<Event>,
    on_copy: &Callback<(&'static str, String)>,
) -> Html {
    let block = |i: usize, what: &'static str, title: &'static str, text: &str| {
        let copy = {
            let text = text.to_owned();
            on_copy.reform(move |_: MouseEvent| (what, text.clone()))
        };
        html! {
            <div class="export-block">
                <div class="export-head">
                    <h3 class="subhead">{ title }</h3>
                    <button type="button" class="chip" onclick={copy}>
                        { if copied == Some(what) { "Copied" } else { "Copy" } }
                    </button>
                </div>
                <pre tabindex="0" aria-label={title} class={["export-java", "export-python"][i]}>{ text }</pre>
            </div>
        }
    };
    html! {
        <details class="config-export-details" ontoggle={on_toggle.clone()}>
            <summary>{ "These settings in a real client (Java, Python)" }</summary>
            <div class="config-export" aria-live="polite">
                { match texts {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field of the form is a setting the configuration knows, every option is a value it
    /// accepts and shows again as that option, and every setting a learner may change in the page
    /// is in the form once.
    #[test]
    fn every_field_sets_its_setting_and_shows_it_again() {
        let mut names = Vec::new();
        for (name, _, options) in GROUPS.iter().flat_map(|(_, fields)| fields.iter()) {
            assert!(delivery_lab::sim::config::SETTINGS.contains(name), "{name} is not a setting");
            assert!(!names.contains(name), "{name} twice");
            names.push(*name);
            for (i, (_, label)) in options.iter().enumerate() {
                let mut config = Config::default();
                let value = chosen(name, label).expect("an option's label is chosen");
                config.set(name, &value).unwrap_or_else(|e| panic!("{name}={label}: {e}"));
                assert_eq!(shown(options, &config.to_value()[*name]), Some(i), "{name}={label}");
            }
            if options.is_empty() {
                let mut config = Config::default();
                config.set(name, &chosen(name, " 1234 ").expect("a number")).unwrap();
                assert_eq!(config.to_value()[*name], Value::from(1234), "{name}");
                assert_eq!(chosen(name, "12.5"), None, "{name}: not a whole number");
            }
        }
        // A transactional.id other than the form's own still shows as set.
        let config = Config { transactional_id: Some("orders".into()), ..Config::default() };
        let (_, _, options) = GROUPS[0].1[4];
        assert_eq!(shown(options, &config.to_value()["transactional.id"]), Some(1));
        // The settings the page leaves to scenario files and links (timings of the lab's own, and
        // the ones no lesson needs a control for).
        let left_out: Vec<&str> = delivery_lab::sim::config::SETTINGS.iter().copied().filter(|n| !names.contains(n)).collect();
        assert_eq!(
            left_out,
            ["retry.backoff.ms", "broker.session.timeout.ms", "max.poll.records", "lab.transaction.messages", "lab.restart.ms", "lab.network.jitter.ms"]
        );
    }
}
