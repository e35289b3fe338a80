package reports

import (
	"math"
	"slices"
	"strconv"
	"time"
)

// durationUnit is the unit an axis or a table column shows durations in.
type durationUnit struct {
	name string
	size time.Duration
}

// unitFor picks the unit in which the largest value has at most four
// digits before the point, so tick labels stay short.
func unitFor(largest time.Duration) durationUnit {
	switch {
	case largest < time.Millisecond:
		return durationUnit{name: "µs", size: time.Microsecond}
	case largest < 10*time.Second:
		return durationUnit{name: "ms", size: time.Millisecond}
	default:
		return durationUnit{name: "s", size: time.Second}
	}
}

func (u durationUnit) of(d time.Duration) float64 { return float64(d) / float64(u.size) }

// percentile is the nearest-rank percentile of sorted samples: always an
// observed value, so a p999 over 500 samples is honestly the maximum
// rather than an interpolation nobody measured. q is in [0, 1].
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func sortedCopy(samples []time.Duration) []time.Duration {
	s := slices.Clone(samples)
	slices.Sort(s)
	return s
}

func largest(samples []time.Duration) time.Duration {
	var m time.Duration
	for _, s := range samples {
		m = max(m, s)
	}
	return m
}

// formatNumber keeps three significant digits, enough to compare rows in
// a table without implying precision a simulation with few seeds lacks.
func formatNumber(v float64) string {
	if v == 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	decimals := max(0, min(6, 2-int(math.Floor(math.Log10(math.Abs(v))))))
	return strconv.FormatFloat(v, 'f', decimals, 64)
}
