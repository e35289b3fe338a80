package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/zabsim/zabsim/cmd/internal/live"
)

func init() {
	commands["ensemble"] = command{summary: "run a live ensemble on loopback and print its connect string", run: runEnsemble}
}

// ensembleServingTimeout bounds the wait for the first leader.
const ensembleServingTimeout = time.Minute

func runEnsemble(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("zabsim ensemble", flag.ContinueOnError)
	fs.SetOutput(stderr)
	servers := fs.Int("servers", 3, "number of servers, 1 to 254")
	observers := fs.Int("observers", 0, "how many of the servers (the last ones) are observers")
	dir := fs.String("dir", "", "directory for the servers' storage, kept across runs (default: a temporary directory removed at exit)")
	clientPort := fs.Int("client-port", 2181, "server i serves clients on client-port+i-1; 0 picks free ports")
	tickTime := fs.Duration("tick-time", 2*time.Second, "ZooKeeper's tickTime (session timeouts are 2 to 20 of them)")
	words := fs.String("4lw", "*", "four-letter words to answer, comma-separated, or * for all")
	verbose := fs.Bool("verbose", false, "also log every protocol event")
	nem := addNemesisFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: zabsim ensemble [--servers N] [--dir DIR] [--client-port P]")
		fmt.Fprintln(stderr, "       zabsim ensemble --nemesis [--servers N] [--cycles C] [--faults LIST] [--network MODE]")
		fmt.Fprintln(stderr, "Runs N live servers in this process on loopback sockets, prints the connect string on")
		fmt.Fprintln(stderr, "stdout once they serve (log lines go to stderr), and runs until SIGINT or SIGTERM.")
		fmt.Fprintln(stderr, "Exits 0 then, 1 if the ensemble could not start, 2 on bad usage.")
		fmt.Fprintln(stderr, "With --nemesis: runs N `zabsim serve` processes under client load and a fault schedule,")
		fmt.Fprintln(stderr, "checks the client history and prints the verdict; exits 0 if it passed, 1 if not.")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	switch {
	case *servers < 1 || *servers > 254:
		fmt.Fprintf(stderr, "zabsim ensemble: --servers %d is not between 1 and 254\n", *servers)
		return exitUsage
	case *observers < 0 || *observers >= *servers:
		fmt.Fprintf(stderr, "zabsim ensemble: --observers %d must leave at least one of the %d servers voting\n", *observers, *servers)
		return exitUsage
	case *clientPort < 0 || *clientPort+*servers-1 > 65535:
		fmt.Fprintf(stderr, "zabsim ensemble: --client-port %d leaves no room for %d client ports below 65536\n", *clientPort, *servers)
		return exitUsage
	case *tickTime < time.Millisecond:
		fmt.Fprintf(stderr, "zabsim ensemble: --tick-time %v is under a millisecond\n", *tickTime)
		return exitUsage
	}
	var list []string
	for w := range strings.SplitSeq(*words, ",") {
		if w = strings.TrimSpace(w); w == "" {
			continue
		}
		if w != "*" && !live.IsFourLetterWord(w) {
			fmt.Fprintf(stderr, "zabsim ensemble: --4lw: %q is not one of %s, or *\n", w, strings.Join(live.FourLetterWords, ", "))
			return exitUsage
		}
		list = append(list, w)
	}
	if nem.enabled {
		tick, unused := nemesisTickTime, ""
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "tick-time":
				tick = *tickTime
			case "observers", "client-port", "4lw", "verbose":
				unused = f.Name
			}
		})
		if unused != "" {
			fmt.Fprintf(stderr, "zabsim ensemble: --%s does not apply with --nemesis\n", unused)
			return exitUsage
		}
		return runNemesis(nem, *servers, *dir, tick, stdout, stderr)
	}
	ec := live.EnsembleConfig{
		Servers: *servers, Observers: *observers, Dir: *dir, ClientPort: *clientPort, TickTime: *tickTime,
		FourLetterWords: list, Logf: lineLogger(stderr), Verbose: *verbose,
	}
	if ec.Dir == "" {
		tmp, err := os.MkdirTemp("", "zabsim-ensemble-")
		if err != nil {
			fmt.Fprintf(stderr, "zabsim ensemble: %v\n", err)
			return exitUnexpected
		}
		defer os.RemoveAll(tmp)
		ec.Dir = tmp
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runLoopbackEnsemble(ctx, ec, stdout, stderr)
}

// runLoopbackEnsemble starts the ensemble, prints its connect string once
// it serves, and stops it when ctx ends.
func runLoopbackEnsemble(ctx context.Context, ec live.EnsembleConfig, stdout, stderr io.Writer) int {
	e, err := live.StartEnsemble(ec)
	if err != nil {
		fmt.Fprintf(stderr, "zabsim ensemble: %v\n", err)
		return exitUnexpected
	}
	defer e.Close()
	for sid := uint64(1); sid <= uint64(e.Size()); sid++ {
		c := e.Config(sid)
		self := c.Peers[sid]
		fmt.Fprintf(stderr, "zabsim ensemble: server %d: clients %s, quorum %s, election %s, storage %s\n",
			sid, c.ClientAddr, self.Quorum, self.Election, c.Dir)
	}
	wctx, cancel := context.WithTimeout(ctx, ensembleServingTimeout)
	err = e.WaitServingContext(wctx)
	cancel()
	switch {
	case ctx.Err() != nil:
		return exitOK
	case err != nil:
		fmt.Fprintf(stderr, "zabsim ensemble: %v\n", err)
		return exitUnexpected
	}
	fmt.Fprintln(stdout, e.ConnectString())
	<-ctx.Done()
	fmt.Fprintln(stderr, "zabsim ensemble: stopping")
	return exitOK
}
