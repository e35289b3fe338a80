package check

import (
	"fmt"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/recipes"
)

const (
	// ConfigFinal: a reader ended on a configuration older than the last
	// written.
	ConfigFinal linearize.Check = "config-final-version"
	// ConfigOrder: a reader acted on a configuration older than one it
	// had acted on already.
	ConfigOrder linearize.Check = "config-version-order"
)

// Config judges a configuration's log: no reader acts on an older
// version after a newer one, and every reader ends on the last version
// written.
func Config(log *recipes.Log) ([]linearize.Violation, error) {
	entries, err := usable(log)
	if err != nil {
		return nil, err
	}
	var out []linearize.Violation
	var written *recipes.Entry
	newest := map[string]recipes.Entry{}
	last := map[string]recipes.Entry{}
	var readers []string
	for _, e := range entries {
		switch e.Kind {
		case recipes.ConfigWritten:
			if written == nil || e.Value > written.Value {
				e := e
				written = &e
			}
		case recipes.ConfigActed:
			n, ok := newest[e.Client]
			switch {
			case !ok:
				readers = append(readers, e.Client)
				newest[e.Client] = e
			case e.Value < n.Value:
				out = append(out, linearize.Violation{Check: ConfigOrder,
					Summary:  fmt.Sprintf("%s acted on version %d after version %d", e.Client, e.Value, n.Value),
					Evidence: []string{n.String(), e.String()}})
			default:
				newest[e.Client] = e
			}
			last[e.Client] = e
		}
	}
	if written == nil {
		return out, nil
	}
	for _, r := range readers {
		if e := last[r]; e.Value != written.Value {
			out = append(out, linearize.Violation{Check: ConfigFinal,
				Summary:  fmt.Sprintf("%s ended on version %d, the last written being %d", r, e.Value, written.Value),
				Evidence: []string{written.String(), e.String()}})
		}
	}
	return out, nil
}
