package protocol

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// listApp is a state machine that remembers the transactions it applied,
// enough to see agreement and what sync did.
type listApp struct {
	applied []Entry
	status  Status
}

func (a *listApp) Apply(z Zxid, txn []byte) {
	if n := len(a.applied); n > 0 && a.applied[n-1].Zxid >= z {
		panic(fmt.Sprintf("listApp: apply %s after %s", z, a.applied[n-1].Zxid))
	}
	a.applied = append(a.applied, Entry{Zxid: z, Txn: append([]byte(nil), txn...)})
}

func (a *listApp) Snapshot() []byte {
	var b []byte
	for _, e := range a.applied {
		r := MarshalEntry(e)
		b = append(b, byte(len(r)))
		b = append(b, r...)
	}
	return b
}

func (a *listApp) Restore(z Zxid, data []byte) error {
	a.applied = nil
	for len(data) > 0 {
		n := int(data[0])
		if n+1 > len(data) {
			return fmt.Errorf("listApp: short snapshot")
		}
		e, err := UnmarshalEntry(data[1 : 1+n])
		if err != nil {
			return err
		}
		a.applied = append(a.applied, e)
		data = data[1+n:]
	}
	return nil
}

func (a *listApp) PingData() []byte             { return nil }
func (a *listApp) Receive(uint64, []byte, bool) {}
func (a *listApp) StatusChanged(s Status)       { a.status = s }

// memStorage completes every operation at once: the harness explores
// message orders, the simulator explores crash points.
type memStorage struct {
	records [][]byte
	files   map[string][]byte
}

func (s *memStorage) Append(r []byte) error { s.records = append(s.records, r); return nil }
func (s *memStorage) Truncate(keep int) error {
	if keep > len(s.records) {
		return fmt.Errorf("truncate to %d of %d", keep, len(s.records))
	}
	s.records = s.records[:keep]
	return nil
}
func (s *memStorage) Sync(done func()) { done() }
func (s *memStorage) WriteFile(name string, data []byte, done func()) {
	s.files[name] = append([]byte(nil), data...)
	done()
}
func (s *memStorage) RemoveFile(name string, done func()) { delete(s.files, name); done() }

func (s *memStorage) recovered() Recovered {
	files := map[string][]byte{}
	for k, v := range s.files {
		files[k] = v
	}
	return Recovered{Records: append([][]byte(nil), s.records...), Files: files}
}

type node struct {
	peer  *Peer
	app   *listApp
	store *memStorage
	up    bool
}

// harness is a tiny deterministic world for interaction tests: one FIFO
// queue of messages in flight, storage that completes at once, partitions
// that drop messages at send time.
type harness struct {
	t        testing.TB
	cfg      Config
	nodes    map[uint64]*node
	ids      []uint64
	inflight []Message
	cut      map[[2]uint64]bool
	out      *strings.Builder
	quiet    bool // print only state-level events, not messages
	pings    bool
	txns     int
}

func testConfig() Config {
	c := DefaultConfig()
	c.Tick = 50 * time.Millisecond
	c.TickTime = 200 * time.Millisecond
	c.InitLimit = 10
	c.SyncLimit = 5
	c.CommittedLogMax = 4
	c.TxnLogSyncMax = 4
	c.SnapCount = 1000
	return c
}

func newHarness(t testing.TB, voters, observers []uint64, cfg Config) *harness {
	q, err := NewMajority(voters)
	require.NoError(t, err)
	cfg.Quorum = q
	cfg.Observers = observers
	h := &harness{t: t, cfg: cfg, nodes: map[uint64]*node{}, cut: map[[2]uint64]bool{}, out: &strings.Builder{}}
	h.ids = append(append([]uint64(nil), voters...), observers...)
	sort.Slice(h.ids, func(i, j int) bool { return h.ids[i] < h.ids[j] })
	for _, id := range h.ids {
		h.nodes[id] = &node{app: &listApp{}, store: &memStorage{files: map[string][]byte{}}}
	}
	return h
}

func (h *harness) printf(format string, args ...any) { fmt.Fprintf(h.out, format+"\n", args...) }

func (h *harness) start(id uint64) {
	n := h.nodes[id]
	cfg := h.cfg
	cfg.ID = id
	n.app = &listApp{}
	cfg.App = n.app
	p, err := New(cfg, n.store.recovered())
	if err != nil {
		h.printf("%d start failed: %v", id, err)
		return
	}
	n.peer, n.up = p, true
	h.process(id)
}

func (h *harness) crash(id uint64) {
	n := h.nodes[id]
	if !n.up {
		return
	}
	n.up = false
	h.printf("%d CRASH", id)
	h.resetAll(id)
}

// resetAll drops everything in flight to and from id and tells every other
// node that its connection to id broke.
func (h *harness) resetAll(id uint64) {
	kept := h.inflight[:0]
	for _, m := range h.inflight {
		if m.From != id && m.To != id {
			kept = append(kept, m)
		}
	}
	h.inflight = kept
	for _, other := range h.ids {
		if other != id {
			h.inflight = append(h.inflight, Message{Type: MsgReset, From: id, To: other})
		}
	}
}

func (h *harness) process(id uint64) {
	n := h.nodes[id]
	for n.up && n.peer.HasReady() {
		rd := n.peer.Ready()
		for _, e := range rd.Events {
			h.printEvent(e)
		}
		if rd.Fatal != nil {
			h.printf("%d FATAL %v", id, rd.Fatal)
			h.crash(id)
			return
		}
		Carry(rd, n.store, func(m Message) { h.send(m) }, n.peer.Advance, func(err error) {
			h.t.Fatalf("storage failed: %v", err)
		})
	}
}

func (h *harness) printEvent(e Event) {
	switch e.Kind {
	case EvApplied, EvAckCounted, EvProposed, EvNewLeaderAck, EvLookingMemDisk, EvRestored:
		return
	case EvDropped:
		if h.quiet {
			return
		}
	}
	h.printf("  %s", e)
}

func (h *harness) send(m Message) {
	if m.Type == MsgReset {
		// A closed connection: drop what is in flight between the two on
		// the quorum channel, tell the other side.
		kept := h.inflight[:0]
		for _, x := range h.inflight {
			if x.Channel() == ChanQuorum && ((x.From == m.From && x.To == m.To) || (x.From == m.To && x.To == m.From)) {
				continue
			}
			kept = append(kept, x)
		}
		h.inflight = append(kept, m)
		return
	}
	if h.cut[[2]uint64{m.From, m.To}] {
		return
	}
	h.inflight = append(h.inflight, m)
}

// stabilize delivers messages until none is in flight.
func (h *harness) stabilize() {
	for steps := 0; len(h.inflight) > 0; steps++ {
		require.Less(h.t, steps, 100000, "no quiescence")
		m := h.inflight[0]
		h.inflight = h.inflight[1:]
		n := h.nodes[m.To]
		if n == nil || !n.up {
			continue
		}
		if !h.quiet && (m.Type != MsgPing || h.pings) {
			h.printf("%s", m)
		}
		n.peer.Step(m)
		h.process(m.To)
	}
}

func (h *harness) tick(ids []uint64) {
	for _, id := range ids {
		if n := h.nodes[id]; n.up {
			n.peer.Tick()
			h.process(id)
		}
	}
	h.stabilize()
}

func (h *harness) propose(id uint64, count int) {
	n := h.nodes[id]
	for i := 0; i < count; i++ {
		z, err := n.peer.NextZxid()
		if err != nil {
			h.printf("%d propose: %v", id, err)
			return
		}
		h.txns++
		require.NoError(h.t, n.peer.Propose(z, []byte("tx"+strconv.Itoa(h.txns))))
		h.process(id)
	}
}

func (h *harness) partition(groups [][]uint64) {
	h.cut = map[[2]uint64]bool{}
	group := map[uint64]int{}
	for i, g := range groups {
		for _, id := range g {
			group[id] = i + 1
		}
	}
	for _, a := range h.ids {
		for _, b := range h.ids {
			if a != b && group[a] != group[b] {
				h.cut[[2]uint64{a, b}] = true
			}
		}
	}
	kept := h.inflight[:0]
	for _, m := range h.inflight {
		if !h.cut[[2]uint64{m.From, m.To}] {
			kept = append(kept, m)
		}
	}
	h.inflight = kept
}

func (h *harness) status() {
	for _, id := range h.ids {
		n := h.nodes[id]
		if !n.up {
			h.printf("%d down", id)
			continue
		}
		var zs []string
		for _, e := range n.app.applied {
			zs = append(zs, e.Zxid.String())
		}
		h.printf("%s applied=[%s]", n.peer, strings.Join(zs, " "))
	}
}

func (h *harness) upIDs() []uint64 {
	var out []uint64
	for _, id := range h.ids {
		if h.nodes[id].up {
			out = append(out, id)
		}
	}
	return out
}

// leaders lists the nodes serving as leader.
func (h *harness) leaders() []uint64 {
	var out []uint64
	for _, id := range h.upIDs() {
		if st := h.nodes[id].peer.Status(); st.State == Leading && st.Serving {
			out = append(out, id)
		}
	}
	return out
}

func parseIDs(t testing.TB, s string) []uint64 {
	var out []uint64
	for _, f := range strings.Split(s, ",") {
		if f == "" {
			continue
		}
		v, err := strconv.ParseUint(f, 10, 64)
		require.NoError(t, err)
		out = append(out, v)
	}
	return out
}
