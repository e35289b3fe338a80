package tree

import (
	"maps"
	"slices"
)

// Preparer is the leader's side of ZooKeeper's request pipeline
// (PrepRequestProcessor): it validates a request against the applied tree
// plus the changes it has prepared that are not applied yet, and turns it
// into a Txn. Pending changes are an overlay on the tree: Applied drops
// those a transaction has made real, and Reset drops them all when the
// leader loses leadership and its prepared transactions are discarded.
type Preparer struct {
	tree    *Tree
	changes map[string]*pending // path → its state after the newest prepared change
	queue   []preparedPaths     // what each prepared zxid touched, in zxid order
	zxid    int64               // last prepared
	journal map[string]*pending // during a multi: each touched key's value before it
}

// pending is ZooKeeper's ChangeRecord: what later requests must see of a
// node. A nil *pending in changes never occurs; a deleted node has exists
// false.
type pending struct {
	zxid       int64
	exists     bool
	acl        []ACL
	version    int32
	cversion   int32
	aversion   int32
	owner      int64
	childCount int
}

type preparedPaths struct {
	zxid  int64
	paths []string
}

// pendingMax bounds the overlay: a leader with this many unapplied
// prepared transactions has lost touch with its quorum.
const pendingMax = 1 << 20

// NewPreparer returns a preparer over t with nothing pending. A replica
// that replaces its tree (loading a snapshot) needs a new preparer.
func NewPreparer(t *Tree) *Preparer {
	return &Preparer{tree: t, changes: map[string]*pending{}, zxid: t.zxid}
}

// Pending counts prepared transactions not yet applied.
func (p *Preparer) Pending() int { return len(p.queue) }

// Reset drops every pending change (the leader lost leadership; its
// prepared transactions will never be applied).
func (p *Preparer) Reset() {
	p.changes = map[string]*pending{}
	p.queue = nil
	p.zxid = p.tree.zxid
}

// Applied tells the preparer that the tree has applied every transaction
// up to zxid: their changes are now in the tree itself.
func (p *Preparer) Applied(zxid int64) {
	assert(zxid <= p.tree.zxid, "applied %#x but tree is at %#x", zxid, p.tree.zxid)
	for len(p.queue) > 0 && p.queue[0].zxid <= zxid {
		for _, path := range p.queue[0].paths {
			if c := p.changes[path]; c != nil && c.zxid <= zxid {
				delete(p.changes, path)
			}
		}
		p.queue = p.queue[1:]
	}
	if len(p.queue) == 0 {
		assert(len(p.changes) == 0, "%d changes left with nothing pending", len(p.changes))
	}
}

// record is the pending view of path: nil when the node does not exist.
func (p *Preparer) record(path string) *pending {
	path = lookupKey(path)
	if c, ok := p.changes[path]; ok {
		if !c.exists {
			return nil
		}
		return c
	}
	n := p.tree.nodes[path]
	if n == nil {
		return nil
	}
	return &pending{
		zxid: -1, exists: true, acl: n.acl, version: n.version, cversion: n.cversion,
		aversion: n.aversion, owner: n.ephemeralOwner, childCount: n.children.Len(),
	}
}

// Prepare turns a client request into the transaction with the given zxid.
// A request ZooKeeper refuses while preparing becomes an OpError
// transaction that still uses up the zxid, as in ZooKeeper. The error
// result is for requests that must not become transactions at all: reads,
// unknown opcodes, a check outside multi (ZooKeeper 3.8.0 logs it and
// corrupts its own log; zabsim answers Unimplemented) and payloads over
// the data limit (ZooKeeper drops the connection).
func (p *Preparer) Prepare(zxid int64, c Caller, timeMs int64, req Request) (Txn, error) {
	assert(zxid > p.zxid, "prepare zxid %#x after %#x", zxid, p.zxid)
	if err := p.admissible(req); err != nil {
		return Txn{}, err
	}
	assert(len(p.queue) < pendingMax, "%d transactions pending", len(p.queue))
	p.zxid = zxid
	touched := &preparedPaths{zxid: zxid}
	var txn Txn
	if req.Op == OpMulti {
		txn = p.prepareMulti(zxid, c, req, touched)
	} else {
		var err error
		txn, err = p.prepareOne(zxid, c, req, touched)
		if err != nil {
			txn = Txn{Type: OpError, Op: req.Op, Err: CodeOf(err)}
		}
	}
	txn.Session, txn.Time = c.Session, timeMs
	if len(touched.paths) > 0 {
		p.queue = append(p.queue, *touched)
	}
	return txn, nil
}

func (p *Preparer) admissible(req Request) error {
	switch req.Op {
	case OpCreate, OpCreate2, OpCreateContainer, OpCreateTTL, OpDelete, OpDeleteContainer,
		OpSetData, OpSetACL, OpMulti, OpCreateSession, OpCloseSession:
	default:
		return ErrUnimplemented
	}
	// ZooKeeper's limit is on the whole request frame, so a multi's
	// payloads count together.
	total := len(req.Data)
	for _, o := range req.Ops {
		total += len(o.Data)
		if len(o.Ops) > 0 {
			return ErrBadArguments
		}
	}
	if total > p.tree.config.DataLengthMax {
		return ErrBadArguments
	}
	return nil
}

// prepareMulti prepares every op in order, each seeing the ones before.
// At the first failure the changes of the earlier ops are rolled back and
// the transaction lists the earlier ops as OK errors, the failing op's
// code and RuntimeInconsistency for the rest; nothing is applied.
func (p *Preparer) prepareMulti(zxid int64, c Caller, req Request, touched *preparedPaths) Txn {
	for _, o := range req.Ops {
		switch o.Op {
		case OpCreate, OpCreate2, OpCreateContainer, OpCreateTTL, OpDelete, OpSetData, OpCheck:
		default:
			// A read anywhere in a multi fails the whole request before
			// any op is tried: ZooKeeper cannot even decode a multi that
			// mixes reads with writes ("Mixing different kind of ops"),
			// and one of reads only ends in a NullPointerException; both
			// are answered MarshallingError.
			return Txn{Type: OpError, Op: OpMulti, Err: ErrMarshallingError.code}
		}
	}
	p.journal = map[string]*pending{}
	defer func() { p.journal = nil }()
	var ops []Txn
	var failure error
	for _, o := range req.Ops {
		sub, err := p.prepareOne(zxid, c, o, touched)
		if err != nil {
			failure = err
			break
		}
		ops = append(ops, sub)
	}
	if failure == nil {
		return Txn{Type: OpMulti, Op: OpMulti, Ops: ops}
	}
	for _, path := range slices.Sorted(maps.Keys(p.journal)) {
		if old := p.journal[path]; old == nil {
			delete(p.changes, path)
		} else {
			p.changes[path] = old
		}
	}
	touched.paths = nil
	errs := make([]Txn, len(req.Ops))
	for i := range errs {
		code := ErrRuntimeInconsistency.code
		switch {
		case i < len(ops):
			code = 0
		case i == len(ops):
			code = CodeOf(failure)
		}
		errs[i] = Txn{Type: OpError, Op: OpError, Err: code}
	}
	return Txn{Type: OpMulti, Op: OpMulti, Ops: errs}
}

func (p *Preparer) prepareOne(zxid int64, c Caller, req Request, touched *preparedPaths) (Txn, error) {
	switch req.Op {
	case OpCreate, OpCreate2, OpCreateContainer, OpCreateTTL:
		return p.prepareCreate(zxid, c, req, touched)
	case OpDelete:
		return p.prepareDelete(zxid, c, req, touched)
	case OpDeleteContainer:
		return p.prepareDeleteContainer(zxid, req, touched)
	case OpSetData:
		return p.prepareSetData(zxid, c, req, touched)
	case OpSetACL:
		return p.prepareSetACL(zxid, c, req, touched)
	case OpCheck:
		return p.prepareCheck(c, req)
	case OpCreateSession:
		return Txn{Type: OpCreateSession, Op: req.Op, Timeout: req.Timeout}, nil
	case OpCloseSession:
		return p.prepareCloseSession(zxid, c, touched), nil
	}
	panic("unreachable: admissible lets only writes through")
}

func (p *Preparer) set(zxid int64, path string, rec pending, touched *preparedPaths) {
	rec.zxid = zxid
	path = lookupKey(path)
	if p.journal != nil {
		if _, seen := p.journal[path]; !seen {
			p.journal[path] = p.changes[path]
		}
	}
	p.changes[path] = &rec
	touched.paths = append(touched.paths, path)
}

// createMode is CreateMode.fromFlag plus the TTL and container rules of
// ZooKeeper 3.8 with extended types disabled.
func createMode(req Request) (sequential, ephemeral bool, err error) {
	if req.Flags < 0 || req.Flags > FlagPersistentSequentialTTL {
		return false, false, ErrBadArguments
	}
	if req.Flags == FlagPersistentTTL || req.Flags == FlagPersistentSequentialTTL {
		return false, false, ErrUnimplemented
	}
	if req.Op == OpCreateTTL && req.TTL >= 0 {
		// validateTTL: a TTL belongs only to a TTL mode.
		return false, false, ErrBadArguments
	}
	sequential = req.Flags == FlagSequential || req.Flags == FlagEphemeralSequential
	ephemeral = req.Flags == FlagEphemeral || req.Flags == FlagEphemeralSequential
	return sequential, ephemeral, nil
}

func (p *Preparer) prepareCreate(zxid int64, c Caller, req Request, touched *preparedPaths) (Txn, error) {
	sequential, ephemeral, err := createMode(req)
	if err != nil {
		return Txn{}, err
	}
	parentPath, _, ok := splitPath(req.Path)
	if !ok || containsNUL(req.Path) {
		return Txn{}, ErrBadArguments
	}
	acl, err := fixACL(req.ACL, c.Auth)
	if err != nil {
		return Txn{}, err
	}
	parent := p.record(parentPath)
	if parent == nil {
		return Txn{}, ErrNoNode
	}
	if err := checkACL(parent.acl, PermCreate, c.Auth); err != nil {
		return Txn{}, err
	}
	path := req.Path
	if sequential {
		path += formatSequence(parent.cversion)
	}
	if err := ValidatePath(path); err != nil {
		return Txn{}, err
	}
	if p.record(path) != nil {
		return Txn{}, ErrNodeExists
	}
	if parent.owner != 0 && parent.owner != containerOwner {
		return Txn{}, ErrNoChildrenForEphemerals
	}
	owner := int64(0)
	switch {
	case req.Op == OpCreateContainer:
		owner = containerOwner
	case ephemeral:
		owner = c.Session
	}
	newParent := *parent
	newParent.cversion++
	newParent.childCount++
	p.set(zxid, parentPath, newParent, touched)
	p.set(zxid, path, pending{exists: true, acl: acl, owner: owner}, touched)
	return Txn{
		Type: OpCreate, Op: req.Op, Path: path, Data: cloneData(req.Data), ACL: acl,
		Owner: owner, ParentCversion: newParent.cversion,
	}, nil
}

func formatSequence(n int32) string {
	// %010d of a Java int: negative counters (after 2^31 creates) keep
	// their sign inside the ten digits.
	s := make([]byte, 0, 11)
	v := int64(n)
	if v < 0 {
		s = append(s, '-')
		v = -v
	}
	digits := []byte{}
	for v > 0 {
		digits = append(digits, byte('0'+v%10))
		v /= 10
	}
	width := 10 - len(s)
	for i := len(digits); i < width; i++ {
		s = append(s, '0')
	}
	for i := len(digits) - 1; i >= 0; i-- {
		s = append(s, digits[i])
	}
	return string(s)
}

func containsNUL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return true
		}
	}
	return false
}

func cloneData(d []byte) []byte {
	if d == nil {
		return nil
	}
	return slices.Clone(d)
}

// deleteParent is getParentPathAndValidate: no slash, a NUL or a system
// node answers BadArguments.
func deleteParent(path string) (string, error) {
	parent, _, ok := splitPath(path)
	if !ok || containsNUL(path) || isSpecialPath(path) {
		return "", ErrBadArguments
	}
	return parent, nil
}

func (p *Preparer) prepareDelete(zxid int64, c Caller, req Request, touched *preparedPaths) (Txn, error) {
	parentPath, err := deleteParent(req.Path)
	if err != nil {
		return Txn{}, err
	}
	parent := p.record(parentPath)
	if parent == nil {
		return Txn{}, ErrNoNode
	}
	if err := checkACL(parent.acl, PermDelete, c.Auth); err != nil {
		return Txn{}, err
	}
	n := p.record(req.Path)
	if n == nil {
		return Txn{}, ErrNoNode
	}
	if req.Version != -1 && req.Version != n.version {
		return Txn{}, ErrBadVersion
	}
	if n.childCount > 0 {
		return Txn{}, ErrNotEmpty
	}
	return p.deleteTxn(zxid, req, parentPath, parent, touched), nil
}

// prepareDeleteContainer is deleteContainer, which ZooKeeper's container
// manager sends: no ACL or version, an ephemeral answers BadVersion.
func (p *Preparer) prepareDeleteContainer(zxid int64, req Request, touched *preparedPaths) (Txn, error) {
	parentPath, err := deleteParent(req.Path)
	if err != nil {
		return Txn{}, err
	}
	n := p.record(req.Path)
	if n == nil {
		return Txn{}, ErrNoNode
	}
	if n.childCount > 0 {
		return Txn{}, ErrNotEmpty
	}
	if n.owner != 0 && n.owner != containerOwner {
		return Txn{}, ErrBadVersion
	}
	parent := p.record(parentPath)
	assert(parent != nil, "%s pending without parent", req.Path)
	return p.deleteTxn(zxid, req, parentPath, parent, touched), nil
}

func (p *Preparer) deleteTxn(zxid int64, req Request, parentPath string, parent *pending, touched *preparedPaths) Txn {
	newParent := *parent
	newParent.childCount--
	p.set(zxid, parentPath, newParent, touched)
	p.set(zxid, req.Path, pending{exists: false}, touched)
	return Txn{Type: OpDelete, Op: req.Op, Path: req.Path}
}

func (p *Preparer) prepareSetData(zxid int64, c Caller, req Request, touched *preparedPaths) (Txn, error) {
	if err := ValidatePath(req.Path); err != nil {
		return Txn{}, err
	}
	n := p.record(req.Path)
	if n == nil {
		return Txn{}, ErrNoNode
	}
	if err := checkACL(n.acl, PermWrite, c.Auth); err != nil {
		return Txn{}, err
	}
	if req.Version != -1 && req.Version != n.version {
		return Txn{}, ErrBadVersion
	}
	updated := *n
	updated.version++
	p.set(zxid, req.Path, updated, touched)
	return Txn{Type: OpSetData, Op: req.Op, Path: req.Path, Data: cloneData(req.Data), Version: updated.version}, nil
}

func (p *Preparer) prepareSetACL(zxid int64, c Caller, req Request, touched *preparedPaths) (Txn, error) {
	if err := ValidatePath(req.Path); err != nil {
		return Txn{}, err
	}
	acl, err := fixACL(req.ACL, c.Auth)
	if err != nil {
		return Txn{}, err
	}
	n := p.record(req.Path)
	if n == nil {
		return Txn{}, ErrNoNode
	}
	if err := checkACL(n.acl, PermAdmin, c.Auth); err != nil {
		return Txn{}, err
	}
	if req.Version != -1 && req.Version != n.aversion {
		return Txn{}, ErrBadVersion
	}
	updated := *n
	updated.aversion++
	updated.acl = acl
	p.set(zxid, req.Path, updated, touched)
	return Txn{Type: OpSetACL, Op: req.Op, Path: req.Path, ACL: acl, Version: updated.aversion}, nil
}

func (p *Preparer) prepareCheck(c Caller, req Request) (Txn, error) {
	if err := ValidatePath(req.Path); err != nil {
		return Txn{}, err
	}
	n := p.record(req.Path)
	if n == nil {
		return Txn{}, ErrNoNode
	}
	if err := checkACL(n.acl, PermRead, c.Auth); err != nil {
		return Txn{}, err
	}
	if req.Version != -1 && req.Version != n.version {
		return Txn{}, ErrBadVersion
	}
	return Txn{Type: OpCheck, Op: OpCheck, Path: req.Path, Version: req.Version}, nil
}

// prepareCloseSession lists the session's ephemerals as they will be when
// this transaction applies: the applied ones, minus pending deletes, plus
// pending creates.
func (p *Preparer) prepareCloseSession(zxid int64, c Caller, touched *preparedPaths) Txn {
	set := map[string]bool{}
	if applied := p.tree.ephemerals[c.Session]; applied != nil {
		for _, path := range applied.Names() {
			set[path] = true
		}
	}
	for _, path := range slices.Sorted(maps.Keys(p.changes)) {
		switch ch := p.changes[path]; {
		case !ch.exists:
			delete(set, path)
		case ch.owner == c.Session:
			set[path] = true
		}
	}
	paths := slices.Sorted(maps.Keys(set))
	for _, path := range paths {
		parentPath, _, _ := splitPath(path)
		parent := p.record(parentPath)
		assert(parent != nil, "ephemeral %s without parent", path)
		newParent := *parent
		newParent.childCount--
		p.set(zxid, parentPath, newParent, touched)
		p.set(zxid, path, pending{exists: false}, touched)
	}
	return Txn{Type: OpCloseSession, Op: OpCloseSession, Paths: paths}
}
