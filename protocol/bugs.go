package protocol

// The catalogue of injectable mistakes. Each re-creates a real ZooKeeper
// bug (or a generic way to break Zab) so the checkers can be shown to
// catch it; Config.Bugs switches them on one by one.
const (
	BugQuorumTooSmall          Bug = "quorum-too-small"
	BugVoteOrderNotTotal       Bug = "zk-1419"
	BugElectionIgnoresZxid     Bug = "election-ignores-zxid"
	BugEpochBeforeHistory      Bug = "zk-4643"
	BugNewLeaderAckBeforeDiff  Bug = "zk-3911"
	BugLeaderNeverStepsDown    Bug = "leader-never-steps-down"
	BugAcceptedEpochNotWritten Bug = "accepted-epoch-not-persisted"
	BugNoUpdatingEpochMarker   Bug = "zk-2354"
	BugAckBeforeFsync          Bug = "ack-before-fsync"
	BugNewLeaderAckBeforeFsync Bug = "zk-4646"
	BugUncommittedReads        Bug = "follower-serves-uncommitted-reads"
	BugCommitOutOfOrder        Bug = "commit-out-of-order"
	BugDiffWithoutTrunc        Bug = "zk-1154"
	BugDiffZxidBeforeApply     Bug = "zk-2355"
	BugNoFastForward           Bug = "zk-2845"
	BugLogWriterOutlivesRole   Bug = "zk-4712"
	BugNewLeaderClearsPending  Bug = "zk-4394"
	BugProposalAckFirst        Bug = "zk-4685"
	BugPartialSnapKept         Bug = "zk-3642"
	BugSyncSkipsCommittedLog   Bug = "zk-4925"
	BugSnapKeepsLogTail        Bug = "zk-2832"
	// BugExpiryIgnoresTouches lives in the server layer (protocol/replica).
	BugExpiryIgnoresTouches Bug = "session-expiry-ignores-touches"
)

// BugInfo describes one injectable mistake.
type BugInfo struct {
	Name  Bug
	Issue string // the ZooKeeper issue it re-creates, if any
	What  string
}

var bugCatalogue = []BugInfo{
	{BugQuorumTooSmall, "", "quorums of floor(n/2) voters, which need not intersect"},
	{BugVoteOrderNotTotal, "ZOOKEEPER-1419", "FLE's sid tie-break ignores the epoch, so the vote order is not total"},
	{BugElectionIgnoresZxid, "", "FLE compares votes by epoch and sid only, electing servers with shorter logs"},
	{BugEpochBeforeHistory, "ZOOKEEPER-4643", "a follower writes currentEpoch at NEWLEADER before the synced transactions are on disk"},
	{BugNewLeaderAckBeforeDiff, "ZOOKEEPER-3911", "a follower ACKs NEWLEADER before logging the DIFF'd transactions, logging them only after UPTODATE"},
	{BugLeaderNeverStepsDown, "ZOOKEEPER-1492", "the leader keeps leading without a synced quorum"},
	{BugAcceptedEpochNotWritten, "", "acceptedEpoch is updated in memory but never written to disk"},
	{BugNewLeaderAckBeforeFsync, "ZOOKEEPER-4646", "a follower ACKs NEWLEADER once the synced transactions are handed to the log writer, before they are fsynced"},
	{BugAckBeforeFsync, "", "a follower ACKs proposals once they are written, without waiting for the fsync"},
	{BugNoUpdatingEpochMarker, "ZOOKEEPER-2354", "no updatingEpoch marker at NEWLEADER (as on ZooKeeper's master): a crash between the synced log and the currentEpoch write leaves a server that refuses to start"},
	{BugExpiryIgnoresTouches, "", "the leader expires sessions by their creation time, ignoring requests and learners' ping touches"},
	{BugUncommittedReads, "", "a follower applies a proposal to its database when it logs it, so its clients read transactions that may never commit"},
	{BugCommitOutOfOrder, "", "the leader commits a proposal once a quorum acked it, without waiting for the proposals before it"},
	{BugDiffWithoutTrunc, "ZOOKEEPER-1154", "the leader sends DIFF whenever the learner's zxid is inside its committedLog, even when the learner's last entry is not in it, so the learner keeps an uncommitted transaction"},
	{BugDiffZxidBeforeApply, "ZOOKEEPER-2355", "a learner sets lastProcessedZxid to the DIFF's zxid before the streamed transactions are applied; a connection lost mid-stream leaves a database that claims what it lacks"},
	{BugNoFastForward, "ZOOKEEPER-2845", "a server leaving its role keeps its in-memory database without applying its logged but uncommitted tail, so it votes and registers with a zxid below its log's"},
	{BugNewLeaderClearsPending, "ZOOKEEPER-4394", "at NEWLEADER a follower hands every proposal of the sync to the log writer and forgets them, so a COMMIT between NEWLEADER and UPTODATE finds no proposal and the follower drops out"},
	{BugProposalAckFirst, "ZOOKEEPER-4685", "as zk-4394, and the log writer's ACKs of those proposals leave before the NEWLEADER ACK, which the leader then takes for a wrong-epoch NEWLEADER ACK"},
	{BugPartialSnapKept, "ZOOKEEPER-3642", "a learner that loses its leader after loading a SNAP and before NEWLEADER keeps the snapshot in memory instead of reloading its disk, and registers next time with the snapshot's zxid"},
	{BugSyncSkipsCommittedLog, "ZOOKEEPER-4925", "a learner applies the transactions of its sync without adding them to its committedLog; as a leader it later DIFFs a stale learner over the hole"},
	{BugSnapKeepsLogTail, "ZOOKEEPER-2832", "a SNAP sync writes the leader's snapshot but leaves the learner's own log in place, abandoned entries included, for a restart to replay"},
	{BugLogWriterOutlivesRole, "ZOOKEEPER-4712", "a server leaving its role fast-forwards its database before the log writes already queued land, which then extend the log past the database"},
}

// KnownBugs lists the mistakes Config.Bugs accepts, in catalogue order.
func KnownBugs() []Bug {
	out := make([]Bug, len(bugCatalogue))
	for i, b := range bugCatalogue {
		out[i] = b.Name
	}
	return out
}

// DescribeBugs is the catalogue, for `zabsim bugs`.
func DescribeBugs() []BugInfo { return append([]BugInfo(nil), bugCatalogue...) }

// has reports whether a mistake is switched on.
func (p *Peer) has(b Bug) bool {
	for _, x := range p.cfg.Bugs {
		if x == b {
			return true
		}
	}
	return false
}
