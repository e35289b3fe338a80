package nemesis

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Parse reads a schedule written one step per line, as Schedule.String
// prints it. Blank lines and lines starting with # are ignored.
func Parse(text string) (Schedule, error) {
	var out Schedule
	for n, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		st, err := ParseStep(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		out = append(out, st)
		if len(out) > stepsMax {
			return nil, fmt.Errorf("line %d: %w: more than %d steps", n+1, ErrSyntax, stepsMax)
		}
	}
	return out, nil
}

// ParseStep reads one line such as "+1.5s crash leader".
func ParseStep(line string) (Step, error) {
	fields := strings.Fields(line)
	bad := func(format string, args ...any) (Step, error) {
		return Step{}, fmt.Errorf("%w %q: %s", ErrSyntax, line, fmt.Sprintf(format, args...))
	}
	if len(fields) < 2 || !strings.HasPrefix(fields[0], "+") {
		return bad("want '+TIME FAULT ...', for example '+1.5s crash leader'")
	}
	at, err := time.ParseDuration(fields[0][1:])
	if err != nil || at < 0 {
		return bad("time %q is not a non-negative Go duration such as 1.5s", fields[0][1:])
	}
	f, err := parseFault(fields[1], fields[2:])
	if err != nil {
		return bad("%v", err)
	}
	return Step{At: at, Fault: f}, nil
}

func parseFault(name string, args []string) (Fault, error) {
	kind, ok := kindByName(name)
	if !ok {
		return Fault{}, fmt.Errorf("unknown fault %q; valid faults: %s", name, strings.Join(kindList(), ", "))
	}
	f := Fault{Kind: kind}
	want := func(n int, usage string) error {
		if len(args) != n {
			return fmt.Errorf("%s takes %s", name, usage)
		}
		return nil
	}
	var err error
	switch kind {
	case Heal, Calm:
		err = want(0, "no arguments")
	case Partition:
		if len(args) == 0 {
			return f, fmt.Errorf("partition takes a shape: halves, minority, isolate WHO, bridge, ring")
		}
		f.Shape, ok = shapeByName(args[0])
		if !ok {
			return f, fmt.Errorf("unknown partition shape %q; valid shapes: halves, minority, isolate, bridge, ring", args[0])
		}
		if f.Shape == Isolate {
			if err = want(2, "isolate WHO"); err == nil {
				f.Who, err = parseWho(args[1])
			}
		} else {
			err = want(1, "one shape")
		}
	case Crash, Kill, Restart, Pause, Resume, Clog, Unclog:
		if err = want(1, "WHO (leader, follower, one, minority, majority, all, or ids like 1,3)"); err == nil {
			f.Who, err = parseWho(args[0])
		}
	case CrashAt:
		if err = want(2, "WHO POINT"); err == nil {
			f.Who, err = parseWho(args[0])
			f.Point = args[1]
		}
	case Block, Unblock, Reset:
		if err = want(2, "FROM TO server ids"); err == nil {
			f.From, err = strconv.Atoi(args[0])
			if err == nil {
				f.To, err = strconv.Atoi(args[1])
			}
		}
	case Latency:
		f.Base, f.Min, f.Max, err = parseRange(name, args)
	case SlowDisk:
		if len(args) < 2 {
			return f, fmt.Errorf("slow-disk takes WHO MIN MAX or WHO base")
		}
		if f.Who, err = parseWho(args[0]); err == nil {
			f.Base, f.Min, f.Max, err = parseRange(name, args[1:])
		}
	case Loss, Duplicate:
		if err = want(1, "a probability"); err == nil {
			f.P, err = strconv.ParseFloat(args[0], 64)
		}
	case Skew:
		if err = want(2, "WHO RATE"); err == nil {
			if f.Who, err = parseWho(args[0]); err == nil {
				f.P, err = strconv.ParseFloat(args[1], 64)
			}
		}
	}
	if err != nil {
		return f, err
	}
	// Server ranges are checked against the ensemble by Validate; here
	// only what holds for any ensemble.
	return f, f.validate(1 << 20)
}

func parseRange(name string, args []string) (bool, time.Duration, time.Duration, error) {
	if len(args) == 1 && args[0] == "base" {
		return true, 0, 0, nil
	}
	if len(args) != 2 {
		return false, 0, 0, fmt.Errorf("%s takes MIN MAX durations or base", name)
	}
	lo, err := time.ParseDuration(args[0])
	if err != nil {
		return false, 0, 0, fmt.Errorf("%q is not a duration", args[0])
	}
	hi, err := time.ParseDuration(args[1])
	if err != nil {
		return false, 0, 0, fmt.Errorf("%q is not a duration", args[1])
	}
	return false, lo, hi, nil
}

func parseWho(s string) (Who, error) {
	for sel, name := range selectorNames {
		if s == name {
			return Who{Sel: sel}, nil
		}
	}
	var ids []int
	for _, part := range strings.Split(s, ",") {
		id, err := strconv.Atoi(part)
		if err != nil || id < 1 {
			return Who{}, fmt.Errorf("%q is not a selector (leader, follower, one, minority, majority, all) or a list of server ids", s)
		}
		ids = append(ids, id)
	}
	return Who{Sel: Explicit, IDs: ids}, nil
}

func kindByName(s string) (Kind, bool) {
	for k, name := range kindNames {
		if s == name {
			return k, true
		}
	}
	return 0, false
}

func kindList() []string {
	out := make([]string, 0, len(kindNames))
	for k := Partition; k <= Calm; k++ {
		out = append(out, kindNames[k])
	}
	return out
}

func shapeByName(s string) (Shape, bool) {
	for sh, name := range shapeNames {
		if s == name {
			return sh, true
		}
	}
	return 0, false
}
