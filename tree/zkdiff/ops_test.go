package zkdiff

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/go-zookeeper/zk"

	"github.com/zabsim/zabsim/internal/zkgen"
)

type kind int

const (
	kCreate kind = iota
	kCreateContainer
	kCreateTTL // Unimplemented: ZooKeeper's default config has no TTL nodes
	kDelete
	kSet
	kGet
	kExists
	kChildren
	kGetACL
	kSetACL
	kSync
	kCheck // only inside a multi: go-zookeeper never sends it alone
	kMulti
	kAddAuth
	kCloseSession // close the slot's session and open a fresh one in its place
)

var kindNames = [...]string{"create", "createContainer", "createTTL", "delete", "setData", "getData", "exists", "getChildren2", "getACL", "setACL", "sync", "check", "multi", "addAuth", "closeSession"}

func (k kind) String() string { return kindNames[k] }

// isWrite reports whether the op is a transaction, and so may fire watches.
func (k kind) isWrite() bool {
	switch k {
	case kCreate, kCreateContainer, kCreateTTL, kDelete, kSet, kSetACL, kMulti, kCloseSession:
		return true
	}
	return false
}

// op is one client request, issued by session slot Session (0 or 1).
type op struct {
	Kind    kind
	Session int
	Path    string
	Data    []byte // nil is ZooKeeper's null data, distinct from empty
	Version int32
	Flags   int32
	ACL     []zk.ACL
	Watch   bool
	Auth    string // addAuth: digest "user:password"
	Ops     []op   // multi
}

func (o op) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "s%d %s", o.Session, o.Kind)
	o.args(&b)
	return b.String()
}

func (o op) args(b *strings.Builder) {
	if o.Path != "" {
		fmt.Fprintf(b, " %s", o.Path)
	}
	switch o.Kind {
	case kCreate, kCreateContainer, kCreateTTL:
		fmt.Fprintf(b, " data=%s flags=%s acl=%s", fmtData(o.Data), flagName(o.Flags), fmtACL(o.ACL))
	case kSet:
		fmt.Fprintf(b, " data=%s version=%d", fmtData(o.Data), o.Version)
	case kDelete, kCheck:
		fmt.Fprintf(b, " version=%d", o.Version)
	case kSetACL:
		fmt.Fprintf(b, " acl=%s version=%d", fmtACL(o.ACL), o.Version)
	case kGet, kExists, kChildren:
		if o.Watch {
			b.WriteString(" watch")
		}
	case kAddAuth:
		fmt.Fprintf(b, " digest %s", o.Auth)
	case kMulti:
		b.WriteString(" [")
		for i, sub := range o.Ops {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(sub.Kind.String())
			sub.args(b)
		}
		b.WriteString("]")
	}
}

func fmtData(d []byte) string {
	if d == nil {
		return "null"
	}
	return fmt.Sprintf("%q", d)
}

func flagName(f int32) string {
	switch f {
	case 0:
		return "persistent"
	case zk.FlagEphemeral:
		return "ephemeral"
	case zk.FlagSequence:
		return "sequential"
	case zk.FlagEphemeral | zk.FlagSequence:
		return "ephemeral-sequential"
	case zk.FlagContainer:
		return "container"
	case zk.FlagTTL:
		return "ttl"
	case zk.FlagPersistentSequentialWithTTL:
		return "ttl-sequential"
	}
	return fmt.Sprintf("flags(%d)", f)
}

func fmtACL(acl []zk.ACL) string {
	if acl == nil {
		return "null"
	}
	parts := make([]string, len(acl))
	for i, a := range acl {
		parts[i] = fmt.Sprintf("%s:%s:%s", a.Scheme, a.ID, permString(a.Perms))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func permString(p int32) string {
	var b strings.Builder
	for i, c := range "rwcda" {
		if p&(1<<i) != 0 {
			b.WriteRune(c)
		}
	}
	if rest := p &^ zk.PermAll; rest != 0 {
		fmt.Fprintf(&b, "+%d", rest)
	}
	return b.String()
}

// Users for digest ACLs and addAuth. "alice:wrong" authenticates (digest
// auth never fails) but as an id that alice's ACLs do not name.
var (
	aliceACL = zk.DigestACL(zk.PermAll, "alice", "secret")[0]
	bobACL   = zk.DigestACL(zk.PermRead|zk.PermCreate|zk.PermDelete, "bob", "pw")[0]
	auths    = []string{"alice:secret", "bob:pw", "alice:wrong"}
)

// aclChoices mixes ACLs that let everyone work with ones that shut some
// sessions out (NoAuth) and ones ZooKeeper refuses (InvalidACL). Weights
// keep most nodes open so the key space does not freeze.
var aclChoices = []struct {
	weight int
	acl    []zk.ACL
}{
	{60, zk.WorldACL(zk.PermAll)},
	{8, []zk.ACL{aliceACL}},
	{8, []zk.ACL{aliceACL, {Perms: zk.PermRead, Scheme: "world", ID: "anyone"}}},
	{5, []zk.ACL{bobACL, {Perms: zk.PermRead | zk.PermWrite, Scheme: "world", ID: "anyone"}}},
	{5, zk.WorldACL(zk.PermRead | zk.PermCreate | zk.PermDelete)},
	{6, zk.AuthACL(zk.PermAll)},
	{3, zk.AuthACL(zk.PermRead | zk.PermWrite)},
	{2, []zk.ACL{}},
	{2, []zk.ACL{{Perms: zk.PermAll, Scheme: "digest", ID: "no-colon"}}},
	{1, []zk.ACL{{Perms: zk.PermAll, Scheme: "nosuchscheme", ID: "x"}}},
	// Every session connects from 127.0.0.1, so only the first one admits.
	{3, []zk.ACL{{Perms: zk.PermAll, Scheme: "ip", ID: "127.0.0.1"}}},
	{2, []zk.ACL{{Perms: zk.PermAll, Scheme: "ip", ID: "10.0.0.0/8"}, {Perms: zk.PermRead, Scheme: "world", ID: "anyone"}}},
	{1, []zk.ACL{{Perms: zk.PermAll, Scheme: "ip", ID: "not-an-address"}}},
}

// gen draws ops over a small key space under root, so that collisions,
// missing parents, non-empty deletes, version conflicts, children of
// ephemerals and sequential-name collisions are frequent.
type gen struct {
	r    *rand.Rand
	root string
	// seqPaths are recent names that ZooKeeper gave sequential creates;
	// ops reuse them so those nodes are read, changed and deleted too.
	seqPaths []string
	// seqNext holds, per sequential prefix (parent + "/" + prefix), the
	// number after the last one ZooKeeper gave out, so plain creates can
	// take the names the next sequential creates will want.
	seqNext []seqCounter
}

type seqCounter struct {
	prefix string
	next   int
}

func newGen(seed uint64, root string) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, 0x7a6b646966660001)), root: root}
}

func (g *gen) pick(weights ...int) int { return zkgen.Pick(g.r, weights...) }

func (g *gen) name() string {
	switch g.pick(80, 14, 6) {
	case 0:
		return []string{"a", "b", "c"}[g.r.IntN(3)]
	case 1:
		// Names that sequential creates under the same parent will hit.
		return fmt.Sprintf("s-%010d", g.r.IntN(6))
	default:
		return fmt.Sprintf("%010d", g.r.IntN(6))
	}
}

func (g *gen) path() string {
	if len(g.seqPaths) > 0 && g.r.IntN(100) < 15 {
		p := g.seqPaths[g.r.IntN(len(g.seqPaths))]
		// Half of sequential nodes are ephemeral: children of them are
		// how NoChildrenForEphemerals comes up.
		if g.r.IntN(4) == 0 {
			p += "/" + g.name()
		}
		return p
	}
	if len(g.seqNext) > 0 && g.r.IntN(100) < 20 {
		c := g.seqNext[g.r.IntN(len(g.seqNext))]
		// This create itself moves the parent's counter on by one.
		return fmt.Sprintf("%s%010d", c.prefix, c.next+1+g.r.IntN(3))
	}
	p := g.root
	for range 1 + g.pick(45, 40, 15) {
		p += "/" + g.name()
	}
	return p
}

// parent is where sequential and container creates go: never deep, so they
// pile up under a few parents and their counters meet the fixed names.
func (g *gen) parent() string {
	if g.r.IntN(100) < 35 {
		return g.root
	}
	p := g.root
	for range 1 + g.pick(75, 25) {
		p += "/" + []string{"a", "b", "c"}[g.r.IntN(3)]
	}
	return p
}

func (g *gen) data() []byte   { return zkgen.Data(g.r) }
func (g *gen) version() int32 { return zkgen.Version(g.r) }

func (g *gen) acl() []zk.ACL {
	weights := make([]int, len(aclChoices))
	for i, c := range aclChoices {
		weights[i] = c.weight
	}
	return aclChoices[g.pick(weights...)].acl
}

func (g *gen) create() op {
	o := op{Kind: kCreate, Data: g.data(), ACL: g.acl()}
	switch g.pick(35, 25, 20, 20) {
	case 0:
		o.Path = g.path()
	case 1:
		o.Path, o.Flags = g.path(), zk.FlagEphemeral
	case 2:
		o.Path, o.Flags = g.seqPath(), zk.FlagSequence
	default:
		o.Path, o.Flags = g.seqPath(), zk.FlagEphemeral|zk.FlagSequence
	}
	return o
}

// seqPath is a parent plus a prefix; the empty prefix (a path ending in
// "/") is legal for sequential creates.
func (g *gen) seqPath() string {
	return g.parent() + "/" + []string{"s-", "", "t"}[g.pick(60, 20, 20)]
}

func (g *gen) next() op {
	var o op
	switch g.pick(24, 3, 13, 11, 9, 8, 8, 3, 4, 2, 10, 2, 1, 1) {
	case 0:
		o = g.create()
	case 1:
		o = op{Kind: kCreateContainer, Path: g.parent() + "/" + []string{"a", "b", "k"}[g.r.IntN(3)], Data: g.data(), Flags: zk.FlagContainer, ACL: g.acl()}
	case 13:
		o = op{Kind: kCreateTTL, Path: g.path(), Data: g.data(), Flags: zk.FlagTTL, ACL: g.acl()}
		if g.r.IntN(2) == 0 {
			o.Path, o.Flags = g.seqPath(), zk.FlagPersistentSequentialWithTTL
		}
	case 2:
		o = op{Kind: kDelete, Path: g.path(), Version: g.version()}
	case 3:
		o = op{Kind: kSet, Path: g.path(), Data: g.data(), Version: g.version()}
	case 4:
		o = op{Kind: kGet, Path: g.path(), Watch: g.r.IntN(100) < 40}
	case 5:
		o = op{Kind: kExists, Path: g.path(), Watch: g.r.IntN(100) < 40}
	case 6:
		o = op{Kind: kChildren, Path: g.parentOrPath(), Watch: g.r.IntN(100) < 40}
	case 7:
		o = op{Kind: kGetACL, Path: g.path()}
	case 8:
		o = op{Kind: kSetACL, Path: g.path(), ACL: g.acl(), Version: g.version()}
	case 9:
		o = op{Kind: kSync, Path: g.parentOrPath()}
	case 10:
		o = g.multi()
	case 11:
		o = op{Kind: kAddAuth, Auth: auths[g.pick(50, 30, 20)]}
	default:
		o = op{Kind: kCloseSession}
	}
	o.Session = g.r.IntN(2)
	return o
}

func (g *gen) parentOrPath() string {
	if g.r.IntN(2) == 0 {
		return g.parent()
	}
	return g.path()
}

func (g *gen) multi() op {
	m := op{Kind: kMulti}
	n := 1 + g.r.IntN(4)
	if g.r.IntN(100) < 3 {
		n = 0
	}
	var used []string
	for range n {
		p := g.path()
		// Later ops often touch what earlier ones did, so a multi sees its
		// own effects (create then create a child, delete what it created).
		if len(used) > 0 && g.r.IntN(100) < 40 {
			p = used[g.r.IntN(len(used))]
			if g.r.IntN(3) == 0 {
				p += "/" + g.name()
			}
		}
		var sub op
		switch g.pick(40, 20, 20, 20) {
		case 0:
			sub = g.create()
			sub.Path = p
			// No container creates: ZooKeeper answers them inside a multi
			// with a result type go-zookeeper v1.0.4 cannot decode (it
			// returns APIError and drops the remaining results).
			if sub.Flags&zk.FlagSequence != 0 {
				sub.Path = g.seqPath()
			}
		case 1:
			sub = op{Kind: kDelete, Path: p, Version: g.version()}
		case 2:
			sub = op{Kind: kSet, Path: p, Data: g.data(), Version: g.version()}
		default:
			sub = op{Kind: kCheck, Path: p, Version: g.version()}
		}
		used = append(used, p)
		m.Ops = append(m.Ops, sub)
	}
	return m
}

// observe remembers the names ZooKeeper gave sequential creates.
func (g *gen) observe(o op, r result) {
	add := func(p string) {
		const keep = 24
		g.seqPaths = append(g.seqPaths, p)
		if len(g.seqPaths) > keep {
			g.seqPaths = g.seqPaths[1:]
		}
		const digits = 10
		if len(p) < digits {
			return
		}
		n, err := strconv.Atoi(p[len(p)-digits:])
		if err != nil {
			return
		}
		prefix := p[:len(p)-digits]
		for i := range g.seqNext {
			if g.seqNext[i].prefix == prefix {
				g.seqNext[i].next = n + 1
				return
			}
		}
		g.seqNext = append(g.seqNext, seqCounter{prefix, n + 1})
	}
	switch {
	case o.Kind == kCreate && o.Flags&zk.FlagSequence != 0 && r.Err == 0:
		add(r.Path)
	case o.Kind == kMulti && r.Err == 0:
		for i, sub := range o.Ops {
			if sub.Kind == kCreate && sub.Flags&zk.FlagSequence != 0 && i < len(r.Multi) {
				add(r.Multi[i].Path)
			}
		}
	}
}
