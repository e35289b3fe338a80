package zkserver_test

import (
	"errors"
	"net"
	"sort"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/internal/zkserver"
)

func TestStandaloneServesAndStops(t *testing.T) {
	// TTL nodes answer Unimplemented unless this property reaches the JVM.
	s := zkserver.StartT(t, "zookeeper.extendedTypesEnabled=true")
	host, _, err := net.SplitHostPort(s.Addr)
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", host)

	mode, err := s.Mode()
	require.NoError(t, err)
	require.Equal(t, "standalone", mode)

	conn, _, err := zk.Connect([]string{s.Addr}, 10*time.Second, zk.WithLogInfo(false))
	require.NoError(t, err)
	defer conn.Close()
	path, err := conn.Create("/zkserver-test", []byte("x"), 0, zk.WorldACL(zk.PermAll))
	require.NoError(t, err)
	require.Equal(t, "/zkserver-test", path)
	data, _, err := conn.Get(path)
	require.NoError(t, err)
	require.Equal(t, []byte("x"), data)
	_, err = conn.CreateTTL("/zkserver-ttl", nil, zk.FlagTTL, zk.WorldACL(zk.PermAll), time.Hour)
	require.NoError(t, err)

	s.Stop()
	require.True(t, s.Exited())
	_, err = net.DialTimeout("tcp", s.Addr, time.Second)
	require.Error(t, err, "the port is still served after Stop")
	s.Stop() // a second Stop (the test cleanup) must not block or panic
}

func TestRestartKeepsTheData(t *testing.T) {
	s := zkserver.StartT(t)
	_, err := s.Restart()
	require.Error(t, err, "a running server restarted")

	conn, _, err := zk.Connect([]string{s.Addr}, 10*time.Second, zk.WithLogInfo(false))
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Create("/kept", []byte("x"), 0, zk.WorldACL(zk.PermAll))
	require.NoError(t, err)

	s.Stop()
	r, err := s.Restart()
	require.NoError(t, err)
	defer r.Stop()
	require.Equal(t, s.Addr, r.Addr)
	require.Equal(t, s.DataDir, r.DataDir)
	// The client reconnects to the same address; a request queued while
	// it is between attempts fails with ErrNoServer (go-zookeeper gives up
	// on it after one round of the server list), which on a loaded
	// machine can outlast the JVM's start, so ask until a reconnection.
	var data []byte
	require.Eventually(t, func() bool {
		data, _, err = conn.Get("/kept")
		return !errors.Is(err, zk.ErrNoServer)
	}, time.Minute, 100*time.Millisecond)
	require.NoError(t, err)
	require.Equal(t, []byte("x"), data)
}

func TestEnsembleElectsOneLeader(t *testing.T) {
	servers := zkserver.StartEnsembleT(t, 3)
	var modes []string
	for _, s := range servers {
		mode, err := s.Mode()
		require.NoError(t, err)
		modes = append(modes, mode)
	}
	sort.Strings(modes)
	require.Equal(t, []string{"follower", "follower", "leader"}, modes)
}
