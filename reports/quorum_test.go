package reports

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// syntheticSweep is what majority-quorum theory predicts for 5 servers:
// below 3 votes, partitions lose writes and elect two leaders; from 3 on
// nothing is lost, and availability falls as quorums grow.
func syntheticSweep() QuorumSweep {
	s := QuorumSweep{Servers: 5}
	for q := 5; q >= 1; q-- {
		pt := QuorumPoint{Quorum: q, Seeds: 40, WritesAttempted: 2000, WritesSucceeded: 2000 - 350*(q-1)}
		if q <= 2 {
			pt.LostAckedWrites = 30 / q
			pt.SplitBrainEpochs = 22 / q
		}
		s.Points = append(s.Points, pt)
	}
	return s
}

func TestQuorumSafetyFigure(t *testing.T) {
	dir := figureDir(t)
	fig, err := QuorumSafety(dir, syntheticSweep())
	require.NoError(t, err)
	requireFigure(t, dir, fig, 10, 5.5, "quorum size (votes)", "violations per 100 seeds", "successful writes (% of attempts)", "split-brain epochs")
	require.Equal(t, []string{"1", "40", "30", "22", "75.0", "55.0", "100"}, fig.Table.Rows[0])
	require.Equal(t, []string{"3", "40", "0", "0", "0", "0", "65.0"}, fig.Table.Rows[2])
}

func TestQuorumSafetyWithoutSeeds(t *testing.T) {
	dir := t.TempDir()
	fig, err := QuorumSafety(dir, QuorumSweep{Servers: 5, Points: []QuorumPoint{{Quorum: 3}}})
	require.NoError(t, err)
	requireFigure(t, dir, fig, 10, 5.5)
	require.Equal(t, "0", fig.Table.Rows[0][4], "no seeds is no rate, not NaN")
}
