package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/zabsim/zabsim/cmd/internal/live"
	"github.com/zabsim/zabsim/protocol"
)

func init() {
	commands["serve"] = command{summary: "run one live ZooKeeper-compatible server from a zoo.cfg", run: runServe}
}

func runServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("zabsim serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "zoo.cfg to read (required); the server id comes from dataDir/myid")
	verbose := fs.Bool("verbose", false, "also log every protocol event")
	var bugs []protocol.Bug
	fs.Func("bug", "switch on a known protocol mistake, to test the tests (repeatable; see zabsim bugs)", bugFlag(&bugs))
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: zabsim serve --config zoo.cfg")
		fmt.Fprintln(stderr, "Runs one live server: the simulated server core on real sockets and files, speaking")
		fmt.Fprintln(stderr, "ZooKeeper's client protocol. Runs until SIGINT or SIGTERM; exits 0 then, 1 if the")
		fmt.Fprintln(stderr, "server crashed, 2 on bad usage or a bad zoo.cfg.")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	if *cfgPath == "" {
		fmt.Fprintln(stderr, "zabsim serve: --config is required")
		return exitUsage
	}
	cfg, ignored, err := loadServeConfig(*cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "zabsim serve: %v\n", err)
		return exitUsage
	}
	if len(ignored) > 0 {
		fmt.Fprintf(stderr, "zabsim serve: %s: ignoring %s\n", *cfgPath, strings.Join(ignored, ", "))
	}
	logf := lineLogger(stderr)
	cfg.Logf, cfg.Verbose, cfg.Bugs = logf, *verbose, bugs
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, cfg, stdout, stderr)
}

// loadServeConfig reads zoo.cfg and the myid of an ensemble member; it
// also returns the settings zoo.cfg holds that zabsim ignores.
func loadServeConfig(path string) (live.Config, []string, error) {
	z, err := live.LoadZooConfig(path)
	if err != nil {
		return live.Config{}, nil, err
	}
	var myid uint64
	if len(z.Servers) > 0 {
		if myid, err = live.ReadMyID(z.DataDir); err != nil {
			return live.Config{}, nil, err
		}
	}
	cfg, err := z.ServerConfig(myid)
	return cfg, z.Ignored, err
}

// serve runs one server until ctx ends or the server crashes.
func serve(ctx context.Context, cfg live.Config, stdout, stderr io.Writer) int {
	s, err := live.Start(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "zabsim serve: %v\n", err)
		return exitUnexpected
	}
	fmt.Fprintf(stdout, "server %d listening for clients on %s (storage %s)\n", cfg.ID, s.ClientAddr(), cfg.Dir)
	select {
	case <-ctx.Done():
		s.Stop()
		return exitOK
	case <-s.Done():
		fmt.Fprintf(stderr, "zabsim serve: %v\n", s.Err())
		return exitUnexpected
	}
}

// lineLogger writes timestamped log lines to w, one whole line at a time
// (servers log from many goroutines).
func lineLogger(w io.Writer) func(format string, args ...any) {
	var mu sync.Mutex
	return func(format string, args ...any) {
		line := time.Now().Format("15:04:05.000 ") + fmt.Sprintf(format, args...) + "\n"
		mu.Lock()
		defer mu.Unlock()
		_, _ = io.WriteString(w, line)
	}
}
