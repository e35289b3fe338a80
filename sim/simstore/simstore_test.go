package simstore_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/internal/storagetest"
	"github.com/zabsim/zabsim/protocol"
	"github.com/zabsim/zabsim/sim"
	"github.com/zabsim/zabsim/sim/simstore"
)

// idle is a process that does nothing: these tests drive the disk
// directly.
type idle struct{}

func (idle) Receive(sim.NodeID, any) {}
func (idle) Tick()                   {}

func newWorld(seed uint64, cfg sim.DiskConfig) (*sim.Sim, *sim.Node) {
	s := sim.New(sim.Config{Seed: seed})
	id := s.AddNode(sim.NodeConfig{Name: "s1", Disk: &cfg, Start: func(*sim.NodeContext) sim.Process { return idle{} }})
	return s, s.Node(id)
}

// harnessStore is a Store plus the world whose events complete its
// operations.
type harnessStore struct {
	*simstore.Store
	s *sim.Sim
	n *sim.Node
}

func (h *harnessStore) Drain(t *testing.T) {
	require.ErrorIs(t, h.s.RunUntil(func() bool { return false }, 0), sim.ErrIdle)
}

// Reopen builds a new store on the same disk: without a crash the disk
// keeps everything, as an OS keeps its page cache for a restarted process.
func (h *harnessStore) Reopen(t *testing.T) storagetest.Store {
	h.Drain(t)
	return &harnessStore{Store: simstore.New(h.n.Disk()), s: h.s, n: h.n}
}

const maxRecord = 1 << 20

func testDisk() sim.DiskConfig {
	cfg := sim.DefaultDisk
	cfg.RecordBytesMax = maxRecord
	return cfg
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, storagetest.Harness{
		New: func(t *testing.T) storagetest.Store {
			s, n := newWorld(1, testDisk())
			return &harnessStore{Store: simstore.New(n.Disk()), s: s, n: n}
		},
		MaxRecord:   maxRecord,
		ErrTooLarge: sim.ErrDiskFull,
	})
}

func strs(recs [][]byte) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = string(r)
	}
	return out
}

// crashRestart crashes the node and returns a store on what its disk kept.
func crashRestart(n *sim.Node) *simstore.Store {
	n.Crash()
	n.Restart()
	return simstore.New(n.Disk())
}

func TestCrash(t *testing.T) {
	for _, tc := range []struct {
		name      string
		keep, tor float64 // DiskConfig.KeepUnsynced, Torn
		want      []string
		torn      bool
	}{
		// a, b are synced; c, d are written but not synced.
		{"unsynced lost", 0, 0, []string{"a", "b"}, false},
		{"unsynced kept", 1, 0, []string{"a", "b", "c", "d"}, false},
		{"last unsynced torn", 1, 1, []string{"a", "b", "c"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testDisk()
			cfg.KeepUnsynced, cfg.Torn = tc.keep, tc.tor
			s, n := newWorld(7, cfg)
			st := simstore.New(n.Disk())
			require.NoError(t, st.Append([]byte("a")))
			require.NoError(t, st.Append([]byte("b")))
			synced := false
			st.Sync(func() { synced = true })
			require.NoError(t, st.Append([]byte("c")))
			require.NoError(t, st.Append([]byte("d")))
			require.NoError(t, s.RunFor(time.Second))
			require.True(t, synced)

			rec, err := crashRestart(n).Load()
			require.NoError(t, err)
			require.Equal(t, tc.want, strs(rec.Records))
			require.Equal(t, tc.torn, rec.TornTail)
		})
	}
}

// A crash after an fsync completed but before the process reacted keeps
// the data and never runs the reaction: Carry's messages do not leave.
func TestCrashBeforeReaction(t *testing.T) {
	cfg := testDisk()
	cfg.KeepUnsynced = 0
	s, n := newWorld(3, cfg)
	st := simstore.New(n.Disk())
	sent := 0
	rd := protocol.Ready{
		Persist:  []protocol.Op{{Kind: protocol.OpAppend, Entry: protocol.Entry{Zxid: protocol.MakeZxid(1, 1)}}, {Kind: protocol.OpSync}},
		Messages: []protocol.Message{{Type: protocol.MsgNotification}},
	}
	protocol.Carry(rd, st, func(protocol.Message) { sent++ }, func() {}, func(err error) { t.Error(err) })
	// Run until the fsync is durable, then crash before its reaction.
	require.NoError(t, s.RunUntil(func() bool { return n.Disk().DurableLen() == 1 }, 0))
	rec, err := crashRestart(n).Load()
	require.NoError(t, err)
	require.Len(t, rec.Records, 1)
	require.NoError(t, s.RunFor(time.Second))
	require.Zero(t, sent)
}

// A file write cut by a crash leaves the old content.
func TestCrashDuringWriteFile(t *testing.T) {
	s, n := newWorld(5, testDisk())
	st := simstore.New(n.Disk())
	st.WriteFile(protocol.FileCurrentEpoch, []byte("1"), nil)
	require.NoError(t, s.RunFor(time.Second))
	written := false
	st.WriteFile(protocol.FileCurrentEpoch, []byte("2"), func() { written = true })
	st = crashRestart(n)
	require.NoError(t, s.RunFor(time.Second))
	require.False(t, written)
	rec, err := st.Load()
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{protocol.FileCurrentEpoch: []byte("1")}, rec.Files)
}

func TestCorruptBeforeTail(t *testing.T) {
	s, n := newWorld(9, testDisk())
	st := simstore.New(n.Disk())
	for _, r := range []string{"first", "second", "third"} {
		require.NoError(t, st.Append([]byte(r)))
	}
	st.Sync(nil)
	require.NoError(t, s.RunFor(time.Second))
	require.True(t, n.Disk().Corrupt(0))
	_, err := st.Load()
	require.ErrorIs(t, err, sim.ErrCorrupt)
}

func TestTruncateOutOfRange(t *testing.T) {
	_, n := newWorld(1, testDisk())
	st := simstore.New(n.Disk())
	for _, keep := range []int{-1, 1} {
		require.ErrorIs(t, st.Truncate(keep), simstore.ErrOutOfRange)
	}
}
