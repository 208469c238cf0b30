//! The group coordinator: the consumer group's generation and its committed offset.
//!
//! Rules followed: GroupCoordinator / GroupMetadata (every rebalance starts a new generation; an
//! OffsetCommit from an older generation is refused with ILLEGAL_GENERATION, which the Java
//! client reports as CommitFailedException), KIP-320 (a committed offset carries the leader
//! epoch it was read under).

use serde::Serialize;

use super::config::Assignor;
use super::event::{Actor, EventKind, FlightKind};
use super::txn::MAX_PARTITIONS;
use super::world::{Action, Ctx};

/// The group coordinator's state for the lab's one consumer group.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GroupCoordinator {
    /// By partition, the committed offset (the next offset to read), once a commit has landed.
    pub committed: [Option<u64>; MAX_PARTITIONS],
    /// By partition, the leader epoch the committed offset was read under (KIP-320).
    pub committed_epoch: [u32; MAX_PARTITIONS],
    /// The group generation: every join and every removal of a member starts a new one.
    pub generation: u32,
    /// The members of a group of several (`lab.group.members` > 1; empty for a lone consumer),
    /// sorted by member: a member's client.id is `consumer-<member>` and its member id starts with
    /// it, so RangeAssignor's sort (by member id) orders them by member.
    pub members: Vec<GroupMember>,
    /// By partition, the member instance owning it, in a group of several.
    pub owners: [Option<u8>; MAX_PARTITIONS],
    /// By partition, the member CooperativeStickyAssignor moves it to, while its owner still has
    /// to revoke it (KIP-429: the owner gives it up first, a follow-up rebalance hands it over).
    pub moving: [Option<u8>; MAX_PARTITIONS],
    /// Whether a partition changed hands outside a rebalance (a follow-up assignment): every
    /// member looks at its assignment again.
    #[serde(skip)]
    pub(crate) handed_over: bool,
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
        for p in 0..MAX_PARTITIONS {
            if self.moving[p] == Some(instance) {
                self.moving[p] = None;
            }
            if self.owners[p] == Some(instance) {
                self.owners[p] = None;
            }
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
        for owner in &mut self.owners {
            if *owner == Some(known.instance) {
                *owner = Some(instance);
            }
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
    /// SyncGroup): the next generation, and each partition's owner (`assign`). Returns the new
    /// generation, or `None` while a member has not rejoined.
    pub(crate) fn complete_rebalance(&mut self, ctx: &mut Ctx) -> Option<u32> {
        if !self.rebalancing || !self.members.iter().all(|m| m.joined) {
            return None;
        }
        self.rebalancing = false;
        self.generation += 1;
        let members: Vec<u8> = self.members.iter().map(|m| m.instance).collect();
        let partitions = usize::from(ctx.cfg.config.num_partitions.max(1)).min(MAX_PARTITIONS);
        let target = assign(ctx.cfg.config.assignor, &members, &self.owners, partitions);
        self.moving = [None; MAX_PARTITIONS];
        for p in 0..partitions {
            match self.owners[p] {
                // KIP-429: a partition that leaves a member that is still in the group stays
                // with it until it has revoked it (`revoked`); only then does the new owner get it.
                Some(owner) if ctx.cfg.config.assignor == Assignor::CooperativeSticky && self.is_member(owner) && target[p] != Some(owner) => {
                    self.moving[p] = target[p];
                }
                _ => self.owners[p] = target[p],
            }
        }
        ctx.record(EventKind::Rebalanced { generation: self.generation, owner: self.owners[0] });
        for partition in 1..partitions as u8 {
            // A partition still to be revoked is announced when it changes hands (`revoked`).
            if self.moving[usize::from(partition)].is_none() {
                ctx.record(EventKind::PartitionAssigned { partition, owner: self.owners[usize::from(partition)] });
            }
        }
        Some(self.generation)
    }

    /// The partitions `instance` owns and keeps (not the ones it has to revoke), in order.
    pub(crate) fn assignment_of(&self, instance: u8, partitions: u8) -> Vec<u8> {
        (0..partitions).filter(|&p| self.owner(p) == Some(instance) && self.moving[usize::from(p)].is_none()).collect()
    }

    /// `instance` revoked `partition` (onPartitionsRevoked): the partition goes to the member it
    /// was moving to (the follow-up rebalance of KIP-429, folded in).
    pub(crate) fn revoked(&mut self, ctx: &mut Ctx, instance: u8, partition: u8) {
        let p = usize::from(partition);
        if self.owners.get(p) != Some(&Some(instance)) {
            return;
        }
        self.owners[p] = self.moving[p].take();
        self.handed_over = true;
        ctx.record(EventKind::PartitionAssigned { partition, owner: self.owners[p] });
    }

    /// The member owning `partition`, in a group of several.
    pub fn owner(&self, partition: u8) -> Option<u8> {
        self.owners.get(usize::from(partition)).copied().flatten()
    }

    /// Stores a committed offset of `partition` and the leader epoch it was read under.
    pub(crate) fn store(&mut self, partition: u8, offset: u64, leader_epoch: u32) {
        let p = usize::from(partition).min(MAX_PARTITIONS - 1);
        self.committed[p] = Some(offset);
        self.committed_epoch[p] = leader_epoch;
    }

    /// The committed offset of `partition`, once a commit of it has landed.
    pub fn committed(&self, partition: u8) -> Option<u64> {
        self.committed.get(usize::from(partition)).copied().flatten()
    }

    /// An OffsetCommit reached the coordinator; a member removed from the group (an old
    /// generation) gets a refusal (CommitFailedException in the Java client). `leader_epoch` is
    /// the epoch the committing consumer read under (`World::consumer_leader_epoch`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn on_offset_commit(&mut self, ctx: &mut Ctx, from: Actor, partition: u8, offset: u64, generation: u32, leader_epoch: u32) {
        let Actor::Consumer { instance } = from else { return };
        let ok = self.accepts_member(generation, instance);
        if ok {
            self.store(partition, offset, leader_epoch);
            ctx.record(EventKind::Committed { offset, txn: false, partition });
        } else {
            ctx.record(EventKind::CommitFailed { offset, partition });
        }
        ctx.send(Actor::GroupCoordinator, from, FlightKind::OffsetCommitResponse { offset, ok, partition });
    }
}

/// The owner of each of `partitions` partitions after a rebalance among `members` (sorted by
/// member id), given the owners before it.
/// - RangeAssignor: the partitions in order, split into contiguous ranges, one per member in
///   order; the first `partitions % members` members get one more (RangeAssignor.assign:
///   numPartitionsPerConsumer, consumersWithExtraPartition).
/// - CooperativeStickyAssignor (KIP-429): a partition stays with its owner while the owner is
///   still a member and the assignment stays balanced (no member more than one partition above
///   another); the others go, in order, to the member with the fewest.
pub(crate) fn assign(assignor: Assignor, members: &[u8], before: &[Option<u8>; MAX_PARTITIONS], partitions: usize) -> [Option<u8>; MAX_PARTITIONS] {
    let mut owners = [None; MAX_PARTITIONS];
    if members.is_empty() {
        return owners;
    }
    let (n, partitions) = (members.len(), partitions.min(MAX_PARTITIONS));
    let (per, extra) = (partitions / n, partitions % n);
    match assignor {
        Assignor::Range => {
            for (i, &member) in members.iter().enumerate() {
                let start = per * i + i.min(extra);
                let len = per + usize::from(i < extra);
                for owner in &mut owners[start..start + len] {
                    *owner = Some(member);
                }
            }
        }
        Assignor::CooperativeSticky => {
            let mut count = vec![0usize; n];
            let mut above = 0;
            for p in 0..partitions {
                let Some(i) = before[p].and_then(|o| members.iter().position(|&m| m == o)) else { continue };
                if count[i] < per || (count[i] == per && above < extra) {
                    above += usize::from(count[i] == per);
                    count[i] += 1;
                    owners[p] = Some(members[i]);
                }
            }
            for p in 0..partitions {
                if owners[p].is_none() {
                    let i = (0..n).min_by_key(|&i| count[i]).unwrap_or(0);
                    count[i] += 1;
                    owners[p] = Some(members[i]);
                }
            }
        }
    }
    owners
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
        group.on_offset_commit(&mut ctx!(w), member, 0, 3, generation, 2);
        assert_eq!((group.committed(0), group.committed_epoch[0]), (Some(3), 2));
        group.on_offset_commit(&mut ctx!(w), member, 0, 5, generation - 1, 4);
        assert_eq!((group.committed(0), group.committed_epoch[0]), (Some(3), 2), "a stale commit changes nothing");
        group.on_offset_commit(&mut ctx!(w), member, 1, 7, generation, 1);
        assert_eq!((group.committed(0), group.committed(1)), (Some(3), Some(7)), "each partition has its own");
        let kinds: Vec<EventKind> = w.events().iter().map(|e| e.kind).collect();
        assert!(matches!(kinds[0], EventKind::Committed { offset: 3, txn: false, partition: 0 }));
        assert!(matches!(kinds[1], EventKind::Sent { what: FlightKind::OffsetCommitResponse { offset: 3, ok: true, .. }, .. }));
        assert!(matches!(kinds[2], EventKind::CommitFailed { offset: 5, .. }));
        assert!(matches!(kinds[3], EventKind::Sent { what: FlightKind::OffsetCommitResponse { offset: 5, ok: false, .. }, .. }));
    }

    /// RangeAssignor.assign: "For each topic, we lay out the available partitions in numeric order
    /// and the consumers in lexicographic order. We then divide the number of partitions by the
    /// total number of consumers to determine the number of partitions to assign to each consumer.
    /// If it does not evenly divide, then the first few consumers will have one extra partition."
    /// CooperativeStickyAssignor (AbstractStickyAssignor): "the assignment is as balanced as
    /// possible" and "it preserves as many existing assignment as possible".
    #[test]
    fn range_splits_in_order_and_cooperative_sticky_keeps_what_stays_balanced() {
        let (a, b, c) = (100, 101, 102);
        let none = [None; MAX_PARTITIONS];
        assert_eq!(assign(Assignor::Range, &[a, b], &none, 3), [Some(a), Some(a), Some(b)]);
        assert_eq!(assign(Assignor::Range, &[a, b, c], &none, 2), [Some(a), Some(b), None], "the third has none");
        assert_eq!(assign(Assignor::Range, &[a, b], &[Some(b), Some(b), Some(a)], 3), [Some(a), Some(a), Some(b)], "not sticky");
        let sticky = Assignor::CooperativeSticky;
        assert_eq!(assign(sticky, &[a, b], &[Some(a), Some(a), Some(a)], 3), [Some(a), Some(a), Some(b)], "b joins: one moves");
        assert_eq!(assign(sticky, &[b], &[Some(a), Some(a), Some(b)], 3), [Some(b), Some(b), Some(b)], "a left");
        assert_eq!(assign(sticky, &[a, b], &[Some(b), Some(a), None], 3), [Some(b), Some(a), Some(a)], "each keeps its own");
        assert_eq!(assign(sticky, &[a, b, c], &[Some(c), Some(c), Some(c)], 3), [Some(c), Some(a), Some(b)]);
    }
}
