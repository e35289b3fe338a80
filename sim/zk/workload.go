package zk

import (
	"strconv"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/sim"
)

// genOp is one operation a client will issue.
type genOp struct {
	req   linearize.Request
	watch bool
}

// generator draws a client's mixed workload over a few keys, so that
// clients contend: conditional and blind writes, ephemeral and sequential
// creates, multis, plain reads with and without watches, and sync followed
// by a read (the only reads ZooKeeper makes linearizable). Every written
// value is unique, which the linearizability check relies on.
type generator struct {
	r      *sim.Rand
	client int
	keys   int
	n      int
	// versions remembers the last version this client saw per key, for
	// conditional writes that sometimes succeed.
	versions map[string]int32
}

func newGenerator(r *sim.Rand, client, keys int) *generator {
	return &generator{r: r, client: client, keys: max(keys, 1), versions: map[string]int32{}}
}

// base is the parent of every key: clients contend on its children, and
// it keeps the workload's getChildren away from /zookeeper.
const base = "/w"

func (g *generator) key() string { return base + "/k" + strconv.Itoa(g.r.IntN(g.keys)) }

func (g *generator) value() string {
	g.n++
	return "c" + strconv.Itoa(g.client) + "." + strconv.Itoa(g.n)
}

// version is -1 (unconditional) half the time, else the last version
// seen, which a concurrent writer may have moved on.
func (g *generator) version(key string) int32 {
	if v, ok := g.versions[key]; ok && g.r.Chance(0.5) {
		return v
	}
	return -1
}

func (g *generator) next() genOp {
	if g.n == 0 {
		// Every client starts by creating the base; all but one fail.
		return genOp{req: linearize.Request{Kind: linearize.KindCreate, Path: base, Data: g.value()}}
	}
	k := g.key()
	switch p := g.r.IntN(100); {
	case p < 22:
		return genOp{req: linearize.Request{Kind: linearize.KindSetData, Path: k, Data: g.value(), Version: g.version(k)}}
	case p < 34:
		return genOp{req: linearize.Request{Kind: linearize.KindCreate, Path: k, Data: g.value(), Ephemeral: g.r.Chance(0.3)}}
	case p < 37:
		return genOp{req: linearize.Request{Kind: linearize.KindCreate, Path: base + "/s-", Data: g.value(), Sequential: true, Ephemeral: g.r.Chance(0.5)}}
	case p < 46:
		return genOp{req: linearize.Request{Kind: linearize.KindDelete, Path: k, Version: g.version(k)}}
	case p < 51:
		k2 := g.key()
		return genOp{req: linearize.Request{Kind: linearize.KindMulti, Ops: []linearize.Request{
			{Kind: linearize.KindCheck, Path: k, Version: g.version(k)},
			{Kind: linearize.KindSetData, Path: k2, Data: g.value(), Version: -1},
		}}}
	case p < 73:
		return genOp{req: linearize.Request{Kind: linearize.KindGetData, Path: k}, watch: g.r.Chance(0.2)}
	case p < 83:
		return genOp{req: linearize.Request{Kind: linearize.KindExists, Path: k}, watch: g.r.Chance(0.2)}
	case p < 88:
		return genOp{req: linearize.Request{Kind: linearize.KindGetChildren, Path: base}, watch: g.r.Chance(0.2)}
	}
	return genOp{req: linearize.Request{Kind: linearize.KindSync, Path: k}}
}

// afterSync is the read that follows a sync.
func (g *generator) afterSync(path string) genOp {
	return genOp{req: linearize.Request{Kind: linearize.KindGetData, Path: path}}
}

// saw remembers a version the client observed.
func (g *generator) saw(path string, version int32) { g.versions[path] = version }
