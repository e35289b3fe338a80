package reports

import (
	"slices"
	"time"
)

// Outcome is how a client operation ended.
type Outcome int

const (
	// OutcomeOK is a reply that reports success (including expected
	// application errors such as a version mismatch, which the server
	// answered correctly).
	OutcomeOK Outcome = iota
	// OutcomeError is a reply that reports failure of the service:
	// connection loss, not the leader, session expired.
	OutcomeError
	// OutcomeTimeout is a call the client gave up on without a reply; its
	// outcome on the server is unknown.
	OutcomeTimeout
)

func (o Outcome) String() string {
	switch o {
	case OutcomeOK:
		return "ok"
	case OutcomeError:
		return "error"
	case OutcomeTimeout:
		return "timeout"
	}
	return "outcome(?)"
}

// OpPoint is one client operation of a run.
type OpPoint struct {
	// At is the simulated time of the call, from the start of the run.
	At time.Duration
	// Latency is the simulated time from the call to its reply, or to the
	// moment the client gave up for a timeout.
	Latency time.Duration
	Outcome Outcome
}

// Window is one fault as the nemesis applied it.
type Window struct {
	// Start and End bound the fault in simulated time; an End not after
	// Start means the fault was never healed and lasts to the end of the
	// run.
	Start, End time.Duration
	// Label names the fault as the nemesis describes it, e.g.
	// "partition s1,s2 | s3,s4,s5".
	Label string
}

// LeaderChange is the moment a server became the established leader.
type LeaderChange struct {
	At     time.Duration
	Server string
	// Epoch is the epoch the server leads.
	Epoch uint64
}

// Role is a server's state as ZooKeeper reports it, plus DOWN for a
// crashed server.
type Role int

const (
	RoleLooking Role = iota
	RoleFollowing
	RoleLeading
	RoleObserving
	RoleDown
)

var roleNames = []string{"LOOKING", "FOLLOWING", "LEADING", "OBSERVING", "DOWN"}

func (r Role) String() string {
	if r < 0 || int(r) >= len(roleNames) {
		return "ROLE(?)"
	}
	return roleNames[r]
}

// RoleSpan is an interval during which one server held one role.
type RoleSpan struct {
	Server string
	Role   Role
	// Start and End bound the span in simulated time; an End not after
	// Start means the server held the role until the end of the run.
	Start, End time.Duration
}

// Timeline is everything the timeline figure shows of one run.
type Timeline struct {
	// Title heads the figure, typically scenario and seed.
	Title string
	// Duration is the simulated length of the run; the time axis spans
	// [0, Duration]. Zero fits the axis to the latest event.
	Duration time.Duration
	// Servers orders the role bands from top to bottom; servers named only
	// in Roles follow in sorted order.
	Servers []string
	Ops     []OpPoint
	Faults  []Window
	Leaders []LeaderChange
	Roles   []RoleSpan
}

// span is the time axis' extent: Duration, or the latest event when it is
// zero, and never empty so an empty run still draws axes.
func (tl Timeline) span() time.Duration {
	if tl.Duration > 0 {
		return tl.Duration
	}
	var end time.Duration
	for _, op := range tl.Ops {
		end = max(end, op.At+op.Latency)
	}
	for _, w := range tl.Faults {
		end = max(end, w.Start, w.End)
	}
	for _, l := range tl.Leaders {
		end = max(end, l.At)
	}
	for _, r := range tl.Roles {
		end = max(end, r.Start, r.End)
	}
	if end == 0 {
		return time.Second
	}
	return end
}

// servers lists band order: the declared servers first, then any others
// named in Roles, sorted, so a missing declaration still draws every band.
func (tl Timeline) servers() []string {
	out := slices.Clone(tl.Servers)
	var extra []string
	for _, r := range tl.Roles {
		if !slices.Contains(out, r.Server) && !slices.Contains(extra, r.Server) {
			extra = append(extra, r.Server)
		}
	}
	slices.Sort(extra)
	return append(out, extra...)
}

// until resolves an open end (not after start) to the end of the run.
func until(start, end, runEnd time.Duration) time.Duration {
	if end <= start {
		return runEnd
	}
	return end
}
