package live

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zabsim/zabsim/cmd/internal/wire"
	"github.com/zabsim/zabsim/internal/zkserver"
)

// wireDiffOps is the default run length; the coverage requirement holds
// for runs at least this long, so shorter reruns of a failing prefix skip it.
const wireDiffOps = 5000

// wireDiffConfig reads ZABSIM_WIREDIFF_SEED and ZABSIM_WIREDIFF_OPS.
func wireDiffConfig(t *testing.T) (seed uint64, ops int) {
	t.Helper()
	num := func(name string, def uint64) uint64 {
		s := os.Getenv(name)
		if s == "" {
			return def
		}
		v, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			t.Fatalf("%s=%q: want a non-negative number: %v", name, s, err)
		}
		return v
	}
	return num("ZABSIM_WIREDIFF_SEED", 1), int(num("ZABSIM_WIREDIFF_OPS", wireDiffOps))
}

// TestWireDifferential sends the same seeded requests, over the client
// wire protocol, to a 3-server Apache ZooKeeper 3.8 ensemble and to a
// 3-server zabsim ensemble, a session per server on each, and stops at the
// first answer or notification that differs. Zxids are compared through
// an order-preserving pairing, times through the op that made them.
//
//	go test ./cmd/internal/live -run TestWireDifferential -v
//	ZABSIM_WIREDIFF_SEED=7 ZABSIM_WIREDIFF_OPS=20000 go test ./cmd/internal/live -run TestWireDifferential
func TestWireDifferential(t *testing.T) {
	seed, n := wireDiffConfig(t)
	if testing.Short() {
		t.Skip("the wire differential starts a ZooKeeper ensemble and takes about a minute")
	}
	t.Logf("seed %d, %d ops (ZABSIM_WIREDIFF_SEED, ZABSIM_WIREDIFF_OPS)", seed, n)
	for attempt := 1; ; attempt++ {
		stall := wireDiffRun(t, seed, n)
		if stall == "" {
			return
		}
		if attempt == wireDiffAttempts {
			// Every answer before each stall agreed, and a difference
			// would have failed the test already: what is left is
			// ZooKeeper's own stall, which says nothing about zabsim.
			t.Skipf("ZooKeeper stopped answering on %d attempts in a row, before the last op; every answer up to each stall agreed. The last time:\n%s", attempt, stall)
		}
		t.Logf("attempt %d: ZooKeeper stopped answering, which is not a difference in zabsim; both ensembles start again:\n%s", attempt, stall)
	}
}

// wireDiffAttempts bounds the runs of the differential. ZooKeeper 3.8.0
// now and then leaves a follower's request unanswered for good on a
// loaded machine (a session slot's request, soon after the slot reopened
// its session; under `go test ./...` on 2 cores it happened on three
// attempts in a row once); a run that meets this starts over with fresh
// ensembles, and after the last the test is skipped with the evidence. A
// difference in an answer fails the test at once, on any attempt.
const wireDiffAttempts = 3

// wireDiffRun is one run of the differential; it fails t on a difference
// and returns the evidence if ZooKeeper stopped answering.
func wireDiffRun(t *testing.T, seed uint64, n int) (zkStall string) {
	// Containers are reaped only by the requests the test sends: ZooKeeper's
	// own sweep (every 60 s by default) is put off.
	zks := zkserver.StartEnsembleT(t, 3, "znode.container.checkIntervalMs=86400000")
	ens, err := StartEnsemble(EnsembleConfig{Servers: 3, Dir: t.TempDir(), TickTime: 2 * time.Second, Logf: testLogf(t)})
	mustf(t, err, "starting zabsim")
	t.Cleanup(ens.Close)
	mustf(t, ens.WaitServing(30*time.Second), "zabsim ensemble")
	var zkAddrs []string
	for _, s := range zks {
		zkAddrs = append(zkAddrs, s.Addr)
	}
	// ZooKeeper stamps a transaction with its clock when it prepares it.
	// zabsim's replica is pure: its clock is its start plus its ticks, so
	// its times trail the wall clock by up to a tick, and by every stall
	// of the event loop it did not count since (see tickUntil); they are
	// held only to their order and to no time after the op's answer.
	zk, err := newDiffSide("zookeeper", zkAddrs, 0)
	mustf(t, err, "sessions")
	defer zk.close()
	zs, err := newDiffSide("zabsim", ens.ClientAddrs(), -1)
	mustf(t, err, "sessions")
	defer zs.close()

	g := newDiffGen(seed)
	var pairs zxidMap
	cov := map[string]int{}
	fail := func(i int, o diffOp, what, zkSays, zsSays string) {
		t.Fatalf("op %d: %s\n  op:        %v\n  zookeeper: %s\n  zabsim:    %s\nrerun: ZABSIM_WIREDIFF_SEED=%d ZABSIM_WIREDIFF_OPS=%d go test ./cmd/internal/live -run TestWireDifferential",
			i, what, o, zkSays, zsSays, seed, i)
	}
	// zkBroke describes a ZooKeeper server that stopped answering, with
	// the end of every server's log.
	zkBroke := func(i int, err error) string {
		if err == nil {
			return ""
		}
		var logs strings.Builder
		for _, s := range zks {
			fmt.Fprintf(&logs, "--- ZooKeeper server %d (%s), log tail:\n%s\n", s.ID, s.Addr, s.LogTail(60))
		}
		return fmt.Sprintf("op %d: %v\n%s", i, err, logs.String())
	}
	start := time.Now()
	for i := 0; i <= n; i++ {
		o := diffOp{req: &wire.CreateRequest{Path: diffRoot, Data: []byte{}, ACL: wire.WorldACL}}
		if i > 0 {
			o = g.next()
		}
		var za, sa answer
		var zerr, serr error
		both(func() { za, zerr = zk.do(i, o) }, func() { sa, serr = zs.do(i, o) })
		if stall := zkBroke(i, zerr); stall != "" {
			return stall
		}
		mustf(t, serr, "op %d: %v", i, o)
		zshow, sshow := show(za), show(sa)
		if msg := diffCompare(&pairs, i, zk, zs, &za, &sa); msg != "" {
			fail(i, o, msg, zshow, sshow)
		}
		g.observe(o, za)
		cov[o.req.Opcode().String()+" "+za.hdr.Err.String()]++
		if isWriteOp(o.req) {
			// Every session's server catches up with the write, so the
			// next read anywhere sees it and its notifications are in.
			both(func() { zerr = settleAll(zk) }, func() { serr = settleAll(zs) })
			if stall := zkBroke(i, zerr); stall != "" {
				return stall
			}
			mustf(t, serr, "op %d: settling", i)
		}
		for slot := range diffSlots {
			ze, se := zk.takeEvents(slot), zs.takeEvents(slot)
			if !sameEvents(ze, se) {
				fail(i, o, fmt.Sprintf("notifications of slot %d differ", slot), fmt.Sprintf("%+v", eventSet(ze)), fmt.Sprintf("%+v", eventSet(se)))
			}
			for _, e := range ze {
				cov["event "+e.Type.String()]++
			}
		}
	}
	t.Logf("seed %d: %d ops agree in %v; zabsim's times trailed the ops by up to %d ms, ZooKeeper's by %d ms; outcomes:\n%s",
		seed, n, time.Since(start).Round(time.Millisecond), zs.maxLagMs, zk.maxLagMs, fmtCoverage(cov))
	if n >= wireDiffOps {
		var missing []string
		for _, want := range wireDiffMustSee {
			if cov[want] == 0 {
				missing = append(missing, want)
			}
		}
		if len(missing) > 0 {
			t.Fatalf("the workload no longer reaches: %s", strings.Join(missing, "; "))
		}
	}
	return ""
}

// wireDiffMustSee are outcomes a full run must reach, or it no longer
// tests what it claims to.
var wireDiffMustSee = []string{
	"create OK", "create NODEEXISTS", "create NONODE", "create NOCHILDRENFOREPHEMERALS",
	"create BADARGUMENTS", "create INVALIDACL", "create NOAUTH", "create UNIMPLEMENTED",
	"create2 OK", "createContainer OK", "createTTL UNIMPLEMENTED",
	"delete OK", "delete BADVERSION", "delete NOTEMPTY", "delete NONODE",
	"setData OK", "setData BADVERSION", "getData OK", "getData NONODE", "exists OK", "exists NONODE",
	"getChildren OK", "getChildren2 OK", "getACL OK", "setACL OK", "setACL BADVERSION",
	"sync OK", "multi OK", "multiRead OK", "getAllChildrenNumber OK", "getEphemerals OK",
	"whoAmI OK", "auth OK", "reconfig RECONFIGDISABLED", "closeSession OK",
	"event NodeCreated", "event NodeDeleted", "event NodeDataChanged", "event NodeChildrenChanged",
}

// both runs f and g at once: each side's round trips overlap the other's.
func both(f, g func()) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		f()
	}()
	g()
	wg.Wait()
}

func settleAll(s *diffSide) error {
	for slot := range diffSlots {
		if err := s.settle(slot); err != nil {
			return err
		}
	}
	return nil
}

func fmtCoverage(cov map[string]int) string {
	keys := make([]string, 0, len(cov))
	for k := range cov {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "  %-45s %d\n", k, cov[k])
	}
	return b.String()
}
