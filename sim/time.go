package sim

import (
	"fmt"
	"time"
)

// Time is a point in a run's virtual time, in nanoseconds since the run
// began. It never comes from the wall clock.
type Time int64

// Add returns t moved forward by d.
func (t Time) Add(d time.Duration) Time { return t + Time(d) }

// Sub returns the duration from u to t.
func (t Time) Sub(u Time) time.Duration { return time.Duration(t - u) }

// Duration returns t as the time elapsed since the start of the run.
func (t Time) Duration() time.Duration { return time.Duration(t) }

// String formats t as seconds with nanosecond precision, fixed width after
// the point, so trace lines sort and diff cleanly.
func (t Time) String() string {
	sign := ""
	v := int64(t)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%09ds", sign, v/1e9, v%1e9)
}
