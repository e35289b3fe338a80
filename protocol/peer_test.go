package protocol

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// runUntil ticks every live node until cond holds, within limit ticks.
func (h *harness) runUntil(limit int, cond func() bool) bool {
	for i := 0; i < limit; i++ {
		if cond() {
			return true
		}
		h.tick(h.upIDs())
	}
	return cond()
}

func requireAgreement(t *testing.T, h *harness) {
	t.Helper()
	var ref []Entry
	var refID uint64
	for _, id := range h.upIDs() {
		a := h.nodes[id].app.applied
		n := min(len(a), len(ref))
		if n > 0 {
			require.Equal(t, ref[:n], a[:n], "applied logs of %d and %d diverge", refID, id)
		}
		if len(a) > len(ref) {
			ref, refID = a, id
		}
	}
}

func TestElectionAndBroadcast(t *testing.T) {
	for _, n := range []int{1, 3, 5} {
		var voters []uint64
		for i := 1; i <= n; i++ {
			voters = append(voters, uint64(i))
		}
		h := newHarness(t, voters, nil, testConfig())
		for _, id := range voters {
			h.start(id)
		}
		h.stabilize()
		require.True(t, h.runUntil(200, func() bool { return len(h.leaders()) == 1 }), "no leader:\n%s", h.out)
		leader := h.leaders()[0]
		require.Equal(t, uint64(n), leader, "highest sid wins from empty")
		h.propose(leader, 10)
		h.stabilize()
		h.tick(h.upIDs())
		for _, id := range voters {
			require.Len(t, h.nodes[id].app.applied, 10, "node %d\n%s", id, h.out)
		}
		requireAgreement(t, h)
	}
}

func TestLeaderCrashReelection(t *testing.T) {
	h := newHarness(t, []uint64{1, 2, 3}, nil, testConfig())
	for _, id := range h.ids {
		h.start(id)
	}
	require.True(t, h.runUntil(200, func() bool { return len(h.leaders()) == 1 }))
	h.propose(3, 5)
	h.stabilize()
	h.crash(3)
	h.stabilize()
	require.True(t, h.runUntil(400, func() bool { l := h.leaders(); return len(l) == 1 && l[0] != 3 }), "%s", h.out)
	l := h.leaders()[0]
	h.propose(l, 5)
	h.stabilize()
	h.start(3)
	require.True(t, h.runUntil(400, func() bool {
		return h.nodes[3].peer.Status().Serving && len(h.nodes[3].app.applied) == 10
	}), "%s", h.out)
	requireAgreement(t, h)
}

func TestStateDigest(t *testing.T) {
	run := func() (*harness, []uint64) {
		h := newHarness(t, []uint64{1, 2, 3}, nil, testConfig())
		for _, id := range h.ids {
			h.start(id)
		}
		require.True(t, h.runUntil(200, func() bool { return len(h.leaders()) == 1 }))
		var ds []uint64
		for _, id := range h.ids {
			ds = append(ds, h.nodes[id].peer.StateDigest())
		}
		return h, ds
	}
	h, a := run()
	_, b := run()
	require.Equal(t, a, b, "same schedule, same digests")
	require.NotEqual(t, a[0], a[1], "different servers differ")
	before := h.nodes[3].peer.StateDigest()
	h.propose(3, 1)
	require.NotEqual(t, before, h.nodes[3].peer.StateDigest(), "a proposal changes the leader's state")
}

// TestClone: a clone and its original, fed the same inputs, stay equal;
// feeding only one of them leaves the other unchanged.
func TestClone(t *testing.T) {
	h := newHarness(t, []uint64{1, 2, 3}, nil, testConfig())
	for _, id := range h.ids {
		h.start(id)
	}
	require.True(t, h.runUntil(200, func() bool { return len(h.leaders()) == 1 }))
	h.propose(3, 2)
	orig := h.nodes[3].peer
	app := &listApp{applied: append([]Entry(nil), h.nodes[3].app.applied...)}
	clone := orig.Clone(app)
	require.Equal(t, orig.StateDigest(), clone.StateDigest())
	before := orig.StateDigest()
	z, err := clone.NextZxid()
	require.NoError(t, err)
	require.NoError(t, clone.Propose(z, []byte("only in the clone")))
	require.Equal(t, before, orig.StateDigest(), "the original is untouched")
	require.NotEqual(t, before, clone.StateDigest())
}

// TestRegistrationRetryDoesNotOutliveRegistration: a learner refused once
// schedules a retry; if a LEADERINFO arrives first, the retry must not fire
// later and register a second time (found by ensemble seed 9, where a
// serving follower sent FOLLOWERINFO again).
func TestRegistrationRetryDoesNotOutliveRegistration(t *testing.T) {
	h := newHarness(t, []uint64{1, 2, 3}, nil, testConfig())
	for _, id := range h.ids {
		h.start(id)
	}
	require.True(t, h.runUntil(200, func() bool { return len(h.leaders()) == 1 }))
	p := h.nodes[1].peer
	// Simulate the race: a pending retry left over from registration.
	p.lrn.retryAt = p.ticks + 1
	h.out.Reset()
	h.tick(h.upIDs())
	h.tick(h.upIDs())
	require.NotContains(t, h.out.String(), "FOLLOWERINFO", "a serving follower registered again")
}

// TestResetForgetsQueuedMessages: what a peer queued for a connection
// that breaks is not sent on the next one. A learner that registers,
// loses its connection and registers again before the leader's next
// Ready must get one LEADERINFO, not the old connection's as well.
func TestResetForgetsQueuedMessages(t *testing.T) {
	h := newHarness(t, []uint64{1, 2, 3}, nil, testConfig())
	for _, id := range h.ids {
		h.start(id)
	}
	require.True(t, h.runUntil(200, func() bool { return len(h.leaders()) == 1 }))
	leader := h.nodes[h.leaders()[0]].peer
	var learner uint64 = 1
	if leader.id == learner {
		learner = 2
	}
	leaderInfos := func() int {
		n := 0
		for _, m := range leader.out.Messages {
			if m.To == learner && m.Type == MsgLeaderInfo {
				n++
			}
		}
		return n
	}
	info := Message{Type: MsgFollowerInfo, From: learner, To: leader.id, Zxid: MakeZxid(leader.acceptedEpoch, 0)}
	leader.Step(info)
	require.Equal(t, 1, leaderInfos(), "the leader answers a registration")
	leader.Step(Message{Type: MsgReset, From: learner, To: leader.id})
	require.Zero(t, leaderInfos(), "the answer went with its connection")
	leader.Step(info)
	require.Equal(t, 1, leaderInfos(), "the new connection gets its own answer")
}
