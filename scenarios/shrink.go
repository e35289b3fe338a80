package scenarios

import (
	"flag"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/zabsim/zabsim/nemesis"
)

// shrinkChecksMax bounds how many schedules one Shrink may draw.
const shrinkChecksMax = 100_000

// ErrShrink is returned when the search itself could not be carried out.
var ErrShrink = fmt.Errorf("scenarios: shrinking failed")

// rapidMu serialises Shrink calls: rapid keeps its settings in
// process-wide flags.
var rapidMu sync.Mutex

// Shrink draws up to checks fault schedules with rapid (nemesis.ScheduleGen)
// instead of the scenario's generator and runs each on seed. When a run
// fails (fails decides; nil means any violation), rapid shrinks the
// schedule towards fewer, earlier, simpler steps, and Shrink returns the
// smallest failing run it found; found is false when every run passed.
// The search is deterministic: rapid is seeded with seed.
func Shrink(s Scenario, seed uint64, o Overrides, checks int, fails func(Outcome) bool) (smallest Outcome, found bool, err error) {
	if checks < 1 || checks > shrinkChecksMax {
		return Outcome{}, false, fmt.Errorf("%w: %d checks is outside 1..%d", ErrOverride, checks, shrinkChecksMax)
	}
	if s, err = s.Apply(o); err != nil {
		return Outcome{}, false, err
	}
	if fails == nil {
		fails = func(o Outcome) bool { return !o.Verdict.OK() }
	}
	rapidMu.Lock()
	defer rapidMu.Unlock()
	restore, err := rapidSettings(checks, seed)
	if err != nil {
		return Outcome{}, false, err
	}
	defer restore()

	tb := &shrinkTB{}
	gen := nemesis.ScheduleGen(s.Servers+s.Observers, s.Duration)
	func() {
		defer func() {
			if r := recover(); r != nil && r != errStopShrink {
				panic(r)
			}
		}()
		rapid.Check(tb, func(t *rapid.T) {
			sched := gen.Draw(t, "schedule")
			out, err := Run(s, seed, Options{Overrides: o, Schedule: sched})
			if err != nil {
				tb.runErr = err
				t.Fatalf("run: %v", err)
			}
			if fails(out) {
				// rapid's last run of a failing property is its smallest
				// failing input, so the last one kept is the answer.
				smallest, found = out, true
				t.Fatalf("%s", out.Verdict)
			}
		})
	}()
	if tb.runErr != nil {
		return Outcome{}, false, fmt.Errorf("%w: %v", ErrShrink, tb.runErr)
	}
	return smallest, found, nil
}

// rapidSettings points rapid's process-wide flags at this search: so many
// checks, seeded, no failure files written into the working directory.
// rapid reads testing.Short, which needs the testing flags registered
// and parsed.
func rapidSettings(checks int, seed uint64) (restore func(), err error) {
	if flag.Lookup("test.short") == nil {
		testing.Init()
	}
	if !flag.Parsed() {
		// Outside `go test` nothing parses the process-wide flags, and
		// testing.Short insists they were; there are none to parse.
		if err := flag.CommandLine.Parse(nil); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrShrink, err)
		}
	}
	set := map[string]string{
		"rapid.checks":     strconv.Itoa(checks),
		"rapid.seed":       strconv.FormatUint(seed, 10),
		"rapid.nofailfile": "true",
		"rapid.failfile":   "",
		"rapid.shrinktime": "10m",
	}
	old := map[string]string{}
	for name, v := range set {
		f := flag.Lookup(name)
		if f == nil {
			return nil, fmt.Errorf("%w: rapid has no -%s flag", ErrShrink, name)
		}
		old[name] = f.Value.String()
		if err := f.Value.Set(v); err != nil {
			return nil, fmt.Errorf("%w: -%s=%s: %v", ErrShrink, name, v, err)
		}
	}
	return func() {
		for name, v := range old {
			_ = flag.Lookup(name).Value.Set(v)
		}
	}, nil
}

// errStopShrink ends rapid.Check once it reports, as testing's FailNow
// would end a test.
var errStopShrink = fmt.Errorf("scenarios: shrink stopped")

// shrinkTB is the rapid.TB a search runs under outside `go test`: it
// records failure instead of failing a test.
type shrinkTB struct {
	failed bool
	runErr error
}

func (*shrinkTB) Helper()              {}
func (*shrinkTB) Name() string         { return "zabsim-shrink" }
func (*shrinkTB) Logf(string, ...any)  {}
func (*shrinkTB) Log(...any)           {}
func (*shrinkTB) Skipf(string, ...any) { panic(errStopShrink) }
func (*shrinkTB) Skip(...any)          { panic(errStopShrink) }
func (*shrinkTB) SkipNow()             { panic(errStopShrink) }
func (t *shrinkTB) Errorf(string, ...any) {
	t.failed = true
}
func (t *shrinkTB) Error(...any) { t.failed = true }
func (t *shrinkTB) Fatalf(string, ...any) {
	t.failed = true
	panic(errStopShrink)
}
func (t *shrinkTB) Fatal(...any) {
	t.failed = true
	panic(errStopShrink)
}
func (t *shrinkTB) FailNow() {
	t.failed = true
	panic(errStopShrink)
}
func (t *shrinkTB) Fail()        { t.failed = true }
func (t *shrinkTB) Failed() bool { return t.failed }
