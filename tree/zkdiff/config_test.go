package zkdiff

import (
	"os"
	"strconv"
	"testing"

	"github.com/go-zookeeper/zk"
)

const root = "/zkdiff"

var worldAll = zk.WorldACL(zk.PermAll)

// serverProps keep ZooKeeper from deleting empty containers on its own
// schedule (every 60 s by default), which tree, driven only by requests,
// cannot know about.
var serverProps = []string{"znode.container.checkIntervalMs=86400000"}

// defaultOps is the run length; the coverage requirement holds for runs at
// least this long, so shorter reruns of a failing prefix skip it.
const defaultOps = 5000

// config reads the seed and op count: ZKDIFF_SEED and ZKDIFF_OPS.
func config(t *testing.T) (seed uint64, ops int) {
	t.Helper()
	seed, ops = 1, defaultOps
	if s := os.Getenv("ZKDIFF_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			t.Fatalf("ZKDIFF_SEED=%q: %v", s, err)
		}
		seed = v
	}
	if s := os.Getenv("ZKDIFF_OPS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 {
			t.Fatalf("ZKDIFF_OPS=%q: want a count", s)
		}
		ops = v
	}
	return seed, ops
}
