package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"github.com/zabsim/zabsim/reports"
	"github.com/zabsim/zabsim/scenarios/experiments"
)

func init() {
	commands["report"] = command{summary: "run the quorum, latency and election experiments and write figures and index.html", run: runReport}
}

// reportSeedsMax bounds --seeds of a report: each point of each
// experiment runs that many seeds.
const reportSeedsMax = 10_000

func runReport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("zabsim report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "directory to write the figures (PNG and SVG) and index.html to (required)")
	seeds := fs.Int("seeds", 20, "seeds per point of each experiment: fewer is faster and noisier")
	first := fs.Uint64("first-seed", 1, "first seed of each point; the seeds are first..first+seeds-1")
	parallel := fs.Int("parallel", runtime.GOMAXPROCS(0), "runs at once (each run is single-threaded and deterministic)")
	var only []string
	fs.Func("figure", "run only this experiment (repeatable): "+strings.Join(experiments.Names(), ", "), func(s string) error {
		if _, err := experiments.Select([]string{s}); err != nil {
			return err
		}
		only = append(only, s)
		return nil
	})
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: zabsim report --out DIR [--seeds N] [--figure NAME]...")
		fmt.Fprintln(stderr, "Runs the simulator experiments and writes each figure as PNG and SVG, with index.html showing")
		fmt.Fprintln(stderr, "every figure, the numbers behind it and the command that reproduces it. Experiments:")
		for _, e := range experiments.Experiments() {
			fmt.Fprintf(stderr, "  %-13s %s\n", e.Name, e.Summary)
		}
		fmt.Fprintln(stderr, "Exits 0 when the report is written, 1 when an experiment could not run, 2 on bad usage.")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	switch {
	case *out == "":
		fmt.Fprintln(stderr, "zabsim report: --out DIR is required")
		return exitUsage
	case *seeds < 1 || *seeds > reportSeedsMax:
		fmt.Fprintf(stderr, "zabsim report: --seeds %d is outside 1..%d\n", *seeds, reportSeedsMax)
		return exitUsage
	case *first < 1:
		fmt.Fprintln(stderr, "zabsim report: --first-seed must be at least 1")
		return exitUsage
	case *parallel < 1 || *parallel > parallelMax:
		fmt.Fprintf(stderr, "zabsim report: --parallel %d is outside 1..%d\n", *parallel, parallelMax)
		return exitUsage
	}
	start := time.Now()
	opts := experiments.ReportOptions{
		Config: experiments.Config{Seeds: *seeds, FirstSeed: *first, Parallel: *parallel,
			Meter: func(label string, total int) experiments.Meter { return reports.NewProgress(stderr, label, total) }},
		Experiments: only,
		Command:     "zabsim report " + strings.Join(args, " "),
		Notes:       []string{fmt.Sprintf("zabsim %s, %s.", version, runtime.Version())},
	}
	path, err := experiments.Report(*out, opts)
	if err != nil {
		fmt.Fprintf(stderr, "zabsim report: %v\n", err)
		return exitUnexpected
	}
	fmt.Fprintf(stdout, "wrote %s in %v\n", path, time.Since(start).Round(time.Second))
	return exitOK
}
