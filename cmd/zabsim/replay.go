package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/zabsim/zabsim/scenarios"
)

func runReplay(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("zabsim replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var wf worldFlags
	wf.register(fs)
	name := fs.String("scenario", "", "scenario to replay (required; see zabsim scenarios)")
	seed := fs.Uint64("seed", 0, "seed to replay (required)")
	tracePath := fs.String("trace", "", "write the event trace to this file, one line per event (- for stdout)")
	vizPath := fs.String("viz", "", "write Porcupine's visualization of the history to this HTML file")
	asJSON := fs.Bool("json", false, "print the run as one JSON object")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: zabsim replay --scenario NAME --seed S [flags]")
		fmt.Fprintln(stderr, "Reruns one seed exactly (same trace hash as the run that found it), printing its verdict.")
		fmt.Fprintln(stderr, "Give the same --servers/--quorum/--duration/--bug/--schedule as that run.")
		fmt.Fprintln(stderr, "Exits 0 when the verdict is ok, 1 on a violation, 2 on bad usage.")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	if *name == "" || !isSet(fs, "seed") {
		fmt.Fprintf(stderr, "zabsim replay: --scenario and --seed are required; scenarios: %s\n", strings.Join(scenarios.Names(), ", "))
		return exitUsage
	}
	sc, err := scenarios.Lookup(*name)
	if err != nil {
		fmt.Fprintf(stderr, "zabsim replay: --scenario: %v\n", err)
		return exitUsage
	}
	sched, err := wf.loadSchedule()
	if err != nil {
		fmt.Fprintf(stderr, "zabsim replay: %v\n", err)
		return exitUsage
	}
	opts := scenarios.Options{Overrides: wf.overrides, Schedule: sched}
	var traceFile *os.File
	switch *tracePath {
	case "":
	case "-":
		opts.Trace = stdout
	default:
		if traceFile, err = os.Create(*tracePath); err != nil {
			fmt.Fprintf(stderr, "zabsim replay: --trace: %v\n", err)
			return exitUsage
		}
		opts.Trace = traceFile
	}
	o, err := scenarios.Run(sc, *seed, opts)
	if traceFile != nil {
		if cerr := traceFile.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("--trace: %w", cerr)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "zabsim replay: %v\n", err)
		return exitUsage
	}
	if *vizPath != "" {
		if err := o.Visualize(*vizPath); err != nil {
			fmt.Fprintf(stderr, "zabsim replay: --viz: %v\n", err)
			return exitUnexpected
		}
	}
	if *asJSON {
		if err := writeJSON(stdout, jsonLine(o)); err != nil {
			fmt.Fprintf(stderr, "zabsim replay: %v\n", err)
			return exitUnexpected
		}
	} else {
		printReplay(stdout, o, *vizPath)
	}
	if !o.Verdict.OK() {
		return exitUnexpected
	}
	return exitOK
}

func printReplay(w io.Writer, o scenarios.Outcome, viz string) {
	fmt.Fprintf(w, "scenario %s seed %d: %s\n", o.Scenario.Name, o.Seed, o.Scenario.Line())
	fmt.Fprintf(w, "schedule (edit and pass back with --schedule FILE):\n")
	for _, st := range o.Schedule {
		fmt.Fprintf(w, "  %s\n", st)
	}
	fmt.Fprintf(w, "faults as applied:\n")
	for _, a := range o.Result.Applied {
		fmt.Fprintf(w, "  %s\n", a)
	}
	fmt.Fprintf(w, "ops %d, events %d, simulated %v, wall %v, trace hash %016x\n", o.Ops, o.Events, o.SimTime, o.Wall, o.TraceHash)
	if viz != "" {
		fmt.Fprintf(w, "visualization: %s\n", viz)
	}
	fmt.Fprintf(w, "verdict: %s (expected %s)\n", o.Verdict, o.Scenario.Expect)
}

func runScenarios(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("zabsim scenarios", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, s := range scenarios.All() {
		fmt.Fprintf(tw, "%s\t%s\n", s.Name, s.Line())
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "zabsim scenarios: %v\n", err)
		return exitUnexpected
	}
	return exitOK
}
