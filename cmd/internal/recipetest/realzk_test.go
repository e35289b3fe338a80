package recipetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/internal/zkserver"
)

// TestRecipesOnZooKeeper runs the lock and election recipes against a
// 3-server Apache ZooKeeper 3.8 ensemble and kills (SIGKILL) and restarts
// its leader, found with srvr, in the middle of the run.
func TestRecipesOnZooKeeper(t *testing.T) {
	t.Parallel()
	servers := zkserver.StartEnsembleT(t, 3)
	addrs := make([]string, len(servers))
	for i, s := range servers {
		addrs[i] = s.Addr
	}
	var mu sync.Mutex // guards servers: the fault replaces the restarted one
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, s := range servers {
			s.Stop()
		}
	})

	fault := func() error {
		mu.Lock()
		defer mu.Unlock()
		for i, s := range servers {
			if mode, err := s.Mode(); err != nil || mode != "leader" {
				continue
			}
			t.Logf("killing the leader, server %d", s.ID)
			s.Stop()
			time.Sleep(time.Second)
			r, err := s.Restart()
			if err != nil {
				return err
			}
			servers[i] = r
			return nil
		}
		return errors.New("no server says it leads")
	}
	res, err := Run(Config{Servers: addrs, SessionTimeout: sessionTimeout, Logger: logger(logf(t)),
		Fault: fault, FaultAfter: faultAfter, Timeout: runTimeout}, groups(50, 16, 60)...) // longer: a JVM takes seconds to restart
	t.Log(res)
	require.NoError(t, err)
}
