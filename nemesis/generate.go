package nemesis

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/zabsim/zabsim/sim"
)

// Profile says which faults a generated schedule contains and how often.
// Each fault window opens with a fault and closes with its undo (crash
// then restart, partition then heal, ...); windows do not overlap, so a
// schedule always returns to a calm state between faults.
type Profile struct {
	Name string
	// Weights of the fault families; zero means never.
	Weights map[Family]int
	// Gap is the calm time between windows, Hold the length of a window.
	GapMin, GapMax   time.Duration
	HoldMin, HoldMax time.Duration
	// Start is the calm time before the first fault, so an ensemble can
	// elect a leader first.
	Start time.Duration
}

// Family is a kind of fault window.
type Family uint8

// Fault families, the units a Profile weighs.
const (
	FamilyCrashLeader Family = iota + 1
	FamilyCrashFollower
	FamilyCrashMinority
	FamilyCrashAll
	FamilyKill
	FamilyCrashPoint
	FamilyPause
	FamilyPartitionHalves
	FamilyPartitionMinority
	FamilyIsolateLeader
	FamilyBridge
	FamilyRing
	FamilyOneWay
	FamilyReset
	FamilyLatency
	FamilyLoss
	FamilyDuplicate
	FamilySwizzle
	FamilySkew
	FamilySlowDisk
	familyEnd
)

var familyNames = map[Family]string{
	FamilyCrashLeader: "crash-leader", FamilyCrashFollower: "crash-follower", FamilyCrashMinority: "crash-minority",
	FamilyCrashAll: "crash-all", FamilyKill: "kill", FamilyCrashPoint: "crash-point", FamilyPause: "pause",
	FamilyPartitionHalves: "partition-halves", FamilyPartitionMinority: "partition-minority",
	FamilyIsolateLeader: "isolate-leader", FamilyBridge: "bridge", FamilyRing: "ring", FamilyOneWay: "one-way",
	FamilyReset: "reset", FamilyLatency: "latency", FamilyLoss: "loss", FamilyDuplicate: "duplicate",
	FamilySwizzle: "swizzle", FamilySkew: "skew", FamilySlowDisk: "slow-disk",
}

func (f Family) String() string {
	if s, ok := familyNames[f]; ok {
		return s
	}
	return fmt.Sprintf("family(%d)", uint8(f))
}

// Families lists every family in order.
func Families() []Family {
	out := make([]Family, 0, familyEnd-1)
	for f := Family(1); f < familyEnd; f++ {
		out = append(out, f)
	}
	return out
}

// Swarm draws a profile from r: each family is on with probability one
// half (at least one is on), with a random weight, and the pacing is drawn
// too. Every seed therefore tests a different mix of faults, which finds
// bugs that a fixed mix hides (swarm testing, as TigerBeetle's VOPR does).
func Swarm(r *sim.Rand) Profile {
	p := Profile{Name: "swarm", Weights: map[Family]int{}}
	for _, f := range Families() {
		if r.Chance(0.5) {
			p.Weights[f] = 1 + r.IntN(4)
		}
	}
	if len(p.Weights) == 0 {
		p.Weights[Families()[r.IntN(int(familyEnd-1))]] = 1
	}
	p.GapMin = r.Between(200*time.Millisecond, 2*time.Second)
	p.GapMax = p.GapMin + r.Between(0, 3*time.Second)
	p.HoldMin = r.Between(100*time.Millisecond, 2*time.Second)
	p.HoldMax = p.HoldMin + r.Between(0, 5*time.Second)
	p.Start = 2 * time.Second
	return p
}

// String describes the profile on one line, families in order.
func (p Profile) String() string {
	var parts []string
	for _, f := range Families() {
		if w := p.Weights[f]; w > 0 {
			parts = append(parts, fmt.Sprintf("%s:%d", f, w))
		}
	}
	return fmt.Sprintf("%s{%s gap=%v..%v hold=%v..%v}", p.Name, strings.Join(parts, " "), p.GapMin, p.GapMax, p.HoldMin, p.HoldMax)
}

// Generate draws a schedule of fault windows over duration from r for an
// ensemble of n servers, ending with calm at duration.
func Generate(r *sim.Rand, p Profile, servers int, duration time.Duration) Schedule {
	total := 0
	for _, f := range Families() {
		total += p.Weights[f]
	}
	var out Schedule
	if total == 0 {
		return append(out, Step{At: duration, Fault: Fault{Kind: Calm}})
	}
	t := p.Start
	for t < duration && len(out) < stepsMax-64 {
		pick := r.IntN(total)
		var fam Family
		for _, f := range Families() {
			if pick < p.Weights[f] {
				fam = f
				break
			}
			pick -= p.Weights[f]
		}
		hold := r.Between(p.HoldMin, p.HoldMax)
		out = append(out, window(r, fam, servers, t, hold)...)
		t += hold + r.Between(p.GapMin, p.GapMax)
	}
	out = append(out, Step{At: max(t, duration), Fault: Fault{Kind: Calm}})
	out.Sort()
	return out
}

// window is one fault and its undo.
func window(r *sim.Rand, fam Family, servers int, at, hold time.Duration) Schedule {
	end := at + hold
	pair := func(on, off Fault) Schedule { return Schedule{{At: at, Fault: on}, {At: end, Fault: off}} }
	crash := func(w Who) Schedule {
		return pair(Fault{Kind: Crash, Who: w}, Fault{Kind: Restart, Who: Who{Sel: All}})
	}
	heal := Fault{Kind: Heal}
	one := func() int { return 1 + r.IntN(servers) }
	if servers < 2 && (fam == FamilyOneWay || fam == FamilyReset) {
		return nil // there is no link to cut
	}
	switch fam {
	case FamilyCrashLeader:
		return crash(Who{Sel: Leader})
	case FamilyCrashFollower:
		return crash(Who{Sel: Follower})
	case FamilyCrashMinority:
		return crash(Who{Sel: MinorityOf})
	case FamilyCrashAll:
		return crash(Who{Sel: All})
	case FamilyKill:
		return pair(Fault{Kind: Kill, Who: Who{Sel: One}}, Fault{Kind: Restart, Who: Who{Sel: All}})
	case FamilyCrashPoint:
		point := CrashPoints[r.IntN(len(CrashPoints))]
		return pair(Fault{Kind: CrashAt, Who: Who{Sel: One}, Point: point}, Fault{Kind: Restart, Who: Who{Sel: All}})
	case FamilyPause:
		return pair(Fault{Kind: Pause, Who: Who{Sel: One}}, Fault{Kind: Resume, Who: Who{Sel: All}})
	case FamilyPartitionHalves:
		return pair(Fault{Kind: Partition, Shape: Halves}, heal)
	case FamilyPartitionMinority:
		return pair(Fault{Kind: Partition, Shape: Minority}, heal)
	case FamilyIsolateLeader:
		return pair(Fault{Kind: Partition, Shape: Isolate, Who: Who{Sel: Leader}}, heal)
	case FamilyBridge:
		return pair(Fault{Kind: Partition, Shape: Bridge}, heal)
	case FamilyRing:
		return pair(Fault{Kind: Partition, Shape: Ring}, heal)
	case FamilyOneWay:
		a := one()
		b := 1 + (a+r.IntN(servers-1))%servers
		return pair(Fault{Kind: Block, From: a, To: b}, Fault{Kind: Unblock, From: a, To: b})
	case FamilyReset:
		a := one()
		b := 1 + (a+r.IntN(servers-1))%servers
		return Schedule{{At: at, Fault: Fault{Kind: Reset, From: a, To: b}}}
	case FamilyLatency:
		lo := r.Between(5*time.Millisecond, 100*time.Millisecond)
		return pair(Fault{Kind: Latency, Min: lo, Max: lo + r.Between(0, 400*time.Millisecond)}, Fault{Kind: Latency, Base: true})
	case FamilyLoss:
		return pair(Fault{Kind: Loss, P: float64(1+r.IntN(500)) / 1000}, Fault{Kind: Loss, P: 0})
	case FamilyDuplicate:
		return pair(Fault{Kind: Duplicate, P: float64(1+r.IntN(300)) / 1000}, Fault{Kind: Duplicate, P: 0})
	case FamilySwizzle:
		return swizzle(r, servers, at, hold)
	case FamilySkew:
		rate := float64(250+r.IntN(2751)) / 1000
		return pair(Fault{Kind: Skew, Who: Who{Sel: One}, P: rate}, Fault{Kind: Skew, Who: Who{Sel: All}, P: 1})
	case FamilySlowDisk:
		lo := r.Between(10*time.Millisecond, 200*time.Millisecond)
		return pair(Fault{Kind: SlowDisk, Who: Who{Sel: One}, Min: lo, Max: 2 * lo}, Fault{Kind: SlowDisk, Who: Who{Sel: All}, Base: true})
	}
	panic(fmt.Sprintf("nemesis: no window for family %s", fam))
}

// swizzle is FoundationDB's swizzle-clogging: clog a random subset of
// servers one at a time, then unclog them in a different random order.
func swizzle(r *sim.Rand, servers int, at, hold time.Duration) Schedule {
	k := 1 + r.IntN(servers)
	chosen := r.Perm(servers)[:k]
	step := hold / time.Duration(2*k)
	var out Schedule
	for i, idx := range chosen {
		out = append(out, Step{At: at + time.Duration(i)*step, Fault: Fault{Kind: Clog, Who: Servers(idx + 1)}})
	}
	order := append([]int(nil), chosen...)
	r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	for i, idx := range order {
		out = append(out, Step{At: at + hold/2 + time.Duration(i)*step, Fault: Fault{Kind: Unclog, Who: Servers(idx + 1)}})
	}
	return out
}

// Profiles are the named fault mixes scenarios use.
var Profiles = map[string]Profile{
	"none":               {Name: "none"},
	"leader-crash":       steady("leader-crash", map[Family]int{FamilyCrashLeader: 1}),
	"follower-crash":     steady("follower-crash", map[Family]int{FamilyCrashFollower: 1}),
	"crashes":            steady("crashes", map[Family]int{FamilyCrashLeader: 2, FamilyCrashFollower: 2, FamilyCrashMinority: 1, FamilyKill: 1}),
	"total-crash":        steady("total-crash", map[Family]int{FamilyCrashAll: 1}),
	"minority-partition": steady("minority-partition", map[Family]int{FamilyPartitionMinority: 1}),
	"isolate-leader":     steady("isolate-leader", map[Family]int{FamilyIsolateLeader: 1}),
	"bridge":             steady("bridge", map[Family]int{FamilyBridge: 1}),
	"partitions":         steady("partitions", map[Family]int{FamilyPartitionHalves: 2, FamilyPartitionMinority: 2, FamilyIsolateLeader: 2, FamilyBridge: 1, FamilyRing: 1, FamilyOneWay: 1}),
	"flaky-network":      steady("flaky-network", map[Family]int{FamilyLoss: 2, FamilyDuplicate: 2, FamilyLatency: 1, FamilyReset: 1}),
	"crash-points":       steady("crash-points", map[Family]int{FamilyCrashPoint: 1}),
	"clock-skew":         steady("clock-skew", map[Family]int{FamilySkew: 1}),
	"slow-disk":          steady("slow-disk", map[Family]int{FamilySlowDisk: 1}),
	"swizzle":            steady("swizzle", map[Family]int{FamilySwizzle: 1}),
	"pauses":             steady("pauses", map[Family]int{FamilyPause: 1}),
}

func steady(name string, w map[Family]int) Profile {
	return Profile{Name: name, Weights: w, GapMin: time.Second, GapMax: 3 * time.Second, HoldMin: 500 * time.Millisecond, HoldMax: 4 * time.Second, Start: 2 * time.Second}
}

// ProfileNames lists the named profiles in sorted order.
func ProfileNames() []string {
	out := make([]string, 0, len(Profiles))
	for name := range Profiles {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
