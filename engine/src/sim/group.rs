//! The group coordinator: the consumer group's generation and its committed offset.
//!
//! Rules followed: GroupCoordinator / GroupMetadata (every rebalance starts a new generation; an
//! OffsetCommit from an older generation is refused with ILLEGAL_GENERATION, which the Java
//! client reports as CommitFailedException), KIP-320 (a committed offset carries the leader
//! epoch it was read under).

use serde::Serialize;

use super::event::{Actor, EventKind, FlightKind};
use super::world::Ctx;

/// The group coordinator's state for the lab's one consumer group and partition.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GroupCoordinator {
    /// The committed offset (the next offset to read), once a commit has landed.
    pub committed: Option<u64>,
    /// The leader epoch the committed offset was read under (KIP-320).
    pub committed_epoch: u32,
    /// The group generation: every join and every removal of a member starts a new one.
    pub generation: u32,
}

impl GroupCoordinator {
    /// A member joins (or rejoins after its removal, or as a new instance): a new generation.
    /// Shortcut (lib.rs, "Modelling decisions", consumers): the lab folds the JoinGroup and
    /// SyncGroup round trips into this call.
    pub(crate) fn join(&mut self) -> u32 {
        self.generation += 1;
        self.generation
    }

    /// max.poll.interval.ms passed without a poll: the member is removed and its generation is
    /// stale from now on (AbstractCoordinator's poll timeout, seen from the coordinator).
    pub(crate) fn remove_member(&mut self) {
        self.generation += 1;
    }

    /// Whether a commit sent by a member of `generation` is from the current generation.
    pub(crate) fn accepts(&self, generation: u32) -> bool {
        generation == self.generation
    }

    /// Stores a committed offset and the leader epoch it was read under.
    pub(crate) fn store(&mut self, offset: u64, leader_epoch: u32) {
        self.committed = Some(offset);
        self.committed_epoch = leader_epoch;
    }

    /// An OffsetCommit reached the coordinator; a member removed from the group (an old
    /// generation) gets a refusal (CommitFailedException in the Java client). `leader_epoch` is
    /// the epoch the committing consumer read under (`World::consumer_leader_epoch`).
    pub(crate) fn on_offset_commit(&mut self, ctx: &mut Ctx, from: Actor, offset: u64, generation: u32, leader_epoch: u32) {
        let ok = self.accepts(generation);
        if ok {
            self.store(offset, leader_epoch);
            ctx.record(EventKind::Committed { offset, txn: false });
        } else {
            ctx.record(EventKind::CommitFailed { offset });
        }
        ctx.send(Actor::GroupCoordinator, from, FlightKind::OffsetCommitResponse { offset, ok });
    }
}
