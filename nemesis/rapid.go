package nemesis

import (
	"time"

	"pgregory.net/rapid"
)

// ScheduleGen draws schedules for rapid: a few timed faults over duration
// for n servers, ending in calm. Rapid shrinks a failing one towards fewer
// steps, earlier times and simpler faults, so the schedule a failure
// reports is short enough to read.
func ScheduleGen(servers int, duration time.Duration) *rapid.Generator[Schedule] {
	return rapid.Custom(func(t *rapid.T) Schedule {
		steps := rapid.SliceOfN(stepGen(servers, duration), 0, 12).Draw(t, "steps")
		sched := Schedule(steps)
		sched.Sort()
		return append(sched, Step{At: duration, Fault: Fault{Kind: Calm}})
	})
}

func stepGen(servers int, duration time.Duration) *rapid.Generator[Step] {
	ms := int(duration / time.Millisecond)
	return rapid.Custom(func(t *rapid.T) Step {
		at := time.Duration(rapid.IntRange(0, ms).Draw(t, "at_ms")) * time.Millisecond
		return Step{At: at, Fault: faultGen(servers).Draw(t, "fault")}
	})
}

func faultGen(servers int) *rapid.Generator[Fault] {
	who := rapid.Custom(func(t *rapid.T) Who {
		sel := rapid.SampledFrom([]Selector{Leader, Follower, One, MinorityOf, All, Explicit}).Draw(t, "sel")
		if sel == Explicit {
			return Servers(rapid.IntRange(1, servers).Draw(t, "id"))
		}
		return Who{Sel: sel}
	})
	return rapid.Custom(func(t *rapid.T) Fault {
		// Listed simplest first: rapid shrinks towards the first choice.
		kinds := []Kind{Heal, Restart, Crash, Partition, Resume, Pause, Kill, Loss, Skew, Clog, Unclog}
		if servers > 1 {
			kinds = append(kinds, Reset)
		}
		kind := rapid.SampledFrom(kinds).Draw(t, "kind")
		f := Fault{Kind: kind}
		switch kind {
		case Restart, Crash, Pause, Resume, Kill, Clog, Unclog:
			f.Who = who.Draw(t, "who")
		case Partition:
			f.Shape = rapid.SampledFrom([]Shape{Halves, Minority, Isolate, Bridge, Ring}).Draw(t, "shape")
			if f.Shape == Isolate {
				f.Who = who.Draw(t, "who")
			}
		case Reset:
			f.From = rapid.IntRange(1, servers).Draw(t, "from")
			f.To = 1 + (f.From+rapid.IntRange(0, servers-2).Draw(t, "to"))%servers
		case Loss:
			f.P = float64(rapid.IntRange(0, 50).Draw(t, "loss_pct")) / 100
		case Skew:
			f.Who = who.Draw(t, "who")
			f.P = float64(rapid.IntRange(25, 300).Draw(t, "rate_pct")) / 100
		}
		return f
	})
}
