// Command zabsim is the deterministic simulation testbed and model checker
// for ZooKeeper's replication protocol. See DESIGN.md §5 for the contract.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
)

// version is the zabsim release this binary reports; the module build
// information adds the VCS revision when there is one.
const version = "0.1.0-dev"

// Exit codes shared by every subcommand (DESIGN.md §5).
const (
	exitOK         = 0
	exitUnexpected = 1
	exitUsage      = 2
)

// command is one subcommand: a one-line summary for help and the function
// that runs it with the arguments after its name.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands is filled by each subcommand's file; later issues add entries
// rather than placeholders.
var commands = map[string]command{}

func init() {
	commands["help"] = command{summary: "show this help, or the help of one command", run: runHelp}
	commands["version"] = command{summary: "print the zabsim version", run: runVersion}
}

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

// dispatch runs the named subcommand and returns the process exit code.
func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name := args[0]
	if name == "-h" || name == "--help" || name == "-help" {
		name = "help"
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "zabsim: unknown command %q; valid commands: %s\n", name, strings.Join(commandNames(), ", "))
		return exitUsage
	}
	return cmd.run(args[1:], stdout, stderr)
}

func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "zabsim: deterministic simulation and model checking of ZooKeeper's Zab protocol")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "usage: zabsim <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "run 'zabsim help <command>' or 'zabsim <command> -h' for a command's flags")
}

func runHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stdout)
		return exitOK
	}
	if len(args) > 1 {
		fmt.Fprintf(stderr, "zabsim help: takes at most one command name, got %d arguments\n", len(args))
		return exitUsage
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "zabsim help: unknown command %q; valid commands: %s\n", args[0], strings.Join(commandNames(), ", "))
		return exitUsage
	}
	if args[0] == "help" || args[0] == "version" {
		fmt.Fprintf(stdout, "zabsim %s: %s (no flags)\n", args[0], cmd.summary)
		return exitOK
	}
	return cmd.run([]string{"-h"}, stdout, stderr)
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	if len(args) != 0 {
		fmt.Fprintf(stderr, "zabsim version: takes no arguments, got %q\n", strings.Join(args, " "))
		return exitUsage
	}
	revision := "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				revision = s.Value
			}
		}
	}
	fmt.Fprintf(stdout, "zabsim %s (revision %s, %s, %s/%s)\n", version, revision, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}
