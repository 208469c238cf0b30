//! The send schedule's entries: when the application sends a message, at a tick or after an
//! event of the run (`Scenario::send_at`, [`crate::World::set_send_schedule`]).
//!
//! One text form serves the scenario file, the link and the page's field: `400` (a tick),
//! `acked:m1` (once m1's send() completed), `processed:m2`, `commit`, `consumer-crash`,
//! `rebalance`, each event optionally followed by a delay: `consumer-crash+50`.

use std::fmt;
use std::str::FromStr;

use super::event::{EventKind, MsgId, Tick};

/// When the application sends one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SendAt {
    /// At this tick (right after the message ahead of it, if that one goes later: the
    /// application sends in program order).
    Tick(Tick),
    /// `delay` ticks after the first time `event` happens; never, if it never happens.
    After(SendAfter, Tick),
}

/// An event a send can wait for: what an application would wait on before its next send().
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SendAfter {
    /// The producer reported this message acknowledged (a synchronous `send(...).get()`).
    Acked(MsgId),
    /// The consumer application finished processing this message.
    Processed(MsgId),
    /// The group coordinator accepted an offset commit.
    Commit,
    /// A consumer instance crashed: records sent now are produced while it is down.
    ConsumerCrash,
    /// The group began a rebalance.
    Rebalance,
}

impl SendAt {
    /// The entry with its tick (or its delay) at most [`crate::MAX_TICK`].
    pub fn clamped(self) -> SendAt {
        match self {
            SendAt::Tick(t) => SendAt::Tick(t.min(crate::MAX_TICK)),
            SendAt::After(event, delay) => SendAt::After(event, delay.min(crate::MAX_TICK)),
        }
    }
}

impl SendAfter {
    fn slug(self) -> &'static str {
        match self {
            SendAfter::Acked(_) => "acked",
            SendAfter::Processed(_) => "processed",
            SendAfter::Commit => "commit",
            SendAfter::ConsumerCrash => "consumer-crash",
            SendAfter::Rebalance => "rebalance",
        }
    }

    /// Whether `kind` is the event this waits for.
    pub(crate) fn happened(self, kind: &EventKind) -> bool {
        match (self, kind) {
            (SendAfter::Acked(m), EventKind::ProducerAcked { msg, .. })
            | (SendAfter::Processed(m), EventKind::ProcessingFinished { msg, .. }) => m == *msg,
            (SendAfter::Commit, EventKind::Committed { .. })
            | (SendAfter::ConsumerCrash, EventKind::ConsumerCrashed { .. })
            | (SendAfter::Rebalance, EventKind::RebalanceStarted { .. }) => true,
            _ => false,
        }
    }

    /// The message it names, if any.
    pub fn msg(self) -> Option<MsgId> {
        match self {
            SendAfter::Acked(m) | SendAfter::Processed(m) => Some(m),
            _ => None,
        }
    }
}

impl fmt::Display for SendAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            SendAt::Tick(t) => write!(f, "{t}"),
            SendAt::After(event, delay) => {
                f.write_str(event.slug())?;
                if let Some(m) = event.msg() {
                    write!(f, ":{m}")?;
                }
                if delay > 0 {
                    write!(f, "+{delay}")?;
                }
                Ok(())
            }
        }
    }
}

impl FromStr for SendAt {
    type Err = String;

    /// Reads the text form; numbers in their canonical spelling only, so that an entry reads back
    /// exactly as it is written. Ranges (ticks, message numbers) are the scenario's to check.
    fn from_str(s: &str) -> Result<SendAt, String> {
        let bad = || format!("{s:?}: expected a tick, or an event (acked:mN, processed:mN, commit, consumer-crash, rebalance) and an optional +ticks");
        if let Some(t) = crate::text::digits::<Tick>(s) {
            return Ok(SendAt::Tick(t));
        }
        let (event, delay) = match s.split_once('+') {
            Some((event, delay)) => (event, crate::text::digits::<Tick>(delay).ok_or_else(bad)?),
            None => (s, 0),
        };
        let msg = |m: &str| m.strip_prefix('m').and_then(crate::text::digits::<u16>).filter(|n| *n >= 1).map(MsgId);
        let event = match event.split_once(':') {
            Some(("acked", m)) => SendAfter::Acked(msg(m).ok_or_else(bad)?),
            Some(("processed", m)) => SendAfter::Processed(msg(m).ok_or_else(bad)?),
            None => [SendAfter::Commit, SendAfter::ConsumerCrash, SendAfter::Rebalance]
                .into_iter()
                .find(|e| e.slug() == event)
                .ok_or_else(bad)?,
            _ => return Err(bad()),
        };
        Ok(SendAt::After(event, delay))
    }
}
