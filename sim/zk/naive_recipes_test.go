package zk

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/recipes"
	"github.com/zabsim/zabsim/recipes/check"
)

// forgetfulWatcher is a group watcher that lists the group again only
// when its watch fires, not after a reconnection: a watch the
// reconnection lost (or an expiry took) leaves its view stale for good.
type forgetfulWatcher struct {
	name, dir string
	log       *recipes.Log
	until     time.Duration
}

func (w forgetfulWatcher) Run(c recipes.Conn) error {
	for c.Now() < w.until {
		children, _, err := c.Children(w.dir, true)
		if err != nil {
			continue
		}
		w.log.Record(c, w.name, recipes.View, strings.Join(children, ","), 0)
		for c.Now() < w.until {
			if ev, ok := c.Next(w.until - c.Now()); ok && ev.Type == recipes.EventNodeChildrenChanged {
				break
			}
		}
	}
	return nil
}

// TestForgetfulWatcherCaught: a watcher that does not list again after a
// reconnection misses changes under client pauses, and the membership
// checker says so, naming it alone.
func TestForgetfulWatcherCaught(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		log := &recipes.Log{}
		ws := append(recipeCases[0].workers(log, true), forgetfulWatcher{name: "forgetful", dir: "/group", log: log, until: watchUntil})
		res := runRecipe(t, ws, seed, true)
		require.True(t, res.Verdict.OK(), strings.Join(res.Verdict.Lines(), "\n"))
		v, err := check.Membership(log, convergeBound)
		require.NoError(t, err)
		if len(v) > 0 {
			require.Len(t, v, 1)
			require.Equal(t, check.MembershipConverged, v[0].Check)
			require.True(t, strings.HasPrefix(v[0].Summary, "forgetful "), v[0].Summary)
			t.Logf("seed %d: %s", seed, v[0].Summary)
			return
		}
	}
	t.Fatal("no seed of 10 left the forgetful watcher stale")
}
