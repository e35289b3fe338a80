package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/zabsim/zabsim/cmd/internal/live/nemesis"
	"github.com/zabsim/zabsim/protocol"
)

// nemesisFlags are the flags of `zabsim ensemble --nemesis`.
type nemesisFlags struct {
	enabled        bool
	cycles         int
	faults         string
	hold, settle   time.Duration
	clients, keys  int
	seed           uint64
	network        string
	sessionTimeout time.Duration
	recoverWait    time.Duration
	bugs           []protocol.Bug
}

// nemesisTickTime is the tickTime of a nemesis ensemble unless
// --tick-time says otherwise: short, so that a cycle of fault and recovery
// takes a couple of seconds.
const nemesisTickTime = 200 * time.Millisecond

func addNemesisFlags(fs *flag.FlagSet) *nemesisFlags {
	n := &nemesisFlags{}
	fs.BoolVar(&n.enabled, "nemesis", false, "run separate server processes under client load and a fault schedule, then check the client history")
	fs.IntVar(&n.cycles, "cycles", 20, "with --nemesis: fault cycles")
	fs.StringVar(&n.faults, "faults", "all", "with --nemesis: faults to draw from, comma-separated: kill, kill-all, pause, partition, cut-link, delay, loss, or all")
	fs.DurationVar(&n.hold, "hold", time.Second, "with --nemesis: how long each fault lasts")
	fs.DurationVar(&n.settle, "settle", time.Second, "with --nemesis: load between cycles, once a leader serves again")
	fs.IntVar(&n.clients, "clients", 4, "with --nemesis: client sessions")
	fs.IntVar(&n.keys, "keys", 5, "with --nemesis: znodes the clients read and write")
	fs.Uint64Var(&n.seed, "seed", 1, "with --nemesis: seed of the fault schedule and the client operations")
	fs.StringVar(&n.network, "network", "auto", "with --nemesis: auto (namespaces if possible, else loopback proxies), netns or loopback")
	fs.DurationVar(&n.sessionTimeout, "session-timeout", 4*time.Second, "with --nemesis: session timeout the clients ask for")
	fs.DurationVar(&n.recoverWait, "recover-wait", time.Minute, "with --nemesis: how long to wait for a leader after each cycle before reporting a stall")
	fs.Func("bug", "with --nemesis: start the servers with this known protocol mistake, to see the checks catch it (repeatable; see zabsim bugs)", bugFlag(&n.bugs))
	return n
}

// runNemesis runs the live nemesis with this binary as the servers, prints
// the report and exits 0 if it passed, 1 if not.
func runNemesis(n *nemesisFlags, servers int, dir string, tick time.Duration, stdout, stderr io.Writer) int {
	faults, err := nemesis.ParseFaults(n.faults)
	if err != nil {
		fmt.Fprintf(stderr, "zabsim ensemble: --faults: %v\n", err)
		return exitUsage
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "zabsim ensemble: %v\n", err)
		return exitUnexpected
	}
	if dir == "" {
		tmp, err := os.MkdirTemp("", "zabsim-nemesis-")
		if err != nil {
			fmt.Fprintf(stderr, "zabsim ensemble: %v\n", err)
			return exitUnexpected
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := nemesis.Config{
		Servers: servers, Clients: n.clients, Keys: n.keys, Cycles: n.cycles, Faults: faults,
		Hold: n.hold, Settle: n.settle, Seed: n.seed, Dir: dir, Command: []string{exe},
		Network: nemesis.NetworkMode(n.network), Bugs: n.bugs, TickTime: tick, SessionTimeout: n.sessionTimeout, RecoverWait: n.recoverWait,
		Logf: lineLogger(stderr),
	}
	rep, err := nemesis.Run(ctx, cfg)
	switch {
	case errors.Is(err, nemesis.ErrConfig):
		fmt.Fprintf(stderr, "zabsim ensemble: %v\n", err)
		return exitUsage
	case err != nil:
		fmt.Fprintf(stderr, "zabsim ensemble: nemesis: %v\n", err)
		return exitUnexpected
	}
	rep.Write(stdout)
	if !rep.Passed() {
		return exitUnexpected
	}
	return exitOK
}
