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
