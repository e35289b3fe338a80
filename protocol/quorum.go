package protocol

import (
	"errors"
	"fmt"
	"sort"
)

// QuorumVerifier decides whether a set of voting servers is a quorum.
// Observers are never part of it.
type QuorumVerifier struct {
	voters []uint64 // sorted, distinct
	size   int      // acks needed
}

// ErrBadQuorum is returned for a configuration no server could run with.
var ErrBadQuorum = errors.New("protocol: invalid quorum configuration")

// NewMajority is ZooKeeper's default QuorumMaj: more than half the voters.
func NewMajority(voters []uint64) (*QuorumVerifier, error) {
	return NewQuorumSize(voters, len(voters)/2+1)
}

// NewQuorumSize allows an explicit quorum size, including sizes at or below
// half that break safety; the simulator needs them to demonstrate split
// brain. Intersecting reports whether the choice is safe.
func NewQuorumSize(voters []uint64, size int) (*QuorumVerifier, error) {
	vs := append([]uint64(nil), voters...)
	sort.Slice(vs, func(i, j int) bool { return vs[i] < vs[j] })
	for i := 1; i < len(vs); i++ {
		if vs[i] == vs[i-1] {
			return nil, fmt.Errorf("%w: duplicate voter %d", ErrBadQuorum, vs[i])
		}
	}
	if len(vs) == 0 || size < 1 || size > len(vs) {
		return nil, fmt.Errorf("%w: quorum size %d of %d voters", ErrBadQuorum, size, len(vs))
	}
	return &QuorumVerifier{voters: vs, size: size}, nil
}

// Voters returns the voting sids in ascending order.
func (q *QuorumVerifier) Voters() []uint64 { return append([]uint64(nil), q.voters...) }

// IsVoter reports whether sid takes part in quorums.
func (q *QuorumVerifier) IsVoter(sid uint64) bool {
	i := sort.Search(len(q.voters), func(i int) bool { return q.voters[i] >= sid })
	return i < len(q.voters) && q.voters[i] == sid
}

// ContainsQuorum reports whether the voters among acks reach the quorum
// size. Non-voters and duplicates are ignored, as ZooKeeper's SyncedLearnerTracker
// counts only voting members once each.
func (q *QuorumVerifier) ContainsQuorum(acks []uint64) bool {
	n := 0
	for i, s := range acks {
		if q.IsVoter(s) && !containsSid(acks[:i], s) {
			n++
		}
	}
	return n >= q.size
}

// Size is the number of voters a quorum needs.
func (q *QuorumVerifier) Size() int { return q.size }

func containsSid(sids []uint64, sid uint64) bool {
	for _, s := range sids {
		if s == sid {
			return true
		}
	}
	return false
}

// Intersecting reports whether every two quorums share a voter, the property
// Zab's safety rests on. The CLI warns when it is false.
func (q *QuorumVerifier) Intersecting() bool { return 2*q.size > len(q.voters) }

// String is stable: golden traces depend on it.
func (q *QuorumVerifier) String() string {
	return fmt.Sprintf("quorum %d of %v", q.size, q.voters)
}
