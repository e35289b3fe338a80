package zk

import (
	"errors"
	"fmt"
	"time"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/nemesis"
	"github.com/zabsim/zabsim/protocol/replica"
	"github.com/zabsim/zabsim/sim"
	"github.com/zabsim/zabsim/sim/ensemble"
)

// Config describes one run: the ensemble, the clients and their
// workload, and the faults.
type Config struct {
	Seed     uint64
	Ensemble ensemble.Config
	// Replica is the server template (its Peer comes from Ensemble).
	Replica replica.Config
	Clients int
	// OpsPerClient is each client's workload; Keys the number of znodes
	// they contend on.
	OpsPerClient   int
	Keys           int
	SessionTimeout time.Duration
	Think          time.Duration
	// Schedule is the nemesis; its steps are timed from the start.
	Schedule nemesis.Schedule
	// Duration bounds the workload phase in simulated time. After it the
	// faults are healed, every server restarted, and within LivenessBound
	// a leader must serve and every client must finish.
	Duration      time.Duration
	LivenessBound time.Duration
	EventsMax     uint64
	// Check options (see linearize).
	Linearizable linearize.LinearizableOptions
	// Programs each run on a client of their own (after the workload's
	// Clients), issuing calls of their own instead of the workload's.
	Programs []Program
	// ProgramPauses, when positive, stops every program's whole client
	// now and then during that first stretch of the run, each time for
	// a quarter to twice the session timeout: the stop-the-world pauses
	// (garbage collection, a swapped-out process) that let a session
	// expire under a recipe and cut calls off mid-flight, which server
	// faults alone seldom do, since a client whose server fails moves its
	// session to another.
	ProgramPauses time.Duration
}

// DefaultConfig is 3 servers with ZooKeeper's defaults (tickTime 500 ms,
// as ensemble.DefaultConfig), 5 clients of 200 operations on 5 keys.
func DefaultConfig() Config {
	ec := ensemble.DefaultConfig()
	ec.Peer.SnapCount = 2000
	return Config{
		Seed: 1, Ensemble: ec, Replica: replica.DefaultConfig(),
		Clients: 5, OpsPerClient: 200, Keys: 5,
		SessionTimeout: 4 * time.Second, Think: 20 * time.Millisecond,
		Duration: 5 * time.Minute, LivenessBound: time.Minute, EventsMax: 50_000_000,
	}
}

// Result is everything a run recorded and what the checkers decided.
type Result struct {
	Verdict linearize.Verdict
	Lin     *linearize.LinearizableResult
	History []linearize.Operation
	Truth   *linearize.GroundTruth
	Zab     linearize.ZabRecord
	Streams []linearize.SessionStream
	Applied []nemesis.Applied
	// Ops counts the clients' operations: the workload's and the
	// programs' calls.
	Ops        int
	Events     uint64
	SimTime    sim.Time
	TraceHash  uint64
	Committed  int
	FinalZxids []int64 // per server, -1 when down at the end
	// Roles is every server's role changes: who led, who followed whom.
	Roles []ensemble.Role
}

// World is one simulated run with ZooKeeper clients.
type World struct {
	cfg     Config
	s       *sim.Sim
	e       *ensemble.Ensemble
	clients []*Client
	rec     *linearize.Recorder
	streams []*linearize.SessionStream
	invoked int
	// programCalls counts the programs' calls, which the history leaves
	// out.
	programCalls int
	programNodes []sim.NodeID
	nem          *nemesis.Nemesis
	// faultsEnd is when the schedule's last step happens.
	faultsEnd sim.Time
	err       error
}

// ErrRun: the run could not be carried out (a broken configuration, the
// recorder's limit); a verdict is only given for runs that completed.
var ErrRun = errors.New("zk: run failed")

// New builds the world of cfg: the servers and the clients, with the
// nemesis armed.
func New(cfg Config) (*World, error) {
	s := sim.New(sim.Config{Seed: cfg.Seed, EventsMax: cfg.EventsMax, TimeMax: cfg.Duration + cfg.LivenessBound + time.Minute})
	ec := cfg.Ensemble
	ec.NewServer = ensemble.NewReplicaServer(cfg.Replica)
	e, err := ensemble.New(s, ec)
	if err != nil {
		return nil, err
	}
	w := &World{cfg: cfg, s: s, e: e, rec: linearize.NewRecorder(cfg.Clients*(cfg.OpsPerClient+2) + 1_000_000)}
	if len(cfg.Schedule) > 0 {
		if w.nem, err = nemesis.Start(e, cfg.Schedule); err != nil {
			return nil, err
		}
		for _, st := range cfg.Schedule {
			w.faultsEnd = max(w.faultsEnd, s.Now().Add(st.At))
		}
	}
	servers := e.Servers()
	w.clients = make([]*Client, cfg.Clients+len(cfg.Programs))
	for i := range w.clients {
		cc := ClientConfig{Index: i, Servers: servers, SessionTimeout: cfg.SessionTimeout, Ops: cfg.OpsPerClient, Think: cfg.Think, Keys: cfg.Keys}
		name := fmt.Sprintf("c%d", i)
		var prog Program
		if i >= cfg.Clients {
			prog, name = cfg.Programs[i-cfg.Clients], fmt.Sprintf("p%d", i-cfg.Clients)
		}
		id := s.AddNode(sim.NodeConfig{
			Name: name,
			Tick: 10 * time.Millisecond,
			Start: func(ctx *sim.NodeContext) sim.Process {
				c := newClient(ctx, cc, w)
				if prog != nil {
					c.prog = newConn(c, prog)
				}
				w.clients[cc.Index] = c
				return c
			},
		})
		if prog != nil {
			w.programNodes = append(w.programNodes, id)
		}
	}
	w.pausePrograms()
	return w, nil
}

// pausePrograms schedules the program clients' pauses (ProgramPauses),
// drawn from a stream of their own so the rest of the run's draws stay.
func (w *World) pausePrograms() {
	if w.cfg.ProgramPauses <= 0 {
		return
	}
	r := w.s.Rand("client-pauses")
	timeout := w.cfg.SessionTimeout
	for i := range w.cfg.Programs {
		node := w.s.Node(w.programNodes[i])
		for at := r.Between(time.Second, 5*time.Second); at < w.cfg.ProgramPauses; {
			d := r.Between(timeout/4, 2*timeout)
			w.s.After(at, node.Pause)
			w.s.After(at+d, node.Resume)
			at += d + r.Between(2*time.Second, 10*time.Second)
		}
	}
}

// waiting describes the clients that are not done, one line each.
func (w *World) waiting() []string {
	var out []string
	for _, c := range w.clients {
		switch {
		case c == nil:
		case c.prog != nil && !c.prog.Done():
			out = append(out, fmt.Sprintf("%s: %s", c.ctx.Name(), c.prog.describe()))
		case c.prog == nil && !c.Done():
			out = append(out, fmt.Sprintf("%s: %d of %d operations issued, one outstanding: %v", c.ctx.Name(), c.issued, c.cfg.Ops, c.out != nil))
		}
	}
	return out
}

// stopPrograms ends the goroutines of programs still running when the
// run is over.
func (w *World) stopPrograms() {
	for _, c := range w.clients {
		if c != nil && c.prog != nil {
			c.prog.stop()
		}
	}
}

// Sim and Ensemble expose the world to tests and scenarios.
func (w *World) Sim() *sim.Sim                { return w.s }
func (w *World) Ensemble() *ensemble.Ensemble { return w.e }

func (w *World) done() bool {
	for _, c := range w.clients {
		if c == nil || !c.Done() {
			return false
		}
	}
	return true
}

func (w *World) invoke(client int, session int64, xid int32, req linearize.Request, at int64) (linearize.OpID, error) {
	w.invoked++
	return w.rec.Invoke(client, session, xid, req, at)
}

func (w *World) returned(id linearize.OpID, res linearize.Result, zxid int64, at int64) {
	if err := w.rec.Return(id, res, linearize.Zxid(zxid), at); err != nil {
		w.fail(err)
	}
}

func (w *World) ambiguous(id linearize.OpID, at int64) {
	if err := w.rec.Ambiguous(id, at); err != nil {
		w.fail(err)
	}
}

func (w *World) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// stream starts the watch stream of a new connection of session.
func (w *World) stream(session int64) *linearize.SessionStream {
	st := &linearize.SessionStream{Session: session}
	w.streams = append(w.streams, st)
	return st
}

// Run runs the workload under the faults, heals, waits for liveness, and
// checks everything recorded.
func (w *World) Run() (Result, error) {
	defer w.stopPrograms()
	var live []linearize.Violation
	deadline := w.s.Now().Add(w.cfg.Duration)
	// From the end of a schedule that heals everything, the liveness
	// window runs alongside the rest of the workload: the run watches for
	// the first moment a leader serves, without stopping for it.
	liveness := w.livenessWindow()
	watch := liveness != nil
	stop := func() bool {
		if watch && w.s.Now() >= sim.Time(liveness.Heal) && w.e.Stable() {
			liveness.Served, watch = int64(w.s.Now()), false
		}
		return w.err != nil || w.done() && w.s.Now() >= w.faultsEnd || w.s.Now() >= deadline
	}
	if err := w.s.RunUntil(stop, 0); err != nil {
		live = append(live, linearize.Violation{Check: linearize.LivenessPending, Summary: "the run exhausted its budget: " + err.Error()})
	}
	if w.err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrRun, w.err)
	}
	heal := w.s.Now()
	if len(live) == 0 {
		w.s.Net.Heal()
		for _, id := range w.e.Servers() {
			if n := w.s.Node(id); !n.Up() {
				n.Restart()
			} else if n.Paused() {
				n.Resume()
			}
		}
		bound := heal.Add(w.cfg.LivenessBound)
		err := w.s.RunUntil(func() bool { return w.err != nil || (w.e.Stable() && w.done()) || w.s.Now() >= bound }, 0)
		if liveness != nil && liveness.Served == linearize.Infinity && err == nil && w.e.Stable() {
			liveness.Served = int64(w.s.Now())
		}
		switch {
		case err != nil:
			live = append(live, linearize.Violation{Check: linearize.LivenessPending, Summary: "after the heal: " + err.Error()})
		case !w.e.Stable():
			live = append(live, linearize.Violation{Check: linearize.LivenessLeader, Summary: fmt.Sprintf("no stable leader %v after the heal", w.cfg.LivenessBound)})
		case !w.done():
			live = append(live, linearize.Violation{Check: linearize.LivenessPending, Summary: fmt.Sprintf("clients still waiting %v after the heal", w.cfg.LivenessBound), Evidence: w.waiting()})
		default:
			// Let the last commits reach every replica, so that equal
			// trees can be required of the final states.
			settle := w.s.Now().Add(10 * time.Second)
			if err := w.s.RunUntil(func() bool { return w.converged() || w.s.Now() >= settle }, 0); err != nil {
				live = append(live, linearize.Violation{Check: linearize.LivenessPending, Summary: "settling: " + err.Error()})
			}
		}
	}
	if w.err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrRun, w.err)
	}
	if liveness != nil && w.s.Now() < sim.Time(liveness.Heal) {
		liveness = nil // the run broke off before the faults ended
	}
	if liveness != nil {
		liveness.End = int64(w.s.Now())
		for _, c := range w.clients {
			if c != nil && c.prog == nil && !c.Done() {
				liveness.Waiting = append(liveness.Waiting, c.cfg.Index)
			}
		}
	}
	return w.check(live, liveness)
}

// livenessWindow is where the liveness check starts when the faults end
// by themselves: at the schedule's last step if that is a calm, which
// ends every fault (or at once without a schedule). Then "a leader
// serves, and every request is answered, within LivenessBound of the
// heal" is checked from there, not only after the workload, which cannot
// end without a leader and would hide an outage shorter than its
// deadline. A schedule that leaves faults in place has its heal at the
// end of the workload, where Run judges it itself (nil); so does a calm
// after the workload's deadline. Client pauses (ProgramPauses) stop only
// program clients, whose calls the history leaves out, so a paused
// client never counts as unanswered.
func (w *World) livenessWindow() *linearize.Liveness {
	l := &linearize.Liveness{Heal: int64(w.s.Now()), Served: linearize.Infinity, Bound: int64(w.cfg.LivenessBound)}
	var last nemesis.Step
	for _, st := range w.cfg.Schedule {
		if st.At >= last.At {
			last = st
		}
	}
	if len(w.cfg.Schedule) > 0 {
		if last.Fault.Kind != nemesis.Calm || w.faultsEnd >= w.s.Now().Add(w.cfg.Duration) {
			return nil
		}
		l.Heal = int64(w.faultsEnd)
	}
	return l
}

func (w *World) check(live []linearize.Violation, liveness *linearize.Liveness) (Result, error) {
	entries, conflicts := w.e.Committed()
	res := Result{Zab: w.e.Record(), Roles: w.e.Roles(), Events: w.s.EventsRun(), SimTime: w.s.Now(), TraceHash: w.s.TraceHash(), Committed: len(entries)}
	if len(conflicts) == 0 {
		txns, err := truthTxns(entries)
		if err != nil {
			return Result{}, fmt.Errorf("%w: %v", ErrRun, err)
		}
		if err := w.expiries(txns, &res.Zab); err != nil {
			return Result{}, fmt.Errorf("%w: %v", ErrRun, err)
		}
		if res.Truth, err = linearize.NewGroundTruth(txns); err != nil {
			return Result{}, fmt.Errorf("%w: %v", ErrRun, err)
		}
	}
	res.History = w.rec.History()
	for _, st := range w.streams {
		res.Streams = append(res.Streams, *st)
	}
	v, lin, err := linearize.CheckRun(linearize.Run{History: res.History, Truth: res.Truth, Zab: &res.Zab, Watches: res.Streams, Liveness: liveness, Options: w.cfg.Linearizable})
	if err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrRun, err)
	}
	for _, c := range conflicts {
		v.Add(linearize.Violation{Check: linearize.ZxidUnique, Summary: c})
	}
	for _, r := range w.e.Refused() {
		v.Add(linearize.Violation{Check: linearize.RecoveryFromDisk, Summary: r})
	}
	v.Add(live...)
	res.Verdict, res.Lin = v, lin
	if w.nem != nil {
		res.Applied = w.nem.Applied()
	}
	res.Ops = w.programCalls
	for _, op := range res.History {
		if op.Client != linearize.ServerClient {
			res.Ops++
		}
	}
	for i := range w.e.Servers() {
		z := int64(-1)
		if srv, ok := w.e.Server(uint64(i + 1)).(*replica.Server); ok && srv != nil {
			z = srv.Tree().Zxid()
		}
		res.FinalZxids = append(res.FinalZxids, z)
	}
	return res, nil
}

// expiries records every closeSession no client asked for (cxid 0 from
// a session whose client never sent closeSession) as the server's own
// operation, between its proposal and its commit.
func (w *World) expiries(txns []linearize.Txn, zab *linearize.ZabRecord) error {
	proposed := map[linearize.Zxid]int64{}
	for _, p := range zab.Proposals {
		if _, ok := proposed[p.Zxid]; !ok {
			proposed[p.Zxid] = p.Time
		}
	}
	committed := map[linearize.Zxid]int64{}
	for _, c := range zab.Commits {
		if _, ok := committed[c.Zxid]; !ok {
			committed[c.Zxid] = c.Time
		}
	}
	for _, t := range txns {
		if t.Kind != linearize.TxnCloseSession || t.Request.Xid != 0 {
			continue
		}
		p, ok := proposed[t.Zxid]
		if !ok {
			return fmt.Errorf("session expiry at %s was never proposed", t.Zxid)
		}
		c, ok := committed[t.Zxid]
		if !ok {
			c = int64(w.s.Now()) // committed as part of a new leader's history
		}
		if err := w.rec.SessionEnded(t.Session, t.Zxid, p, max(c, p)); err != nil {
			return err
		}
	}
	return nil
}

// Run builds and runs one world.
func Run(cfg Config) (Result, error) {
	w, err := New(cfg)
	if err != nil {
		return Result{}, err
	}
	return w.Run()
}

// converged reports whether every server is up and applied the same zxid.
func (w *World) converged() bool {
	var zxid int64 = -1
	for i := range w.e.Servers() {
		srv, ok := w.e.Server(uint64(i + 1)).(*replica.Server)
		if !ok {
			return false
		}
		if z := srv.Tree().Zxid(); zxid == -1 {
			zxid = z
		} else if z != zxid {
			return false
		}
	}
	return true
}
