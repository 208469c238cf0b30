//! The consumer client and application: poll, process, commit, and the ways each can fail.
//!
//! Rules followed: ConsumerCoordinator (auto-commit inside poll() of what earlier polls returned,
//! commit on close(), CommitFailedException after removal from the group), ConsumerConfig
//! (max.poll.interval.ms, isolation.level, auto.offset.reset), KIP-447 (offsets in the
//! producer's transaction, fenced by the group generation), librdkafka's stored-offset background
//! commit.

use serde::Serialize;

use super::broker::Partition;
use super::config::{Assignor, AutoCommitStyle, EffectiveConfig, ManualCommit, OffsetReset, SinkKind};
use super::event::{Actor, EventKind, FetchedRecord, FlightKind, MsgId, Tick, MAX_MEMBERS, MEMBER_BASE};
use super::fault::Fault;
use super::group::GroupCoordinator;
use super::sink::Sink;
use super::txn::MAX_PARTITIONS;
use super::world::{ctx, Action, Ctx, FlightState, World};

/// The consumer client and application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Consumer {
    /// Which instance (restarts count up; in a group of several, see `event::MEMBER_BASE`).
    pub instance: u8,
    /// Which member of a group of several it is (0-based; 0 for a lone consumer).
    pub member: u8,
    /// Whether it owns the partition (a group of several; a lone consumer always reads it).
    pub assigned: bool,
    /// Whether it has made onJoinPrepare's auto-commit for the rebalance under way.
    pub join_committed: bool,
    /// Whether the process runs.
    pub alive: bool,
    /// Whether it is a member of the group (false after max.poll.interval.ms passed).
    pub in_group: bool,
    /// The group generation it joined.
    pub generation: u32,
    /// The next offset it will fetch.
    pub position: u64,
    /// Whether a fetch is out (the application is inside poll()).
    pub fetching: bool,
    /// The records the last poll returned.
    pub batch: Vec<FetchedRecord>,
    /// How many of the batch are processed.
    pub processed_in_batch: usize,
    /// The record being processed.
    pub processing: Option<FetchedRecord>,
    /// The offset stored for the background auto-commit.
    pub stored: Option<u64>,
    /// The offset of the last commit it sent.
    pub commit_sent: Option<u64>,
    /// When it last sent a commit.
    pub last_commit: Tick,
    /// Whether an auto-commit timer is pending.
    pub timer_armed: bool,
    /// The commit it waits for (commitSync or the transaction commit).
    pub waiting_commit: Option<u32>,
    /// The offsets, by partition, of the synchronous commit of several partitions it waits for:
    /// one OffsetCommit request in Kafka, sent again whole if it times out (`commit_each`).
    pub waiting_batch: Vec<(u8, u64)>,
    /// How many polls it made.
    pub polls: u32,
    /// When it last polled.
    pub last_poll: Tick,
    /// The leader epoch of the last fetch answer, to detect truncation after a failover (KIP-320).
    pub leader_epoch: u32,
    /// The application's current transaction (offsets in the transaction).
    pub txn: u32,
    /// Whether the current transaction has output or offsets.
    pub txn_dirty: bool,
    /// The partition `position`, `stored`, `commit_sent` and `leader_epoch` are of: the one whose
    /// records the application handles now (a topic of one partition: 0).
    pub partition: u8,
    /// The same for every other partition it reads (a topic of several partitions).
    pub others: Vec<PartitionRead>,
    /// By partition (bit p), the fetches it has out: the Java client sends one to the leader of
    /// each partition it owns at once (Fetcher.sendFetches, one request per broker).
    pub fetches_out: u8,
    /// By partition, the flight of the last fetch it sent: an earlier one still on its way when
    /// it reset its position (a rejoin, a restart of reading) is stale, and the leader drops it;
    /// a timed-out fetch that is not the last is no longer awaited.
    pub last_fetch: [Option<u32>; MAX_PARTITIONS],
    /// Fetch responses that arrived while the application was busy, in arrival order: the next
    /// poll() returns the first at once (the Java client's completed fetches).
    pub ready: Vec<u32>,
    /// A rebalance that completed while the application was busy and takes partitions away: its
    /// generation, applied at the next poll().
    pub pending_generation: Option<u32>,
}

/// A consumer's reading of a partition other than the one its fields describe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PartitionRead {
    /// Which partition.
    pub partition: u8,
    /// The next offset it will fetch.
    pub position: u64,
    /// The offset stored for the background auto-commit.
    pub stored: Option<u64>,
    /// The offset of the last commit it sent.
    pub commit_sent: Option<u64>,
    /// The leader epoch of the last fetch answer (KIP-320).
    pub leader_epoch: u32,
}

impl PartitionRead {
    fn new(partition: u8) -> PartitionRead {
        PartitionRead { partition, position: 0, stored: None, commit_sent: None, leader_epoch: 0 }
    }
}

impl Consumer {
    pub(crate) fn new() -> Consumer {
        Consumer {
            instance: 0,
            member: 0,
            assigned: false,
            join_committed: false,
            alive: false,
            in_group: false,
            generation: 0,
            position: 0,
            fetching: false,
            batch: Vec::new(),
            processed_in_batch: 0,
            processing: None,
            stored: None,
            commit_sent: None,
            last_commit: 0,
            timer_armed: false,
            waiting_commit: None,
            waiting_batch: Vec::new(),
            polls: 0,
            last_poll: 0,
            leader_epoch: 0,
            txn: 1,
            txn_dirty: false,
            partition: 0,
            others: Vec::new(),
            fetches_out: 0,
            last_fetch: [None; MAX_PARTITIONS],
            ready: Vec::new(),
            pending_generation: None,
        }
    }

    /// Whether it reads partitions now: a lone consumer always does, a member of a group of
    /// several while the group assigns it some.
    fn reads(&self, cfg: &EffectiveConfig) -> bool {
        !group_of_several(cfg) || self.assigned
    }

    /// The partitions it reads, in order (none while it owns none).
    pub fn owned(&self, cfg: &EffectiveConfig) -> Vec<u8> {
        (0..cfg.config.num_partitions.max(1)).filter(|&p| self.owns(cfg, p)).collect()
    }

    fn owns(&self, cfg: &EffectiveConfig, partition: u8) -> bool {
        self.reads(cfg) && self.read(partition).is_some()
    }

    /// Its reading of `partition`: the one its fields describe, or one of `others`.
    pub fn read(&self, partition: u8) -> Option<PartitionRead> {
        if partition == self.partition {
            let (position, stored, commit_sent, leader_epoch) = (self.position, self.stored, self.commit_sent, self.leader_epoch);
            return Some(PartitionRead { partition, position, stored, commit_sent, leader_epoch });
        }
        self.others.iter().find(|r| r.partition == partition).copied()
    }

    /// Its fields describe `r` from now on.
    fn load(&mut self, r: PartitionRead) {
        self.partition = r.partition;
        self.position = r.position;
        self.stored = r.stored;
        self.commit_sent = r.commit_sent;
        self.leader_epoch = r.leader_epoch;
    }

    /// Makes `partition` (one it reads) the one its fields describe.
    fn switch_to(&mut self, partition: u8) {
        let Some(i) = self.others.iter().position(|r| r.partition == partition) else { return };
        let Some(current) = self.read(self.partition) else { return };
        let other = std::mem::replace(&mut self.others[i], current);
        self.load(other);
    }

    /// Its position and leader epoch in `partition`, if it reads it.
    pub(crate) fn reading_mut(&mut self, partition: u8) -> Option<(&mut u64, &mut u32)> {
        if partition == self.partition {
            return Some((&mut self.position, &mut self.leader_epoch));
        }
        self.others.iter_mut().find(|r| r.partition == partition).map(|r| (&mut r.position, &mut r.leader_epoch))
    }

    /// Its position in `partition`, if it reads it.
    pub fn position_of(&self, partition: u8) -> Option<u64> {
        self.read(partition).map(|r| r.position)
    }
}

/// How the consumer commits, with auto-commit and its style folded in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CommitMode {
    AutoInPoll,
    AutoBackground,
    Before,
    After,
    InTransaction,
    /// commitTransaction() of the output, then commitSync() of the offsets.
    SyncAfterTransaction,
}

fn commit_mode(cfg: &EffectiveConfig) -> CommitMode {
    let c = &cfg.config;
    match (c.enable_auto_commit, c.auto_commit_style, c.manual_commit) {
        (true, AutoCommitStyle::JavaPoll, _) => CommitMode::AutoInPoll,
        (true, AutoCommitStyle::BackgroundStored, _) => CommitMode::AutoBackground,
        (false, _, ManualCommit::BeforeProcessing) => CommitMode::Before,
        (false, _, ManualCommit::AfterProcessing) => CommitMode::After,
        (false, _, ManualCommit::InTransaction) => CommitMode::InTransaction,
        (false, _, ManualCommit::SyncAfterTransaction) => CommitMode::SyncAfterTransaction,
    }
}

/// Whether the group has several members (`lab.group.members` > 1): then the coordinator
/// assigns the partition to one of them and membership changes rebalance the group.
pub(crate) fn group_of_several(cfg: &EffectiveConfig) -> bool {
    cfg.config.group_members > 1
}

/// Whether the members of a group of several are static (`group.instance.id`, KIP-345).
pub(crate) fn static_members(cfg: &EffectiveConfig) -> bool {
    group_of_several(cfg) && cfg.config.group_instance_id.is_some()
}

/// Whether the consumer commits through its own transaction.
pub(crate) fn consumer_transactional(cfg: &EffectiveConfig) -> bool {
    !cfg.config.enable_auto_commit && matches!(cfg.config.manual_commit, ManualCommit::InTransaction | ManualCommit::SyncAfterTransaction)
}

/// What a consumer handler borrows of the other actors besides the [`Ctx`]: each use is one of
/// the shortcuts lib.rs names ("Modelling decisions"), never a field written by hand.
pub(crate) struct ConsumerPeers<'a> {
    /// The partitions as the client's metadata sees them: leader, leader epoch and log (the
    /// lab's metadata is always fresh; the log picks the message a lost commit covers). Mutable
    /// only for `Partition::forget_fetch_of`.
    pub partitions: &'a mut [Partition],
    /// The group coordinator: joining and leaving the group take no round trip.
    pub group: &'a mut GroupCoordinator,
    /// Where processing leaves its effect, and the outcome of each application transaction.
    pub sink: &'a mut Sink,
}

/// Where a (re)joining consumer starts reading `partition`: the offset stored in the database
/// for that pattern, else the committed offset, else auto.offset.reset.
fn start_position(cfg: &EffectiveConfig, peers: &ConsumerPeers, partition: u8) -> u64 {
    let stored = if cfg.config.sink == SinkKind::DbOffsetsInDb { peers.sink.db_offset } else { peers.group.committed(partition) };
    stored.unwrap_or(match cfg.config.auto_offset_reset {
        OffsetReset::Earliest => 0,
        OffsetReset::Latest => peers.partitions[usize::from(partition)].read_limit(cfg.config.isolation_level),
    })
}

/// The data messages at offsets `from..to` of the partition's log.
fn msgs_between(partition: &Partition, from: u64, to: u64) -> Vec<MsgId> {
    let log = partition.log();
    let end = (to as usize).min(log.len());
    let start = (from as usize).min(end);
    log[start..end].iter().filter_map(|e| e.msg()).collect()
}

impl Consumer {
    fn actor(&self) -> Actor {
        Actor::Consumer { instance: self.instance }
    }

    /// The consumer (re)joins the group and starts polling. A member of a group of several
    /// joins and waits for the rebalance to give it the partition (`Consumer::assigned_by`).
    pub(crate) fn start(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers) {
        self.alive = true;
        self.in_group = true;
        if group_of_several(ctx.cfg) {
            if static_members(ctx.cfg) && peers.group.replace_static(self.instance) {
                return self.returns(ctx, peers);
            }
            return peers.group.member_joins(ctx, self.instance);
        }
        self.generation = peers.group.join();
        self.begin_at_committed(ctx, peers);
    }

    /// It reads its partitions from their committed offsets (or as auto.offset.reset says): what
    /// it fetched before is dropped (the Java client clears its fetch buffer when it seeks).
    fn begin_at_committed(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers) {
        self.stop_fetching(peers);
        let owned = self.owned(ctx.cfg);
        for &p in &owned {
            self.switch_to(p);
            self.start_reading(ctx, peers);
        }
        if let Some(&first) = owned.first() {
            self.switch_to(first);
        }
        self.poll(ctx, peers);
    }

    /// It reads the partition its fields describe from the committed offset.
    fn start_reading(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers) {
        let p = self.partition;
        let position = start_position(ctx.cfg, peers, p);
        let committed = peers.group.committed(p);
        self.position = position;
        self.commit_sent = committed;
        self.stored = None;
        // KIP-320: a committed offset carries the leader epoch it was read under.
        self.leader_epoch =
            if committed.is_some() { peers.group.committed_epoch[usize::from(p)] } else { peers.partitions[usize::from(p)].leader_epoch };
        ctx.record(EventKind::ConsumerStarted { instance: self.instance, position, committed, partition: p });
    }

    /// poll(): the Java client first auto-commits what earlier polls returned if the interval has
    /// passed (ConsumerCoordinator.maybeAutoCommitOffsetsAsync), then fetches.
    pub(crate) fn poll(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers) {
        if !self.alive || self.processing.is_some() || self.waiting_commit.is_some() {
            return;
        }
        if let Some(generation) = self.pending_generation.take() {
            if generation == peers.group.generation && self.in_group {
                return self.assigned_by(ctx, peers, generation);
            }
        }
        if self.fetching {
            // Still inside poll(): a partition whose fetch failed is fetched again.
            return self.fetch_missing(ctx, peers);
        }
        if group_of_several(ctx.cfg) && !self.polls_in_group(ctx, peers) {
            return;
        }
        if !self.in_group {
            return self.rejoin(ctx, peers);
        }
        let due = ctx.now >= self.last_commit + ctx.cfg.auto_commit_interval;
        if commit_mode(ctx.cfg) == CommitMode::AutoInPoll && due {
            self.commit_positions(ctx, peers, false);
        }
        if self.return_ready(ctx, peers) {
            return;
        }
        let owned = self.owned(ctx.cfg);
        let out = |p: u8| self.fetches_out & (1 << p) != 0;
        if !owned.iter().any(|&p| out(p) || peers.partitions[usize::from(p)].leader.is_some()) {
            // No leader to fetch from: poll() waits (the election wakes it up).
            return;
        }
        self.polls += 1;
        self.last_poll = ctx.now;
        self.fetching = true;
        self.batch.clear();
        self.processed_in_batch = 0;
        self.fetch_missing(ctx, peers);
        self.arm_auto_commit(ctx, peers);
    }

    /// Sends a fetch to the leader of every partition it reads that has none out.
    fn fetch_missing(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers) {
        for p in self.owned(ctx.cfg) {
            if self.fetches_out & (1 << p) != 0 {
                continue;
            }
            let Some(leader) = peers.partitions[usize::from(p)].leader else { continue };
            let (offset, leader_epoch) = match self.reading_mut(p) {
                Some((position, epoch)) => (*position, *epoch),
                None => continue,
            };
            self.fetches_out |= 1 << p;
            let id = ctx.send(self.actor(), Actor::Broker(leader), FlightKind::Fetch { offset, leader_epoch });
            self.last_fetch[usize::from(p)] = Some(id);
        }
    }

    /// poll() returns records that arrived while the application was busy, if any (a topic of
    /// several partitions). Whether it did.
    fn return_ready(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers) -> bool {
        while !self.ready.is_empty() {
            let id = self.ready.remove(0);
            let flight = &ctx.flights[id as usize];
            let (Actor::Broker(b), FlightKind::FetchResponse { from, .. }) = (flight.from, flight.what) else { continue };
            let p = peers.partitions.iter().position(|part| part.replica(b).is_some()).unwrap_or(0) as u8;
            // Records of a partition it no longer reads, or from before a seek, are dropped.
            if !self.owns(ctx.cfg, p) || self.reading_mut(p).is_none_or(|(position, _)| *position != from) {
                continue;
            }
            self.polls += 1;
            self.last_poll = ctx.now;
            self.fetching = true;
            self.deliver(ctx, peers, id, p);
            return true;
        }
        false
    }

    /// poll() of a member of a group of several: it rejoins if the group is rebalancing (or
    /// removed it), and reads only while it owns the partition. Whether it goes on to fetch.
    fn polls_in_group(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers) -> bool {
        let must_rejoin = !self.in_group || (peers.group.rebalancing && !peers.group.has_rejoined(self.instance));
        if must_rejoin {
            self.rejoin_group(ctx, peers);
        }
        self.alive && self.assigned && self.waiting_commit.is_none() && !self.fetching
    }

    /// ConsumerCoordinator.onJoinPrepare, for a member that can rejoin now (inside poll(), not
    /// processing and not waiting for a commit). A member the group removed loses its partition
    /// (onPartitionsLost: nothing is committed, its generation is gone) and joins as a new member.
    /// Otherwise, with the eager protocol (RangeAssignor) it revokes what it owns, after
    /// auto-commit commits the position (onJoinPrepare's maybeAutoCommitOffsetsAsync, waited
    /// for); with CooperativeStickyAssignor it keeps its partition and goes on reading.
    pub(crate) fn rejoin_group(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers) {
        if !self.alive || self.processing.is_some() || self.waiting_commit.is_some() {
            return;
        }
        let instance = self.instance;
        if !self.in_group {
            if self.assigned {
                self.give_up_partition(ctx, peers, true);
            }
            self.in_group = true;
            if static_members(ctx.cfg) && peers.group.is_member(instance) {
                return self.returns(ctx, peers);
            }
            return peers.group.member_joins(ctx, instance);
        }
        if self.assigned && !self.join_committed {
            // onJoinPrepare commits what was consumed, whatever was sent before (a commit may
            // have been lost), with either protocol, and waits for the answer.
            let offsets = self.auto_offsets(ctx.cfg, None);
            if !offsets.is_empty() {
                self.join_committed = true;
                self.stop_fetching(peers);
                return self.commit_each(ctx, peers, &offsets, true);
            }
        }
        if self.assigned && ctx.cfg.config.assignor == Assignor::Range {
            self.give_up_partition(ctx, peers, false);
        }
        peers.group.rejoined(instance);
    }

    /// A static member the coordinator still holds rejoins (KIP-345): outside a rebalance it gets
    /// its assignment back at once; during one it is simply a member that has rejoined.
    fn returns(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers) {
        ctx.record(EventKind::MemberReturned { instance: self.instance });
        peers.group.rejoined(self.instance);
        if !peers.group.rebalancing {
            let generation = peers.group.generation;
            self.assigned_by(ctx, peers, generation);
        }
    }

    fn give_up_partition(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers, lost: bool) {
        self.stop_fetching(peers);
        self.assigned = false;
        self.others.clear();
        self.stored = None;
        self.batch.clear();
        self.processed_in_batch = 0;
        ctx.record(EventKind::PartitionRevoked { instance: self.instance, lost });
    }

    /// Closes the fetch it has out: the leader forgets it if it holds it, and an answer on its
    /// way is dropped (the Java client discards records of partitions it no longer owns).
    fn stop_fetching(&mut self, peers: &mut ConsumerPeers) {
        if self.fetching || self.fetches_out != 0 {
            self.fetching = false;
            self.fetches_out = 0;
            for partition in peers.partitions.iter_mut() {
                partition.forget_fetch_of(self.instance);
            }
        }
        self.ready.clear();
    }

    /// The rebalance completed (SyncGroup folded in): the member takes the new generation, and
    /// the partition if it is now its owner, at the committed offset.
    pub(crate) fn assigned_by(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers, generation: u32) {
        if !self.alive || !self.in_group || !peers.group.is_member(self.instance) {
            return;
        }
        self.generation = generation;
        self.join_committed = false;
        let partitions = ctx.cfg.config.num_partitions.max(1);
        let mine = peers.group.assignment_of(self.instance, partitions);
        let Some(&first) = mine.first() else {
            if self.assigned {
                self.stop_fetching(peers);
            }
            self.assigned = false;
            self.others.clear();
            return;
        };
        if self.assigned {
            if self.owned(ctx.cfg) == mine {
                return self.poll(ctx, peers);
            }
            if self.processing.is_some() || self.waiting_commit.is_some() {
                // The application is busy with records poll() returned: the client revokes what
                // it loses at its next poll() (onJoinComplete runs inside poll()).
                self.pending_generation = Some(generation);
                return;
            }
            return self.reassigned(ctx, peers, &mine);
        }
        self.assigned = true;
        self.partition = first;
        self.others = mine[1..].iter().map(|&p| PartitionRead::new(p)).collect();
        self.begin_at_committed(ctx, peers);
    }

    /// CooperativeStickyAssignor moved some of its partitions (KIP-429): it keeps reading the
    /// ones it keeps where it is, drops the others (its fetches of them closed) and reads the new
    /// ones from their committed offsets.
    fn reassigned(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers, mine: &[u8]) {
        self.stop_fetching(peers);
        let mut reads = Vec::new();
        for p in 0..MAX_PARTITIONS as u8 {
            match (self.read(p), mine.contains(&p)) {
                (Some(r), true) => reads.push((r, false)),
                (Some(_), false) => peers.group.revoked(ctx, self.instance, p),
                (None, true) => reads.push((PartitionRead::new(p), true)),
                (None, false) => {}
            }
        }
        let Some(&(first, _)) = reads.first() else { return };
        self.load(first);
        self.others = reads[1..].iter().map(|&(r, _)| r).collect();
        for (r, new) in reads {
            if new {
                self.switch_to(r.partition);
                self.start_reading(ctx, peers);
            }
        }
        self.switch_to(first.partition);
        self.poll(ctx, peers);
    }

    /// The next application transaction's number: members of a group of several number theirs
    /// apart (member m's are m + 1, m + 1 + 3...), so the output topic tells them apart.
    fn next_txn(&mut self, cfg: &EffectiveConfig) {
        self.txn += if group_of_several(cfg) { u32::from(MAX_MEMBERS) } else { 1 };
    }

    fn uncommitted(&self, offset: u64) -> bool {
        self.commit_sent.is_none_or(|sent| offset > sent)
    }

    /// After removal from the group the next poll rejoins, and the position goes back to the
    /// committed offset: what was processed since the last commit is processed again.
    fn rejoin(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers) {
        self.commit_sent = peers.group.committed(self.partition);
        self.stored = None;
        self.start(ctx, peers);
    }

    /// The answer to this consumer's fetch was lost on the wire. The consumer hears nothing:
    /// NetworkClient times the request out after request.timeout.ms (the lab counts from the
    /// loss: a fetch waits at most fetch.max.wait.ms for its answer, which the lab folds into
    /// parking) and disconnects; the fetch is sent again from the consumer's position.
    pub(crate) fn fetch_response_lost(&mut self, ctx: &mut Ctx, partition: u8) {
        let (instance, poll) = (self.instance, self.fetch_token(ctx.cfg, partition));
        ctx.schedule(ctx.now + ctx.cfg.request_timeout, Action::FetchTimeout { instance, poll, partition });
    }

    /// What tells a fetch of `partition` from a later one: the poll that sent it, or with
    /// several partitions the fetch's own flight.
    fn fetch_token(&self, cfg: &EffectiveConfig, partition: u8) -> u32 {
        if cfg.config.num_partitions > 1 {
            self.last_fetch[usize::from(partition).min(MAX_PARTITIONS - 1)].unwrap_or(u32::MAX)
        } else {
            self.polls
        }
    }

    /// request.timeout.ms after a lost fetch response, if that fetch is still unanswered.
    pub(crate) fn fetch_timeout(&mut self, ctx: &mut Ctx, poll: u32, partition: u8) {
        let unanswered = if ctx.cfg.config.num_partitions > 1 { self.fetches_out & (1 << partition) != 0 } else { self.fetching };
        if !self.alive || !unanswered || self.fetch_token(ctx.cfg, partition) != poll {
            return;
        }
        ctx.record(EventKind::FetchTimedOut { instance: self.instance });
        self.fetch_failed(ctx, partition);
    }

    /// The fetch of `partition` failed (its broker no longer leads, or is down): poll again
    /// after retry.backoff.ms.
    pub(crate) fn fetch_failed(&mut self, ctx: &mut Ctx, partition: u8) {
        self.fetches_out &= !(1 << partition);
        if self.fetches_out == 0 {
            self.fetching = false;
        }
        let instance = self.instance;
        ctx.schedule(ctx.now + ctx.cfg.retry_backoff, Action::Poll { instance });
    }

    /// Records of `partition` reached the consumer: poll() returns them to the application, or
    /// with several partitions keeps them for the next poll() if the application is busy.
    pub(crate) fn on_fetch_response(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers, id: u32, partition: u8) {
        if !matches!(ctx.flights[id as usize].what, FlightKind::FetchResponse { .. }) {
            return;
        }
        self.fetches_out &= !(1 << partition);
        if !self.owns(ctx.cfg, partition) {
            return;
        }
        if !self.fetching {
            if self.others.is_empty() {
                if group_of_several(ctx.cfg) {
                    return;
                }
            } else {
                return self.ready.push(id);
            }
        }
        if !self.others.is_empty() && self.reading_mut(partition).is_none_or(|(position, _)| {
            matches!(ctx.flights[id as usize].what, FlightKind::FetchResponse { from, .. } if from != *position)
        }) {
            // An answer from before a seek: fetched again.
            return self.fetch_missing(ctx, peers);
        }
        self.deliver(ctx, peers, id, partition);
    }

    /// poll() returns the records of fetch response `id`, of `partition`.
    fn deliver(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers, id: u32, partition: u8) {
        let flight = &ctx.flights[id as usize];
        let FlightKind::FetchResponse { from, to, records } = flight.what else { return };
        self.switch_to(partition);
        self.batch = flight.records.clone();
        self.fetching = false;
        self.position = to;
        self.processed_in_batch = 0;
        ctx.record(EventKind::Polled { from, to, records, partition });
        if records == 0 {
            return self.poll(ctx, peers);
        }
        // max.poll.interval.ms counts from poll()'s return: while it waits for records, poll()
        // keeps the poll timer fresh (KafkaConsumer.poll calls the coordinator's poll on every
        // pass of its loop), so a consumer waiting for data is never idle.
        let (instance, poll) = (self.instance, self.polls);
        ctx.schedule(ctx.now + ctx.cfg.max_poll_interval, Action::PollDeadline { instance, poll });
        match commit_mode(ctx.cfg) {
            CommitMode::Before => self.commit(ctx, peers, to, true),
            _ => self.process_next(ctx, peers),
        }
    }

    /// Processes the next record of the batch, or finishes the batch.
    fn process_next(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers) {
        let Some(&FetchedRecord { offset, msg }) = self.batch.get(self.processed_in_batch) else {
            return self.batch_done(ctx, peers);
        };
        if commit_mode(ctx.cfg) == CommitMode::AutoBackground {
            // librdkafka stores a message's offset when consumer_poll() hands it to the
            // application, before any processing (enable.auto.offset.store=true, CONFIGURATION.md:
            // "Automatically store offset of last message provided to application"); the timer
            // and close() commit what is stored, whatever happens to the processing.
            self.stored = Some(offset + 1);
            ctx.record(EventKind::OffsetStored { offset: offset + 1, partition: self.partition });
            self.arm_auto_commit(ctx, peers);
        }
        if ctx.strike(Fault::ConsumerCrashAfterFetch, Some(msg)) {
            return self.crash(ctx, peers);
        }
        if ctx.strike(Fault::ProcessingThrows, Some(msg)) {
            ctx.record(EventKind::ProcessingThrew { msg, offset });
            return self.close(ctx, peers);
        }
        ctx.record(EventKind::ProcessingStarted { msg, offset });
        let mut duration = ctx.cfg.processing;
        if ctx.strike(Fault::ProcessingStall, Some(msg)) {
            duration += ctx.cfg.max_poll_interval + ctx.cfg.restart;
        }
        self.processing = Some(FetchedRecord { offset, msg });
        let instance = self.instance;
        ctx.schedule(ctx.now + duration, Action::ProcessDone { instance, offset });
    }

    /// Processing of a record finished: its effect goes to the sink.
    pub(crate) fn process_done(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers, offset: u64) {
        let Some(FetchedRecord { offset: current, msg }) = self.processing else { return };
        if !self.alive || current != offset {
            return;
        }
        let txn = ctx.cfg.config.sink.transactional_output().then_some(self.txn);
        peers.sink.write(ctx, msg, offset, txn);
        ctx.record(EventKind::ProcessingFinished { msg, offset });
        self.processing = None;
        self.processed_in_batch += 1;
        if consumer_transactional(ctx.cfg) {
            self.txn_dirty = true;
        }
        if ctx.strike(Fault::DbWriteThenDie, Some(msg)) || ctx.strike(Fault::ConsumerCrashAfterProcessing, Some(msg)) {
            return self.crash(ctx, peers);
        }
        self.process_next(ctx, peers);
    }

    /// The batch is processed: commit as the policy says, then poll again.
    fn batch_done(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers) {
        let position = self.position;
        match commit_mode(ctx.cfg) {
            CommitMode::After if self.uncommitted(position) => self.commit(ctx, peers, position, true),
            CommitMode::InTransaction if self.txn_dirty => self.commit_txn(ctx, peers, position),
            // commitTransaction() of the output only; the offsets follow by commitSync().
            CommitMode::SyncAfterTransaction if self.txn_dirty => {
                let what = FlightKind::TxnCommit { offset: position, txn: self.txn, partition: self.partition };
                self.commit_output(ctx, what)
            }
            CommitMode::SyncAfterTransaction if self.uncommitted(position) => self.commit(ctx, peers, position, true),
            _ => self.poll(ctx, peers),
        }
    }

    /// Sends an offset commit; `sync` makes the application wait for the answer (commitSync).
    fn commit(&mut self, ctx: &mut Ctx, peers: &ConsumerPeers, offset: u64, sync: bool) {
        self.commit_part(ctx, peers, offset, sync, true);
    }

    /// [`Consumer::commit`]; without `strike`, no fault may strike it (the request it is part of
    /// was struck already).
    fn commit_part(&mut self, ctx: &mut Ctx, peers: &ConsumerPeers, offset: u64, sync: bool, strike: bool) {
        let partition = self.partition;
        let mut covered = msgs_between(&peers.partitions[usize::from(partition)], self.commit_sent.unwrap_or(0), offset);
        if !strike {
            covered.clear();
        }
        self.commit_sent = Some(offset);
        self.last_commit = ctx.now;
        self.waiting_batch.clear();
        let what = FlightKind::OffsetCommit { offset, generation: self.generation, partition };
        let flight = ctx.send(self.actor(), Actor::GroupCoordinator, what);
        self.sent_commit(ctx, flight, &covered, sync);
    }

    /// sendOffsetsToTransaction + commitTransaction of the application's transactional producer.
    fn commit_txn(&mut self, ctx: &mut Ctx, peers: &ConsumerPeers, offset: u64) {
        let partition = self.partition;
        let committed = peers.group.committed(partition).unwrap_or(0);
        let covered = msgs_between(&peers.partitions[usize::from(partition)], committed, offset);
        let what = FlightKind::TxnOffsetCommit { offset, generation: self.generation, txn: self.txn, partition };
        let flight = ctx.send(self.actor(), Actor::TxnCoordinator, what);
        self.sent_commit(ctx, flight, &covered, true);
    }

    /// commitTransaction() of the consumer application's output alone (`what`, a `TxnCommit`):
    /// waited for like commitSync, and no offset commit for `drop-offset-commit` to lose.
    fn commit_output(&mut self, ctx: &mut Ctx, what: FlightKind) {
        let flight = ctx.send(self.actor(), Actor::TxnCoordinator, what);
        self.sent_commit(ctx, flight, &[], true);
    }

    /// After a commit left: `drop-offset-commit` may lose it, and a synchronous one is waited for
    /// up to request.timeout.ms.
    fn sent_commit(&mut self, ctx: &mut Ctx, flight: u32, covered: &[MsgId], sync: bool) {
        if ctx.strike_any(Fault::DropOffsetCommit, covered) {
            ctx.flights[flight as usize].doomed = Some(Fault::DropOffsetCommit);
        }
        if sync {
            self.waiting_commit = Some(flight);
            let instance = self.instance;
            ctx.schedule(ctx.now + ctx.cfg.request_timeout, Action::CommitTimeout { instance, flight });
        }
    }

    /// The answer to a commit reached the consumer.
    pub(crate) fn on_offset_commit_response(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers, id: u32) {
        let (offset, ok, partition) = match ctx.flights[id as usize].what {
            FlightKind::OffsetCommitResponse { offset, ok, partition } | FlightKind::TxnOffsetCommitResponse { offset, ok, partition } => {
                (offset, ok, partition)
            }
            _ => return,
        };
        if ok && partition == self.partition && self.crash_after_commit(ctx, peers, offset) {
            return;
        }
        let answers_wait = self.waiting_commit.is_some_and(|w| match ctx.flights[w as usize].what {
            FlightKind::OffsetCommit { offset: o, partition: p, .. }
            | FlightKind::TxnOffsetCommit { offset: o, partition: p, .. }
            | FlightKind::TxnCommit { offset: o, partition: p, .. } => o == offset && p == partition,
            _ => false,
        });
        if answers_wait {
            self.finish_commit(ctx, peers, ok);
        }
    }

    /// "Consumer crash after the offset commit, before processing finished": strikes when a
    /// commit covering the message lands while the message is not yet processed.
    fn crash_after_commit(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers, offset: u64) -> bool {
        let pending: Vec<MsgId> =
            self.batch.iter().skip(self.processed_in_batch).filter(|r| r.offset < offset).map(|r| r.msg).collect();
        for msg in pending {
            if ctx.strike(Fault::ConsumerCrashAfterCommit, Some(msg)) {
                self.crash(ctx, peers);
                return true;
            }
        }
        false
    }

    /// The commit the application waited for is over (answered, refused or timed out).
    fn finish_commit(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers, ok: bool) {
        let waited = self.waiting_commit.take().map(|w| ctx.flights[w as usize].what);
        match commit_mode(ctx.cfg) {
            CommitMode::SyncAfterTransaction if matches!(waited, Some(FlightKind::TxnCommit { .. })) => {
                self.next_txn(ctx.cfg);
                self.txn_dirty = false;
                if ok {
                    // The output is committed: now commitSync() of the offsets, a second commit.
                    let position = self.position;
                    return self.commit(ctx, peers, position, true);
                }
                self.position = start_position(ctx.cfg, peers, self.partition);
                self.poll(ctx, peers)
            }
            CommitMode::Before if ok => self.process_next(ctx, peers),
            CommitMode::InTransaction => {
                self.next_txn(ctx.cfg);
                self.txn_dirty = false;
                if !ok {
                    // After an abort the application seeks back to the committed offsets.
                    self.position = start_position(ctx.cfg, peers, self.partition);
                }
                self.poll(ctx, peers)
            }
            CommitMode::Before => {
                // The commit failed: the application does not process a batch it could not commit.
                self.in_group = false;
                self.poll(ctx, peers)
            }
            _ => self.poll(ctx, peers),
        }
    }

    /// commitSync or commitTransaction got no answer within request.timeout.ms.
    pub(crate) fn commit_timeout(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers, flight: u32) {
        if !self.alive || self.waiting_commit != Some(flight) {
            return;
        }
        let what = ctx.flights[flight as usize].what;
        let (offset, partition) = match what {
            FlightKind::OffsetCommit { offset, partition, .. }
            | FlightKind::TxnOffsetCommit { offset, partition, .. }
            | FlightKind::TxnCommit { offset, partition, .. } => (offset, partition),
            _ => return,
        };
        ctx.record(EventKind::CommitFailed { offset, partition });
        self.switch_to(partition);
        // commitSync and commitTransaction retry a request that timed out (the Java client retries
        // retriable errors until default.api.timeout.ms); the retry carries the same offsets, of
        // every partition the request had.
        self.waiting_commit = None;
        if !self.waiting_batch.is_empty() {
            let batch = std::mem::take(&mut self.waiting_batch);
            return self.commit_each(ctx, peers, &batch, true);
        }
        match what {
            FlightKind::TxnOffsetCommit { .. } => self.commit_txn(ctx, peers, offset),
            FlightKind::TxnCommit { .. } => self.commit_output(ctx, what),
            _ => self.commit(ctx, peers, offset, true),
        }
    }

    /// max.poll.interval.ms passed since the poll and the application is still busy: the member
    /// is removed from the group (its generation is now stale).
    pub(crate) fn poll_deadline(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers, poll: u32) {
        if !self.alive || self.polls != poll || self.fetching || !self.in_group {
            return;
        }
        if group_of_several(ctx.cfg) && !self.assigned {
            // A member without the partition (or waiting for the rebalance) is inside poll().
            return;
        }
        if self.processing.is_none() && self.waiting_commit.is_none() {
            // Inside poll() (waiting for a leader, say): ConsumerCoordinator.poll updates the
            // poll timer on every pass, "even if (say) the coordinator cannot be found".
            return;
        }
        self.in_group = false;
        if static_members(ctx.cfg) {
            // AbstractCoordinator.maybeLeaveGroup: "only dynamic members will send
            // LeaveGroupRequest"; the member resets its own generation (its commits fail) and
            // the coordinator expires it after session.timeout.ms.
            self.generation = 0;
            return self.goes_silent(ctx);
        }
        ctx.record(EventKind::ConsumerLeftGroup { instance: self.instance });
        if group_of_several(ctx.cfg) {
            // The heartbeat thread sends LeaveGroup (AbstractCoordinator: "consumer poll timeout
            // has expired"); the others rebalance at once.
            return peers.group.member_leaves(ctx, self.instance);
        }
        peers.group.remove_member();
    }

    /// The coordinator removed it (the rebalance timeout): it learns so at its next heartbeat, and
    /// rejoins as a new member at its next poll().
    pub(crate) fn removed(&mut self) {
        self.in_group = false;
    }

    fn goes_silent(&mut self, ctx: &mut Ctx) {
        let instance = self.instance;
        ctx.record(EventKind::MemberSilent { instance });
        ctx.schedule(ctx.now + ctx.cfg.member_session_timeout, Action::MemberExpired { instance });
    }

    /// What auto-commit commits now, by partition: the position (the Java client) or the stored
    /// offset (librdkafka), where it is past the group's committed offset (`past`), or with
    /// `None` wherever it is past 0 (onJoinPrepare commits whatever was sent before).
    fn auto_offsets(&self, cfg: &EffectiveConfig, past: Option<&GroupCoordinator>) -> Vec<(u8, u64)> {
        let mode = commit_mode(cfg);
        let mut offsets = Vec::new();
        for r in (0..MAX_PARTITIONS as u8).filter_map(|p| self.read(p)) {
            let offset = match mode {
                CommitMode::AutoInPoll => r.position,
                CommitMode::AutoBackground => match r.stored {
                    Some(stored) => stored,
                    None => continue,
                },
                _ => continue,
            };
            // The Java client's timer commits every consumed position each interval
            // (ConsumerCoordinator.doAutoCommitOffsetsAsync: subscriptions.allConsumed(), changed
            // or not), and close() likewise, so a commit lost on the wire is made good by the next
            // one. The lab sends one while the group's committed offset is behind the position:
            // what a commit of an equal offset would change is nothing, and the run can end.
            let take = match past {
                None => offset > 0,
                Some(group) => group.committed(r.partition).is_none_or(|c| offset > c),
            };
            if take {
                offsets.push((r.partition, offset));
            }
        }
        offsets
    }

    /// Commits `offsets` (by partition), the last one waited for if `sync`. Kafka sends them in
    /// one OffsetCommit request; the lab sends a flight per partition but keeps the request's
    /// fate whole: a fault that loses one loses them all, and a synchronous commit that times out
    /// sends them all again (`commit_timeout`).
    fn commit_each(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers, offsets: &[(u8, u64)], sync: bool) {
        let back = self.partition;
        let first = ctx.flights.len();
        for (i, &(p, offset)) in offsets.iter().enumerate() {
            self.switch_to(p);
            // A fault strikes the request once.
            let struck = ctx.flights[first..].iter().any(|f| f.doomed.is_some());
            self.commit_part(ctx, peers, offset, sync && i + 1 == offsets.len(), !struck);
        }
        self.switch_to(back);
        let flights = &mut ctx.flights[first..];
        if let Some(fault) = flights.iter().find_map(|f| f.doomed) {
            for flight in flights.iter_mut() {
                flight.doomed = Some(fault);
            }
        }
        if sync && offsets.len() > 1 {
            self.waiting_batch = offsets.to_vec();
        }
    }

    /// Auto-commit inside poll(): the positions past the last commit.
    fn commit_positions(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers, sync: bool) {
        let offsets = self.auto_offsets(ctx.cfg, Some(peers.group));
        self.commit_each(ctx, peers, &offsets, sync);
    }

    fn arm_auto_commit(&mut self, ctx: &mut Ctx, peers: &ConsumerPeers) {
        if group_of_several(ctx.cfg) && !self.assigned {
            // Nothing of its own to commit: it owns no partition.
            return;
        }
        let offsets = self.auto_offsets(ctx.cfg, Some(peers.group));
        let pending = match commit_mode(ctx.cfg) {
            CommitMode::AutoBackground => !offsets.is_empty(),
            CommitMode::AutoInPoll => offsets.iter().any(|&(_, offset)| offset > 0),
            _ => false,
        };
        if pending && !self.timer_armed {
            let at = (self.last_commit + ctx.cfg.auto_commit_interval).max(ctx.now + 1);
            let instance = self.instance;
            self.timer_armed = true;
            ctx.schedule(at, Action::AutoCommit { instance });
        }
    }

    /// The auto-commit timer: librdkafka commits the stored offsets whatever the application is
    /// doing; the Java client's poll(timeout) loop commits while it waits for records.
    pub(crate) fn auto_commit_timer(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers) {
        if !self.alive {
            return;
        }
        self.timer_armed = false;
        match commit_mode(ctx.cfg) {
            CommitMode::AutoBackground => self.commit_positions(ctx, peers, false),
            CommitMode::AutoInPoll if self.fetching => self.commit_positions(ctx, peers, false),
            _ => {}
        }
        self.arm_auto_commit(ctx, peers);
    }

    /// The consumer process dies: nothing is committed on the way out.
    pub(crate) fn crash(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers) {
        self.alive = false;
        self.processing = None;
        self.stop_fetching(peers);
        let instance = self.instance;
        ctx.record(EventKind::ConsumerCrashed { instance });
        ctx.schedule(ctx.now + ctx.cfg.restart, Action::ConsumerRestart { instance });
        if group_of_several(ctx.cfg) {
            // It sends no more heartbeats: the coordinator removes it after session.timeout.ms.
            ctx.schedule(ctx.now + ctx.cfg.member_session_timeout, Action::MemberExpired { instance });
        }
    }

    /// The application closes the consumer after an exception. The Java client's close() commits
    /// the positions of everything poll() returned when auto-commit is on, processed or not
    /// (ConsumerCoordinator.close → maybeAutoCommitOffsetsSync); librdkafka's
    /// rd_kafka_consumer_close() commits the stored offsets, which include the record handed over.
    fn close(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers) {
        let offsets = self.auto_offsets(ctx.cfg, Some(peers.group));
        self.commit_each(ctx, peers, &offsets, false);
        if consumer_transactional(ctx.cfg) && self.txn_dirty {
            peers.sink.abort_txn(ctx, self.txn);
        }
        self.alive = false;
        self.processing = None;
        self.stop_fetching(peers);
        let instance = self.instance;
        ctx.record(EventKind::ConsumerClosed { instance });
        ctx.schedule(ctx.now + ctx.cfg.restart, Action::ConsumerRestart { instance });
        if static_members(ctx.cfg) {
            // A static member's close() sends no LeaveGroup either (KIP-345).
            self.assigned = false;
            self.goes_silent(ctx);
        } else if group_of_several(ctx.cfg) && !offsets.is_empty() {
            // ConsumerCoordinator.close waits for its auto-commit before it sends LeaveGroup: the
            // coordinator takes the commit, then the member leaves (or expires, if it is lost).
            self.assigned = false;
            peers.group.leave_after_commit(instance);
            ctx.schedule(ctx.now + ctx.cfg.member_session_timeout, Action::MemberExpired { instance });
        } else if group_of_several(ctx.cfg) {
            // close() sends LeaveGroup: the others rebalance at once.
            self.assigned = false;
            peers.group.member_leaves(ctx, instance);
        }
    }

    /// A new consumer instance replaces this one. With offsets in a transaction, its
    /// InitProducerId fences and aborts the previous instance's open transaction.
    pub(crate) fn restart(&mut self, ctx: &mut Ctx, peers: &mut ConsumerPeers) {
        if consumer_transactional(ctx.cfg) && self.txn_dirty && !peers.sink.txn_ended(self.txn) {
            peers.sink.abort_txn(ctx, self.txn);
        }
        let group = group_of_several(ctx.cfg);
        let Some(instance) = self.instance.checked_add(if group { MAX_MEMBERS } else { 1 }) else {
            // Past the instance numbers the lab names: the member stays down.
            return;
        };
        let member = self.member;
        let others = Consumer::lone_others(ctx.cfg, group);
        let mut next = Consumer { instance, member, txn: self.txn, commit_sent: peers.group.committed(0), others, ..Consumer::new() };
        next.next_txn(ctx.cfg);
        *self = next;
        self.start(ctx, peers);
    }
}

/// The consumer `member` of the group (an index into `World::consumers`), the [`Ctx`] and its
/// [`ConsumerPeers`], borrowed side by side from a world.
impl Consumer {
    /// The members a run starts with: a lone consumer (instance 0), or `lab.group.members`
    /// members numbered from `MEMBER_BASE`, member m's transactions numbered from m + 1.
    /// A lone consumer reads every partition (the group's only member gets them all); its fields
    /// describe partition 0, these the others.
    fn lone_others(cfg: &EffectiveConfig, group: bool) -> Vec<PartitionRead> {
        if group {
            return Vec::new();
        }
        (1..cfg.config.num_partitions.max(1)).map(PartitionRead::new).collect()
    }

    pub(crate) fn group(cfg: &EffectiveConfig) -> Vec<Consumer> {
        if !group_of_several(cfg) {
            return vec![Consumer { others: Consumer::lone_others(cfg, false), ..Consumer::new() }];
        }
        (0..cfg.config.group_members)
            .map(|member| Consumer { instance: MEMBER_BASE + member, member, txn: 1 + u32::from(member), ..Consumer::new() })
            .collect()
    }
}

macro_rules! member {
    ($world:expr, $member:expr) => {{
        let w = &mut *$world;
        let peers = ConsumerPeers {
            partitions: &mut w.partitions,
            group: &mut w.group,
            sink: &mut w.sink,
        };
        (&mut w.consumers[$member], ctx!(w), peers)
    }};
}

impl World {
    /// The group member that runs consumer instance `instance`, if one does.
    pub(crate) fn member(&self, instance: u8) -> Option<usize> {
        self.consumers.iter().position(|c| c.instance == instance)
    }

    /// Runs `handler` on the member running consumer instance `instance` (nothing if none does).
    fn on_member(&mut self, instance: u8, handler: impl FnOnce(&mut Consumer, &mut Ctx, &mut ConsumerPeers)) {
        let Some(index) = self.member(instance) else { return };
        let (consumer, mut ctx, mut peers) = member!(self, index);
        handler(consumer, &mut ctx, &mut peers);
        self.settle_group();
    }

    /// Every member of the group joins and starts polling.
    pub(crate) fn consumer_start(&mut self) {
        for index in 0..self.consumers.len() {
            let (consumer, mut ctx, mut peers) = member!(self, index);
            consumer.start(&mut ctx, &mut peers);
        }
        self.settle_group();
    }

    /// The group of several after a member's action: while a rebalance is under way, every
    /// member inside poll() rejoins at once (its heartbeat tells it: folded in), and once all have
    /// rejoined the rebalance completes and each member learns its assignment.
    fn settle_group(&mut self) {
        if !group_of_several(&self.cfg) {
            return;
        }
        if self.group.rebalancing {
            for index in 0..self.consumers.len() {
                let (consumer, mut ctx, mut peers) = member!(self, index);
                if consumer.in_group && !peers.group.has_rejoined(consumer.instance) {
                    consumer.rejoin_group(&mut ctx, &mut peers);
                }
            }
        }
        let generation = match self.group.complete_rebalance(&mut ctx!(self)) {
            Some(generation) => generation,
            None if std::mem::take(&mut self.group.handed_over) => self.group.generation,
            None => return,
        };
        for index in 0..self.consumers.len() {
            let (consumer, mut ctx, mut peers) = member!(self, index);
            consumer.assigned_by(&mut ctx, &mut peers, generation);
        }
    }

    /// The rebalance timeout (max.poll.interval.ms) of the rebalance that started after
    /// `generation`: GroupCoordinator.onCompleteJoin removes the dynamic members that have not
    /// rejoined and goes on with the others; a static member stays, with its assignment.
    pub(crate) fn rebalance_timeout(&mut self, generation: u32) {
        if !self.group.rebalancing || self.group.generation != generation {
            return;
        }
        let late: Vec<u8> = self.group.members.iter().filter(|m| !m.joined).map(|m| m.instance).collect();
        for instance in late {
            if static_members(&self.cfg) {
                self.group.rejoined(instance);
                continue;
            }
            let mut ctx = ctx!(self);
            ctx.record(EventKind::RebalanceTimedOut { instance });
            self.group.member_leaves(&mut ctx, instance);
            if let Some(m) = self.member(instance) {
                self.consumers[m].removed();
            }
        }
        self.settle_group();
    }

    /// session.timeout.ms after a member crashed or went silent: if it is still a member and
    /// has not rejoined (a restarted dynamic instance is a new member), the coordinator removes it.
    pub(crate) fn member_expired(&mut self, instance: u8) {
        let heartbeats = |c: &Consumer| c.instance == instance && c.alive && c.in_group;
        if !self.group.is_member(instance) || self.consumers.iter().any(heartbeats) {
            return;
        }
        let mut ctx = ctx!(self);
        ctx.record(EventKind::MemberExpired { instance });
        self.group.member_leaves(&mut ctx, instance);
        self.settle_group();
    }

    pub(crate) fn poll(&mut self, instance: u8) {
        self.on_member(instance, |c, ctx, peers| c.poll(ctx, peers));
    }

    pub(crate) fn on_fetch_response(&mut self, id: u32) {
        let flight = &self.flights[id as usize];
        let (Actor::Consumer { instance }, Actor::Broker(b)) = (flight.to, flight.from) else { return };
        let partition = self.partition_on(b) as u8;
        self.on_member(instance, |c, ctx, peers| c.on_fetch_response(ctx, peers, id, partition));
    }

    pub(crate) fn process_done(&mut self, instance: u8, offset: u64) {
        self.on_member(instance, |c, ctx, peers| c.process_done(ctx, peers, offset));
    }

    pub(crate) fn on_offset_commit_response(&mut self, id: u32) {
        let Actor::Consumer { instance } = self.flights[id as usize].to else { return };
        self.on_member(instance, |c, ctx, peers| c.on_offset_commit_response(ctx, peers, id));
    }

    pub(crate) fn on_txn_offset_commit_response(&mut self, id: u32) {
        self.on_offset_commit_response(id);
    }

    pub(crate) fn commit_timeout(&mut self, instance: u8, flight: u32) {
        self.on_member(instance, |c, ctx, peers| c.commit_timeout(ctx, peers, flight));
    }

    pub(crate) fn fetch_timeout(&mut self, instance: u8, poll: u32, partition: u8) {
        self.on_member(instance, |c, ctx, _| c.fetch_timeout(ctx, poll, partition));
    }

    pub(crate) fn fetch_response_lost(&mut self, instance: u8, partition: u8) {
        self.on_member(instance, |c, ctx, _| c.fetch_response_lost(ctx, partition));
    }

    /// The fetch of consumer instance `instance` that `broker` held failed as the broker
    /// crashed: its member, if running, polls again.
    pub(crate) fn fetch_failed(&mut self, instance: u8, broker: u8) {
        let partition = self.partition_on(broker) as u8;
        if let Some(m) = self.member(instance) {
            if self.consumers[m].alive {
                self.consumers[m].fetch_failed(&mut ctx!(self), partition);
            }
        }
    }

    pub(crate) fn poll_deadline(&mut self, instance: u8, poll: u32) {
        self.on_member(instance, |c, ctx, peers| c.poll_deadline(ctx, peers, poll));
    }

    pub(crate) fn auto_commit_timer(&mut self, instance: u8) {
        self.on_member(instance, |c, ctx, peers| c.auto_commit_timer(ctx, peers));
    }

    /// A new instance replaces the group's member (the lab's group has one).
    pub(crate) fn consumer_restart(&mut self, instance: u8) {
        self.on_member(instance, |c, ctx, peers| c.restart(ctx, peers));
    }

    /// Shortcut (lib.rs, "Modelling decisions", consumers): the leader epoch the committing
    /// consumer read under, which the group coordinator stores with the committed offset
    /// (KIP-320). Kafka's OffsetCommit carries it; the lab reads it from the group's member when
    /// the commit lands.
    fn consumer_leader_epoch(&self, from: Actor, partition: u8) -> u32 {
        let Actor::Consumer { instance } = from else { return 0 };
        self.member(instance).map_or(0, |m| self.consumers[m].read(partition).map_or(self.consumers[m].leader_epoch, |r| r.leader_epoch))
    }

    /// The group coordinator receives an offset commit.
    pub(crate) fn on_offset_commit(&mut self, id: u32) {
        let flight = &self.flights[id as usize];
        let FlightKind::OffsetCommit { offset, generation, partition } = flight.what else { return };
        let from = flight.from;
        let leader_epoch = self.consumer_leader_epoch(from, partition);
        self.group.on_offset_commit(&mut ctx!(self), from, partition, offset, generation, leader_epoch);
        // A closing member's LeaveGroup follows its last commit: the Java client commits every
        // partition in one OffsetCommit and waits for it (ConsumerCoordinator.close ->
        // maybeAutoCommitOffsetsSync); the lab sends one per partition, so the member leaves
        // once none of them is still on its way.
        if let Actor::Consumer { instance } = from {
            let on_its_way = |f: &super::world::Flight| {
                f.from == from && f.state == FlightState::InFlight && matches!(f.what, FlightKind::OffsetCommit { .. })
            };
            if self.group.is_leaving(instance) && !self.flights.iter().any(on_its_way) {
                self.group.member_leaves(&mut ctx!(self), instance);
                self.settle_group();
            }
        }
    }

    /// The consumer application's transaction commit without offsets reaches the coordinator: its
    /// output commits unless the transaction was aborted already (its instance was replaced). No
    /// group generation is checked: nothing is committed to the group (KIP-447 checks offsets).
    pub(crate) fn on_txn_commit(&mut self, id: u32) {
        let flight = &self.flights[id as usize];
        let from = flight.from;
        let FlightKind::TxnCommit { offset, txn, partition } = flight.what else { return };
        let ok = !self.sink.txn_ended(txn);
        let mut ctx = ctx!(self);
        if ok {
            self.sink.end_txn(txn, true);
            ctx.record(EventKind::OutputCommitted { txn });
        } else {
            ctx.record(EventKind::ConsumerTxnAborted { txn });
        }
        ctx.send(Actor::TxnCoordinator, from, FlightKind::TxnOffsetCommitResponse { offset, ok, partition });
    }

    /// The consumer application's transaction commit reaches the coordinator: output and offsets
    /// commit together, unless the transaction was already aborted (its instance was replaced) or
    /// the member's generation is stale (KIP-447).
    pub(crate) fn on_txn_offset_commit(&mut self, id: u32) {
        let flight = &self.flights[id as usize];
        let from = flight.from;
        let FlightKind::TxnOffsetCommit { offset, generation, txn, partition } = flight.what else { return };
        let aborted = self.sink.txn_ended(txn);
        let Actor::Consumer { instance } = from else { return };
        let ok = !aborted && self.group.accepts_member(generation, instance);
        let leader_epoch = self.consumer_leader_epoch(from, partition);
        let mut ctx = ctx!(self);
        if ok {
            self.sink.end_txn(txn, true);
            self.group.store(partition, offset, leader_epoch);
            ctx.record(EventKind::Committed { offset, txn: true, partition });
        } else {
            if !aborted {
                self.sink.end_txn(txn, false);
            }
            ctx.record(EventKind::ConsumerTxnAborted { txn });
        }
        ctx.send(Actor::TxnCoordinator, from, FlightKind::TxnOffsetCommitResponse { offset, ok, partition });
    }
}

#[cfg(test)]
mod tests {
    //! The consumer's rules. Each test cites the Kafka source or documentation it follows.

    use super::*;
    use crate::sim::broker::{EntryKind, LogEntry};
    use crate::Preset;

    fn cfg(tweak: impl FnOnce(&mut crate::Config)) -> EffectiveConfig {
        let mut config = Preset::AtLeastOnce.config();
        tweak(&mut config);
        config.resolve().unwrap()
    }

    /// ConsumerCoordinator.refreshCommittedOffsetsIfNeeded: a joining consumer starts at the
    /// group's committed offset; without one, auto.offset.reset decides (earliest: the log start;
    /// latest: the end of what it may read). With offsets stored in the database, the database's
    /// offset wins (the pattern of the Javadoc's "Storing Offsets Outside Kafka").
    #[test]
    fn a_joining_consumer_starts_at_the_committed_offset() {
        let mut partitions = [Partition::numbered(0, 1), Partition::numbered(1, 1)];
        let kind = EntryKind::Data { msg: MsgId(1), record: 0, pid: 0, epoch: 0, seq: None, txn: false };
        partitions[0].replicas[0].log = (0..4).map(|offset| LogEntry { offset, leader_epoch: 0, kind }).collect();
        partitions[0].replicas[0].hw = 3;
        let mut group = GroupCoordinator::default();
        let mut sink = Sink::default();
        let peers = ConsumerPeers { partitions: &mut partitions, group: &mut group, sink: &mut sink };
        let earliest = cfg(|_| {});
        let latest = cfg(|c| c.auto_offset_reset = OffsetReset::Latest);
        assert_eq!(start_position(&earliest, &peers, 0), 0);
        assert_eq!(start_position(&latest, &peers, 0), 3, "latest: the high watermark");
        peers.group.store(0, 2, 0);
        assert_eq!(start_position(&latest, &peers, 0), 2);
        assert_eq!(start_position(&latest, &peers, 1), 0, "each partition has its own committed offset and end");
        let in_db = cfg(|c| c.sink = SinkKind::DbOffsetsInDb);
        assert_eq!(start_position(&in_db, &peers, 0), 0, "no offset in the database yet: auto.offset.reset");
        peers.sink.db_offset = Some(1);
        assert_eq!(start_position(&in_db, &peers, 0), 1);
    }

    /// The commit modes: enable.auto.commit with the Java client's or librdkafka's style, else the
    /// application's manual commit before or after processing, or in its transaction.
    #[test]
    fn the_commit_mode_follows_the_configuration() {
        assert_eq!(commit_mode(&cfg(|c| c.enable_auto_commit = true)), CommitMode::AutoInPoll);
        let background = cfg(|c| {
            c.enable_auto_commit = true;
            c.auto_commit_style = AutoCommitStyle::BackgroundStored;
        });
        assert_eq!(commit_mode(&background), CommitMode::AutoBackground);
        let manual = |m: ManualCommit| {
            cfg(|c| {
                c.enable_auto_commit = false;
                c.manual_commit = m;
            })
        };
        assert_eq!(commit_mode(&manual(ManualCommit::BeforeProcessing)), CommitMode::Before);
        assert_eq!(commit_mode(&manual(ManualCommit::AfterProcessing)), CommitMode::After);
        assert!(consumer_transactional(&manual(ManualCommit::InTransaction)));
    }
}
