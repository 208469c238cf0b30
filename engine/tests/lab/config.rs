//! Configuration: the Java client's defaults and Kafka's resolution rules.

use delivery_lab::{Acks, Config, IsolationLevel, OffsetReset, Preset, TICK_MS};

#[test]
fn defaults_are_the_java_clients_of_kafka_3_2() {
    // ProducerConfig/ConsumerConfig defaults since Kafka 3.0 (KIP-679): acks=all, idempotence on,
    // retries MAX_INT, delivery.timeout.ms=120000, 5 in flight; consumer: auto-commit every 5 s,
    // read_uncommitted, auto.offset.reset=latest, max.poll.interval.ms=300000.
    let c = Config::default();
    assert_eq!(c.acks, Acks::All);
    assert_eq!(c.retries, 2_147_483_647);
    assert_eq!(c.delivery_timeout_ms, 120_000);
    assert_eq!(c.max_in_flight, 5);
    assert!(c.enable_auto_commit);
    assert_eq!(c.auto_commit_interval_ms, 5_000);
    assert_eq!(c.isolation_level, IsolationLevel::ReadUncommitted);
    assert_eq!(c.auto_offset_reset, OffsetReset::Latest);
    assert_eq!(c.max_poll_interval_ms, 300_000);
    let effective = c.resolve().unwrap();
    assert!(effective.idempotence, "a defaulted idempotence is on with acks=all");
    assert_eq!(effective.delivery_timeout, u64::from(120_000 / TICK_MS));
}

#[test]
fn a_defaulted_idempotence_switches_off_and_says_why() {
    for (config, why) in [
        (Config { acks: Acks::One, ..Config::default() }, "idempotence: off (acks != all)"),
        (Config { retries: 0, ..Config::default() }, "idempotence: off (retries=0)"),
        (Config { max_in_flight: 6, ..Config::default() }, "idempotence: off (max.in.flight.requests.per.connection > 5)"),
    ] {
        let effective = config.resolve().unwrap();
        assert!(!effective.idempotence);
        assert!(effective.notes.iter().any(|n| n == why), "{:?}", effective.notes);
    }
}

#[test]
fn an_explicit_idempotence_with_acks_1_is_a_config_exception() {
    // ProducerConfig.postProcessAndValidateIdempotenceConfigs throws ConfigException.
    let config = Config { acks: Acks::One, enable_idempotence: Some(true), ..Config::default() };
    let err = config.resolve().unwrap_err();
    assert_eq!(err.field, "acks");
    assert!(err.message.contains("Must set acks to all"), "{err}");
    let config = Config { retries: 0, enable_idempotence: Some(true), ..Config::default() };
    assert_eq!(config.resolve().unwrap_err().field, "retries");
    // Retries are checked before acks, so both wrong reports the retries message.
    let config = Config { retries: 0, acks: Acks::One, enable_idempotence: Some(true), ..Config::default() };
    assert_eq!(config.resolve().unwrap_err().field, "retries");
}

#[test]
fn a_transactional_id_needs_idempotence() {
    let config = Config { transactional_id: Some("t".into()), enable_idempotence: Some(false), ..Config::default() };
    assert_eq!(config.resolve().unwrap_err().field, "transactional.id");
}

#[test]
fn ranges_are_checked() {
    let config = Config { replication_factor: 3, ..Config::default() };
    assert_eq!(config.resolve().unwrap_err().field, "replication.factor");
    let config = Config { min_insync_replicas: 2, replication_factor: 1, ..Config::default() };
    assert_eq!(config.resolve().unwrap_err().field, "min.insync.replicas");
    let config = Config { delivery_timeout_ms: 1_000, ..Config::default() };
    assert_eq!(config.resolve().unwrap_err().field, "delivery.timeout.ms");
}

#[test]
fn every_preset_is_a_valid_configuration_matching_its_summary() {
    for preset in Preset::ALL {
        let effective = preset.config().resolve().unwrap_or_else(|e| panic!("{preset}: {e}"));
        let summary = preset.summary();
        assert!(summary.contains(&format!("acks={}", effective.config.acks.as_str())) || !summary.contains("acks="), "{preset}: {summary}");
        assert_eq!(summary.contains("transactional.id"), effective.transactional, "{preset}");
    }
    assert!(!Preset::AtLeastOnce.config().resolve().unwrap().idempotence);
    assert!(Preset::ExactlyOnceDatabase.config().resolve().unwrap().idempotence);
}

#[test]
fn config_uses_kafkas_names_in_json() {
    let json = Config::default().to_value();
    for name in ["acks", "enable.idempotence", "max.in.flight.requests.per.connection", "isolation.level", "enable.auto.commit", "transactional.id", "min.insync.replicas", "unclean.leader.election.enable"] {
        assert!(json.get(name).is_some(), "{name} missing");
    }
    assert_eq!(json["acks"], "all");
    assert_eq!(json["isolation.level"], "read_uncommitted");
}

#[test]
fn the_configuration_prints_as_java_properties_and_a_python_dict() {
    let config = Preset::ExactlyOnceKafka.config();
    let properties = delivery_lab::export::java_properties(&config);
    assert!(properties.contains("acks=all\n"), "{properties}");
    assert!(properties.contains("enable.idempotence=true\n"));
    assert!(properties.contains("transactional.id=delivery-lab-producer\n"));
    assert!(properties.contains("isolation.level=read_committed\n"));
    assert!(!properties.contains("lab."), "the lab's own settings are not Kafka's");
    let python = delivery_lab::export::confluent_python(&config);
    assert!(python.contains("\"enable.idempotence\": True,"), "{python}");
    assert!(python.contains("\"acks\": \"all\","), "{python}");
    assert!(python.contains("\"retries\": 2147483647,"), "{python}");
    assert!(python.contains("producer_conf = {") && python.contains("consumer_conf = {"), "{python}");
}

#[test]
fn a_delivery_timeout_below_the_request_timeout_is_refused_and_the_message_says_when_kafka_does() {
    // KafkaProducer.configureDeliveryTimeout throws only for an explicitly set delivery.timeout.ms
    // and otherwise raises it; the lab cannot tell the two apart, and its message says so.
    let config = Config { request_timeout_ms: 200_000, ..Config::default() };
    let err = config.resolve().unwrap_err();
    assert_eq!(err.field, "delivery.timeout.ms");
    assert!(err.message.contains("should be equal to or larger than linger.ms + request.timeout.ms"), "{err}");
    assert!(err.message.contains("only when delivery.timeout.ms is set explicitly"), "{err}");
}

#[test]
fn a_transaction_timeout_above_the_brokers_maximum_is_refused_as_the_coordinator_would() {
    // TransactionCoordinator.handleInitProducerId: INVALID_TRANSACTION_TIMEOUT above
    // transaction.max.timeout.ms (default 900000).
    let config = Config { transaction_timeout_ms: 900_001, ..Preset::ExactlyOnceKafka.config() };
    let err = config.resolve().unwrap_err();
    assert_eq!(err.field, "transaction.timeout.ms");
    assert!(err.message.contains("transaction.max.timeout.ms"), "{err}");
    assert!(Config { transaction_timeout_ms: 900_000, ..Preset::ExactlyOnceKafka.config() }.resolve().is_ok());
}

#[test]
fn every_setting_reads_back_from_its_json_and_a_wrong_value_is_refused_by_name() {
    // A configuration that differs from the defaults in every field: if a field were missing from
    // the settings list, it would not come back.
    let fields = Config {
        acks: Acks::One,
        retries: 7,
        delivery_timeout_ms: 1_000,
        request_timeout_ms: 900,
        retry_backoff_ms: 50,
        enable_idempotence: Some(false),
        max_in_flight: 1,
        transactional_id: Some("t".into()),
        transaction_timeout_ms: 7_000,
        max_block_ms: 5_000,
        commit_timeout: delivery_lab::CommitTimeout::Close,
        replication_factor: 1,
        min_insync_replicas: 2,
        unclean_leader_election: true,
        broker_session_timeout_ms: 6_000,
        enable_auto_commit: false,
        auto_commit_interval_ms: 1_000,
        isolation_level: delivery_lab::IsolationLevel::ReadCommitted,
        auto_offset_reset: delivery_lab::OffsetReset::Earliest,
        max_poll_records: 10,
        max_poll_interval_ms: 60_000,
        session_timeout_ms: 10_000,
        assignor: delivery_lab::Assignor::CooperativeSticky,
        group_instance_id: Some("worker".into()),
        group_members: 3,
        num_partitions: 3,
        auto_commit_style: delivery_lab::AutoCommitStyle::BackgroundStored,
        manual_commit: delivery_lab::ManualCommit::InTransaction,
        sink: delivery_lab::SinkKind::DbUpsertOffset,
        resend_on_error: true,
        transaction_messages: 3,
        processing_ms: 300,
        send_interval_ms: 400,
        network_latency_ms: 20,
        restart_ms: 3_000,
        network_jitter_ms: 0,
    };
    let serde_json::Value::Object(json) = fields.to_value() else { panic!("an object") };
    assert_eq!(json.len(), delivery_lab::sim::config::SETTINGS.len());
    let defaults = Config::default().to_value();
    for (name, value) in &json {
        assert_ne!(Some(value), defaults.get(name), "{name} must differ from its default for this test to see it");
    }
    let mut back = Config::default();
    for (name, value) in &json {
        back.set(name, value).unwrap();
    }
    assert_eq!(back, fields);
    // Kafka's spellings of acks (ProducerConfig: "all", "-1", "0", "1").
    for (value, acks) in [(serde_json::json!(-1), Acks::All), (serde_json::json!("-1"), Acks::All), (serde_json::json!("1"), Acks::One), (serde_json::json!(0), Acks::Zero)] {
        let mut c = Config::default();
        c.set("acks", &value).unwrap();
        assert_eq!(c.acks, acks, "{value}");
    }
    let mut c = Config::default();
    assert!(c.set("retries", &serde_json::json!("lots")).unwrap_err().contains("\"lots\""));
    assert!(c.set("retries", &serde_json::json!(-1)).unwrap_err().contains("whole number"));
    assert!(c.set("isolation.level", &serde_json::json!("read_most")).unwrap_err().contains("read_committed"));
    assert!(c.set("ackz", &serde_json::json!(1)).unwrap_err().starts_with("unknown setting; known settings: acks, auto.commit.interval.ms"));
    assert_eq!(c, Config::default(), "a refused value changes nothing");
}
