//! The four delivery semantics the lab offers as starting points.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::sim::config::{Acks, Config, IsolationLevel, ManualCommit, OffsetReset, SinkKind};

/// A named starting configuration. Each preset is a complete producer, broker and consumer set-up; the
/// learner may change any setting afterwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Preset {
    /// `acks=0`, commit before processing: messages may be lost, never processed twice.
    AtMostOnce,
    /// `acks=all`, retries, commit after processing: nothing lost, duplicates possible.
    AtLeastOnce,
    /// Transactions from an input topic to an output topic, read with `read_committed`.
    ExactlyOnceKafka,
    /// At-least-once delivery into a database that deduplicates by message id.
    ExactlyOnceDatabase,
}

impl Preset {
    /// Every preset, in the order the UI lists them.
    pub const ALL: [Preset; 4] = [
        Preset::AtMostOnce,
        Preset::AtLeastOnce,
        Preset::ExactlyOnceKafka,
        Preset::ExactlyOnceDatabase,
    ];

    /// The stable name used in links and scenario files.
    pub fn slug(self) -> &'static str {
        match self {
            Preset::AtMostOnce => "at-most-once",
            Preset::AtLeastOnce => "at-least-once",
            Preset::ExactlyOnceKafka => "exactly-once-kafka",
            Preset::ExactlyOnceDatabase => "exactly-once-db",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Preset::AtMostOnce => "At most once",
            Preset::AtLeastOnce => "At least once",
            Preset::ExactlyOnceKafka => "Exactly once, Kafka to Kafka",
            Preset::ExactlyOnceDatabase => "Exactly once into a database",
        }
    }

    /// The preset's complete configuration. Every preset reads from the earliest offset so a
    /// consumer that starts with no committed offset sees every message.
    pub fn config(self) -> Config {
        let base = Config {
            enable_auto_commit: false,
            auto_offset_reset: OffsetReset::Earliest,
            ..Config::default()
        };
        match self {
            Preset::AtMostOnce => Config {
                acks: Acks::Zero,
                retries: 0,
                manual_commit: ManualCommit::BeforeProcessing,
                sink: SinkKind::DbInsert,
                ..base
            },
            Preset::AtLeastOnce => Config {
                enable_idempotence: Some(false),
                manual_commit: ManualCommit::AfterProcessing,
                sink: SinkKind::DbInsert,
                ..base
            },
            Preset::ExactlyOnceKafka => Config {
                enable_idempotence: Some(true),
                transactional_id: Some("delivery-lab-producer".into()),
                isolation_level: IsolationLevel::ReadCommitted,
                manual_commit: ManualCommit::InTransaction,
                sink: SinkKind::OutputTopicInTransaction,
                ..base
            },
            Preset::ExactlyOnceDatabase => Config {
                enable_idempotence: Some(true),
                manual_commit: ManualCommit::AfterProcessing,
                sink: SinkKind::DbUpsertMessageId,
                ..base
            },
        }
    }

    /// One line on how the preset is set up, in Kafka's configuration names.
    pub fn summary(self) -> &'static str {
        match self {
            Preset::AtMostOnce => "acks=0, retries=0; the consumer commits before it processes, then inserts rows",
            Preset::AtLeastOnce => {
                "acks=all, retries on, enable.idempotence=false; the consumer inserts rows and commits after it processes"
            }
            Preset::ExactlyOnceKafka => {
                "transactional.id set; the offsets go in the producer's transaction; isolation.level=read_committed"
            }
            Preset::ExactlyOnceDatabase => {
                "acks=all, idempotent producer; the consumer upserts by message id and commits after it processes"
            }
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// A preset name that is not one of [`Preset::ALL`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownPreset(pub String);

impl fmt::Display for UnknownPreset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown preset {:?}; expected one of ", self.0)?;
        for (i, preset) in Preset::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(preset.slug())?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownPreset {}

impl From<Preset> for &'static str {
    fn from(preset: Preset) -> Self {
        preset.slug()
    }
}

impl TryFrom<String> for Preset {
    type Error = UnknownPreset;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl FromStr for Preset {
    type Err = UnknownPreset;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Preset::ALL
            .into_iter()
            .find(|preset| preset.slug() == s)
            .ok_or_else(|| UnknownPreset(s.to_owned()))
    }
}
