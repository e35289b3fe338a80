package linearize

import "fmt"

// Entry is one transaction in a replica's log.
type Entry struct {
	Zxid Zxid
	// Digest identifies the transaction's bytes (e.g. FNV-64 of the
	// serialized txn), so equal zxids with different payloads are caught.
	Digest uint64
}

func (e Entry) String() string { return fmt.Sprintf("%s#%016x", e.Zxid, e.Digest) }

// ReplicaLog is one replica's committed log at the end of the run.
type ReplicaLog struct {
	Sid int
	// Base is the zxid covered by the snapshot the log starts after; entries
	// at or below it are not listed and are not judged.
	Base      Zxid
	Committed []Entry
}

// Proposal is one entry of the ghost log of everything ever broadcast.
type Proposal struct {
	Entry
	Proposer int
	Time     int64
}

// Establishment is a leader completing its ACKEPOCH quorum (TLA+
// epochLeader), with the history it starts broadcasting from.
type Establishment struct {
	Epoch uint32
	Sid   int
	Time  int64
	// Base and History are the leader's initial history: entries up to Base
	// are in its snapshot, the listed ones follow it.
	Base    Zxid
	History []Entry
}

// Commit is a leader deciding that an entry is committed.
type Commit struct {
	Entry
	Leader int
	Time   int64
}

// Ack is a leader counting a follower's ACK of a proposal (or of NEWLEADER,
// with the last zxid of the history it acknowledges).
type Ack struct {
	Follower int
	Zxid     Zxid
	Time     int64
	// Durable says whether the follower's fsynced log held Zxid when the
	// leader counted the ACK.
	Durable bool
}

// EpochSample is a server's persisted acceptedEpoch and currentEpoch at
// some moment.
type EpochSample struct {
	Sid      int
	Time     int64
	Accepted uint32
	Current  uint32
}

// MemDiskSample is taken when a server enters LOOKING or sends FOLLOWERINFO:
// its in-memory lastProcessedZxid and the last zxid of its durable log.
type MemDiskSample struct {
	Sid      int
	Time     int64
	InMemory Zxid
	Durable  Zxid
}

// TreeSample is the digest of a replica's whole tree after applying Zxid.
type TreeSample struct {
	Sid    int
	Zxid   Zxid
	Digest uint64
}

// QuorumUse is a server deciding on the strength of a set of servers: an
// FLE decision, an epoch fixed from ACKEPOCHs, a NEWLEADER quorum, a commit.
type QuorumUse struct {
	Purpose string
	Sid     int
	Epoch   uint32
	Time    int64
	Members []int
}

// SessionExpiry is a leader expiring a session, with the last time it had
// heard from it; all times on that leader's clock, in ms.
type SessionExpiry struct {
	Sid       int
	Session   int64
	At, Heard int64
	TimeoutMs int32
}

// Anomaly is a server reporting that it took a branch a correct run never
// takes (the specifications' stateInconsistent, commitInconsistent,
// ackInconsistent and messageIllegal flags).
type Anomaly struct {
	Sid  int
	Time int64
	What string
}

// ZabRecord is everything the simulator observed about replication.
type ZabRecord struct {
	Replicas  []ReplicaLog
	Proposals []Proposal
	Leaders   []Establishment
	Commits   []Commit
	Acks      []Ack
	Epochs    []EpochSample
	MemDisk   []MemDiskSample
	Trees     []TreeSample
	Quorums   []QuorumUse
	Expiries  []SessionExpiry
	Anomalies []Anomaly
}
