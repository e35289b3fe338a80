package sim

import (
	"errors"
	"fmt"
	"time"
)

// Errors returned when a run stops on one of its hard limits rather than
// because its predicate was met. They are operating errors, not bugs: a
// protocol that never converges shows up as ErrTimeLimit.
var (
	ErrEventLimit = errors.New("sim: event limit reached")
	ErrTimeLimit  = errors.New("sim: simulated time limit reached")
	ErrIdle       = errors.New("sim: no events left to run")
)

// Config fixes a world's seed and its hard limits.
type Config struct {
	Seed uint64
	// EventsMax caps the events one Run call may execute (0: 50 million).
	EventsMax uint64
	// TimeMax caps the simulated time of the whole run (0: 24 hours).
	TimeMax time.Duration
}

const (
	eventsMaxDefault = 50_000_000
	timeMaxDefault   = 24 * time.Hour
)

// Sim is one deterministic world. It is not safe for concurrent use: a run
// lives on one goroutine, which is what makes it reproducible.
type Sim struct {
	cfg    Config
	now    Time
	seq    uint64
	queue  queue
	rand   *Rand
	trace  trace
	events uint64 // events executed so far

	Net   *Network
	nodes []*Node
}

// New builds an empty world from cfg.
func New(cfg Config) *Sim {
	if cfg.EventsMax == 0 {
		cfg.EventsMax = eventsMaxDefault
	}
	if cfg.TimeMax == 0 {
		cfg.TimeMax = timeMaxDefault
	}
	s := &Sim{cfg: cfg, rand: NewRand(cfg.Seed), trace: newTrace()}
	s.queue.keys = make([]key, 0, 1024)
	s.queue.slab = make([]event, 0, 1024)
	s.Net = newNetwork(s)
	return s
}

// Seed is the seed the world was built from.
func (s *Sim) Seed() uint64 { return s.cfg.Seed }

// Now is the current virtual time.
func (s *Sim) Now() Time { return s.now }

// Rand returns the named stream of this run, e.g. Rand("workload").
func (s *Sim) Rand(name string) *Rand { return s.rand.Fork(name) }

// TraceHash is the running hash of every event so far: two runs of the
// same seed and code must agree on it.
func (s *Sim) TraceHash() uint64 { return s.trace.hash }

// TraceCount is the number of trace events so far.
func (s *Sim) TraceCount() uint64 { return s.trace.count }

// EventsRun is the number of scheduler events executed so far.
func (s *Sim) EventsRun() uint64 { return s.events }

// Record keeps up to limit trace events in memory (limit <= 0: all) for
// Trace; by default only the hash is kept.
func (s *Sim) Record(limit int) {
	s.trace.record = true
	s.trace.limit = limit
}

// Trace returns the recorded events (see Record).
func (s *Sim) Trace() []TraceEvent { return s.trace.events }

// Observe calls fn for every trace event from now on. Observers must not
// schedule events or draw from the run's streams in ways that depend on
// whether they are attached, or the trace would depend on observation.
func (s *Sim) Observe(fn func(TraceEvent)) {
	s.trace.observers = append(s.trace.observers, fn)
}

// Note adds a free-text event to the trace (for example a nemesis fault
// starting); node may be -1 when it concerns no node.
func (s *Sim) Note(kind TraceKind, node NodeID, text string) {
	s.trace.add(TraceEvent{At: s.now, Kind: kind, Node: node, Peer: -1, Text: text})
}

// At schedules fn at virtual time t (not before now).
func (s *Sim) At(t Time, fn func()) {
	if t < s.now {
		panic(fmt.Sprintf("sim: At(%s) is before now (%s)", t, s.now))
	}
	s.push(event{at: t, kind: kindCall, fn: fn, node: -1})
}

// After schedules fn after d of virtual time.
func (s *Sim) After(d time.Duration, fn func()) {
	if d < 0 {
		panic(fmt.Sprintf("sim: After(%v) with a negative delay", d))
	}
	s.At(s.now.Add(d), fn)
}

func (s *Sim) push(e event) {
	s.seq++
	e.seq = s.seq
	s.queue.push(e)
}

// Pending is the number of scheduled events.
func (s *Sim) Pending() int { return s.queue.len() }

// step runs the earliest event. The caller has checked the queue is not
// empty.
func (s *Sim) step() {
	e := s.queue.pop()
	if e.at < s.now {
		panic(fmt.Sprintf("sim: time went backwards: event at %s, now %s", e.at, s.now))
	}
	s.now = e.at
	s.events++
	switch e.kind {
	case kindCall:
		e.fn()
	case kindDeliver:
		s.Net.deliver(&e)
	case kindTick:
		s.nodes[e.node].tick(e.gen)
	case kindNode:
		s.nodes[e.node].run(e.gen, e.fn)
	case kindIO:
		if e.gen == s.nodes[e.node].gen {
			e.io(e.id, e.fn)
		}
	default:
		panic(fmt.Sprintf("sim: unknown event kind %d", e.kind))
	}
}

// RunUntil runs events until done returns true (checked before each
// event), the queue is empty (ErrIdle), or a limit is hit: eventsMax
// events in this call (0: the world's EventsMax) or the world's TimeMax.
// The predicate is checked after every event, so it must be cheap.
func (s *Sim) RunUntil(done func() bool, eventsMax uint64) error {
	if eventsMax == 0 {
		eventsMax = s.cfg.EventsMax
	}
	end := Time(s.cfg.TimeMax)
	for n := uint64(0); ; n++ {
		if done() {
			return nil
		}
		if s.queue.len() == 0 {
			return ErrIdle
		}
		if n >= eventsMax {
			return fmt.Errorf("%w: %d events in one run, at %s", ErrEventLimit, n, s.now)
		}
		if s.queue.peekAt() > end {
			return fmt.Errorf("%w: next event at %s is past %s", ErrTimeLimit, s.queue.peekAt(), end)
		}
		s.step()
	}
}

// RunFor runs every event up to and including now+d, then sets the clock
// to now+d. It stops early with ErrEventLimit or ErrTimeLimit.
func (s *Sim) RunFor(d time.Duration) error {
	if d < 0 {
		panic(fmt.Sprintf("sim: RunFor(%v) with a negative duration", d))
	}
	end := s.now.Add(d)
	if end > Time(s.cfg.TimeMax) {
		return fmt.Errorf("%w: RunFor would pass %s", ErrTimeLimit, Time(s.cfg.TimeMax))
	}
	for n := uint64(0); s.queue.len() > 0 && s.queue.peekAt() <= end; n++ {
		if n >= s.cfg.EventsMax {
			return fmt.Errorf("%w: %d events in one run, at %s", ErrEventLimit, n, s.now)
		}
		s.step()
	}
	s.now = end
	return nil
}
