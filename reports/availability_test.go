package reports

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// syntheticAvailability follows majority quorums: an ensemble of n serves
// while fewer than a majority are down.
func syntheticAvailability(sizes ...int) []AvailabilityBySize {
	var out []AvailabilityBySize
	for _, n := range sizes {
		d := AvailabilityBySize{Size: n}
		for crashed := 0; crashed <= 4 && crashed <= n; crashed++ {
			pt := AvailabilityPoint{Crashed: crashed, WritesAttempted: 1000, Observed: 20 * time.Second}
			if crashed <= (n-1)/2 {
				pt.WritesSucceeded = 990 - 15*crashed
				pt.LeaderTime = 19*time.Second - time.Duration(crashed)*400*time.Millisecond
			}
			d.Points = append(d.Points, pt)
		}
		out = append(out, d)
	}
	return out
}

func TestAvailabilityFigure(t *testing.T) {
	dir := figureDir(t)
	fig, err := Availability(dir, syntheticAvailability(5, 1, 3, 4, 7, 9))
	require.NoError(t, err)
	requireFigure(t, dir, fig, 10, 5.5, "crashed servers", "successful writes (% of attempts)", "time with a leader (% of run)", "4 servers")
	require.Equal(t, []string{"1", "0", "1000", "990", "99.0", "95.0"}, fig.Table.Rows[0])
}

func TestAvailabilityShares(t *testing.T) {
	pt := AvailabilityPoint{WritesAttempted: 4, WritesSucceeded: 3, LeaderTime: time.Second, Observed: 4 * time.Second}
	require.InDelta(t, 0.75, pt.WriteShare(), 1e-12)
	require.InDelta(t, 0.25, pt.LeaderShare(), 1e-12)
	require.Zero(t, AvailabilityPoint{}.WriteShare(), "no attempts is no availability, not NaN")
	require.Zero(t, AvailabilityPoint{}.LeaderShare())
}
