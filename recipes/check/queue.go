package check

import (
	"fmt"
	"sort"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/recipes"
)

const (
	// QueueOnce: an item the queue acknowledged was never consumed, or was
	// consumed more than once.
	QueueOnce linearize.Check = "queue-exactly-once"
	// QueueFIFO: an item was taken after one queued behind it.
	QueueFIFO linearize.Check = "queue-fifo"
	// QueueInvented: a consumer took an item nobody put.
	QueueInvented linearize.Check = "queue-invented"
)

// consumption is a Consumed entry with its item's key and place.
type consumption struct {
	e   recipes.Entry
	key string
	seq int64
}

// Queue judges a queue's log: every produced item consumed exactly once,
// nothing consumed that was not produced, and items taken in queue order
// (by sequence number), in the order the takes committed (their zxids,
// the Consumed entries' Values).
func Queue(log *recipes.Log) ([]linearize.Violation, error) {
	entries, err := usable(log)
	if err != nil {
		return nil, err
	}
	produced := map[string]recipes.Entry{}
	var keys []string
	var taken []consumption
	first := map[string]recipes.Entry{}
	var out []linearize.Violation
	for _, e := range entries {
		switch e.Kind {
		case recipes.Produced:
			if _, ok := produced[e.Key]; ok {
				return nil, malformed("%s: item %s produced twice", e, e.Key)
			}
			produced[e.Key] = e
			keys = append(keys, e.Key)
		case recipes.Consumed:
			key, seq, ok := recipes.QueueItem(e.Key)
			if !ok {
				return nil, malformed("%s: %q is not a queue item", e, e.Key)
			}
			if f, ok := first[key]; ok {
				out = append(out, linearize.Violation{Check: QueueOnce,
					Summary:  fmt.Sprintf("item %s consumed by %s and again by %s", key, f.Client, e.Client),
					Evidence: []string{f.String(), e.String()}})
				continue
			}
			first[key] = e
			taken = append(taken, consumption{e: e, key: key, seq: seq})
		}
	}
	for _, k := range keys {
		if _, ok := first[k]; !ok {
			out = append(out, linearize.Violation{Check: QueueOnce,
				Summary:  fmt.Sprintf("item %s was produced and never consumed", k),
				Evidence: []string{produced[k].String()}})
		}
	}
	for _, c := range taken {
		if _, ok := produced[c.key]; !ok {
			out = append(out, linearize.Violation{Check: QueueInvented,
				Summary:  fmt.Sprintf("%s consumed item %s, which nobody produced", c.e.Client, c.key),
				Evidence: []string{c.e.String()}})
		}
	}
	sort.SliceStable(taken, func(i, j int) bool { return taken[i].e.Value < taken[j].e.Value })
	for i, c := range taken {
		if i == 0 {
			continue
		}
		if prev := taken[i-1]; c.seq < prev.seq {
			out = append(out, linearize.Violation{Check: QueueFIFO,
				Summary: fmt.Sprintf("item %s (place %d) was taken after item %s (place %d) behind it",
					c.key, c.seq, prev.key, prev.seq),
				Evidence: []string{prev.e.String(), c.e.String()}})
		}
	}
	return out, nil
}
