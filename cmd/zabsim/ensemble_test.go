package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/cmd/internal/live"
)

// syncBuffer is an io.Writer the test reads while a command writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitLine waits until w holds a whole first line and returns it.
func waitLine(t *testing.T, w *syncBuffer, timeout time.Duration, stderr *syncBuffer) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if line, _, ok := strings.Cut(w.String(), "\n"); ok {
			return line
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no line on stdout within %v; stderr:\n%s", timeout, stderr)
	return ""
}

func TestEnsembleUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--servers", "0"}, "--servers 0 is not between 1 and 254"},
		{[]string{"--servers", "x"}, `invalid value "x" for flag -servers`},
		{[]string{"--servers", "2", "--observers", "2"}, "--observers 2 must leave at least one of the 2 servers voting"},
		{[]string{"--client-port", "65535", "--servers", "3"}, "--client-port 65535 leaves no room for 3 client ports"},
		{[]string{"--client-port", "-1"}, "--client-port -1"},
		{[]string{"--4lw", "ruok,dump"}, `--4lw: "dump" is not one of`},
		{[]string{"--tick-time", "0s"}, "--tick-time 0s is under a millisecond"},
		{[]string{"extra"}, `unexpected arguments "extra"`},
	} {
		var stdout, stderr bytes.Buffer
		code := dispatch(append([]string{"ensemble"}, tc.args...), &stdout, &stderr)
		require.Equal(t, exitUsage, code, "args %q: stderr=%q", tc.args, stderr.String())
		require.Contains(t, stderr.String(), tc.want)
		require.Empty(t, stdout.String())
	}
}

func TestEnsembleServes(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	code := make(chan int, 1)
	go func() {
		code <- runLoopbackEnsemble(ctx, live.EnsembleConfig{
			Servers: 3, Dir: t.TempDir(), TickTime: 200 * time.Millisecond,
			FourLetterWords: []string{"*"}, Logf: lineLogger(&stderr),
		}, &stdout, &stderr)
	}()
	connect := waitLine(t, &stdout, 30*time.Second, &stderr)
	addrs := strings.Split(connect, ",")
	require.Len(t, addrs, 3, "connect string %q", connect)
	c, _, err := zk.Connect(addrs, 2*time.Second, zk.WithLogInfo(false))
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Create("/hello", []byte("world"), 0, zk.WorldACL(zk.PermAll))
	require.NoError(t, err, "stderr=%s", stderr.String())
	data, _, err := c.Get("/hello")
	require.NoError(t, err)
	require.Equal(t, "world", string(data))
	c.Close()
	cancel()
	select {
	case got := <-code:
		require.Equal(t, exitOK, got, "stderr=%s", stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatal("the ensemble did not stop")
	}
	require.Contains(t, stderr.String(), "zabsim ensemble: server 3: clients 127.0.0.1:")
}
