package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/cmd/internal/live"
)

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
}

func TestServeUsage(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.cfg")
	writeFile(t, bad, "tickTime=2000\ndataDir="+dir+"\nclientPort=2181\nmaxClientCnxn=10\n")
	noMyid := filepath.Join(dir, "ens.cfg")
	writeFile(t, noMyid, "tickTime=2000\ninitLimit=5\nsyncLimit=2\ndataDir="+dir+"\nclientPort=2181\nserver.1=127.0.0.1:2888:3888\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "--config is required"},
		{[]string{"--config", filepath.Join(dir, "missing.cfg")}, "missing.cfg: no such file"},
		{[]string{"--config", bad}, "bad.cfg:4: maxClientCnxn: unknown key"},
		{[]string{"--config", noMyid}, "myid: bad myid"},
		{[]string{"--config", bad, "extra"}, `unexpected arguments "extra"`},
	} {
		var stdout, stderr bytes.Buffer
		code := dispatch(append([]string{"serve"}, tc.args...), &stdout, &stderr)
		require.Equal(t, exitUsage, code, "args %q: stderr=%q", tc.args, stderr.String())
		require.Contains(t, stderr.String(), tc.want)
	}
}

// TestServeEnsemble runs three servers from zoo.cfg files and myid, as
// three `zabsim serve` processes would, and restarts them all.
func TestServeEnsemble(t *testing.T) {
	t.Parallel()
	ports, err := live.FreePorts(9)
	require.NoError(t, err)
	dir := t.TempDir()
	var servers strings.Builder
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(&servers, "server.%d=127.0.0.1:%d:%d;127.0.0.1:%d\n", i, ports[3*i-3], ports[3*i-2], ports[3*i-1])
	}
	var cfgs []live.Config
	var addrs []string
	for i := 1; i <= 3; i++ {
		data := filepath.Join(dir, fmt.Sprint(i))
		writeFile(t, filepath.Join(data, "myid"), fmt.Sprintf("%d\n", i))
		path := filepath.Join(dir, fmt.Sprintf("zoo%d.cfg", i))
		writeFile(t, path, "tickTime=200\ninitLimit=10\nsyncLimit=5\ndataDir="+data+"\n4lw.commands.whitelist=*\n"+
			"admin.enableServer=false\n"+servers.String())
		cfg, ignored, err := loadServeConfig(path)
		require.NoError(t, err)
		require.Equal(t, []string{"admin.enableServer"}, ignored)
		require.Equal(t, uint64(i), cfg.ID)
		cfgs = append(cfgs, cfg)
		addrs = append(addrs, cfg.ClientAddr)
	}
	run := func() (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		codes := make(chan int, 3)
		var stderr syncBuffer
		outs := make([]*syncBuffer, len(cfgs))
		for i, cfg := range cfgs {
			cfg.Logf = lineLogger(&stderr)
			outs[i] = &syncBuffer{}
			go func() { codes <- serve(ctx, cfg, outs[i], &stderr) }()
		}
		for i, out := range outs {
			require.Contains(t, waitLine(t, out, 10*time.Second, &stderr), fmt.Sprintf("server %d listening for clients on %s", i+1, addrs[i]))
		}
		waitSrvrMode(t, addrs, 20*time.Second)
		return func() {
			cancel()
			for range 3 {
				require.Equal(t, exitOK, <-codes, "stderr=%s", stderr.String())
			}
		}
	}
	stop := run()
	c, _, err := zk.Connect(addrs, 2*time.Second, zk.WithLogInfo(false))
	require.NoError(t, err)
	_, err = c.Create("/kept", []byte("v"), 0, zk.WorldACL(zk.PermAll))
	require.NoError(t, err)
	c.Close()
	stop()

	stop = run()
	defer stop()
	c, _, err = zk.Connect(addrs, 2*time.Second, zk.WithLogInfo(false))
	require.NoError(t, err)
	defer c.Close()
	data, _, err := c.Get("/kept")
	require.NoError(t, err)
	require.Equal(t, "v", string(data))
}

// waitSrvrMode polls srvr until every server reports a Mode, the way to
// tell a ZooKeeper server is serving (ZK-SEMANTICS.md §0).
func waitSrvrMode(t *testing.T, addrs []string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		stats, ok := zk.FLWSrvr(addrs, time.Second)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			for _, s := range stats {
				t.Logf("%s: %v", s.Server, s.Error)
			}
			t.Fatalf("not every server serves after %v", timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
