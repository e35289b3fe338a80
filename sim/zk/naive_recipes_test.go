package zk

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/recipes"
	"github.com/zabsim/zabsim/recipes/check"
)

// careless is a recipe client that leaves out some of the care the real
// recipes take: named name, working on dir, recording into log until
// until.
type careless struct {
	name, dir string
	log       *recipes.Log
	until     time.Duration
}

// forgetfulWatcher is a group watcher that lists the group again only
// when its watch fires, not after a reconnection: a watch the
// reconnection lost (or an expiry took) leaves its view stale for good.
type forgetfulWatcher struct{ careless }

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

// hastyConsumer takes items as Consumer does, but when a take's reply is
// lost it moves on to the next item instead of settling the lost one by
// its marker: if the lost take did not happen, it takes the skipped head
// later, out of order.
type hastyConsumer struct{ careless }

func (k hastyConsumer) Run(c recipes.Conn) error {
	for c.Now() < k.until {
		items, _, err := c.Children(k.dir+"/items", false)
		if err != nil || len(items) == 0 {
			c.Sleep(100 * time.Millisecond)
			continue
		}
		recipes.SortBySeq(items)
		for _, it := range items {
			if _, err := c.Multi(recipes.Op{Kind: recipes.OpDelete, Path: k.dir + "/items/" + it, Version: -1},
				recipes.Op{Kind: recipes.OpCreate, Path: k.dir + "/taken/" + it, Data: []byte(k.name)}); err != nil {
				continue
			}
			_, st, err := c.Get(k.dir+"/taken/"+it, false)
			for err != nil {
				_, st, err = c.Get(k.dir+"/taken/"+it, false)
			}
			k.log.Record(c, k.name, recipes.Consumed, it, st.Czxid)
			break
		}
	}
	return nil
}

// TestCarelessRecipesCaught: recipes written without the care of the
// real ones go wrong under faults and client pauses, and the checkers
// say so, naming the careless client.
func TestCarelessRecipesCaught(t *testing.T) {
	for _, tc := range []struct {
		name    string
		workers func(log *recipes.Log) []worker
		check   func(log *recipes.Log) ([]linearize.Violation, error)
		want    linearize.Check
		blame   string
	}{
		{"forgetful watcher", func(log *recipes.Log) []worker {
			return append(recipeCases[0].workers(log, true), forgetfulWatcher{careless{"forgetful", "/group", log, watchUntil}})
		}, func(log *recipes.Log) ([]linearize.Violation, error) { return check.Membership(log, convergeBound) },
			check.MembershipConverged, "forgetful"},
		{"hasty consumer", func(log *recipes.Log) []worker {
			producers := recipeCases[2].workers(log, true)[:2]
			return append(producers, hastyConsumer{careless{"hasty0", "/queue", log, watchUntil}},
				hastyConsumer{careless{"hasty1", "/queue", log, watchUntil}})
		}, check.Queue, check.QueueFIFO, "hasty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 100; seed++ {
				log := &recipes.Log{}
				res := runRecipe(t, tc.workers(log), seed, true)
				require.True(t, res.Verdict.OK(), strings.Join(res.Verdict.Lines(), "\n"))
				v, err := tc.check(log)
				require.NoError(t, err)
				if len(v) > 0 {
					require.Len(t, v, 1)
					require.Equal(t, tc.want, v[0].Check)
					require.Contains(t, strings.Join(v[0].Evidence, "\n"), tc.blame)
					t.Logf("seed %d: %s", seed, v[0].Summary)
					return
				}
			}
			t.Fatal("no seed of 100 caught it")
		})
	}
}
