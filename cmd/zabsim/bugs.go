package main

import (
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/zabsim/zabsim/protocol"
)

func init() {
	commands["bugs"] = command{summary: "list the protocol mistakes --bug can switch on", run: runBugs}
}

// runBugs prints the catalogue of injectable mistakes: name, the
// ZooKeeper issue it re-creates, and what it does.
func runBugs(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bugs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "zabsim bugs: takes no arguments, got %q\n", fs.Args())
		return exitUsage
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tRE-CREATES\tWHAT")
	for _, b := range protocol.DescribeBugs() {
		issue := b.Issue
		if issue == "" {
			issue = "(generic)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", b.Name, issue, b.What)
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "zabsim bugs: %v\n", err)
		return exitUnexpected
	}
	return exitOK
}
