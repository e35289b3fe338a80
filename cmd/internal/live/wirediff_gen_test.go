package live

import (
	"fmt"
	"math/rand/v2"

	"github.com/zabsim/zabsim/cmd/internal/wire"
	"github.com/zabsim/zabsim/internal/zkgen"
	"github.com/zabsim/zabsim/tree"
)

// diffRoot is where the wire differential's nodes live.
const diffRoot = "/wd"

// diffOp is one request of the differential, sent on one slot's session.
type diffOp struct {
	slot int
	req  wire.Request
}

func (o diffOp) String() string { return fmt.Sprintf("s%d %s", o.slot, o.req) }

func digestACL(perms int32, userPassword string) wire.ACL {
	id, err := tree.DigestAuth(userPassword)
	if err != nil {
		panic(err) // the table below holds only well-formed credentials
	}
	return wire.ACL{Perms: perms, ID: wire.Id{Scheme: id.Scheme, ID: id.ID}}
}

func acl(perms int32, scheme, id string) wire.ACL {
	return wire.ACL{Perms: perms, ID: wire.Id{Scheme: scheme, ID: id}}
}

// diffACLs mix ACLs that let everyone in, ones that shut some sessions out
// (NoAuth), ones ZooKeeper refuses (InvalidACL) and the "auth" scheme,
// which expands to the session's identities. Weights keep most nodes open.
var diffACLs = []zkgen.Weighted[[]wire.ACL]{
	{Weight: 70, Value: wire.WorldACL},
	{Weight: 6, Value: []wire.ACL{digestACL(31, "alice:secret")}},
	{Weight: 5, Value: []wire.ACL{digestACL(7, "bob:pw"), acl(1, "world", "anyone")}},
	{Weight: 4, Value: []wire.ACL{acl(1|4|8, "world", "anyone")}},
	{Weight: 5, Value: []wire.ACL{acl(31, "auth", "")}},
	{Weight: 2, Value: []wire.ACL{}},
	{Weight: 2, Value: []wire.ACL{acl(31, "digest", "no-colon")}},
	{Weight: 1, Value: []wire.ACL{acl(31, "nosuchscheme", "x")}},
	// Every connection has the identity ip:127.0.0.1 on both sides: one
	// ACL admits it, one lets it only read, two are invalid in 3.8 (a
	// mask too wide, an IPv6 address).
	{Weight: 3, Value: []wire.ACL{acl(31, "ip", "127.0.0.1")}},
	{Weight: 2, Value: []wire.ACL{acl(31, "ip", "10.0.0.0/8"), acl(1, "ip", "127.0.0.0/8")}},
	{Weight: 1, Value: []wire.ACL{acl(31, "ip", "127.0.0.1/33")}},
	{Weight: 1, Value: []wire.ACL{acl(31, "ip", "0:0:0:0:0:0:0:1")}},
}

var diffAuths = []string{"alice:secret", "bob:pw", "alice:wrong"}

// diffGen draws requests over a small key space, so that collisions,
// missing parents, non-empty deletes, version conflicts, children of
// ephemerals and sequential names meeting plain ones are frequent.
type diffGen struct {
	r *rand.Rand
	// seqPaths are recent names sequential creates were given.
	seqPaths []string
}

func newDiffGen(seed uint64) *diffGen {
	return &diffGen{r: rand.New(rand.NewPCG(seed, 0x77697265646966))}
}

func (g *diffGen) pick(weights ...int) int { return zkgen.Pick(g.r, weights...) }

func (g *diffGen) oneOf(v ...string) string { return v[g.r.IntN(len(v))] }

func (g *diffGen) name() string {
	switch g.pick(80, 20) {
	case 0:
		return g.oneOf("a", "b", "c")
	default:
		return fmt.Sprintf("s-%010d", g.r.IntN(5))
	}
}

// badPath is a path ZooKeeper refuses or cannot find: no leading slash,
// a trailing slash, empty, an empty or relative component, a NUL.
func (g *diffGen) badPath() string {
	return g.oneOf("noslash", diffRoot+"/a/", "", diffRoot+"//a", diffRoot+"/./a", diffRoot+"/../a", diffRoot+"/a\x00b", "/", "/zookeeper")
}

func (g *diffGen) path() string {
	switch n := g.r.IntN(100); {
	case n < 3:
		return g.badPath()
	case n < 15 && len(g.seqPaths) > 0:
		p := g.seqPaths[g.r.IntN(len(g.seqPaths))]
		if g.r.IntN(4) == 0 {
			p += "/" + g.name()
		}
		return p
	}
	p := diffRoot
	for range 1 + g.pick(45, 40, 15) {
		p += "/" + g.name()
	}
	return p
}

// parent is where sequential creates go and what listings look at.
func (g *diffGen) parent() string {
	p := diffRoot
	for range g.pick(35, 45, 20) {
		p += "/" + g.oneOf("a", "b", "c")
	}
	return p
}

func (g *diffGen) data() []byte    { return zkgen.Data(g.r) }
func (g *diffGen) version() int32  { return zkgen.Version(g.r) }
func (g *diffGen) acl() []wire.ACL { return zkgen.Choose(g.r, diffACLs) }

// createFlags: every mode, including container and TTL through a plain
// create (ZooKeeper takes the first and refuses the second) and flags
// that name no mode.
func (g *diffGen) createFlags() int32 {
	return []int32{0, 1, 2, 3, 4, 5, 6, 7, -1}[g.pick(30, 20, 20, 15, 3, 1, 1, 1, 1)]
}

func (g *diffGen) create() *wire.CreateRequest {
	c := &wire.CreateRequest{Data: g.data(), ACL: g.acl(), Flags: g.createFlags()}
	c.Path = g.path()
	if c.Flags == 2 || c.Flags == 3 || c.Flags == 6 {
		c.Path = g.parent() + "/" + g.oneOf("s-", "", "t")
	}
	return c
}

func (g *diffGen) next() diffOp {
	o := diffOp{slot: g.r.IntN(diffSlots)}
	watch := g.r.IntN(100) < 40
	switch g.pick(16, 6, 2, 1, 12, 10, 6, 7, 4, 4, 3, 3, 2, 8, 3, 2, 2, 2, 2, 1, 1) {
	case 0:
		o.req = g.create()
	case 1:
		o.req = (*wire.Create2Request)(g.create())
	case 2:
		o.req = &wire.CreateContainerRequest{Path: g.parent() + "/" + g.oneOf("a", "b", "k"), Data: g.data(), ACL: g.acl(), Flags: 4}
	case 3:
		c := g.create()
		o.req = &wire.CreateTTLRequest{Path: c.Path, Data: c.Data, ACL: c.ACL, Flags: []int32{5, 6, 0}[g.r.IntN(3)], TTL: 1000}
	case 4:
		o.req = &wire.DeleteRequest{Path: g.path(), Version: g.version()}
	case 5:
		o.req = &wire.SetDataRequest{Path: g.path(), Data: g.data(), Version: g.version()}
	case 6:
		o.req = &wire.ExistsRequest{Path: g.path(), Watch: watch}
	case 7:
		o.req = &wire.GetDataRequest{Path: g.path(), Watch: watch}
	case 8:
		o.req = &wire.GetChildrenRequest{Path: g.parentOrPath(), Watch: watch}
	case 9:
		o.req = &wire.GetChildren2Request{Path: g.parentOrPath(), Watch: watch}
	case 10:
		o.req = &wire.GetACLRequest{Path: g.path()}
	case 11:
		o.req = &wire.SetACLRequest{Path: g.path(), ACL: g.acl(), Version: g.version()}
	case 12:
		o.req = &wire.SyncRequest{Path: g.parentOrPath()}
	case 13:
		o.req = g.multi()
	case 14:
		o.req = g.multiRead()
	case 15:
		o.req = &wire.GetAllChildrenNumberRequest{Path: g.parentOrPath()}
	case 16:
		o.req = &wire.GetEphemeralsRequest{PrefixPath: g.oneOf("/", diffRoot, g.parent())}
	case 17:
		o.req = &wire.WhoAmIRequest{}
	case 18:
		o.req = &wire.AuthRequest{Scheme: "digest", Auth: []byte(diffAuths[g.pick(50, 30, 20)])}
	case 19:
		o.req = &wire.ReconfigRequest{CurConfigID: -1}
	default:
		o.req = &wire.CloseSessionRequest{}
	}
	return o
}

func (g *diffGen) parentOrPath() string {
	if g.r.IntN(2) == 0 {
		return g.parent()
	}
	return g.path()
}

// nearby is p, or a child of it one time in three.
func (g *diffGen) nearby(p string) string {
	if g.r.IntN(3) == 0 {
		return p + "/" + g.name()
	}
	return p
}

func (g *diffGen) multi() *wire.MultiRequest {
	m := &wire.MultiRequest{Ops: []wire.MultiOp{}}
	var used []string
	for range g.pick(3, 24, 24, 24, 25) {
		// Two ops in five touch what an earlier op did, or a child of
		// it, so that a multi sees its own effects.
		p := g.path()
		if k := len(used); k > 0 && g.r.IntN(5) < 2 {
			p = g.nearby(used[g.r.IntN(k)])
		}
		var op wire.MultiOp
		switch g.pick(25, 10, 3, 20, 20, 20, 1) {
		case 0:
			c := g.create()
			if c.Flags < 0 || c.Flags > 4 {
				c.Flags = 0
			}
			if c.Flags != 2 && c.Flags != 3 {
				c.Path = p
			}
			op = c
		case 1:
			c := g.create()
			if c.Flags < 0 || c.Flags > 3 {
				c.Flags = 0
			}
			op = (*wire.Create2Request)(c)
		case 2:
			op = &wire.CreateContainerRequest{Path: p, Data: g.data(), ACL: g.acl(), Flags: 4}
		case 3:
			op = &wire.DeleteRequest{Path: p, Version: g.version()}
		case 4:
			op = &wire.SetDataRequest{Path: p, Data: g.data(), Version: g.version()}
		case 5:
			op = &wire.CheckVersionRequest{Path: p, Version: g.version()}
		default:
			op = &wire.GetDataRequest{Path: p} // a read inside multi: MarshallingError
		}
		used = append(used, p)
		m.Ops = append(m.Ops, op)
	}
	return m
}

func (g *diffGen) multiRead() *wire.MultiReadRequest {
	m := &wire.MultiReadRequest{Ops: []wire.MultiOp{}}
	for range 1 + g.r.IntN(4) {
		var op wire.MultiOp
		switch g.pick(50, 45, 2) {
		case 0:
			op = &wire.GetDataRequest{Path: g.path()}
		case 1:
			op = &wire.GetChildrenRequest{Path: g.parentOrPath()}
		default:
			op = &wire.SetDataRequest{Path: g.path(), Version: -1} // a write inside multiRead: MarshallingError
		}
		m.Ops = append(m.Ops, op)
	}
	return m
}

// observe remembers the names sequential creates were given, so later
// ops read, change and delete those nodes too.
func (g *diffGen) observe(o diffOp, a answer) {
	// The newest 24 names are kept.
	add := func(p string) { g.seqPaths = append(g.seqPaths[max(0, len(g.seqPaths)-23):], p) }
	sequential := func(flags int32) bool { return flags == 2 || flags == 3 || flags == 6 }
	switch r := o.req.(type) {
	case *wire.CreateRequest:
		if cr, ok := a.resp.(*wire.CreateResponse); ok && sequential(r.Flags) {
			add(cr.Path)
		}
	case *wire.Create2Request:
		if cr, ok := a.resp.(*wire.Create2Response); ok && sequential(r.Flags) {
			add(cr.Path)
		}
	case *wire.MultiRequest:
		mr, ok := a.resp.(*wire.MultiResponse)
		if !ok {
			return
		}
		for i, res := range mr.Results {
			if c, ok := res.Body.(*wire.CreateResponse); ok && i < len(r.Ops) && isSequentialOp(r.Ops[i]) {
				add(c.Path)
			}
		}
	}
}

func isSequentialOp(op wire.MultiOp) bool {
	switch c := op.(type) {
	case *wire.CreateRequest:
		return c.Flags == 2 || c.Flags == 3
	case *wire.Create2Request:
		return c.Flags == 2 || c.Flags == 3
	}
	return false
}
