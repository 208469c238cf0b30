//! The configuration as a learner would paste it into a real client: Java properties, and a Python
//! dict for confluent-kafka (librdkafka). Only Kafka's own settings appear; the lab's `lab.*`
//! settings describe the simulated application and become comments where they matter.

use std::fmt::Write;

use crate::sim::config::{AutoCommitStyle, Config, IsolationLevel, ManualCommit, OffsetReset};

/// The producer, consumer and topic settings as Java `.properties` text.
pub fn java_properties(config: &Config) -> String {
    let mut out = String::from("# Producer\n");
    for (name, value) in producer_settings(config) {
        let _ = writeln!(out, "{name}={value}");
    }
    out.push_str("\n# Consumer\n");
    for (name, value) in consumer_settings(config) {
        let _ = writeln!(out, "{name}={value}");
    }
    let _ = writeln!(out, "# {}", commit_comment(config));
    out.push_str("\n# Topic (kafka-topics.sh --create ... --config)\n");
    for (name, value) in topic_settings(config) {
        let _ = writeln!(out, "{name}={value}");
    }
    out.push_str("\n# KRaft controller (server.properties): how long a crashed broker keeps its lease\n");
    let _ = writeln!(out, "broker.session.timeout.ms={}", config.broker_session_timeout_ms);
    out
}

/// The producer and consumer settings as Python dicts for confluent-kafka, whose librdkafka accepts
/// the same names for these settings.
pub fn confluent_python(config: &Config) -> String {
    let mut out = String::from("producer_conf = {\n    \"bootstrap.servers\": \"localhost:9092\",\n");
    let mut settings = producer_settings(config);
    if config.enable_idempotence.is_none() {
        // The Java client defaults enable.idempotence to true (KIP-679, Kafka 3.0) and switches a
        // defaulted value off when acks/retries/in-flight forbid it; librdkafka defaults it to
        // false (CONFIGURATION.md). State the value the lab resolved, so both clients agree.
        let on = config.resolve().is_ok_and(|effective| effective.idempotence);
        let at = settings.iter().position(|(name, _)| *name == "max.in.flight.requests.per.connection").unwrap_or(settings.len());
        settings.insert(at, ("enable.idempotence", on.to_string()));
    }
    for (name, value) in settings {
        let _ = writeln!(out, "    \"{name}\": {},", python_value(&value));
    }
    out.push_str("}\n\nconsumer_conf = {\n    \"bootstrap.servers\": \"localhost:9092\",\n    \"group.id\": \"delivery-lab\",\n");
    for (name, value) in consumer_settings(config) {
        let _ = writeln!(out, "    \"{name}\": {},", python_value(&value));
    }
    if config.enable_auto_commit {
        // librdkafka stores an offset when poll() hands the record over and commits stored offsets
        // from a background timer; that is the lab's "background-stored" auto-commit.
        out.push_str("    \"enable.auto.offset.store\": True,\n");
    }
    out.push_str("}\n");
    let _ = writeln!(out, "# {}", commit_comment(config));
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

fn producer_settings(config: &Config) -> Vec<(&'static str, String)> {
    let mut settings = vec![
        ("acks", config.acks.as_str().to_owned()),
        ("retries", config.retries.to_string()),
        ("delivery.timeout.ms", config.delivery_timeout_ms.to_string()),
        ("request.timeout.ms", config.request_timeout_ms.to_string()),
        ("retry.backoff.ms", config.retry_backoff_ms.to_string()),
    ];
    if let Some(on) = config.enable_idempotence {
        settings.push(("enable.idempotence", on.to_string()));
    }
    settings.push(("max.in.flight.requests.per.connection", config.max_in_flight.to_string()));
    if let Some(id) = &config.transactional_id {
        settings.push(("transactional.id", id.clone()));
        settings.push(("transaction.timeout.ms", config.transaction_timeout_ms.to_string()));
    }
    settings
}

fn consumer_settings(config: &Config) -> Vec<(&'static str, String)> {
    let mut settings = vec![("enable.auto.commit", config.enable_auto_commit.to_string())];
    if config.enable_auto_commit {
        settings.push(("auto.commit.interval.ms", config.auto_commit_interval_ms.to_string()));
    }
    let isolation = match config.isolation_level {
        IsolationLevel::ReadUncommitted => "read_uncommitted",
        IsolationLevel::ReadCommitted => "read_committed",
    };
    let reset = match config.auto_offset_reset {
        OffsetReset::Earliest => "earliest",
        OffsetReset::Latest => "latest",
    };
    settings.push(("isolation.level", isolation.to_owned()));
    settings.push(("auto.offset.reset", reset.to_owned()));
    settings.push(("max.poll.interval.ms", config.max_poll_interval_ms.to_string()));
    settings
}

fn topic_settings(config: &Config) -> Vec<(&'static str, String)> {
    vec![
        ("replication.factor", config.replication_factor.to_string()),
        ("min.insync.replicas", config.min_insync_replicas.to_string()),
        ("unclean.leader.election.enable", config.unclean_leader_election.to_string()),
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
    }
}

/// A properties value as a Python literal: booleans and numbers bare, everything else quoted.
fn python_value(value: &str) -> String {
    match value {
        "true" => "True".to_owned(),
        "false" => "False".to_owned(),
        _ if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => value.to_owned(),
        _ => format!("{value:?}"),
    }
}
