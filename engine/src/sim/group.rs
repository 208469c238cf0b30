//! The group coordinator: the consumer group's generation and its committed offset.
//!
//! Rules followed: GroupCoordinator / GroupMetadata (every rebalance starts a new generation; an
//! OffsetCommit from an older generation is refused with ILLEGAL_GENERATION, which the Java
//! client reports as CommitFailedException), KIP-320 (a committed offset carries the leader
//! epoch it was read under).

use serde::Serialize;

use super::config::Assignor;
use super::event::{Actor, EventKind, FlightKind};
use super::world::{Action, Ctx};

/// The group coordinator's state for the lab's one consumer group and partition.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GroupCoordinator {
    /// The committed offset (the next offset to read), once a commit has landed.
    pub committed: Option<u64>,
    /// The leader epoch the committed offset was read under (KIP-320).
    pub committed_epoch: u32,
    /// The group generation: every join and every removal of a member starts a new one.
    pub generation: u32,
    /// The members of a group of several (`lab.group.members` > 1; empty for a lone consumer),
    /// sorted by member: a member's client.id is `consumer-<member>` and its member id starts with
    /// it, so RangeAssignor's sort (by member id) orders them by member.
    pub members: Vec<GroupMember>,
    /// The member instance owning the partition, in a group of several.
    pub owner: Option<u8>,
    /// Whether a rebalance is under way (PreparingRebalance: waiting for every member to rejoin).
    pub rebalancing: bool,
}

/// A member of a group of several, as the group coordinator knows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GroupMember {
    /// The consumer instance (its member id).
    pub instance: u8,
    /// Whether it has rejoined during the rebalance under way.
    pub joined: bool,
    /// Whether it is closing: it leaves once its last commit has reached the coordinator.
    pub leaving: bool,
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

    /// Whether a commit from `instance`, a member of `generation`, is accepted: in a group of
    /// several the member must also still be in the group (else UNKNOWN_MEMBER_ID, also a
    /// CommitFailedException). During a rebalance the current generation still commits:
    /// GroupCoordinator.handleCommitOffsets accepts commits in PreparingRebalance ("we rely on
    /// heartbeat response to eventually notify the rebalance in progress signal to the
    /// consumer"), which is what lets a member commit as it gives its partitions up.
    pub(crate) fn accepts_member(&self, generation: u32, instance: u8) -> bool {
        self.accepts(generation) && (self.members.is_empty() || self.is_member(instance))
    }

    pub(crate) fn is_member(&self, instance: u8) -> bool {
        self.members.iter().any(|m| m.instance == instance)
    }

    pub(crate) fn has_rejoined(&self, instance: u8) -> bool {
        self.members.iter().any(|m| m.instance == instance && m.joined)
    }

    /// A member of a group of several joins (JoinGroup): with other members present a rebalance
    /// starts (or goes on), and the joiner counts as rejoined.
    pub(crate) fn member_joins(&mut self, ctx: &mut Ctx, instance: u8) {
        if !self.is_member(instance) {
            self.members.push(GroupMember { instance, joined: false, leaving: false });
            crate::order::sort_by_key(&mut self.members, |m| super::event::member_of(m.instance).0);
        }
        self.start_rebalance(ctx);
        self.rejoined(instance);
    }

    /// A member of a group of several leaves, is removed after max.poll.interval.ms (its client
    /// sends LeaveGroup) or expires: the others rebalance; an empty group moves to its next
    /// generation at once (GroupMetadata: an empty group's generation still counts up).
    pub(crate) fn member_leaves(&mut self, ctx: &mut Ctx, instance: u8) {
        if !self.is_member(instance) {
            return;
        }
        self.members.retain(|m| m.instance != instance);
        if self.owner == Some(instance) {
            self.owner = None;
        }
        if self.members.is_empty() {
            self.generation += 1;
            self.rebalancing = false;
        } else {
            self.start_rebalance(ctx);
        }
    }

    fn start_rebalance(&mut self, ctx: &mut Ctx) {
        if !self.rebalancing {
            self.rebalancing = true;
            for member in &mut self.members {
                member.joined = false;
            }
            ctx.record(EventKind::RebalanceStarted { generation: self.generation });
            // The rebalance timeout: the Java consumer's max.poll.interval.ms.
            ctx.schedule(ctx.now + ctx.cfg.max_poll_interval, Action::RebalanceTimeout { generation: self.generation });
        }
    }

    /// KIP-345: a static member's new instance (same member, so the same group.instance.id) takes
    /// the place of the one the coordinator still holds, with its assignment and no rebalance.
    /// Whether there was one to replace.
    pub(crate) fn replace_static(&mut self, instance: u8) -> bool {
        let member = super::event::member_of(instance).0;
        let Some(known) = self.members.iter_mut().find(|m| super::event::member_of(m.instance).0 == member) else {
            return false;
        };
        if self.owner == Some(known.instance) {
            self.owner = Some(instance);
        }
        known.instance = instance;
        known.joined = true;
        true
    }

    /// A closing member's LeaveGroup waits for its last commit (ConsumerCoordinator.close).
    pub(crate) fn leave_after_commit(&mut self, instance: u8) {
        if let Some(member) = self.members.iter_mut().find(|m| m.instance == instance) {
            member.leaving = true;
        }
    }

    /// Whether `instance` is closing and waits for its last commit to leave.
    pub(crate) fn is_leaving(&self, instance: u8) -> bool {
        self.members.iter().any(|m| m.instance == instance && m.leaving)
    }

    /// A member rejoined during the rebalance.
    pub(crate) fn rejoined(&mut self, instance: u8) {
        if let Some(member) = self.members.iter_mut().find(|m| m.instance == instance) {
            member.joined = true;
        }
    }

    /// Completes the rebalance once every member has rejoined (the leader's assignment folded in:
    /// SyncGroup): the next generation, and the partition's owner. RangeAssignor gives the one
    /// partition to the first member in order; CooperativeStickyAssignor leaves it where it is
    /// when its owner is still a member (KIP-429), else gives it to the first. Returns the new
    /// generation, or `None` while a member has not rejoined.
    pub(crate) fn complete_rebalance(&mut self, ctx: &mut Ctx) -> Option<u32> {
        if !self.rebalancing || !self.members.iter().all(|m| m.joined) {
            return None;
        }
        self.rebalancing = false;
        self.generation += 1;
        let first = self.members.first().map(|m| m.instance);
        self.owner = match ctx.cfg.config.assignor {
            Assignor::CooperativeSticky => self.owner.filter(|&o| self.is_member(o)).or(first),
            Assignor::Range => first,
        };
        ctx.record(EventKind::Rebalanced { generation: self.generation, owner: self.owner });
        Some(self.generation)
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
        let Actor::Consumer { instance } = from else { return };
        let ok = self.accepts_member(generation, instance);
        if ok {
            self.store(offset, leader_epoch);
            ctx.record(EventKind::Committed { offset, txn: false });
        } else {
            ctx.record(EventKind::CommitFailed { offset });
        }
        ctx.send(Actor::GroupCoordinator, from, FlightKind::OffsetCommitResponse { offset, ok });
    }
}

#[cfg(test)]
mod tests {
    //! The group coordinator's rules. Each test cites the Kafka source it follows.

    use super::*;
    use crate::sim::world::{ctx, World};
    use crate::Preset;

    fn world() -> World {
        World::with_config(Preset::AtLeastOnce.config().resolve().unwrap(), 1, 0)
    }

    /// GroupMetadata: every rebalance (a join, a member's removal) starts a new generation, and
    /// GroupCoordinator.handleCommitOffsets refuses a commit from another generation
    /// (ILLEGAL_GENERATION: the Java client's CommitFailedException).
    #[test]
    fn a_commit_from_a_stale_generation_is_refused() {
        let mut group = GroupCoordinator::default();
        let joined = group.join();
        assert!(group.accepts(joined));
        group.remove_member();
        assert!(!group.accepts(joined), "removed after max.poll.interval.ms");
        let rejoined = group.join();
        assert!(group.accepts(rejoined) && rejoined == joined + 2);
    }

    /// The committed offset is the next offset to read, stored with the leader epoch it was read
    /// under (KIP-320); a refused commit stores nothing, and both are answered.
    #[test]
    fn the_committed_offset_is_stored_only_for_the_current_generation() {
        let mut w = world();
        let mut group = GroupCoordinator::default();
        let generation = group.join();
        let member = Actor::Consumer { instance: 0 };
        group.on_offset_commit(&mut ctx!(w), member, 3, generation, 2);
        assert_eq!((group.committed, group.committed_epoch), (Some(3), 2));
        group.on_offset_commit(&mut ctx!(w), member, 5, generation - 1, 4);
        assert_eq!((group.committed, group.committed_epoch), (Some(3), 2), "a stale commit changes nothing");
        let kinds: Vec<EventKind> = w.events().iter().map(|e| e.kind).collect();
        assert!(matches!(kinds[0], EventKind::Committed { offset: 3, txn: false }));
        assert!(matches!(kinds[1], EventKind::Sent { what: FlightKind::OffsetCommitResponse { offset: 3, ok: true }, .. }));
        assert!(matches!(kinds[2], EventKind::CommitFailed { offset: 5 }));
        assert!(matches!(kinds[3], EventKind::Sent { what: FlightKind::OffsetCommitResponse { offset: 5, ok: false }, .. }));
    }
}
