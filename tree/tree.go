package tree

import (
	"math"
	"slices"
	"strings"
)

// DataLengthMaxDefault is jute.maxbuffer's default, the largest payload a
// ZooKeeper 3.8 server accepts in one frame.
const DataLengthMaxDefault = 1_048_575

// containerOwner is the ephemeralOwner ZooKeeper stores for containers
// (EphemeralType.CONTAINER_EPHEMERAL_OWNER); clients are shown 0.
const containerOwner int64 = math.MinInt64

// Config holds the tree's limits.
type Config struct {
	// DataLengthMax is the largest node payload in bytes; 0 means
	// DataLengthMaxDefault.
	DataLengthMax int
}

// Tree is the applied state of one replica: the znodes, the ephemerals by
// owner, the sessions, and this replica's watches. Every replica that
// applies the same transactions holds the same nodes, sessions and
// Digest; watches belong to the sessions connected here and are neither
// replicated nor part of the digest or the snapshot.
type Tree struct {
	nodes      map[string]*node
	ephemerals map[int64]*javaSet // by owner, kept as ZooKeeper keeps them for getEphemerals
	sessions   map[int64]int32    // session id → negotiated timeout in ms
	watches    watchManager
	digest     uint64
	zxid       int64 // last applied
	config     Config
}

// node keeps what ZooKeeper persists per znode (StatPersisted). cversion
// here is the count of child creates, which names sequential children;
// clients see 2*cversion - numChildren.
type node struct {
	data           []byte
	acl            []ACL
	czxid          int64
	mzxid          int64
	pzxid          int64
	ctime          int64
	mtime          int64
	version        int32
	cversion       int32
	aversion       int32
	ephemeralOwner int64
	children       javaSet

	path     string
	dataHash uint64 // cached so that a parent's Stat change does not rehash its data
	aclHash  uint64
	hash     uint64 // this node's term in Tree.digest
}

// New returns a tree as a fresh ZooKeeper 3.8 server has it: the root,
// /zookeeper, /zookeeper/quota and /zookeeper/config (read-only to the
// world, aversion -1), none counted as a create.
func New(config Config) *Tree {
	if config.DataLengthMax == 0 {
		config.DataLengthMax = DataLengthMaxDefault
	}
	assert(config.DataLengthMax > 0, "DataLengthMax %d", config.DataLengthMax)
	t := &Tree{
		nodes:      map[string]*node{},
		ephemerals: map[int64]*javaSet{},
		sessions:   map[int64]int32{},
		watches:    newWatchManager(),
		config:     config,
	}
	for _, path := range []string{"/", PathZookeeper, PathQuota, PathConfig} {
		n := &node{path: path, data: []byte{}, acl: WorldACL(PermAll)}
		if path == PathConfig {
			n.acl = WorldACL(PermRead)
			n.aversion = -1
		}
		t.insertNode(n)
	}
	return t
}

// Zxid is the zxid of the last transaction applied.
func (t *Tree) Zxid() int64 { return t.zxid }

// Digest is a 64-bit digest of every node and session, kept up to date by
// Apply: replicas that applied the same transactions agree on it.
func (t *Tree) Digest() uint64 { return t.digest }

// NodeCount counts the nodes, the root and /zookeeper's included.
func (t *Tree) NodeCount() int { return len(t.nodes) }

// Sessions lists the open sessions (created and not closed) with their
// timeouts in ms, by id.
func (t *Tree) Sessions() map[int64]int32 {
	out := make(map[int64]int32, len(t.sessions))
	for id, timeout := range t.sessions {
		out[id] = timeout
	}
	return out
}

// insertNode links n under its parent (when it has one) and indexes it.
func (t *Tree) insertNode(n *node) {
	_, exists := t.nodes[n.path]
	assert(!exists, "insert of existing %s", n.path)
	if n.path != "/" {
		parentPath, base, ok := splitPath(n.path)
		assert(ok, "path %q without slash", n.path)
		parent := t.nodes[lookupKey(parentPath)]
		assert(parent != nil, "insert %s without parent", n.path)
		added := parent.children.Add(base)
		assert(added, "child %s listed twice", n.path)
		t.rehash(parent)
	}
	n.dataHash = hashBytes(n.data)
	n.aclHash = hashACL(n.acl)
	t.nodes[n.path] = n
	t.rehash(n)
	t.addEphemeral(n)
}

// addEphemeral adds n to its owner's set when n is ephemeral, as
// DataTree.createNode does: the first one makes the set.
func (t *Tree) addEphemeral(n *node) {
	if !n.isEphemeral() {
		return
	}
	set := t.ephemerals[n.ephemeralOwner]
	if set == nil {
		set = newJavaSet(javaSetCapacityDefault)
		t.ephemerals[n.ephemeralOwner] = set
	}
	set.Add(n.path)
}

func (t *Tree) removeNode(n *node) {
	assert(n.children.Len() == 0, "remove of %s with children", n.path)
	parentPath, base, _ := splitPath(n.path)
	parent := t.nodes[lookupKey(parentPath)]
	removed := parent.children.Remove(base)
	assert(removed, "%s missing from its parent", n.path)
	t.rehash(parent)
	delete(t.nodes, n.path)
	t.digest -= n.hash
	// The session's set stays, however empty, until the session ends:
	// its table keeps the size it grew to, which orders getEphemerals.
	if set := t.ephemerals[n.ephemeralOwner]; set != nil && n.isEphemeral() {
		set.Remove(n.path)
	}
}

// rehash replaces n's term in the digest after n changed.
func (t *Tree) rehash(n *node) {
	t.digest -= n.hash
	n.hash = hashNode(n)
	t.digest += n.hash
}

// stat is what clients see of n.
func (n *node) stat() Stat {
	owner := n.ephemeralOwner
	if owner == containerOwner {
		owner = 0
	}
	numChildren := int32(n.children.Len())
	return Stat{
		Czxid: n.czxid, Mzxid: n.mzxid, Pzxid: n.pzxid, Ctime: n.ctime, Mtime: n.mtime,
		Version: n.version, Cversion: 2*n.cversion - numChildren, Aversion: n.aversion,
		EphemeralOwner: owner, DataLength: int32(len(n.data)), NumChildren: numChildren,
	}
}

// isEphemeral is EphemeralType.NORMAL: an owner that is neither 0 nor the
// container marker (TTL nodes cannot exist with the default config).
func (n *node) isEphemeral() bool {
	return n.ephemeralOwner != 0 && n.ephemeralOwner != containerOwner
}

// Caller is who issues a request: the session and the identities it has
// authenticated as (the server layer adds "ip" with the client address,
// and "digest" ids from addAuth).
type Caller struct {
	Session int64
	Auth    []ID
}

// Reads look paths up as ZooKeeper's node map does: any string is a key,
// "" is a second name of the root, and an invalid path simply is not
// there (NoNode, as measured).

// GetData answers getData. A watch is registered only when the node
// exists (measured: no event follows a NoNode getData).
func (t *Tree) GetData(c Caller, path string, watch bool) ([]byte, Stat, error) {
	n := t.nodes[lookupKey(path)]
	if n == nil {
		return nil, Stat{}, ErrNoNode
	}
	if err := checkACL(n.acl, PermRead, c.Auth); err != nil {
		return nil, Stat{}, err
	}
	if watch {
		t.watches.add(watchData, path, c, watchStandard)
	}
	return slices.Clone(n.data), n.stat(), nil
}

// Exists answers exists. The watch is registered even when the answer is
// NoNode; that is how a client waits for a node to appear. Exists checks
// no ACL, as in ZooKeeper, and refuses a NUL with BadArguments.
func (t *Tree) Exists(c Caller, path string, watch bool) (Stat, error) {
	if containsNUL(path) {
		return Stat{}, ErrBadArguments
	}
	if watch {
		t.watches.add(watchData, path, c, watchStandard)
	}
	n := t.nodes[lookupKey(path)]
	if n == nil {
		return Stat{}, ErrNoNode
	}
	return n.stat(), nil
}

// GetChildren answers getChildren and getChildren2: child names without
// a leading slash, in ZooKeeper's order (see javaSet), and the Stat.
func (t *Tree) GetChildren(c Caller, path string, watch bool) ([]string, Stat, error) {
	n := t.nodes[lookupKey(path)]
	if n == nil {
		return nil, Stat{}, ErrNoNode
	}
	if err := checkACL(n.acl, PermRead, c.Auth); err != nil {
		return nil, Stat{}, err
	}
	if watch {
		t.watches.add(watchChild, path, c, watchStandard)
	}
	return n.children.Names(), n.stat(), nil
}

// GetACL answers getACL: READ or ADMIN is needed, and a caller without
// ADMIN sees digest subjects without their hash.
func (t *Tree) GetACL(c Caller, path string) ([]ACL, Stat, error) {
	n := t.nodes[lookupKey(path)]
	if n == nil {
		return nil, Stat{}, ErrNoNode
	}
	if err := checkACL(n.acl, PermRead|PermAdmin, c.Auth); err != nil {
		return nil, Stat{}, err
	}
	if checkACL(n.acl, PermAdmin, c.Auth) != nil {
		return redactDigests(n.acl), n.stat(), nil
	}
	return slices.Clone(n.acl), n.stat(), nil
}

// GetEphemerals lists the caller's ephemerals whose path starts with
// prefix (all of them when prefix, trimmed as Java's String.trim trims, is
// empty or "/"), in ZooKeeper's order: that of a clone of the session's
// hash set (javaSet.clone).
func (t *Tree) GetEphemerals(c Caller, prefix string) []string {
	set := t.ephemerals[c.Session]
	if set == nil {
		return nil
	}
	trimmed := strings.TrimFunc(prefix, func(r rune) bool { return r <= ' ' })
	all := trimmed == "" || trimmed == "/"
	var out []string
	for _, path := range set.clone().Names() {
		if all || strings.HasPrefix(path, prefix) {
			out = append(out, path)
		}
	}
	return out
}

// GetAllChildrenNumber counts every descendant of path; for the root,
// every node but the root.
func (t *Tree) GetAllChildrenNumber(c Caller, path string) (int32, error) {
	n := t.nodes[lookupKey(path)]
	if n == nil {
		return 0, ErrNoNode
	}
	if err := checkACL(n.acl, PermRead, c.Auth); err != nil {
		return 0, err
	}
	switch path {
	case "/":
		return int32(len(t.nodes) - 1), nil
	case "":
		// ZooKeeper counts the keys that start with path+"/": every node.
		return int32(len(t.nodes)), nil
	}
	count := int32(0)
	// Walk the subtree rather than scan every key: iterative, bounded by
	// the node count.
	stack := []string{path}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, name := range t.nodes[p].children.Names() {
			count++
			stack = append(stack, joinPath(p, name))
		}
		assert(int(count) < len(t.nodes), "subtree of %s larger than the tree", path)
	}
	return count, nil
}

// ReadResult is one op's answer inside multiRead.
type ReadResult struct {
	Op       OpCode
	Err      error
	Data     []byte
	Stat     Stat
	Children []string
}

func (r ReadResult) String() string {
	if r.Err != nil {
		return r.Op.String() + " " + errName(r.Err)
	}
	if r.Op == OpGetData {
		return "getData OK data=" + dataString(r.Data) + " " + r.Stat.String()
	}
	return "getChildren OK children=[" + strings.Join(r.Children, ",") + "]"
}

// MultiRead answers multiRead: each getData or getChildren on its own,
// errors per op. A write op inside fails the whole request with
// MarshallingError, as ZooKeeper answers it.
func (t *Tree) MultiRead(c Caller, ops []Request) ([]ReadResult, error) {
	for _, o := range ops {
		if o.Op != OpGetData && o.Op != OpGetChildren {
			return nil, ErrMarshallingError
		}
	}
	out := make([]ReadResult, len(ops))
	for i, o := range ops {
		r := ReadResult{Op: o.Op}
		if o.Op == OpGetData {
			r.Data, r.Stat, r.Err = t.GetData(c, o.Path, false)
		} else {
			r.Children, _, r.Err = t.GetChildren(c, o.Path, false)
		}
		if r.Err != nil {
			r = ReadResult{Op: OpError, Err: r.Err}
		}
		out[i] = r
	}
	return out, nil
}

// ContainerCandidates lists, sorted, the containers ZooKeeper's
// ContainerManager would now delete with deleteContainer: those that had
// a child once and have none left.
func (t *Tree) ContainerCandidates() []string {
	var out []string
	for _, path := range sortedKeys(t.nodes) {
		n := t.nodes[path]
		if n.ephemeralOwner == containerOwner && n.cversion > 0 && n.children.Len() == 0 {
			out = append(out, path)
		}
	}
	return out
}
