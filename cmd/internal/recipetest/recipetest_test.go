package recipetest

import (
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/recipes/gozk"
)

// TestRunReportsWhatWentWrong: a run that cannot connect fails at once; a
// run whose clients never get a server is cut off at its timeout and
// names the clients that did not finish.
func TestRunReportsWhatWentWrong(t *testing.T) {
	_, err := Run(Config{SessionTimeout: sessionTimeout, Timeout: time.Second}, groups(1, 1, 1)...)
	require.ErrorIs(t, err, gozk.ErrConfig)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	nowhere := ln.Addr().String()
	require.NoError(t, ln.Close())
	res, err := Run(Config{Servers: []string{nowhere}, SessionTimeout: sessionTimeout, Logger: logger(logf(t)),
		Timeout: 1500 * time.Millisecond}, Locks("lock", 2, 1, false))
	require.ErrorIs(t, err, ErrRun)
	for _, want := range []string{"clients still busy after 1.5s", "lock-1: 0 lock-acquired of 1", "lock-2: 0 lock-acquired of 1"} {
		require.Contains(t, err.Error(), want)
	}
	require.Empty(t, res.Counts["lock"], "nothing recorded without a server")
	require.Equal(t, time.Duration(-1), res.FaultAt)
}
