package zkserver

import (
	"os"
	"testing"
)

// Require skips t when ZooKeeper is not installed, except in CI (the CI
// environment variable is set), where a missing install fails the test: a
// differential test must not pass there by not running.
func Require(t testing.TB) {
	t.Helper()
	m := Missing()
	if m == "" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("CI is set but ZooKeeper is not installed (missing %s); .ci/setup installs it", m)
	}
	t.Skipf("ZooKeeper is not installed (missing %s); run .ci/setup", m)
}

// StartT is Start for tests: it calls Require, uses a fresh t.TempDir and
// stops the server when the test ends.
func StartT(t testing.TB, props ...string) *Server {
	t.Helper()
	Require(t)
	s, err := Start(t.TempDir(), props...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// StartEnsembleT is StartEnsemble for tests, with StartT's conventions.
func StartEnsembleT(t testing.TB, n int, props ...string) []*Server {
	t.Helper()
	Require(t)
	servers, err := StartEnsemble(t.TempDir(), n, props...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, s := range servers {
			s.Stop()
		}
	})
	return servers
}
