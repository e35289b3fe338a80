package experiments

import (
	"fmt"
	"time"

	"github.com/zabsim/zabsim/protocol"
	"github.com/zabsim/zabsim/reports"
	"github.com/zabsim/zabsim/scenarios"
	"github.com/zabsim/zabsim/sim"
	"github.com/zabsim/zabsim/sim/ensemble"
	"github.com/zabsim/zabsim/sim/zk"
)

// sampleEvery is how often the observer reads the servers' status: fine
// enough that a role change is placed within a millisecond of simulated
// time, coarse enough that reading costs a few percent of a run.
const sampleEvery = time.Millisecond

// span is an interval of simulated time, [start, end).
type span struct{ start, end time.Duration }

// observation is what a trace observer saw of the servers during one
// run: each server's role over time, when some server was an established
// leader, and how long each election took. It only reads the servers'
// status, so the run it watches keeps its trace hash.
type observation struct {
	e       *ensemble.Ensemble
	servers int
	next    sim.Time

	role  []reports.Role
	since []time.Duration
	spans []reports.RoleSpan

	// leading holds the (server, epoch) each server last served as
	// leader, so a new establishment is told from a server still leading.
	leading    []uint32
	leaderOn   bool
	leaderFrom time.Duration
	leader     []span

	// lookingFrom is when the current election began (the first voter to
	// go LOOKING since the last leader was established), or -1.
	lookingFrom time.Duration
	elections   []time.Duration
	started     bool
}

func newObservation(e *ensemble.Ensemble, servers int) *observation {
	return &observation{e: e, servers: servers, role: make([]reports.Role, servers), since: make([]time.Duration, servers),
		leading: make([]uint32, servers), lookingFrom: -1}
}

// event is the trace observer: it samples on the first event at or after
// the next sampling time.
func (o *observation) event(ev sim.TraceEvent) {
	if ev.At < o.next {
		return
	}
	if !o.started {
		// Every server starts at time zero, before the first event.
		o.sample(0)
	}
	o.next = ev.At.Add(sampleEvery)
	o.sample(time.Duration(ev.At))
}

// status is the role of server sid and whether it serves as leader, in
// which case epoch is the epoch it leads.
func (o *observation) status(sid int) (role reports.Role, serving bool, epoch uint32) {
	srv := o.e.Server(uint64(sid))
	if srv == nil {
		return reports.RoleDown, false, 0
	}
	st := srv.Peer().Status()
	switch st.State {
	case protocol.Following:
		return reports.RoleFollowing, false, 0
	case protocol.Leading:
		return reports.RoleLeading, st.Serving, st.Epoch
	case protocol.Observing:
		return reports.RoleObserving, false, 0
	}
	return reports.RoleLooking, false, 0
}

func (o *observation) sample(now time.Duration) {
	anyLeader, looking, established := false, false, false
	for i := range o.servers {
		role, serving, epoch := o.status(i + 1)
		switch {
		case !o.started:
			o.role[i], o.since[i] = role, now
		case role != o.role[i]:
			o.spans = append(o.spans, reports.RoleSpan{Server: serverName(i + 1), Role: o.role[i], Start: o.since[i], End: now})
			o.role[i], o.since[i] = role, now
		}
		looking = looking || role == reports.RoleLooking
		if serving {
			anyLeader = true
			if o.leading[i] != epoch+1 {
				established = true
			}
			o.leading[i] = epoch + 1
		} else {
			o.leading[i] = 0
		}
	}
	o.started = true
	switch {
	case anyLeader && !o.leaderOn:
		o.leaderOn, o.leaderFrom = true, now
	case !anyLeader && o.leaderOn:
		o.leaderOn = false
		o.leader = append(o.leader, span{o.leaderFrom, now})
	}
	switch {
	case established && o.lookingFrom >= 0:
		o.elections = append(o.elections, now-o.lookingFrom)
		o.lookingFrom = -1
	case looking && o.lookingFrom < 0 && !established:
		o.lookingFrom = now
	case !looking && anyLeader && !established:
		// Every looking server joined a leader that was already serving:
		// a rejoin, not an election.
		o.lookingFrom = -1
	}
}

// finish closes every open span at the end of the run.
func (o *observation) finish(end time.Duration) {
	o.sample(end)
	for i := range o.servers {
		if end > o.since[i] {
			o.spans = append(o.spans, reports.RoleSpan{Server: serverName(i + 1), Role: o.role[i], Start: o.since[i], End: end})
		}
	}
	if o.leaderOn {
		o.leader = append(o.leader, span{o.leaderFrom, end})
		o.leaderOn = false
	}
}

// leaderTime is how much of [from, to) some server served as leader.
func (o *observation) leaderTime(from, to time.Duration) time.Duration {
	var total time.Duration
	for _, s := range o.leader {
		total += max(0, min(s.end, to)-max(s.start, from))
	}
	return total
}

func serverName(sid int) string { return fmt.Sprintf("s%d", sid) }

// observe runs the world of cfg with the observer attached.
func observe(cfg zk.Config) (zk.Result, *observation, error) {
	w, err := zk.New(cfg)
	if err != nil {
		return zk.Result{}, nil, err
	}
	obs := newObservation(w.Ensemble(), cfg.Ensemble.Voters+cfg.Ensemble.Observers)
	w.Sim().Observe(obs.event)
	res, err := w.Run()
	if err != nil {
		return zk.Result{}, nil, err
	}
	obs.finish(res.SimTime.Duration())
	return res, obs, nil
}

// replay reruns the run of o with the observer attached and makes sure it
// is the same run: the same trace hash.
func replay(o scenarios.Outcome) (zk.Result, *observation, error) {
	res, obs, err := observe(o.Scenario.Config(o.Seed, o.Overrides.Bugs, o.Schedule))
	if err != nil {
		return zk.Result{}, nil, err
	}
	if res.TraceHash != o.TraceHash {
		return zk.Result{}, nil, fmt.Errorf("experiments: %s seed %d replayed with trace hash %016x, not %016x", o.Scenario.Name, o.Seed, res.TraceHash, o.TraceHash)
	}
	return res, obs, nil
}
