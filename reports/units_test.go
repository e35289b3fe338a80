package reports

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPercentileIsNearestRank(t *testing.T) {
	var sorted []time.Duration
	for i := 1; i <= 500; i++ {
		sorted = append(sorted, time.Duration(i)*time.Millisecond)
	}
	require.Equal(t, 250*time.Millisecond, percentile(sorted, 0.5))
	require.Equal(t, 495*time.Millisecond, percentile(sorted, 0.99))
	require.Equal(t, 500*time.Millisecond, percentile(sorted, 0.999), "a p999 of 500 samples is the maximum")
	require.Equal(t, time.Millisecond, percentile(sorted, 0))
	require.Zero(t, percentile(nil, 0.5))
}

func TestFormatNumberKeepsThreeDigits(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 0.012345: "0.0123", 1.5: "1.50", 99.04: "99.0", 2000: "2000", -3.14159: "-3.14"} {
		require.Equal(t, want, formatNumber(v))
	}
}

func TestUnitFor(t *testing.T) {
	require.Equal(t, "µs", unitFor(900*time.Microsecond).name)
	require.Equal(t, "ms", unitFor(9*time.Second).name)
	require.Equal(t, "s", unitFor(10*time.Second).name)
	require.Equal(t, "s", clockUnitFor(time.Second).name)
	require.Equal(t, "ms", clockUnitFor(999*time.Millisecond).name)
}
