package linearize

import (
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// zabRun draws a correct run: one leader per epoch, each committing a few
// proposals on top of everything committed before, and replicas holding
// prefixes of the one global log (some starting after a snapshot).
func zabRun(t *rapid.T) *ZabRecord {
	rec := &ZabRecord{}
	var global []Entry
	now := int64(0)
	epochs := rapid.IntRange(1, 4).Draw(t, "epochs")
	for e := uint32(1); e <= uint32(epochs); e++ {
		now += 100
		sid := rapid.IntRange(1, 3).Draw(t, "leader")
		rec.Leaders = append(rec.Leaders, Establishment{Epoch: e, Sid: sid, Time: now, History: append([]Entry(nil), global...)})
		rec.Epochs = append(rec.Epochs, EpochSample{Sid: sid, Time: now, Accepted: e, Current: e})
		proposals := uint32(rapid.IntRange(0, 4).Draw(t, "proposals"))
		for c := uint32(1); c <= proposals; c++ {
			now += 10
			en := Entry{Zxid: MakeZxid(e, c), Digest: uint64(e)<<8 | uint64(c)}
			rec.Proposals = append(rec.Proposals, Proposal{Entry: en, Proposer: sid, Time: now})
			rec.Acks = append(rec.Acks, Ack{Follower: sid%3 + 1, Zxid: en.Zxid, Time: now + 1, Durable: true})
			rec.Commits = append(rec.Commits, Commit{Entry: en, Leader: sid, Time: now + 2})
			global = append(global, en)
		}
	}
	for sid := 1; sid <= 3; sid++ {
		n := rapid.IntRange(0, len(global)).Draw(t, "length")
		b := rapid.IntRange(0, n).Draw(t, "snapshot")
		l := ReplicaLog{Sid: sid, Committed: append([]Entry(nil), global[b:n]...)}
		if b > 0 {
			l.Base = global[b-1].Zxid
		}
		rec.Replicas = append(rec.Replicas, l)
		if n > 0 {
			last := global[n-1].Zxid
			rec.Trees = append(rec.Trees, TreeSample{Sid: sid, Zxid: last, Digest: uint64(last) * 31})
			rec.MemDisk = append(rec.MemDisk, MemDiskSample{Sid: sid, Time: now, InMemory: last, Durable: last})
		}
	}
	return rec
}

func TestPropertyCorrectZabRunsPass(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		vs, err := CheckZab(zabRun(t))
		require.NoError(t, err)
		require.Empty(t, vs)
	})
}

func TestPropertyBrokenZabRunsFail(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rec := zabRun(t)
		var want Check
		switch rapid.IntRange(0, 3).Draw(t, "mutation") {
		case 0:
			l := rec.Leaders[rapid.IntRange(0, len(rec.Leaders)-1).Draw(t, "epoch")]
			l.Sid = l.Sid%3 + 1
			rec.Leaders = append(rec.Leaders, l)
			want = OneLeaderPerEpoch
		case 1:
			r := &rec.Replicas[rapid.IntRange(0, 2).Draw(t, "replica")]
			if len(r.Committed) < 2 {
				t.Skip("no entry with a successor to drop")
			}
			i := rapid.IntRange(0, len(r.Committed)-2).Draw(t, "hole")
			r.Committed = append(r.Committed[:i:i], r.Committed[i+1:]...)
			// Contiguity sees a hole inside an epoch; only the cross-log
			// total order sees a lost last entry of an epoch.
			want = TotalOrder
		case 2:
			r := &rec.Replicas[rapid.IntRange(0, 2).Draw(t, "replica")]
			if len(r.Committed) == 0 {
				t.Skip("empty log")
			}
			r.Committed[rapid.IntRange(0, len(r.Committed)-1).Draw(t, "entry")].Digest ^= 1
			want = ZxidUnique
		case 3:
			var later []int
			for i, l := range rec.Leaders {
				if len(l.History) > 0 {
					later = append(later, i)
				}
			}
			if len(later) == 0 {
				t.Skip("no leader inherited a history")
			}
			l := &rec.Leaders[later[rapid.IntRange(0, len(later)-1).Draw(t, "leader")]]
			j := rapid.IntRange(0, len(l.History)-1).Draw(t, "dropped")
			l.History = append(l.History[:j:j], l.History[j+1:]...)
			want = CommittedMonotonic
		}
		vs, err := CheckZab(rec)
		require.NoError(t, err)
		require.Contains(t, checks(vs), want)
	})
}
