package scenarios

import (
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/protocol"
)

// TestBugSweep regenerates docs/BUGS.md's seeds-to-first-failure claims
// for the rows of caughtBySimulation that a scenario's own faults catch
// (not a hand-written schedule): over seeds 1..ZABSIM_SEEDS each such
// mistake fails its check on some seed, and the faithful protocol fails
// none. It is a sweep, so it runs only when ZABSIM_SEEDS is set (60
// reproduces the table's window).
func TestBugSweep(t *testing.T) {
	n, err := strconv.ParseUint(os.Getenv("ZABSIM_SEEDS"), 10, 64)
	if err != nil || n == 0 {
		t.Skip("set ZABSIM_SEEDS=N to sweep seeds 1..N")
	}
	clean := map[string]bool{}
	for _, tc := range caughtBySimulation {
		if tc.schedule != "" {
			continue
		}
		t.Run(string(tc.bug)+"/"+tc.scenario, func(t *testing.T) {
			s, err := Lookup(tc.scenario)
			require.NoError(t, err)
			var failing []uint64
			for seed := uint64(1); seed <= n; seed++ {
				on, err := Run(s, seed, Options{Overrides: Overrides{Bugs: []protocol.Bug{tc.bug}}})
				require.NoError(t, err)
				if slices.Contains(on.Verdict.Failed(), tc.want) {
					failing = append(failing, seed)
				}
			}
			t.Logf("%s on %s: %s fails on %d of %d seeds: %v", tc.bug, tc.scenario, tc.want, len(failing), n, failing)
			require.NotEmpty(t, failing)
			if clean[tc.scenario] {
				return
			}
			for seed := uint64(1); seed <= n; seed++ {
				off, err := Run(s, seed, Options{})
				require.NoError(t, err)
				require.True(t, off.Verdict.OK(), "faithful %s seed %d: %s", tc.scenario, seed, off.Verdict)
			}
			clean[tc.scenario] = true
		})
	}
}
