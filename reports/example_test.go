package reports_test

import (
	"fmt"
	"os"
	"time"

	"github.com/zabsim/zabsim/reports"
)

// The command line draws each experiment's numbers into one directory and
// then writes the page that shows them.
func Example() {
	dir, err := os.MkdirTemp("", "zabsim-report")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	latency := []reports.LatencyBySize{
		{Size: 3, Samples: []time.Duration{2 * time.Millisecond, 3 * time.Millisecond, 9 * time.Millisecond}},
		{Size: 5, Samples: []time.Duration{3 * time.Millisecond, 4 * time.Millisecond, 12 * time.Millisecond}},
	}
	fig, err := reports.LatencyPercentiles(dir, latency)
	if err != nil {
		panic(err)
	}
	_, err = reports.WriteIndex(dir, reports.Index{
		Command:  "zabsim report --out " + dir + " --seeds 20",
		Sections: []reports.Section{{Figure: fig, Command: "zabsim report --out DIR --seeds 20"}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(fig.PNG, fig.SVG)
	fmt.Println(fig.Table.Columns)
	fmt.Println(fig.Table.Rows[1])
	// Output:
	// latency-percentiles.png latency-percentiles.svg
	// [servers writes p50 (ms) p99 (ms) p999 (ms) max (ms)]
	// [5 3 4.00 12.0 12.0 12.0]
}
