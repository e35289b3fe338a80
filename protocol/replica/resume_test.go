package replica

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/zabsim/zabsim/protocol"
	"github.com/zabsim/zabsim/tree"
)

// TestResumeWhileSessionCloses: a client resumes its session on a
// follower that has not yet applied the session's closeSession, which
// the leader has already committed. ZooKeeper answers the resume with
// the refusal ConnectResponse (the connection is not bound to the
// session until revalidation succeeds); the server must not just close
// the connection without an answer. Found by cmd/internal/live's
// TestEphemeralGoneAfterExpiry on a loaded machine.
func TestResumeWhileSessionCloses(t *testing.T) {
	h := newHarness(t, 3)
	for _, id := range h.ids {
		h.start(id)
	}
	h.stabilize()
	h.untilServing(1000)
	h.connect("a", 1, false, 0, "")
	a := h.clients["a"]
	a.xid++
	require.NoError(t, h.nodes[1].srv.Submit(a.conn, Request{Xid: a.xid, Req: tree.Request{Op: tree.OpCloseSession}}))
	h.process(1)
	// Deliver until the leader's COMMIT of the closeSession is on its way
	// to server 2.
	for steps := 0; ; steps++ {
		require.Less(t, steps, 10_000, "no COMMIT for server 2")
		require.NotEmpty(t, h.inflight)
		m := h.inflight[0]
		if m.Type == protocol.MsgCommit && m.To == 2 {
			break
		}
		h.inflight = h.inflight[1:]
		if n := h.nodes[m.To]; n.up {
			n.srv.Step(m)
			h.process(m.To)
		}
	}
	_, alive := h.nodes[2].srv.Tree().Sessions()[a.session]
	require.True(t, alive, "server 2 has not applied the closeSession yet")
	h.out.Reset()
	b := &client{name: "b", server: 2, session: a.session}
	h.clients["b"] = b
	h.nextConn++
	b.conn = h.nextConn
	h.byConn[b.conn] = b
	require.NoError(t, h.nodes[2].srv.Connect(b.conn, Connect{Timeout: 1000, Session: a.session, Passwd: Passwd(a.session)}))
	h.process(2)
	h.stabilize()
	require.Contains(t, h.out.String(), "b@2: session expired\n", "the resume got no refusal:\n%s", h.out.String())
}
