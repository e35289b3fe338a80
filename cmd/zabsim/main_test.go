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
		{name: "unknown", args: []string{"frobnicate"}, code: exitUsage, stderr: `unknown command "frobnicate"; valid commands: help, `},
		{name: "help unknown", args: []string{"help", "nope"}, code: exitUsage, stderr: `unknown command "nope"`},
		{name: "help version", args: []string{"help", "version"}, code: exitOK, stdout: "print the zabsim version"},
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
