package linearize

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// healthyZab is a clean run: sid 1 leads epoch 1 and commits <1,1>, <1,2>;
// sid 2 leads epoch 2 from that history and commits <2,1>; all three
// replicas hold the same log.
func healthyZab() *ZabRecord {
	e := func(epoch, counter uint32, d uint64) Entry { return Entry{Zxid: MakeZxid(epoch, counter), Digest: d} }
	a, b, c := e(1, 1, 0xa), e(1, 2, 0xb), e(2, 1, 0xc)
	log := []Entry{a, b, c}
	return &ZabRecord{
		Replicas: []ReplicaLog{
			{Sid: 1, Committed: append([]Entry(nil), log...)},
			{Sid: 2, Committed: append([]Entry(nil), log...)},
			{Sid: 3, Committed: append([]Entry(nil), log...)},
		},
		Proposals: []Proposal{{Entry: a, Proposer: 1, Time: 10}, {Entry: b, Proposer: 1, Time: 20}, {Entry: c, Proposer: 2, Time: 110}},
		Leaders: []Establishment{
			{Epoch: 1, Sid: 1, Time: 5},
			{Epoch: 2, Sid: 2, Time: 100, History: []Entry{a, b}},
		},
		Commits: []Commit{{Entry: a, Leader: 1, Time: 15}, {Entry: b, Leader: 1, Time: 25}, {Entry: c, Leader: 2, Time: 115}},
		Acks:    []Ack{{Follower: 2, Zxid: a.Zxid, Time: 12, Durable: true}},
		Epochs:  []EpochSample{{Sid: 2, Time: 5, Accepted: 1, Current: 1}, {Sid: 2, Time: 100, Accepted: 2, Current: 2}},
		MemDisk: []MemDiskSample{{Sid: 3, Time: 90, InMemory: b.Zxid, Durable: b.Zxid}},
		Trees:   []TreeSample{{Sid: 1, Zxid: b.Zxid, Digest: 7}, {Sid: 2, Zxid: b.Zxid, Digest: 7}},
		Quorums: []QuorumUse{
			{Purpose: "commit", Sid: 1, Epoch: 1, Time: 15, Members: []int{1, 2}},
			{Purpose: "epoch", Sid: 2, Epoch: 2, Time: 100, Members: []int{3, 2}},
		},
	}
}

func TestCheckZab(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(r *ZabRecord)
		want   []Check
	}{
		{name: "healthy run", mutate: func(*ZabRecord) {}},
		{name: "two leaders in one epoch", want: []Check{OneLeaderPerEpoch}, mutate: func(r *ZabRecord) {
			r.Leaders = append(r.Leaders, Establishment{Epoch: 2, Sid: 3, Time: 101, History: r.Leaders[1].History})
		}},
		{name: "committed entry missing from a later leader", want: []Check{CommittedMonotonic, TotalOrder}, mutate: func(r *ZabRecord) {
			r.Leaders[1].History = r.Leaders[1].History[:1]
			// Nobody delivers <1,2> in the end; the ghost commit log
			// remembers it was committed.
			for i := range r.Replicas {
				r.Replicas[i].Committed = []Entry{r.Replicas[i].Committed[0], r.Replicas[i].Committed[2]}
			}
		}},
		{name: "leader broadcast without a delivered entry", want: []Check{CommittedMonotonic, PrimaryIntegrity}, mutate: func(r *ZabRecord) {
			r.Leaders[1].History = r.Leaders[1].History[:1]
		}},
		{name: "divergent digests at one zxid", want: []Check{Integrity, PrefixConsistency, PrimaryIntegrity, ZxidUnique}, mutate: func(r *ZabRecord) {
			r.Replicas[2].Committed[1].Digest = 0xbad
		}},
		{name: "divergent trees at one zxid", want: []Check{TreeDigest}, mutate: func(r *ZabRecord) {
			r.Trees = append(r.Trees, TreeSample{Sid: 3, Zxid: r.Trees[0].Zxid, Digest: 8})
		}},
		{name: "gap in an epoch", want: []Check{Contiguity, LocalPrimaryOrder, PrefixConsistency, TotalOrder}, mutate: func(r *ZabRecord) {
			d, e := Entry{Zxid: MakeZxid(2, 2), Digest: 0xd}, Entry{Zxid: MakeZxid(2, 3), Digest: 0xe}
			r.Proposals = append(r.Proposals, Proposal{Entry: d, Proposer: 2, Time: 120}, Proposal{Entry: e, Proposer: 2, Time: 130})
			r.Replicas[0].Committed = append(r.Replicas[0].Committed, d, e)
			r.Replicas[2].Committed = append(r.Replicas[2].Committed, e)
		}},
		{name: "gap after a snapshot base", want: []Check{Contiguity, PrefixConsistency, TotalOrder}, mutate: func(r *ZabRecord) {
			r.Replicas[2].Base = MakeZxid(1, 0)
			r.Replicas[2].Committed = r.Replicas[2].Committed[1:]
		}},
		{name: "entry nobody proposed", want: []Check{Integrity}, mutate: func(r *ZabRecord) {
			r.Proposals = r.Proposals[:2]
		}},
		{name: "epochs delivered backwards", want: []Check{GlobalPrimaryOrder, PrefixConsistency}, mutate: func(r *ZabRecord) {
			l := r.Replicas[0].Committed
			l[1], l[2] = l[2], l[1]
		}},
		{name: "counter delivered backwards", want: []Check{Contiguity, LocalPrimaryOrder, PrefixConsistency, TotalOrder}, mutate: func(r *ZabRecord) {
			l := r.Replicas[0].Committed
			l[0], l[1] = l[1], l[0]
		}},
		{name: "ack before fsync", want: []Check{DurableBeforeAck}, mutate: func(r *ZabRecord) {
			r.Acks[0].Durable = false
		}},
		{name: "memory ahead of disk", want: []Check{MemoryDiskAgreement}, mutate: func(r *ZabRecord) {
			r.MemDisk[0].InMemory = MakeZxid(2, 1)
		}},
		{name: "an idle leader steps down with its epoch's marker in memory", mutate: func(r *ZabRecord) {
			r.MemDisk = append(r.MemDisk, MemDiskSample{Sid: 2, Time: 105, InMemory: MakeZxid(2, 0), Durable: r.Leaders[1].History[1].Zxid})
		}},
		{name: "an epoch marker in memory over a shorter disk", want: []Check{MemoryDiskAgreement}, mutate: func(r *ZabRecord) {
			r.MemDisk = append(r.MemDisk, MemDiskSample{Sid: 2, Time: 105, InMemory: MakeZxid(2, 0), Durable: r.Leaders[1].History[0].Zxid})
		}},
		{name: "an epoch marker in memory of a server that did not lead it", want: []Check{MemoryDiskAgreement}, mutate: func(r *ZabRecord) {
			r.MemDisk = append(r.MemDisk, MemDiskSample{Sid: 3, Time: 105, InMemory: MakeZxid(2, 0), Durable: r.Leaders[1].History[1].Zxid})
		}},
		{name: "current epoch above accepted", want: []Check{EpochSanity}, mutate: func(r *ZabRecord) {
			r.Epochs[1].Accepted = 1
		}},
		{name: "disjoint quorums (a quorum of 2 out of 5)", want: []Check{QuorumIntersection}, mutate: func(r *ZabRecord) {
			r.Quorums = append(r.Quorums, QuorumUse{Purpose: "epoch", Sid: 5, Epoch: 2, Time: 100, Members: []int{5, 4}})
		}},
		{name: "epoch goes back across a crash", want: []Check{EpochSanity}, mutate: func(r *ZabRecord) {
			r.Epochs = append(r.Epochs, EpochSample{Sid: 2, Time: 200, Accepted: 2, Current: 1})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := healthyZab()
			tt.mutate(r)
			vs, err := CheckZab(r)
			require.NoError(t, err)
			require.Equal(t, tt.want, checks(vs), "%v", vs)
		})
	}
}

// A leader's history out of zxid order is a violation (ZooKeeper's log
// accepts such an append with a warning), not a malformed record.
func TestCheckZabReportsUnorderedLeaderHistory(t *testing.T) {
	r := healthyZab()
	h := r.Leaders[1].History
	h[0], h[1] = h[1], h[0]
	vs, err := CheckZab(r)
	require.NoError(t, err)
	require.NotEmpty(t, vs)
	require.Equal(t, TotalOrder, vs[0].Check)
	require.Contains(t, vs[0].Summary, "out of zxid order")
}

func TestCheckExpiries(t *testing.T) {
	for _, tc := range []struct {
		name string
		e    SessionExpiry
		fail bool
	}{
		{"a whole timeout of silence", SessionExpiry{Sid: 1, Session: 7, At: 10_000, Heard: 6_000, TimeoutMs: 4_000}, false},
		{"rounded up to the next tick", SessionExpiry{Sid: 1, Session: 7, At: 10_500, Heard: 6_200, TimeoutMs: 4_000}, false},
		{"heard from 1 s before", SessionExpiry{Sid: 1, Session: 7, At: 10_000, Heard: 9_000, TimeoutMs: 4_000}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := checkExpiries(&ZabRecord{Expiries: []SessionExpiry{tc.e}})
			if tc.fail {
				require.Len(t, got, 1)
				require.Equal(t, ExpiryAfterSilence, got[0].Check)
				require.Contains(t, got[0].Evidence[0], "last heard at 9000 ms")
				return
			}
			require.Empty(t, got)
		})
	}
}
