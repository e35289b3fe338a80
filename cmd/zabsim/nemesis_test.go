package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// serveEnv makes the test binary act as zabsim itself: `zabsim ensemble
// --nemesis` starts its servers from os.Executable, which in a test is
// the test binary.
const serveEnv = "ZABSIM_TEST_AS_ZABSIM"

func TestMain(m *testing.M) {
	if os.Getenv(serveEnv) == "1" {
		os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func TestEnsembleNemesisUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--nemesis", "--faults", "kill,flood"}, `fault "flood" is not one of kill, kill-all, pause, partition, cut-link, delay, loss, or all`},
		{[]string{"--nemesis", "--network", "wifi"}, `network "wifi" is not auto, netns or loopback`},
		{[]string{"--nemesis", "--clients", "0"}, "0 clients on 5 keys"},
		{[]string{"--nemesis", "--servers", "10"}, "10 servers, want 1 to 9"},
		{[]string{"--nemesis", "--observers", "1"}, "--observers does not apply with --nemesis"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr strings.Builder
			code := dispatch(append([]string{"ensemble"}, tc.args...), &stdout, &stderr)
			require.Equal(t, exitUsage, code, stderr.String())
			require.Contains(t, stderr.String(), tc.want)
		})
	}
}

// TestEnsembleNemesis runs the command end to end on loopback proxies,
// with this test binary as the servers.
func TestEnsembleNemesis(t *testing.T) {
	if testing.Short() {
		t.Skip("runs server processes for a while; not with -short")
	}
	t.Setenv(serveEnv, "1")
	var stdout, stderr strings.Builder
	code := dispatch([]string{"ensemble", "--nemesis", "--network", "loopback", "--cycles", "3", "--faults", "kill,pause,partition",
		"--hold", "300ms", "--settle", "300ms", "--dir", t.TempDir()}, &stdout, &stderr)
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	out := stdout.String()
	require.Contains(t, out, "network: loopback proxies")
	require.Contains(t, out, "cycles: 3 in")
	require.Contains(t, out, "verdict: ok")
}
