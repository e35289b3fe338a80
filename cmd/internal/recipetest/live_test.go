package recipetest

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/cmd/internal/live"
)

// TestRecipesOnLiveEnsemble runs the lock and election recipes against a
// 3-server zabsim ensemble on loopback and stops and restarts its leader
// in the middle of the run.
func TestRecipesOnLiveEnsemble(t *testing.T) {
	t.Parallel()
	lf := logf(t)
	e, err := live.StartEnsemble(live.EnsembleConfig{Servers: 3, Dir: t.TempDir(),
		TickTime: 200 * time.Millisecond, FourLetterWords: []string{"*"}, Logf: lf})
	require.NoError(t, err)
	t.Cleanup(e.Close)
	require.NoError(t, e.WaitServing(20*time.Second))

	fault := func() error {
		sid := e.Leader()
		if sid == 0 {
			return errors.New("no leader to stop")
		}
		t.Logf("stopping the leader, server %d", sid)
		e.Stop(sid)
		time.Sleep(time.Second)
		if err := e.Restart(sid); err != nil {
			return err
		}
		return e.WaitServing(20 * time.Second)
	}
	res, err := Run(Config{Servers: e.ClientAddrs(), SessionTimeout: sessionTimeout, Logger: logger(lf),
		Fault: fault, FaultAfter: faultAfter, Timeout: runTimeout}, groups(30, 10, 30)...)
	t.Log(res)
	require.NoError(t, err)
}
