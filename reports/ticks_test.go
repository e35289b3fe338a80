package reports

import (
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot"
)

func labels(ticks []plot.Tick) []string {
	var out []string
	for _, t := range ticks {
		if !t.IsMinor() {
			out = append(out, t.Label)
		}
	}
	return out
}

func TestLinearTicks(t *testing.T) {
	require.Equal(t, []string{"0", "2000", "4000", "6000", "8000", "10000"}, labels(linearTicks{}.Ticks(0, 10800)))
	require.Equal(t, []string{"0.3", "0.4", "0.5", "0.6", "0.7"}, labels(linearTicks{}.Ticks(0.25, 0.75)))
	require.Equal(t, []string{"3"}, labels(linearTicks{}.Ticks(3, 3)), "an empty range still gets its one label")
}

func TestLogTicksLabelOneTwoFive(t *testing.T) {
	// The axis carries log10 of the data: 0.3 to 2 is about 2 ms to 100 ms.
	require.Equal(t, []string{"2", "5", "10", "20", "50", "100"}, labels(logTicks{}.Ticks(0.3, 2)))
	require.Equal(t, []string{"0.001", "0.01", "0.1", "1", "10", "100"}, labels(logTicks{}.Ticks(-3, 2)), "six decades label powers of ten only")
}

func TestLogBounds(t *testing.T) {
	lo, hi := logBounds(2.3, 48)
	require.Equal(t, []float64{2, 50}, []float64{lo, hi})
	lo, hi = logBounds(0, 0)
	require.Less(t, lo, hi, "nothing to show still makes a drawable axis")
	lo, hi = logBounds(5, 5)
	require.Less(t, lo, hi)
}
