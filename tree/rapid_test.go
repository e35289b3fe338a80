package tree

import (
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// model is the reference: a plain map of path to node, with ZooKeeper's
// rules written as directly as possible.
type model map[string]*modelNode

type modelNode struct {
	data     []byte
	version  int32
	creates  int32 // child creates, which name sequential children
	children int32
	owner    int64
}

func newModel() model {
	m := model{}
	for _, p := range []string{"/", PathZookeeper, PathQuota, PathConfig} {
		m[p] = &modelNode{data: []byte{}}
	}
	m["/"].children = 1
	m[PathZookeeper].children = 2
	return m
}

func (m model) clone() model {
	out := model{}
	for p, n := range m {
		c := *n
		out[p] = &c
	}
	return out
}

func parentOf(path string) string {
	parent, _, _ := splitPath(path)
	return lookupKey(parent)
}

func (m model) apply(session int64, r Request) error {
	switch r.Op {
	case OpCreate:
		parent := m[parentOf(r.Path)]
		if parent == nil {
			return ErrNoNode
		}
		path := r.Path
		if r.Flags&FlagSequential != 0 {
			path += formatSequence(parent.creates)
		}
		if m[path] != nil {
			return ErrNodeExists
		}
		if parent.owner != 0 {
			return ErrNoChildrenForEphemerals
		}
		owner := int64(0)
		if r.Flags&FlagEphemeral != 0 {
			owner = session
		}
		parent.creates++
		parent.children++
		m[path] = &modelNode{data: r.Data, owner: owner}
	case OpDelete:
		n := m[r.Path]
		if n == nil {
			return ErrNoNode
		}
		if r.Version != -1 && r.Version != n.version {
			return ErrBadVersion
		}
		if n.children > 0 {
			return ErrNotEmpty
		}
		delete(m, r.Path)
		m[parentOf(r.Path)].children--
	case OpSetData:
		n := m[r.Path]
		if n == nil {
			return ErrNoNode
		}
		if r.Version != -1 && r.Version != n.version {
			return ErrBadVersion
		}
		n.version++
		n.data = r.Data
	}
	return nil
}

func (m model) closeSession(session int64) {
	for _, p := range slices.Sorted(maps.Keys(m)) {
		if m[p].owner == session {
			delete(m, p)
			m[parentOf(p)].children--
		}
	}
}

type machine struct {
	tree  *Tree
	prep  *Preparer
	model model
	zxid  int64
}

func (s *machine) write(t *rapid.T, session int64, r Request) Result {
	s.zxid++
	txn, err := s.prep.Prepare(s.zxid, Caller{Session: session}, s.zxid, r)
	require.NoError(t, err)
	decoded, err := UnmarshalTxn(txn.Marshal())
	require.NoError(t, err)
	res, _ := s.tree.Apply(s.zxid, decoded)
	s.prep.Applied(s.zxid)
	return res
}

func genPath(t *rapid.T, label string) string {
	depth := rapid.IntRange(1, 3).Draw(t, label+"depth")
	path := ""
	for range depth {
		path += "/" + rapid.SampledFrom([]string{"a", "b", "c"}).Draw(t, label+"name")
	}
	return path
}

func genWrite(t *rapid.T, label string) Request {
	path := genPath(t, label)
	version := rapid.SampledFrom([]int32{-1, 0, 1, 2}).Draw(t, label+"version")
	switch rapid.IntRange(0, 2).Draw(t, label+"op") {
	case 0:
		flags := rapid.SampledFrom([]int32{FlagPersistent, FlagEphemeral, FlagSequential, FlagEphemeralSequential}).Draw(t, label+"flags")
		if flags&FlagSequential != 0 {
			path += "-"
		}
		return Request{Op: OpCreate, Path: path, Data: []byte(label), ACL: WorldACL(PermAll), Flags: flags}
	case 1:
		return Request{Op: OpDelete, Path: path, Version: version}
	}
	data := rapid.SampledFrom([][]byte{nil, {}, []byte("v")}).Draw(t, label+"data")
	return Request{Op: OpSetData, Path: path, Data: data, Version: version}
}

func TestStateMachine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tr := New(Config{})
		s := &machine{tree: tr, prep: NewPreparer(tr), model: newModel()}
		steps := rapid.IntRange(1, 60).Draw(t, "steps")
		for range steps {
			session := rapid.Int64Range(1, 2).Draw(t, "session")
			switch rapid.IntRange(0, 9).Draw(t, "kind") {
			case 0:
				s.write(t, session, Request{Op: OpCloseSession})
				s.model.closeSession(session)
			case 1, 2:
				n := rapid.IntRange(0, 3).Draw(t, "ops")
				ops := make([]Request, n)
				for i := range ops {
					ops[i] = genWrite(t, "m")
				}
				scratch := s.model.clone()
				failed := -1
				var failure error
				for i, o := range ops {
					if err := scratch.apply(session, o); err != nil {
						failed, failure = i, err
						break
					}
				}
				res := s.write(t, session, Request{Op: OpMulti, Ops: ops})
				require.Len(t, res.Multi, n)
				if failed < 0 {
					s.model = scratch
					for _, sub := range res.Multi {
						require.NoError(t, sub.Err)
					}
				} else {
					require.ErrorIs(t, res.Multi[failed].Err, failure)
				}
			default:
				r := genWrite(t, "w")
				want := s.model.apply(session, r)
				res := s.write(t, session, r)
				if want == nil {
					require.NoError(t, res.Err, "%s", r)
				} else {
					require.ErrorIs(t, res.Err, want, "%s", r)
				}
			}
			s.check(t)
		}
	})
}

func (s *machine) check(t *rapid.T) {
	tr := s.tree
	require.Equal(t, len(s.model), len(tr.nodes))
	counts := map[string]int32{}
	for _, p := range sortedKeys(tr.nodes) {
		n := tr.nodes[p]
		want := s.model[p]
		require.NotNil(t, want, "tree has %s, model does not", p)
		st := n.stat()
		require.Equal(t, want.version, st.Version, p)
		require.Equal(t, 2*want.creates-want.children, st.Cversion, p)
		require.Equal(t, want.children, st.NumChildren, p)
		require.Equal(t, want.owner, st.EphemeralOwner, p)
		require.Equal(t, want.data, n.data, p)
		if p != "/" {
			counts[parentOf(p)]++
			require.False(t, tr.nodes[parentOf(p)].isEphemeral(), "child %s under an ephemeral", p)
		}
	}
	for _, p := range sortedKeys(tr.nodes) {
		require.Equal(t, counts[p], int32(tr.nodes[p].children.Len()), p)
	}
	require.Equal(t, tr.RecomputeDigest(), tr.Digest())
	snap := tr.EncodeSnapshot()
	round, err := DecodeSnapshot(snap)
	require.NoError(t, err)
	require.Equal(t, snap, round.EncodeSnapshot())
	require.Equal(t, tr.Digest(), round.Digest())
	require.Zero(t, s.prep.Pending())
}
