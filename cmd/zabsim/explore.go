package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/zabsim/zabsim/protocol"
	"github.com/zabsim/zabsim/sim/explore"
)

func init() {
	commands["explore"] = command{summary: "model-check small configurations by enumerating every interleaving", run: runExplore}
}

func runExplore(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("zabsim explore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg explore.Config
	fs.IntVar(&cfg.Servers, "servers", 3, "number of voting servers (1-9)")
	fs.IntVar(&cfg.Quorum, "quorum", 0, "acks a decision needs; 0 is a majority (smaller values are unsafe on purpose)")
	fs.IntVar(&cfg.Writes, "writes", 2, "client writes the leader may propose")
	fs.IntVar(&cfg.Crashes, "crashes", 0, "server crashes")
	fs.IntVar(&cfg.Partitions, "partitions", 0, "times one server may be cut off (healed by a later choice)")
	fs.IntVar(&cfg.Losses, "losses", 0, "messages lost without their connection closing: election notifications and followers' ACKs, which TCP never loses alone but whose loss only delays a commit")
	fs.IntVar(&cfg.ElectionLinks, "election-links", 1, "notifications in flight per election link, a newer one pushing out the oldest as ZooKeeper's send queue of one does (0: no bound)")
	fs.IntVar(&cfg.Timeouts, "timeouts", 0, "times a server in a role (leading or following) may give up on it (a lost connection, a slow quorum)")
	fs.IntVar(&cfg.Depth, "depth", 200, "longest choice sequence explored (--servers 3 --writes 2 --crashes 1 ends by itself at depth 62)")
	fs.IntVar(&cfg.States, "states", 50_000_000, "distinct states before stopping (about 460 bytes of memory each: 16.7 million took 7.7 GB)")
	fs.BoolVar(&cfg.FromEmpty, "from-empty", false, "explore the initial election too, instead of starting once it settled")
	fs.BoolVar(&cfg.NoSleepSets, "no-sleep-sets", false, "explore every interleaving of independent choices (to measure what sleep sets save)")
	fs.BoolVar(&cfg.NoSymmetry, "no-symmetry", false, "do not merge states that differ only by a relabelling of server ids (to measure what symmetry saves)")
	fs.BoolVar(&cfg.CrashPoints, "crash-points", false, "carry out each storage operation as a choice of its own, so crashes fall between appends, fsyncs, epoch writes and the messages that wait for them")
	bug := fs.String("bug", "", "switch on a known protocol mistake (see zabsim bugs)")
	walks := fs.Int("walks", 0, "instead of every interleaving, follow N random walks of up to --depth choices (deeper, not exhaustive)")
	seed := fs.Uint64("seed", 1, "with --walks, the seed the walks are drawn from")
	replay := fs.String("replay", "", "rerun this comma-separated choice sequence instead of searching")
	trace := fs.Bool("trace", false, "with --replay, print every step and message")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: zabsim explore [flags]")
		fmt.Fprintln(stderr, "Breadth-first search over every interleaving of the real protocol peers within the bounds, with")
		fmt.Fprintln(stderr, "sleep sets (independent deliveries are not re-ordered) and symmetry where server ids play no part;")
		fmt.Fprintln(stderr, "exits 0 when no invariant fails, 1 on a violation (printed with its replay command), 2 on bad usage.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "zabsim explore: unexpected arguments %q\n", strings.Join(fs.Args(), " "))
		return exitUsage
	}
	if *bug != "" {
		cfg.Bugs = []protocol.Bug{protocol.Bug(*bug)}
		known := false
		for _, b := range protocol.KnownBugs() {
			known = known || b == protocol.Bug(*bug)
		}
		if !known {
			fmt.Fprintf(stderr, "zabsim explore: unknown --bug %q; valid bugs: %s\n", *bug, bugNames())
			return exitUsage
		}
	}
	if *replay != "" {
		choices, err := explore.ParseChoices(*replay)
		if err != nil {
			fmt.Fprintf(stderr, "zabsim explore: --replay: %v\n", err)
			return exitUsage
		}
		steps, violation, err := explore.Replay(cfg, choices)
		if *trace {
			for _, s := range steps {
				fmt.Fprintln(stdout, s)
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "zabsim %v\n", err)
			return exitUsage
		}
		if violation != "" {
			fmt.Fprintf(stdout, "violation: %s\n", violation)
			return exitUnexpected
		}
		fmt.Fprintln(stdout, "no violation")
		return exitOK
	}
	var res explore.Result
	var err error
	if *walks > 0 {
		res, err = explore.Walk(cfg, *walks, *seed)
	} else {
		defer debug.SetGCPercent(debug.SetGCPercent(explore.GCTarget))
		res, err = explore.Explore(cfg)
	}
	if err != nil {
		fmt.Fprintf(stderr, "zabsim %v\n", err)
		return exitUsage
	}
	fmt.Fprintln(stdout, res)
	if res.Violation != "" {
		fmt.Fprintf(stdout, "replay: zabsim explore %s--replay %s --trace\n", replayFlags(cfg, *bug), explore.FormatChoices(res.Choices))
		return exitUnexpected
	}
	return exitOK
}

// replayFlags repeats the flags that shape the world, so the printed
// replay command rebuilds the same one.
func replayFlags(cfg explore.Config, bug string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "--servers %d ", cfg.Servers)
	if cfg.Quorum != 0 {
		fmt.Fprintf(&b, "--quorum %d ", cfg.Quorum)
	}
	fmt.Fprintf(&b, "--writes %d --crashes %d --partitions %d --timeouts %d --election-links %d ", cfg.Writes, cfg.Crashes, cfg.Partitions, cfg.Timeouts, cfg.ElectionLinks)
	if cfg.Losses != 0 {
		fmt.Fprintf(&b, "--losses %d ", cfg.Losses)
	}
	if cfg.FromEmpty {
		b.WriteString("--from-empty ")
	}
	if cfg.CrashPoints {
		b.WriteString("--crash-points ")
	}
	if bug != "" {
		fmt.Fprintf(&b, "--bug %s ", bug)
	}
	return b.String()
}
