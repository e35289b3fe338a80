package nemesis

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ErrSyntax is returned (wrapped, with the line and what was wrong) for a
// schedule line that does not parse.
var ErrSyntax = errors.New("nemesis: bad schedule line")

// Kind is what a fault does.
type Kind uint8

// The fault kinds. Their names are the first word of a schedule line.
const (
	Partition Kind = iota + 1 // split the servers (see Shape)
	Heal                      // remove every partition, block and clog
	Crash                     // crash servers (unsynced writes survive by chance)
	Kill                      // crash servers losing every unsynced write
	Restart                   // restart crashed servers from their disks
	CrashAt                   // crash a server when it next reaches a named point
	Pause                     // stop servers like SIGSTOP
	Resume                    // continue paused servers
	Block                     // cut one direction between two servers
	Unblock                   // restore one direction
	Reset                     // break the connection between two servers
	Clog                      // cut every link of a server, both ways (swizzle)
	Unclog                    // restore a clogged server's links to unclogged ones
	Latency                   // set server-to-server latency (or back to base)
	Loss                      // set server-to-server loss probability
	Duplicate                 // set server-to-server duplication probability
	Skew                      // set servers' clock rate
	SlowDisk                  // set servers' fsync latency (or back to base)
	Calm                      // end every fault: heal, base links and disks, no skew, resume, restart
)

var kindNames = map[Kind]string{
	Partition: "partition", Heal: "heal", Crash: "crash", Kill: "kill", Restart: "restart",
	CrashAt: "crash-at", Pause: "pause", Resume: "resume", Block: "block", Unblock: "unblock",
	Reset: "reset", Clog: "clog", Unclog: "unclog", Latency: "latency", Loss: "loss",
	Duplicate: "dup", Skew: "skew", SlowDisk: "slow-disk", Calm: "calm",
}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Shape is how a partition splits the servers.
type Shape uint8

// Partition shapes, as Jepsen names them.
const (
	Halves   Shape = iota + 1 // two random halves (the larger may be a majority)
	Minority                  // a random minority cut off from the majority
	Isolate                   // the chosen servers cut off from the rest
	Bridge                    // two halves, one server in both (it sees everyone)
	Ring                      // each server sees only its neighbours: overlapping majorities
)

var shapeNames = map[Shape]string{Halves: "halves", Minority: "minority", Isolate: "isolate", Bridge: "bridge", Ring: "ring"}

func (s Shape) String() string {
	if n, ok := shapeNames[s]; ok {
		return n
	}
	return fmt.Sprintf("shape(%d)", uint8(s))
}

// Selector picks servers when a step fires.
type Selector uint8

// Selectors; Explicit uses Who.IDs.
const (
	Explicit   Selector = iota + 1
	Leader              // the established leader (nothing if there is none)
	Follower            // a random server that is not the leader
	One                 // a random server
	MinorityOf          // a random minority of the servers
	MajorityOf          // a random majority
	All                 // every server
)

var selectorNames = map[Selector]string{Leader: "leader", Follower: "follower", One: "one", MinorityOf: "minority", MajorityOf: "majority", All: "all"}

// Who names the servers a fault acts on.
type Who struct {
	Sel Selector
	IDs []int // server ids (1-based), for Explicit
}

func (w Who) String() string {
	if w.Sel == Explicit {
		parts := make([]string, len(w.IDs))
		for i, id := range w.IDs {
			parts[i] = strconv.Itoa(id)
		}
		return strings.Join(parts, ",")
	}
	if n, ok := selectorNames[w.Sel]; ok {
		return n
	}
	return fmt.Sprintf("selector(%d)", uint8(w.Sel))
}

// Servers returns a Who for explicit server ids.
func Servers(ids ...int) Who { return Who{Sel: Explicit, IDs: ids} }

// Crash points a protocol host may support (see CrashPointer).
const (
	PointAfterAppend     = "after-append"      // an entry is appended, not yet fsynced
	PointAfterFsync      = "after-fsync"       // the fsync completed, the ACK has not left
	PointAfterEpochWrite = "after-epoch-write" // currentEpoch written, log not yet fsynced
	PointMidSnapshot     = "mid-snapshot"      // a snapshot is being written
	PointMidSync         = "mid-sync"          // a follower is inside synchronization
	// PointAfterNewLeaderAck: a follower sent its NEWLEADER ACK, and
	// nothing after it (the window of ZOOKEEPER-3911 and 4646).
	PointAfterNewLeaderAck = "after-newleader-ack"
	// PointCutInSync breaks a learner's connection to its leader right
	// after it processed the first sync packet (DIFF, TRUNC or SNAP),
	// before the rest of the stream: the window of ZOOKEEPER-2355 and
	// 3642. The process keeps running.
	PointCutInSync = "cut-in-sync"
)

// CrashPoints lists the crash points generated schedules draw from, in a
// stable order. It is not extended when a point is added: that would
// change the schedule of every seed of the crash-point scenarios, and the
// seeds regression tests name.
var CrashPoints = []string{PointAfterAppend, PointAfterFsync, PointAfterEpochWrite, PointMidSnapshot, PointMidSync}

// ExplicitCrashPoints can be named in hand-written schedules only.
var ExplicitCrashPoints = []string{PointAfterNewLeaderAck, PointCutInSync}

// Fault is one action. Which fields matter depends on Kind.
type Fault struct {
	Kind     Kind
	Who      Who           // Crash, Kill, Restart, CrashAt, Pause, Resume, Clog, Unclog, Skew, SlowDisk, Partition/Isolate
	Shape    Shape         // Partition
	From, To int           // Block, Unblock, Reset: server ids
	Point    string        // CrashAt
	Min, Max time.Duration // Latency, SlowDisk; both zero with Base set means "back to base"
	Base     bool          // Latency, SlowDisk: restore the configuration the run began with
	P        float64       // Loss, Duplicate: probability; Skew: clock rate
}

// String is the fault as a schedule line shows it (without the time).
func (f Fault) String() string {
	k := f.Kind.String()
	switch f.Kind {
	case Partition:
		if f.Shape == Isolate {
			return fmt.Sprintf("%s %s %s", k, f.Shape, f.Who)
		}
		return fmt.Sprintf("%s %s", k, f.Shape)
	case Heal, Calm:
		return k
	case Crash, Kill, Restart, Pause, Resume, Clog, Unclog:
		return fmt.Sprintf("%s %s", k, f.Who)
	case CrashAt:
		return fmt.Sprintf("%s %s %s", k, f.Who, f.Point)
	case Block, Unblock, Reset:
		return fmt.Sprintf("%s %d %d", k, f.From, f.To)
	case Latency:
		if f.Base {
			return k + " base"
		}
		return fmt.Sprintf("%s %v %v", k, f.Min, f.Max)
	case SlowDisk:
		if f.Base {
			return fmt.Sprintf("%s %s base", k, f.Who)
		}
		return fmt.Sprintf("%s %s %v %v", k, f.Who, f.Min, f.Max)
	case Loss, Duplicate:
		return fmt.Sprintf("%s %s", k, strconv.FormatFloat(f.P, 'g', -1, 64))
	case Skew:
		return fmt.Sprintf("%s %s %s", k, f.Who, strconv.FormatFloat(f.P, 'g', -1, 64))
	}
	return k
}

// Step is a fault at a time measured from the start of the schedule.
type Step struct {
	At    time.Duration
	Fault Fault
}

func (s Step) String() string { return fmt.Sprintf("+%v %s", s.At, s.Fault) }

// Schedule is a list of steps in time order.
type Schedule []Step

// String renders one step per line; Parse reads it back.
func (s Schedule) String() string {
	var b strings.Builder
	for _, st := range s {
		b.WriteString(st.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// Sort orders the steps by time, keeping the order of simultaneous steps.
func (s Schedule) Sort() {
	sort.SliceStable(s, func(i, j int) bool { return s[i].At < s[j].At })
}

// stepsMax bounds a schedule: a generator gone wrong, or a pasted file,
// must not schedule millions of events.
const stepsMax = 100_000

// Validate checks a schedule against an ensemble of n servers.
func (s Schedule) Validate(servers int) error {
	if len(s) > stepsMax {
		return fmt.Errorf("nemesis: schedule has %d steps, more than %d", len(s), stepsMax)
	}
	for i, st := range s {
		if st.At < 0 {
			return fmt.Errorf("nemesis: step %d (%s) has a negative time", i+1, st)
		}
		if i > 0 && st.At < s[i-1].At {
			return fmt.Errorf("nemesis: step %d (%s) comes before step %d", i+1, st, i)
		}
		if err := st.Fault.validate(servers); err != nil {
			return fmt.Errorf("nemesis: step %d (%s): %w", i+1, st, err)
		}
	}
	return nil
}

func (f Fault) validate(servers int) error {
	checkID := func(id int) error {
		if id < 1 || id > servers {
			return fmt.Errorf("server %d is not one of 1..%d", id, servers)
		}
		return nil
	}
	for _, id := range f.Who.IDs {
		if err := checkID(id); err != nil {
			return err
		}
	}
	switch f.Kind {
	case Block, Unblock, Reset:
		if err := checkID(f.From); err != nil {
			return err
		}
		if err := checkID(f.To); err != nil {
			return err
		}
		if f.From == f.To {
			return fmt.Errorf("a server has no link to itself")
		}
	case Loss, Duplicate:
		if f.P < 0 || f.P > 1 {
			return fmt.Errorf("probability %v is outside [0, 1]", f.P)
		}
	case Skew:
		if !(f.P > 0) || f.P > 100 {
			return fmt.Errorf("clock rate %v is outside (0, 100]", f.P)
		}
	case Latency, SlowDisk:
		if !f.Base && (f.Min < 0 || f.Max < f.Min) {
			return fmt.Errorf("[%v, %v] is not a valid range", f.Min, f.Max)
		}
	case CrashAt:
		if !knownPoint(f.Point) {
			return fmt.Errorf("unknown crash point %q; valid points: %s", f.Point, strings.Join(append(append([]string(nil), CrashPoints...), ExplicitCrashPoints...), ", "))
		}
	}
	return nil
}

func knownPoint(p string) bool {
	return slices.Contains(CrashPoints, p) || slices.Contains(ExplicitCrashPoints, p)
}
