//! Fault names are stable (links say `fail=drop-ack:m2`), parse back, and each has a place on stage.

use delivery_lab::{Fault, FaultSpec, Trigger, MsgId};

#[test]
fn every_fault_slug_round_trips_and_is_url_safe() {
    let mut seen = std::collections::BTreeSet::new();
    for fault in Fault::ALL {
        assert_eq!(fault.slug().parse::<Fault>(), Ok(fault));
        assert!(seen.insert(fault.slug()));
        assert!(fault.slug().bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
        assert_eq!(serde_json::to_value(fault).unwrap(), fault.slug());
        assert!(!fault.label().is_empty());
    }
}

#[test]
fn fault_specs_parse_with_message_tick_or_nothing() {
    assert_eq!("drop-ack:m2".parse(), Ok(FaultSpec { fault: Fault::DropAck, trigger: Trigger::Message(MsgId(2)) }));
    assert_eq!("disk-lost@30".parse(), Ok(FaultSpec { fault: Fault::DiskLost, trigger: Trigger::AtTick(30) }));
    assert_eq!("drop-ack".parse(), Ok(FaultSpec { fault: Fault::DropAck, trigger: Trigger::Next }));
    for bad in ["drop-ack:2", "drop-ack:m0", "drop-ack@x", "nope", ""] {
        assert!(bad.parse::<FaultSpec>().is_err(), "{bad}");
    }
    for spec in ["drop-ack:m2", "disk-lost@30", "zombie-producer"] {
        assert_eq!(spec.parse::<FaultSpec>().unwrap().to_string(), spec);
    }
}

#[test]
fn network_failures_take_an_attempt_a_window_or_a_count() {
    let spec = |s: &str| s.parse::<FaultSpec>();
    assert_eq!(spec("drop-ack:m2#3"), Ok(FaultSpec { fault: Fault::DropAck, trigger: Trigger::Attempt(MsgId(2), 3) }));
    assert_eq!(
        spec("drop-produce-request@30..60"),
        Ok(FaultSpec { fault: Fault::DropProduceRequest, trigger: Trigger::Window(30, 60) })
    );
    assert_eq!(spec("drop-offset-commit*3"), Ok(FaultSpec { fault: Fault::DropOffsetCommit, trigger: Trigger::Count(3) }));
    for text in ["drop-ack:m2#3", "network-delay-reorder@0..10", "drop-ack*20", "drop-offset-commit@5..6"] {
        assert_eq!(spec(text).unwrap().to_string(), text);
    }
    // A crash is not "on the wire": it strikes once, at one moment. A commit has no attempts.
    for bad in [
        "disk-lost*2",
        "consumer-crash-after-fetch@0..10",
        "drop-offset-commit:m1#2",
        "drop-ack:m1#0",
        "drop-ack:m1#02",
        "drop-ack@60..30",
        "drop-ack@30..30",
        "drop-ack*0",
        "drop-ack*21",
        "drop-ack*",
        "drop-ack@1..",
    ] {
        let err = spec(bad).expect_err(bad);
        assert!(err.0.contains(bad), "the message names the spec: {err}");
    }
}
