package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDispatch(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{name: "no args", args: nil, code: exitUsage, stderr: "usage: zabsim <command>"},
		{name: "help", args: []string{"help"}, code: exitOK, stdout: "version"},
		{name: "dash h", args: []string{"-h"}, code: exitOK, stdout: "commands:"},
		{name: "version", args: []string{"version"}, code: exitOK, stdout: "zabsim " + version},
		{name: "version extra", args: []string{"version", "x"}, code: exitUsage, stderr: "takes no arguments"},
		{name: "unknown", args: []string{"frobnicate"}, code: exitUsage, stderr: `unknown command "frobnicate"; valid commands: `},
		{name: "help unknown", args: []string{"help", "nope"}, code: exitUsage, stderr: `unknown command "nope"`},
		{name: "help version", args: []string{"help", "version"}, code: exitOK, stdout: "print the zabsim version"},
		{name: "explore clean", args: []string{"explore", "--servers", "3", "--writes", "2"}, code: exitOK, stdout: "complete"},
		{name: "explore split brain", args: []string{"explore", "--quorum", "1", "--partitions", "1", "--timeouts", "2", "--depth", "10"}, code: exitUnexpected, stdout: "replay: zabsim explore --servers 3 --quorum 1 --writes 2 --crashes 0 --partitions 1 --timeouts 2 --election-links 1 --replay t1,w3,t1"},
		{name: "explore replay", args: []string{"explore", "--quorum", "1", "--partitions", "1", "--timeouts", "2", "--replay", "t1,w3,t1", "--trace"}, code: exitUnexpected, stdout: "3 committed zxid=0x100000001"},
		{name: "explore crash points", args: []string{"explore", "--writes", "1", "--crashes", "1", "--crash-points", "--states", "2000"}, code: exitOK, stdout: "2000 distinct states"},
		{name: "explore walks find split brain", args: []string{"explore", "--bug", "quorum-too-small", "--writes", "3", "--crashes", "2", "--timeouts", "2", "--crash-points", "--depth", "80", "--walks", "20000"}, code: exitUnexpected, stdout: "replay: zabsim explore --servers 3 --writes 3 --crashes 2 --partitions 0 --timeouts 2 --election-links 1 --crash-points --bug quorum-too-small --replay "},
		{name: "explore walks clean", args: []string{"explore", "--writes", "2", "--crashes", "1", "--depth", "40", "--walks", "200"}, code: exitOK, stdout: "200 random walks"},
		{name: "explore bad replay", args: []string{"explore", "--replay", "zz"}, code: exitUsage, stderr: `bad choice: choice "zz"`},
		{name: "explore bad servers", args: []string{"explore", "--servers", "0"}, code: exitUsage, stderr: "--servers 0 is not between 1 and 9"},
		{name: "bugs", args: []string{"bugs"}, code: exitOK, stdout: "ZOOKEEPER-3911  a follower ACKs NEWLEADER"},
		{name: "bugs lists generic", args: []string{"bugs"}, code: exitOK, stdout: "session-expiry-ignores-touches"},
		{name: "bugs extra", args: []string{"bugs", "x"}, code: exitUsage, stderr: "takes no arguments"},
		{name: "explore unknown bug", args: []string{"explore", "--bug", "nope"}, code: exitUsage, stderr: `unknown --bug "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := dispatch(tt.args, &stdout, &stderr)
			require.Equal(t, tt.code, code, "stdout=%q stderr=%q", stdout.String(), stderr.String())
			require.Contains(t, stdout.String(), tt.stdout)
			require.Contains(t, stderr.String(), tt.stderr)
		})
	}
}
