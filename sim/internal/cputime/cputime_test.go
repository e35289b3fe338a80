package cputime

import (
	"testing"
	"time"
)

func TestNowGrowsWithWork(t *testing.T) {
	before := Now()
	if before == 0 {
		t.Skip("CPU time not available here")
	}
	x := 0
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; {
		x++
	}
	if Now() <= before {
		t.Fatalf("CPU time did not grow over 50ms of work (%d loops)", x)
	}
}
