package zkdiff

import (
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/internal/zkserver"
)

// TestDifferential sends the same seeded requests to a real ZooKeeper and
// to tree, and stops at the first op whose outcome differs.
func TestDifferential(t *testing.T) {
	seed, n := config(t)
	verbose := os.Getenv("ZKDIFF_VERBOSE") != ""
	srv := zkserver.StartT(t, serverProps...)
	z, err := newZKSide(srv.Addr)
	require.NoError(t, err)
	defer z.stop()
	tr, err := newTreeSide()
	require.NoError(t, err)
	d := newDiffer()
	g := newGen(seed, root)
	cov := coverage{}
	report := func(i int, o op, what, zkSays, treeSays string) {
		t.Fatalf("op %d: %s\n  op:        %v\n  zookeeper: %s\n  tree:      %s\nrerun: ZKDIFF_SEED=%d ZKDIFF_OPS=%d go test ./tree/zkdiff/ -run TestDifferential",
			i, what, o, zkSays, treeSays, seed, i)
	}
	for i := 0; i <= n; i++ {
		o := op{Kind: kCreate, Path: root, ACL: worldAll}
		if i > 0 {
			o = g.next()
		}
		zr, err := z.do(o)
		require.NoError(t, err, "op %d: %v", i, o)
		trr, err := tr.do(o)
		require.NoError(t, err, "op %d: %v", i, o)
		if msg := d.compare(o, zr, trr); msg != "" {
			report(i, o, msg, d.show(o, zr, true), d.show(o, trr, false))
		}
		if verbose {
			t.Logf("op %d: %v\n  -> %s", i, o, d.show(o, zr, true))
		}
		g.observe(o, zr)
		cov.op(o, zr)
		if !o.Kind.isWrite() {
			continue
		}
		for s := range 2 {
			ze, err := z.events(s)
			require.NoError(t, err)
			te := tr.takeEvents(s)
			if !slices.Equal(ze, te) {
				report(i, o, fmt.Sprintf("watch events of session %d differ", s), fmtEvents(ze), fmtEvents(te))
			}
			if verbose && len(ze) > 0 {
				t.Logf("  session %d got %s", s, fmtEvents(ze))
			}
			cov.events(s, o.Session, ze)
		}
	}
	t.Logf("seed %d, %d ops; outcomes:\n%s", seed, n, cov)
	if n >= defaultOps {
		require.Empty(t, cov.missing(), "the workload no longer reaches these outcomes")
	}
}
