package nemesis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/protocol"
)

// Fault is one kind of fault a cycle injects.
type Fault string

// The faults. Each cycle injects one (on one server, the leader half of
// the time; on a pair of servers; on all of them; or on every peer link),
// holds it, and undoes it.
const (
	// FaultKill: SIGKILL, then a restart from the server's disk.
	FaultKill Fault = "kill"
	// FaultKillAll: SIGKILL to every server at once, then every one
	// restarted from its disk: nothing acknowledged may be lost even
	// with no server left running.
	FaultKillAll Fault = "kill-all"
	// FaultPause: SIGSTOP, then SIGCONT.
	FaultPause Fault = "pause"
	// FaultPartition: the server is cut off from its peers, then healed.
	FaultPartition Fault = "partition"
	// FaultCutLink: the links between the server and one other are cut,
	// both still reaching the rest (a partial partition), then restored.
	FaultCutLink Fault = "cut-link"
	// FaultDelay: every peer link is delayed, then restored.
	FaultDelay Fault = "delay"
	// FaultLoss: every peer link loses chunks, then is restored.
	FaultLoss Fault = "loss"
)

// Faults is every fault, in the order the flag lists them.
var Faults = []Fault{FaultKill, FaultKillAll, FaultPause, FaultPartition, FaultCutLink, FaultDelay, FaultLoss}

// Errors a caller can test for with errors.Is.
var (
	// ErrConfig: the Config cannot run.
	ErrConfig = errors.New("nemesis: invalid configuration")
)

// ParseFaults reads a comma-separated list of fault names, or "all".
func ParseFaults(s string) ([]Fault, error) {
	if strings.TrimSpace(s) == "all" {
		return Faults, nil
	}
	var out []Fault
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		found := false
		for _, k := range Faults {
			if Fault(f) == k {
				out, found = append(out, k), true
			}
		}
		if !found {
			names := make([]string, len(Faults))
			for i, k := range Faults {
				names[i] = string(k)
			}
			return nil, fmt.Errorf("%w: fault %q is not one of %s, or all", ErrConfig, f, strings.Join(names, ", "))
		}
	}
	return out, nil
}

// NetworkMode chooses how servers are placed.
type NetworkMode string

const (
	// NetAuto uses namespaces when it can and says so when it cannot.
	NetAuto NetworkMode = "auto"
	// NetNamespaces insists on namespaces.
	NetNamespaces NetworkMode = "netns"
	// NetLoopback uses loopback proxies.
	NetLoopback NetworkMode = "loopback"
)

// Config is one nemesis run.
type Config struct {
	Servers, Clients, Keys int
	Cycles                 int
	Faults                 []Fault
	// Hold is how long a fault lasts; Settle is the load between cycles.
	Hold, Settle time.Duration
	// Seed drives the choice of faults, victims and client operations.
	Seed uint64
	// Dir holds each server's zoo.cfg, data and log.
	Dir string
	// Command starts zabsim: the binary and any arguments before "serve".
	Command []string
	// Env is added to the servers' environment.
	Env []string
	// Bugs are passed to every server as --bug, to show that the checks
	// catch a broken server.
	Bugs     []protocol.Bug
	Network  NetworkMode
	TickTime time.Duration
	// SessionTimeout is what the clients ask for.
	SessionTimeout time.Duration
	// RecoverWait bounds the wait for a leader after each cycle and for
	// every server at the end; 0 means a minute. A wait that runs out is
	// reported as a stall and the run goes on.
	RecoverWait time.Duration
	// Logf receives progress lines.
	Logf func(format string, args ...any)
}

func (c *Config) validate() error {
	switch {
	case c.Servers < 1 || c.Servers > 9:
		return fmt.Errorf("%w: %d servers, want 1 to 9", ErrConfig, c.Servers)
	case c.Clients < 1 || c.Keys < 1:
		return fmt.Errorf("%w: %d clients on %d keys, want at least one of each", ErrConfig, c.Clients, c.Keys)
	case c.Cycles < 0 || c.Hold < 0 || c.Settle < 0:
		return fmt.Errorf("%w: negative cycles or durations", ErrConfig)
	case c.Cycles > 0 && len(c.Faults) == 0:
		return fmt.Errorf("%w: cycles without faults", ErrConfig)
	case c.Dir == "" || len(c.Command) == 0:
		return fmt.Errorf("%w: Dir and Command are required", ErrConfig)
	case c.TickTime <= 0 || c.SessionTimeout <= 0 || c.RecoverWait < 0:
		return fmt.Errorf("%w: tick time and session timeout must be positive, recover wait not negative", ErrConfig)
	}
	if c.RecoverWait == 0 {
		c.RecoverWait = defaultRecoverWait
	}
	switch c.Network {
	case NetAuto, NetNamespaces, NetLoopback:
	default:
		return fmt.Errorf("%w: network %q is not auto, netns or loopback", ErrConfig, c.Network)
	}
	return nil
}

// Report is what a run found.
type Report struct {
	Network string
	// Cycles describes each fault injected, in order.
	Cycles []string
	// Stalls lists cycles after which no leader served in time.
	Stalls []string
	// Crashes lists servers that exited without being told to.
	Crashes []string
	// Interrupted: the run's context ended before every cycle ran.
	Interrupted              bool
	Ops, OK, Failed, Unknown int
	AckedWrites              int
	Verdict                  linearize.Verdict
	Elapsed                  time.Duration
}

// Passed reports whether every cycle ran, the checkers found nothing,
// every server lived until stopped, and the ensemble recovered after every
// cycle.
func (r *Report) Passed() bool {
	return !r.Interrupted && r.Verdict.OK() && len(r.Crashes) == 0 && len(r.Stalls) == 0
}

// Write prints the report.
func (r *Report) Write(w io.Writer) {
	fmt.Fprintf(w, "network: %s\n", r.Network)
	fmt.Fprintf(w, "cycles: %d in %s\n", len(r.Cycles), r.Elapsed.Round(time.Millisecond))
	if r.Interrupted {
		fmt.Fprintln(w, "interrupted: the run was stopped before its last cycle; what ran was checked")
	}
	fmt.Fprintf(w, "operations: %d (%d ok, %d failed, %d unknown), %d acknowledged writes\n", r.Ops, r.OK, r.Failed, r.Unknown, r.AckedWrites)
	for _, s := range r.Stalls {
		fmt.Fprintf(w, "stall: %s\n", s)
	}
	for _, c := range r.Crashes {
		fmt.Fprintf(w, "crash: %s\n", c)
	}
	fmt.Fprintf(w, "verdict: %s\n", r.Verdict)
}

// defaultRecoverWait is Config.RecoverWait's default.
const defaultRecoverWait = time.Minute

// Run starts the ensemble, loads it, injects the faults, heals, reads the
// final state back from every server and checks the history.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	logf := cfg.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	began := time.Now()
	network, desc, err := openNetwork(cfg.Network, cfg.Servers, cfg.Seed)
	if err != nil {
		return nil, err
	}
	defer network.Close()
	rep := &Report{Network: desc}
	logf("nemesis: %s", desc)
	cl := &cluster{n: cfg.Servers, dir: cfg.Dir, command: cfg.Command, env: cfg.Env, bugs: cfg.Bugs, net: network, procs: map[uint64]*process{}}
	defer cl.stopAll()
	if err := cl.writeConfigs(cfg.TickTime); err != nil {
		return nil, err
	}
	for sid := uint64(1); sid <= uint64(cfg.Servers); sid++ {
		if err := cl.start(sid); err != nil {
			return nil, err
		}
	}
	if err := within(ctx, cfg.RecoverWait, func(ctx context.Context) error { return cl.waitServing(ctx, true) }); err != nil {
		return nil, fmt.Errorf("starting: %w (server logs in %s)", err, cfg.Dir)
	}
	addrs := make([]string, cfg.Servers)
	for i := range addrs {
		addrs[i] = network.Server(uint64(i + 1)).ClientAddr()
	}
	h := newHistory()
	if err := setupKeys(ctx, cfg, addrs, h); err != nil {
		return nil, err
	}
	stopLoad, err := startLoad(cfg, addrs, h)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6379636c))
	var round []int
	for i := range cfg.Cycles {
		if ctx.Err() != nil {
			rep.Interrupted = true
			break
		}
		// Each round of len(Faults) cycles injects every fault once, in
		// an order of its own, so a short run still sees each.
		if len(round) == 0 {
			round = rng.Perm(len(cfg.Faults))
		}
		fault := cfg.Faults[round[0]]
		round = round[1:]
		line, err := cycle(ctx, cfg, fault, cl, network, rng)
		if err != nil {
			_ = stopLoad()
			return nil, err
		}
		rep.Cycles = append(rep.Cycles, line)
		logf("nemesis: cycle %d: %s", i+1, line)
		if err := within(ctx, cfg.RecoverWait, func(ctx context.Context) error { return cl.waitServing(ctx, false) }); err != nil && ctx.Err() == nil {
			rep.Stalls = append(rep.Stalls, fmt.Sprintf("cycle %d (%s): %v", i+1, line, err))
		}
		sleep(ctx, cfg.Settle)
	}
	rep.Interrupted = rep.Interrupted || ctx.Err() != nil
	// An interrupted run is healed and checked all the same: its history
	// is as good as a whole run's, only shorter.
	ctx = context.WithoutCancel(ctx)
	if err := stopLoad(); err != nil {
		return nil, err
	}
	if err := within(ctx, cfg.RecoverWait, func(ctx context.Context) error { return cl.waitServing(ctx, true) }); err != nil {
		rep.Stalls = append(rep.Stalls, fmt.Sprintf("after healing: %v", err))
	}
	final, err := readFinal(ctx, cfg, addrs, cl.running, h)
	if err != nil {
		return nil, err
	}
	cl.stopAll()
	rep.Crashes = cl.crashReports()
	ops := h.operations()
	verdict, _, err := linearize.CheckRun(linearize.Run{History: ops, Options: linearize.LinearizableOptions{Timeout: 2 * time.Minute}})
	if err != nil {
		return nil, err
	}
	verdict.Add(checkDurable(ops, final)...)
	rep.Verdict = verdict
	count(rep, ops)
	rep.Elapsed = time.Since(began)
	return rep, nil
}

// openNetwork places the servers as mode says; under auto, a machine
// where namespaces cannot be made gets loopback proxies, and the
// description says why.
func openNetwork(mode NetworkMode, n int, seed uint64) (Network, string, error) {
	if mode != NetLoopback {
		nn, err := newNetnsNet(n, seed)
		if err == nil {
			return nn, nn.Describe(), nil
		}
		if mode == NetNamespaces || !errors.Is(err, ErrNoNetns) {
			return nil, "", err
		}
		ln, lerr := newLoopbackNet(n, seed)
		if lerr != nil {
			return nil, "", lerr
		}
		return ln, fmt.Sprintf("%s; falling back to %s", err, ln.Describe()), nil
	}
	ln, err := newLoopbackNet(n, seed)
	if err != nil {
		return nil, "", err
	}
	return ln, ln.Describe(), nil
}

// cycle injects one fault, holds it, and undoes it.
func cycle(ctx context.Context, cfg Config, fault Fault, cl *cluster, network Network, rng *rand.Rand) (string, error) {
	victim := uint64(1 + rng.IntN(cfg.Servers))
	role := ""
	if rng.IntN(2) == 0 {
		if l := cl.leader(); l != 0 {
			victim, role = l, " (leader)"
		}
	}
	var do, undo func() error
	what := fmt.Sprintf("%s server %d%s", fault, victim, role)
	switch fault {
	case FaultKill:
		do, undo = func() error { return cl.kill(victim) }, func() error { return cl.start(victim) }
	case FaultKillAll:
		what = string(fault)
		do, undo = func() error { return cl.each(cl.kill) }, func() error { return cl.each(cl.start) }
	case FaultPause:
		do, undo = func() error { return cl.pause(victim) }, func() error { return cl.resume(victim) }
	case FaultPartition:
		do, undo = func() error { return network.Isolate(victim) }, func() error { return network.Rejoin(victim) }
	case FaultCutLink:
		other := victim
		if cfg.Servers > 1 {
			other = 1 + (victim+uint64(rng.IntN(cfg.Servers-1)))%uint64(cfg.Servers)
		}
		what = fmt.Sprintf("%s between server %d%s and server %d", fault, victim, role, other)
		do = func() error { network.CutLink(victim, other, true); return nil }
		undo = func() error { network.CutLink(victim, other, false); return nil }
	case FaultDelay, FaultLoss:
		delay := time.Duration(20+rng.IntN(180)) * time.Millisecond
		loss := 0.0
		if fault == FaultLoss {
			delay, loss = 0, 0.05+0.25*rng.Float64()
		}
		what = fmt.Sprintf("%s on every peer link (delay %s, loss %.0f%%)", fault, delay, 100*loss)
		do = func() error { network.Slow(delay, loss); return nil }
		undo = func() error { network.Slow(0, 0); return nil }
	}
	if err := do(); err != nil {
		return "", fmt.Errorf("nemesis: %s: %w", what, err)
	}
	sleep(ctx, cfg.Hold)
	if err := undo(); err != nil {
		return "", fmt.Errorf("nemesis: undoing %s: %w", what, err)
	}
	return what, nil
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func within(ctx context.Context, d time.Duration, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return f(ctx)
}

// setupKeys creates the keys the clients work on, recorded like any other
// operation, retrying until each is known to exist.
func setupKeys(ctx context.Context, cfg Config, addrs []string, h *history) error {
	c, err := connectClient(cfg.Clients, addrs, h, cfg.SessionTimeout)
	if err != nil {
		return err
	}
	defer c.conn.Close()
	for k := range cfg.Keys {
		for {
			out, err := c.create(keyPath(k), "init")
			if err != nil {
				return err
			}
			if out != linearize.OutcomeUnknown {
				break
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return nil
}

// loadGrace is how long the clients get to finish their last operation
// before their connections are closed under them (which makes that
// operation's outcome unknown).
const loadGrace = 10 * time.Second

// startLoad starts the clients. stop ends the load, waits for it, and
// returns the first error a client met.
func startLoad(cfg Config, addrs []string, h *history) (func() error, error) {
	ctx, cancel := context.WithCancel(context.Background())
	var clients []*client
	for i := range cfg.Clients {
		c, err := connectClient(i, addrs, h, cfg.SessionTimeout)
		if err != nil {
			cancel()
			for _, c := range clients {
				c.conn.Close()
			}
			return nil, err
		}
		clients = append(clients, c)
	}
	errs := make(chan error, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		rng := rand.New(rand.NewPCG(cfg.Seed, uint64(i)))
		wg.Go(func() { errs <- c.load(ctx, cfg.Keys, rng) })
	}
	stop := func() error {
		cancel()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(loadGrace):
		}
		for _, c := range clients {
			c.conn.Close()
		}
		<-done
		close(errs)
		var err error
		for e := range errs {
			if err == nil {
				err = e
			}
		}
		return err
	}
	return stop, nil
}

// readFinal reads every key back through a session on each running
// server alone, after a sync, retrying while the answer is unknown. (A
// server that exited on its own is reported as a crash.) These reads are
// recorded too, so Porcupine judges them with the rest.
func readFinal(ctx context.Context, cfg Config, addrs []string, running func(uint64) bool, h *history) (finalState, error) {
	final := finalState{}
	for i, addr := range addrs {
		sid := uint64(i + 1)
		if !running(sid) {
			continue
		}
		c, err := connectClient(cfg.Clients+1+i, []string{addr}, h, cfg.SessionTimeout)
		if err != nil {
			return nil, err
		}
		final[sid] = map[string]linearize.Result{}
		for k := range cfg.Keys {
			p := keyPath(k)
			for try := 0; ; try++ {
				if ctx.Err() != nil || try == 50 {
					c.conn.Close()
					return nil, fmt.Errorf("nemesis: reading %s back from server %d: no answer", p, sid)
				}
				if out, err := c.sync(p); err != nil {
					c.conn.Close()
					return nil, err
				} else if out != linearize.OutcomeOK {
					time.Sleep(100 * time.Millisecond)
					continue
				}
				res, out, err := c.get(p)
				if err != nil {
					c.conn.Close()
					return nil, err
				}
				if out == linearize.OutcomeOK {
					final[sid][p] = res
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
		c.conn.Close()
	}
	return final, nil
}

func count(rep *Report, ops []linearize.Operation) {
	rep.Ops = len(ops)
	for _, op := range ops {
		switch op.Outcome {
		case linearize.OutcomeOK:
			rep.OK++
			if op.Req.Kind.IsWrite() {
				rep.AckedWrites++
			}
		case linearize.OutcomeFailed:
			rep.Failed++
		case linearize.OutcomeUnknown:
			rep.Unknown++
		}
	}
}
