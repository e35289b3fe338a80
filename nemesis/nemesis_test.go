package nemesis

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/zabsim/zabsim/sim"
)

// idle is a server process that does nothing; the tests look at the world.
type idle struct{}

func (idle) Receive(sim.NodeID, any) {}
func (idle) Tick()                   {}

// fakeEnsemble is a Target whose leader the test sets.
type fakeEnsemble struct {
	s       *sim.Sim
	servers []sim.NodeID
	leader  sim.NodeID
	armed   []string
}

func (f *fakeEnsemble) Sim() *sim.Sim         { return f.s }
func (f *fakeEnsemble) Servers() []sim.NodeID { return f.servers }
func (f *fakeEnsemble) Leader() (sim.NodeID, bool) {
	if f.leader < 0 || !f.s.Node(f.leader).Up() {
		return 0, false
	}
	return f.leader, true
}

type pointEnsemble struct{ *fakeEnsemble }

func (p pointEnsemble) ArmCrashPoint(id sim.NodeID, point string) error {
	p.armed = append(p.armed, p.s.Name(id)+":"+point)
	return nil
}

func ensemble(t *testing.T, n int) *fakeEnsemble {
	s := sim.New(sim.Config{Seed: 5})
	disk := sim.DefaultDisk
	f := &fakeEnsemble{s: s, leader: -1}
	// A client node first, so server node ids differ from server ids.
	s.AddNode(sim.NodeConfig{Name: "client", Start: func(*sim.NodeContext) sim.Process { return idle{} }})
	for i := 1; i <= n; i++ {
		f.servers = append(f.servers, s.AddNode(sim.NodeConfig{Name: "s" + string(rune('0'+i)), Tick: 10 * time.Millisecond, Disk: &disk, Start: func(*sim.NodeContext) sim.Process { return idle{} }}))
	}
	return f
}

func run(t *testing.T, target Target, text string) *Nemesis {
	sched, err := Parse(text)
	require.NoError(t, err)
	n, err := Start(target, sched)
	require.NoError(t, err)
	require.NoError(t, target.Sim().RunFor(time.Minute))
	return n
}

// reach reports which server ids server id can send to.
func reach(f *fakeEnsemble, id int) []int {
	var out []int
	for j := range f.servers {
		if j+1 != id && !f.s.Net.Blocked(f.servers[id-1], f.servers[j]) {
			out = append(out, j+1)
		}
	}
	return out
}

func TestParseRoundTrip(t *testing.T) {
	lines := []string{
		"+0s partition halves",
		"+1.5s partition minority",
		"+2s partition isolate leader",
		"+2s partition isolate 1,3",
		"+2s partition bridge",
		"+2s partition ring",
		"+3s heal",
		"+3s crash leader",
		"+3s crash follower",
		"+3s kill one",
		"+3s restart all",
		"+3s crash-at minority after-fsync",
		"+4s pause 2",
		"+4s resume majority",
		"+5s block 1 2",
		"+5s unblock 1 2",
		"+5s reset 2 3",
		"+5s clog 4",
		"+5s unclog 4",
		"+6s latency 10ms 200ms",
		"+6s latency base",
		"+6s loss 0.25",
		"+6s dup 0.05",
		"+7s skew 1 1.5",
		"+7s slow-disk all 50ms 100ms",
		"+7s slow-disk 2 base",
		"+8m0s calm",
	}
	text := strings.Join(lines, "\n") + "\n"
	sched, err := Parse(text)
	require.NoError(t, err)
	require.Equal(t, text, sched.String())
	require.NoError(t, sched.Validate(5))
}

func TestParseErrorsNameTheProblem(t *testing.T) {
	tests := []struct{ line, want string }{
		{"crash leader", "want '+TIME FAULT"},
		{"+1x crash leader", `time "1x"`},
		{"+-1s crash leader", "non-negative"},
		{"+1s explode leader", `unknown fault "explode"; valid faults: partition, heal`},
		{"+1s partition squares", `unknown partition shape "squares"`},
		{"+1s crash", "crash takes WHO"},
		{"+1s crash chosen-one", `"chosen-one" is not a selector`},
		{"+1s crash-at 1 mid-lunch", `unknown crash point "mid-lunch"; valid points: after-append`},
		{"+1s loss 1.5", "probability 1.5 is outside [0, 1]"},
		{"+1s skew 1 0", "clock rate 0 is outside"},
		{"+1s latency 5ms", "latency takes MIN MAX"},
		{"+1s latency 9ms 1ms", "is not a valid range"},
		{"+1s block 1 1", "no link to itself"},
		{"+1s heal now", "heal takes no arguments"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.line)
		require.ErrorIs(t, err, ErrSyntax, tt.line)
		require.Contains(t, err.Error(), tt.want, tt.line)
	}
}

func TestValidateAgainstEnsemble(t *testing.T) {
	sched, err := Parse("+1s crash 4\n")
	require.NoError(t, err)
	require.ErrorContains(t, sched.Validate(3), "server 4 is not one of 1..3")
	sched, err = Parse("+2s heal\n+1s heal\n")
	require.NoError(t, err)
	require.ErrorContains(t, sched.Validate(3), "comes before step 1")

	f := ensemble(t, 3)
	sched, err = Parse("+1s crash-at 1 after-append\n")
	require.NoError(t, err)
	_, err = Start(f, sched)
	require.ErrorContains(t, err, "does not support")
	p := pointEnsemble{f}
	_, err = Start(p, sched)
	require.NoError(t, err)
	require.NoError(t, f.s.RunFor(2*time.Second))
	require.Equal(t, []string{"s1:after-append"}, f.armed)
}

func TestPartitionShapes(t *testing.T) {
	t.Run("isolate leader", func(t *testing.T) {
		f := ensemble(t, 5)
		f.leader = f.servers[2]
		n := run(t, f, "+1s partition isolate leader")
		require.Empty(t, reach(f, 3))
		require.Equal(t, []int{2, 4, 5}, reach(f, 1))
		require.Equal(t, "partition isolate: 3 | 1,2,4,5", n.Applied()[0].Text)
	})
	t.Run("halves", func(t *testing.T) {
		f := ensemble(t, 5)
		run(t, f, "+1s partition halves")
		sizes := map[int]int{}
		for id := 1; id <= 5; id++ {
			sizes[len(reach(f, id))+1]++
		}
		require.Equal(t, map[int]int{2: 2, 3: 3}, sizes)
	})
	t.Run("minority", func(t *testing.T) {
		f := ensemble(t, 5)
		run(t, f, "+1s partition minority")
		majority := 0
		for id := 1; id <= 5; id++ {
			if len(reach(f, id))+1 >= 3 {
				majority++
			}
		}
		require.GreaterOrEqual(t, majority, 3)
	})
	t.Run("bridge", func(t *testing.T) {
		f := ensemble(t, 5)
		run(t, f, "+1s partition bridge")
		bridges := 0
		for id := 1; id <= 5; id++ {
			switch len(reach(f, id)) {
			case 4:
				bridges++
			case 2:
			default:
				t.Fatalf("server %d reaches %v", id, reach(f, id))
			}
		}
		require.Equal(t, 1, bridges)
	})
	t.Run("ring", func(t *testing.T) {
		f := ensemble(t, 5)
		run(t, f, "+1s partition ring")
		for id := 1; id <= 5; id++ {
			require.Len(t, reach(f, id), 2, "each server sees a bare majority with itself")
		}
	})
	t.Run("heal", func(t *testing.T) {
		f := ensemble(t, 5)
		run(t, f, "+1s partition ring\n+2s heal")
		for id := 1; id <= 5; id++ {
			require.Len(t, reach(f, id), 4)
		}
	})
}

func TestLifecycleFaults(t *testing.T) {
	f := ensemble(t, 3)
	f.leader = f.servers[0]
	n := run(t, f, "+1s crash leader\n+2s crash leader\n+3s pause 2")
	require.False(t, f.s.Node(f.servers[0]).Up())
	require.True(t, f.s.Node(f.servers[1]).Paused())
	require.Equal(t, "crash 1", n.Applied()[0].Text)
	require.Equal(t, "crash nobody", n.Applied()[1].Text, "no leader left to crash")
	run(t, f, "+1s restart all\n+1s resume all")
	for _, id := range f.servers {
		require.True(t, f.s.Node(id).Up())
		require.False(t, f.s.Node(id).Paused())
	}
}

func TestKillLosesUnsyncedWrites(t *testing.T) {
	f := ensemble(t, 1)
	d := f.s.Node(f.servers[0]).Disk()
	cfg := d.Config()
	cfg.KeepUnsynced = 1
	require.NoError(t, d.SetConfig(cfg))
	_, err := d.Append([]byte("x"))
	require.NoError(t, err)
	require.NoError(t, f.s.RunFor(time.Second)) // written, not synced
	run(t, f, "+0s kill 1")
	require.Equal(t, 0, d.Len())
	require.Equal(t, 1.0, d.Config().KeepUnsynced, "the disk's own setting is restored")
}

func TestClogComposes(t *testing.T) {
	f := ensemble(t, 3)
	run(t, f, "+0s clog 1\n+0s clog 2\n+1s unclog 1")
	require.Equal(t, []int{3}, reach(f, 1), "1-2 stays cut while 2 is clogged")
	require.Empty(t, reach(f, 2))
	run(t, f, "+0s unclog 2")
	require.Equal(t, []int{2, 3}, reach(f, 1))
}

func TestLinkAndDiskFaultsAndCalm(t *testing.T) {
	f := ensemble(t, 3)
	a, b := f.servers[0], f.servers[1]
	base := f.s.Net.Link(a, b, 0)
	// One nemesis per run: "base" is the configuration it started with.
	sched, err := Parse("+0s latency 50ms 60ms\n+0s loss 0.2\n+0s dup 0.1\n+0s skew 2 1.5\n+0s slow-disk 3 100ms 200ms\n" +
		"+1s latency base\n+2s crash 1\n+2s partition halves\n+3s calm\n")
	require.NoError(t, err)
	_, err = Start(f, sched)
	require.NoError(t, err)
	require.NoError(t, f.s.RunFor(500*time.Millisecond))
	got := f.s.Net.Link(a, b, 0)
	require.Equal(t, 50*time.Millisecond, got.LatencyMin)
	require.Equal(t, 0.2, got.Loss)
	require.Equal(t, 0.1, got.Duplicate)
	require.Equal(t, 1.5, f.s.Node(b).TickRate())
	require.Equal(t, 100*time.Millisecond, f.s.Node(f.servers[2]).Disk().Config().SyncMin)
	client := sim.NodeID(0)
	require.Equal(t, base, f.s.Net.Link(client, a, 0), "client links are untouched")

	require.NoError(t, f.s.RunFor(time.Second))
	require.Equal(t, base.LatencyMin, f.s.Net.Link(a, b, 0).LatencyMin)
	require.Equal(t, 0.2, f.s.Net.Link(a, b, 0).Loss, "latency base leaves loss alone")

	require.NoError(t, f.s.RunFor(time.Second))
	require.False(t, f.s.Node(a).Up())
	require.NoError(t, f.s.RunFor(time.Second))
	require.Equal(t, base, f.s.Net.Link(a, b, 0))
	require.Equal(t, 1.0, f.s.Node(b).TickRate())
	require.Equal(t, sim.DefaultDisk, f.s.Node(f.servers[2]).Disk().Config())
	require.True(t, f.s.Node(a).Up(), "calm restarts crashed servers")
	for id := 1; id <= 3; id++ {
		require.Len(t, reach(f, id), 2)
	}
}

func TestGenerateIsDeterministicAndValid(t *testing.T) {
	for _, name := range ProfileNames() {
		p := Profiles[name]
		for seed := uint64(1); seed <= 20; seed++ {
			a := Generate(sim.NewRand(seed), p, 5, time.Minute)
			b := Generate(sim.NewRand(seed), p, 5, time.Minute)
			require.Equal(t, a, b, "%s seed %d", name, seed)
			require.NoError(t, a.Validate(5), "%s seed %d:\n%s", name, seed, a)
			back, err := Parse(a.String())
			require.NoError(t, err)
			require.Equal(t, a.String(), back.String())
			require.Equal(t, Calm, a[len(a)-1].Fault.Kind, "a schedule ends calm")
			if name != "none" {
				require.Greater(t, len(a), 2, "%s draws faults", name)
			}
		}
	}
}

func TestSwarmDrawsDifferentMixes(t *testing.T) {
	seen := map[string]bool{}
	for seed := uint64(1); seed <= 30; seed++ {
		p := Swarm(sim.NewRand(seed))
		require.NotEmpty(t, p.Weights)
		seen[p.String()] = true
		sched := Generate(sim.NewRand(seed), p, 5, 30*time.Second)
		require.NoError(t, sched.Validate(5))
	}
	require.Greater(t, len(seen), 25)
}

func TestGeneratedSchedulesRunOnAnEnsemble(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		f := ensemble(t, 5)
		f.leader = f.servers[0]
		p := Swarm(sim.NewRand(seed))
		delete(p.Weights, FamilyCrashPoint) // the fake cannot arm them
		sched := Generate(sim.NewRand(seed), p, 5, 20*time.Second)
		n, err := Start(f, sched)
		require.NoError(t, err)
		require.NoError(t, f.s.RunFor(30*time.Second))
		require.Len(t, n.Applied(), len(sched))
		for _, id := range f.servers {
			require.True(t, f.s.Node(id).Up(), "calm restarts everyone")
		}
	}
}

func TestRapidSchedulesAreValid(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		servers := rapid.IntRange(1, 7).Draw(t, "servers")
		sched := ScheduleGen(servers, 10*time.Second).Draw(t, "schedule")
		if err := sched.Validate(servers); err != nil {
			t.Fatalf("invalid schedule: %v\n%s", err, sched)
		}
		back, err := Parse(sched.String())
		if err != nil {
			t.Fatalf("does not parse back: %v\n%s", err, sched)
		}
		if back.String() != sched.String() {
			t.Fatalf("round trip changed the schedule:\n%s\n%s", sched, back)
		}
	})
}
