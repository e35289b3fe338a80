package sim

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// gossip is a toy protocol: each node keeps a counter, persists it, and
// gossips it to random peers; receivers adopt the larger value plus one.
// It exercises every part of the kernel a real protocol will: ticks, both
// link modes, disks with syncs, crashes and restarts from disk.
type gossip struct {
	ctx     *NodeContext
	peers   int
	counter uint64
}

type gossipMsg struct{ Counter uint64 }

func (m gossipMsg) Digest() uint64 { return m.Counter }
func (m gossipMsg) String() string { return fmt.Sprintf("gossip(%d)", m.Counter) }

func startGossip(peers int) func(*NodeContext) Process {
	return func(ctx *NodeContext) Process {
		g := &gossip{ctx: ctx, peers: peers}
		recs, _, err := ctx.Disk().Load()
		if err != nil {
			panic(err)
		}
		if len(recs) > 0 {
			g.counter = binary.BigEndian.Uint64(recs[len(recs)-1])
		}
		return g
	}
}

func (g *gossip) Tick() {
	r := g.ctx.Rand()
	if r.Chance(0.3) {
		to := NodeID(r.IntN(g.peers))
		if to != g.ctx.ID() {
			g.ctx.Send(to, gossipMsg{Counter: g.counter})
		}
	}
}

func (g *gossip) Receive(from NodeID, msg any) {
	m := msg.(gossipMsg)
	if m.Counter < g.counter {
		return
	}
	g.counter = m.Counter + 1
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], g.counter)
	if _, err := g.ctx.Disk().Append(buf[:]); err != nil {
		panic(err)
	}
	g.ctx.Disk().Sync(func() { g.ctx.Send(from, gossipMsg{Counter: g.counter}) })
}

// runGossip runs the toy world for one seed and returns its trace hash.
func runGossip(seed uint64) (uint64, uint64) {
	const n = 5
	s := New(Config{Seed: seed})
	disk := DefaultDisk
	for i := 0; i < n; i++ {
		s.AddNode(NodeConfig{Name: fmt.Sprintf("g%d", i+1), Tick: 10 * time.Millisecond, Disk: &disk, Start: startGossip(n)})
	}
	link := DefaultLink
	link.Mode = Datagram
	link.Loss = 0.05
	link.Duplicate = 0.02
	link.LatencyMax = 5 * time.Millisecond
	if err := s.Net.SetDefault(link); err != nil {
		panic(err)
	}
	nemesis := s.Rand("nemesis")
	var fault func()
	fault = func() {
		victim := s.Node(NodeID(nemesis.IntN(n)))
		switch nemesis.IntN(4) {
		case 0:
			if victim.Up() {
				victim.Crash()
			} else {
				victim.Restart()
			}
		case 1:
			s.Net.Partition([]NodeID{victim.ID()}, others(n, victim.ID()))
		case 2:
			s.Net.Heal()
		case 3:
			victim.SetTickRate(0.5 + nemesis.Float64())
		}
		s.After(nemesis.Between(50*time.Millisecond, 500*time.Millisecond), fault)
	}
	s.After(100*time.Millisecond, fault)
	if err := s.RunFor(10 * time.Second); err != nil {
		panic(err)
	}
	return s.TraceHash(), s.TraceCount()
}

func others(n int, except NodeID) []NodeID {
	var out []NodeID
	for i := 0; i < n; i++ {
		if NodeID(i) != except {
			out = append(out, NodeID(i))
		}
	}
	return out
}

const determinismSeeds = 50

// gossipHashes runs every seed and renders "seed hash count" lines.
func gossipHashes() string {
	var b strings.Builder
	for seed := uint64(1); seed <= determinismSeeds; seed++ {
		h, c := runGossip(seed)
		fmt.Fprintf(&b, "%d %016x %d\n", seed, h, c)
	}
	return b.String()
}

func TestDeterminismSameSeedSameTrace(t *testing.T) {
	first := gossipHashes()
	second := gossipHashes()
	require.Equal(t, first, second, "two runs of the same seeds must give the same trace hashes")

	seen := map[string]uint64{}
	for _, line := range strings.Split(strings.TrimSpace(first), "\n") {
		var seed, count uint64
		var hash string
		_, err := fmt.Sscanf(line, "%d %s %d", &seed, &hash, &count)
		require.NoError(t, err)
		require.Greater(t, count, uint64(1000), "seed %d did too little to prove anything", seed)
		prev, dup := seen[hash]
		require.False(t, dup, "seeds %d and %d gave the same hash %s", prev, seed, hash)
		seen[hash] = seed
	}
}

// TestDeterminismAcrossGOMAXPROCS reruns the seeds in child processes with
// GOMAXPROCS 1 and 2: a run must not depend on the scheduler of the Go
// runtime, only on its seed.
func TestDeterminismAcrossGOMAXPROCS(t *testing.T) {
	if os.Getenv("ZABSIM_DETERMINISM_CHILD") == "1" {
		fmt.Print("BEGIN\n" + gossipHashes() + "END\n")
		return
	}
	want := gossipHashes()
	for _, procs := range []string{"1", "2"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDeterminismAcrossGOMAXPROCS$", "-test.count=1")
		cmd.Env = append(os.Environ(), "ZABSIM_DETERMINISM_CHILD=1", "GOMAXPROCS="+procs)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "child with GOMAXPROCS=%s: %s", procs, out)
		text := string(out)
		begin, end := strings.Index(text, "BEGIN\n"), strings.Index(text, "END\n")
		require.True(t, begin >= 0 && end > begin, "child output: %s", text)
		require.Equal(t, want, text[begin+len("BEGIN\n"):end], "GOMAXPROCS=%s", procs)
	}
}
