package check

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/recipes"
)

const (
	// BarrierEnter: a participant entered a double barrier before size
	// participants had arrived.
	BarrierEnter linearize.Check = "barrier-enter"
	// BarrierLeave: a participant left a double barrier before every
	// participant inside had begun to leave.
	BarrierLeave linearize.Check = "barrier-leave"
)

// round is what the log says of one round of a barrier: when each
// participant reached each step (its first time).
type round map[recipes.Kind]map[string]time.Duration

func (r round) step(k recipes.Kind, client string, at time.Duration) {
	if r[k] == nil {
		r[k] = map[string]time.Duration{}
	}
	if _, ok := r[k][client]; !ok {
		r[k][client] = at
	}
}

// by counts the participants that reached step k by t.
func (r round) by(k recipes.Kind, t time.Duration) (done int) {
	for _, at := range r[k] {
		if at <= t {
			done++
		}
	}
	return done
}

// Barrier judges a double barrier's log (the entries' Values are
// rounds): no participant enters before size have arrived, and none
// leaves before every participant that had entered has begun to leave.
func Barrier(log *recipes.Log, size int) ([]linearize.Violation, error) {
	entries, err := usable(log)
	if err != nil {
		return nil, err
	}
	rounds := map[int64]round{}
	for _, e := range entries {
		switch e.Kind {
		case recipes.BarrierArrived, recipes.BarrierEntered, recipes.BarrierLeaving, recipes.BarrierLeft:
			if rounds[e.Value] == nil {
				rounds[e.Value] = round{}
			}
			rounds[e.Value].step(e.Kind, e.Client, e.At)
		}
	}
	var out []linearize.Violation
	for _, e := range entries {
		r := rounds[e.Value]
		switch e.Kind {
		case recipes.BarrierEntered:
			if n := r.by(recipes.BarrierArrived, e.At); n < size {
				out = append(out, linearize.Violation{Check: BarrierEnter,
					Summary:  fmt.Sprintf("%s entered round %d when %d of %d participants had arrived", e.Client, e.Value, n, size),
					Evidence: []string{e.String()}})
			}
		case recipes.BarrierLeft:
			var inside []string
			for p, at := range r[recipes.BarrierEntered] {
				if left, ok := r[recipes.BarrierLeaving][p]; at <= e.At && (!ok || left > e.At) {
					inside = append(inside, p)
				}
			}
			if len(inside) > 0 {
				slices.Sort(inside)
				out = append(out, linearize.Violation{Check: BarrierLeave,
					Summary:  fmt.Sprintf("%s left round %d while %s had not begun to leave", e.Client, e.Value, strings.Join(inside, ", ")),
					Evidence: []string{e.String()}})
			}
		}
	}
	return out, nil
}
