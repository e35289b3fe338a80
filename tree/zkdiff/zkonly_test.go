package zkdiff

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/internal/zkserver"
)

func TestZKWorkload(t *testing.T) {
	seed, n := config(t)
	srv := zkserver.StartT(t, serverProps...)
	z, err := newZKSide(srv.Addr)
	require.NoError(t, err)
	defer z.stop()
	g := newGen(seed, root)
	cov := coverage{}
	ops := append([]op{{Kind: kCreate, Path: root, ACL: worldAll}}, make([]op, n)...)
	for i := range ops {
		o := ops[i]
		if i > 0 {
			o = g.next()
		}
		r, err := z.do(o)
		require.NoError(t, err, "op %d: %v", i, o)
		g.observe(o, r)
		cov.op(o, r)
		if o.Kind.isWrite() {
			for s := range 2 {
				evs, err := z.events(s)
				require.NoError(t, err)
				cov.events(s, o.Session, evs)
			}
		}
	}
	t.Logf("outcomes:\n%s", cov)
	if n >= defaultOps {
		require.Empty(t, cov.missing())
	}
}
