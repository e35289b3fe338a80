package recipetest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/cmd/internal/live/nemesis"
)

// TestRecipesOnLiveEnsemble runs the lock, election and queue recipes
// against a 3-server zabsim ensemble of `zabsim serve` processes on
// loopback, and kills its leader (SIGKILL) in the middle of the run,
// restarting it from its disk.
func TestRecipesOnLiveEnsemble(t *testing.T) {
	t.Parallel()
	lf := logf(t)
	bin := filepath.Join(t.TempDir(), "zabsim")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/zabsim/zabsim/cmd/zabsim").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	dir := t.TempDir()
	e, err := nemesis.StartProcesses(t.Context(), 3, dir, []string{bin}, 200*time.Millisecond)
	require.NoError(t, err)
	t.Cleanup(e.Close)

	fault := func() error {
		sid := e.Leader()
		if sid == 0 {
			return errors.New("no leader to kill")
		}
		t.Logf("killing the leader, server %d", sid)
		if err := e.Kill(sid); err != nil {
			return err
		}
		time.Sleep(time.Second)
		return e.Restart(t.Context(), sid)
	}
	res, err := Run(Config{Servers: e.ClientAddrs(), SessionTimeout: sessionTimeout, Logger: logger(lf),
		Fault: fault, FaultAfter: faultAfter, Timeout: runTimeout}, groups(30, 10, 30)...)
	t.Log(res)
	if err != nil {
		for sid := 1; sid <= 3; sid++ {
			log, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("server-%d", sid), "server.log"))
			t.Logf("server %d log:\n%s", sid, log)
		}
	}
	require.NoError(t, err)
	require.Empty(t, e.Crashes(), "a server exited on its own")
}
