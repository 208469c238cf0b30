//! The configuration as a learner would paste it into a real client: Java properties, and a Python
//! dict for confluent-kafka (librdkafka). Only Kafka's own settings appear; the lab's `lab.*`
//! settings describe the simulated application and become comments where they matter. Comments are
//! the lab's own fixed text: no setting's value is ever written into one, so none can end it early.

use std::fmt::Write;

use crate::sim::config::{Acks, Assignor, AutoCommitStyle, Config, IsolationLevel, ManualCommit, OffsetReset};

/// The producer, consumer and topic settings as Java `.properties` text.
///
/// Names and values are escaped as `java.util.Properties.store(OutputStream, ...)` writes them, so
/// that `Properties.load` reads back exactly the configured values, whatever characters a string
/// setting such as `transactional.id` holds.
pub fn java_properties(config: &Config) -> String {
    let mut out = String::from("# Producer\n");
    java_lines(&mut out, producer_settings(config));
    out.push_str("\n# Consumer\n");
    // The Java client names its assignors by class (ConsumerConfig's partition.assignment.strategy).
    let assignor = match config.assignor {
        Assignor::Range => "org.apache.kafka.clients.consumer.RangeAssignor",
        Assignor::CooperativeSticky => "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
    };
    let consumer = consumer_settings(config)
        .into_iter()
        .map(|(name, value)| if name == "partition.assignment.strategy" { (name, Value::Text(assignor)) } else { (name, value) })
        .collect();
    java_lines(&mut out, consumer);
    let _ = writeln!(out, "# {}", commit_comment(config));
    if config.group_members > 1 {
        let _ = writeln!(out, "# Run {} consumers with the same group.id (lab.group.members).", config.group_members);
        if config.group_instance_id.is_some() {
            out.push_str("# Give each its own group.instance.id: the lab numbers them (<id>-1, <id>-2, ...).\n");
        }
    }
    out.push_str("\n# Topic (kafka-topics.sh --create ... --config)\n");
    java_lines(&mut out, topic_settings(config));
    out.push_str("\n# Broker and KRaft controller (server.properties): the partitions of an auto-created topic\n");
    out.push_str("# (or kafka-topics.sh --create --partitions), how long a crashed broker keeps its lease\n");
    java_lines(
        &mut out,
        vec![
            ("num.partitions", Value::Int(u32::from(config.num_partitions))),
            ("broker.session.timeout.ms", Value::Int(config.broker_session_timeout_ms)),
        ],
    );
    out
}

/// The producer and consumer settings as Python dicts for confluent-kafka, whose librdkafka accepts
/// the same names for these settings. Each value keeps its setting's type: a string setting is
/// always a string literal (escaped to printable ASCII), however its text looks.
pub fn confluent_python(config: &Config) -> String {
    let mut settings = vec![("bootstrap.servers", Value::Text("localhost:9092"))];
    // librdkafka has no max.block.ms: its commit_transaction() takes the timeout as an argument.
    settings.extend(producer_settings(config).into_iter().filter(|(name, _)| *name != "max.block.ms"));
    if config.enable_idempotence.is_none() {
        // The Java client defaults enable.idempotence to true (KIP-679, Kafka 3.0) and switches a
        // defaulted value off when acks/retries/in-flight forbid it; librdkafka defaults it to
        // false (CONFIGURATION.md). State the value the lab resolved, so both clients agree.
        let on = config.resolve().is_ok_and(|effective| effective.idempotence);
        let at = settings.iter().position(|(name, _)| *name == "max.in.flight.requests.per.connection").unwrap_or(settings.len());
        settings.insert(at, ("enable.idempotence", Value::Bool(on)));
    }
    let mut out = String::new();
    python_dict(&mut out, "producer_conf", settings);
    out.push('\n');
    let mut settings = vec![("bootstrap.servers", Value::Text("localhost:9092")), ("group.id", Value::Text("delivery-lab"))];
    settings.extend(consumer_settings(config));
    if config.enable_auto_commit {
        // librdkafka stores an offset when poll() hands the record over and commits stored offsets
        // from a background timer; that is the lab's "background-stored" auto-commit.
        settings.push(("enable.auto.offset.store", Value::Bool(true)));
    }
    python_dict(&mut out, "consumer_conf", settings);
    let _ = writeln!(out, "# {}", commit_comment(config));
    if config.transactional_id.is_some() {
        out.push_str("# Note: librdkafka has no max.block.ms; pass the lab's value to commit_transaction(timeout).\n");
    }
    out.push_str(
        "# Note: in librdkafka request.timeout.ms is only the broker's ack timeout; the lab's\n\
         # client-side wait for an answer corresponds to socket.timeout.ms there.\n",
    );
    if config.enable_auto_commit && config.auto_commit_style == AutoCommitStyle::JavaPoll {
        out.push_str(
            "# Note: the lab models the Java client's auto-commit inside poll(); librdkafka commits\n\
             # stored offsets from a background timer instead (lab.auto.commit.style=background-stored).\n",
        );
    }
    out
}

/// A setting's value with the type of its `Config` field, so that each format writes it as that
/// type: a string that reads `true` or `123` is still a string.
enum Value<'a> {
    Bool(bool),
    Int(u32),
    Text(&'a str),
}

/// Settings with Kafka's names, in the order a learner reads them.
type Settings<'a> = Vec<(&'static str, Value<'a>)>;

fn producer_settings(config: &Config) -> Settings<'_> {
    let mut settings = vec![
        ("acks", acks(config.acks)),
        ("retries", Value::Int(config.retries)),
        ("delivery.timeout.ms", Value::Int(config.delivery_timeout_ms)),
        ("request.timeout.ms", Value::Int(config.request_timeout_ms)),
        ("retry.backoff.ms", Value::Int(config.retry_backoff_ms)),
    ];
    if let Some(on) = config.enable_idempotence {
        settings.push(("enable.idempotence", Value::Bool(on)));
    }
    settings.push(("max.in.flight.requests.per.connection", Value::Int(config.max_in_flight)));
    if let Some(id) = &config.transactional_id {
        settings.push(("transactional.id", Value::Text(id)));
        settings.push(("transaction.timeout.ms", Value::Int(config.transaction_timeout_ms)));
        // How long commitTransaction() blocks (the lab models it there only).
        settings.push(("max.block.ms", Value::Int(config.max_block_ms)));
    }
    settings
}

/// `acks` as the scenario JSON writes it (its `Serialize`): the numbers bare, `all` a string.
fn acks(acks: Acks) -> Value<'static> {
    match acks {
        Acks::Zero => Value::Int(0),
        Acks::One => Value::Int(1),
        Acks::All => Value::Text(acks.as_str()),
    }
}

fn consumer_settings(config: &Config) -> Settings<'_> {
    let mut settings = vec![("enable.auto.commit", Value::Bool(config.enable_auto_commit))];
    if config.enable_auto_commit {
        settings.push(("auto.commit.interval.ms", Value::Int(config.auto_commit_interval_ms)));
    }
    let isolation = match config.isolation_level {
        IsolationLevel::ReadUncommitted => "read_uncommitted",
        IsolationLevel::ReadCommitted => "read_committed",
    };
    let reset = match config.auto_offset_reset {
        OffsetReset::Earliest => "earliest",
        OffsetReset::Latest => "latest",
    };
    settings.push(("isolation.level", Value::Text(isolation)));
    settings.push(("auto.offset.reset", Value::Text(reset)));
    settings.push(("max.poll.interval.ms", Value::Int(config.max_poll_interval_ms)));
    settings.push(("session.timeout.ms", Value::Int(config.session_timeout_ms)));
    settings.push(("partition.assignment.strategy", Value::Text(config.assignor.name())));
    if let Some(id) = &config.group_instance_id {
        settings.push(("group.instance.id", Value::Text(id)));
    }
    settings
}

fn topic_settings(config: &Config) -> Settings<'_> {
    vec![
        ("replication.factor", Value::Int(config.replication_factor.into())),
        ("min.insync.replicas", Value::Int(config.min_insync_replicas.into())),
        ("unclean.leader.election.enable", Value::Bool(config.unclean_leader_election)),
    ]
}

/// How the application commits, which no client setting says by itself.
fn commit_comment(config: &Config) -> &'static str {
    if config.enable_auto_commit {
        return "The application relies on auto-commit.";
    }
    match config.manual_commit {
        ManualCommit::AfterProcessing => "The application commits (commitSync) after it processes each batch.",
        ManualCommit::BeforeProcessing => "The application commits (commitSync) before it processes each batch.",
        ManualCommit::InTransaction => {
            "The application sends its offsets in its producer's transaction (sendOffsetsToTransaction)."
        }
        ManualCommit::SyncAfterTransaction => {
            "The application commits its output transaction, then its offsets with commitSync (not atomic)."
        }
    }
}

/// One `name=value` line per setting, both escaped as a key and as a value.
fn java_lines(out: &mut String, settings: Settings<'_>) {
    for (name, value) in settings {
        let value = match value {
            Value::Bool(on) => on.to_string(),
            Value::Int(n) => n.to_string(),
            Value::Text(text) => java_escaped(text, false),
        };
        let _ = writeln!(out, "{}={value}", java_escaped(name, true));
    }
}

/// `text` as `java.util.Properties.store` writes a key (`key`) or a value (its saveConvert with
/// escapeUnicode, as for an OutputStream): `\t \n \r \f` and `\\` escaped, `= : # !` after a
/// backslash, a space as `\ ` in a key and at the start of a value (`load` would skip it there),
/// and every character outside printable ASCII as `\uXXXX`, one per UTF-16 code unit.
fn java_escaped(text: &str, key: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for (at, c) in text.chars().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{c}' => out.push_str("\\f"),
            '=' | ':' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            ' ' if key || at == 0 => out.push_str("\\ "),
            ' '..='~' => out.push(c),
            _ => {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    let _ = write!(out, "\\u{unit:04X}");
                }
            }
        }
    }
    out
}

/// `name = {...}` with one `"name": value,` line per setting.
fn python_dict(out: &mut String, name: &str, settings: Settings<'_>) {
    let _ = writeln!(out, "{name} = {{");
    for (name, value) in settings {
        let value = match value {
            Value::Bool(true) => "True".to_owned(),
            Value::Bool(false) => "False".to_owned(),
            Value::Int(n) => n.to_string(),
            Value::Text(text) => python_string(text),
        };
        let _ = writeln!(out, "    {}: {value},", python_string(name));
    }
    out.push_str("}\n");
}

/// `text` as a double-quoted Python string literal in printable ASCII: `\\`, `\"`, `\n`, `\r`,
/// `\t`, and any other character by its code point as `\xhh`, `\uxxxx` or `\Uxxxxxxxx` (the
/// escapes of the Python reference, Lexical analysis, String and Bytes literals).
fn python_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        let _ = match c {
            '\\' => write!(out, "\\\\"),
            '"' => write!(out, "\\\""),
            '\n' => write!(out, "\\n"),
            '\r' => write!(out, "\\r"),
            '\t' => write!(out, "\\t"),
            ' '..='~' => write!(out, "{c}"),
            _ if u32::from(c) < 0x100 => write!(out, "\\x{:02x}", u32::from(c)),
            _ if u32::from(c) < 0x1_0000 => write!(out, "\\u{:04x}", u32::from(c)),
            _ => write!(out, "\\U{:08x}", u32::from(c)),
        };
    }
    out.push('"');
    out
}
