package linearize

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/anishathalye/porcupine"
)

// register is one znode as the linearizability model sees it. Children are
// deliberately absent: they couple paths, and the checks that need them
// (NotEmpty, missing parents) are left unconstrained instead.
type register struct {
	exists  bool
	data    string
	version int32
	owner   int64 // ephemeral owner session, 0 for persistent
}

func (r register) String() string {
	if !r.exists {
		return "absent"
	}
	if r.owner != 0 {
		return fmt.Sprintf("%q v%d eph=0x%x", r.data, r.version, uint64(r.owner))
	}
	return fmt.Sprintf("%q v%d", r.data, r.version)
}

// step is the projection of one operation onto one path: the sub-requests
// that touch the path, in order, with their results.
type step struct {
	op      *Operation
	reqs    []Request
	ress    []Result // nil when the outcome is unknown
	outcome Outcome
}

// try computes what ZooKeeper would answer to req against r, ignoring the
// parent (it is another path): missing parents and ephemeral parents are
// accepted as explanations of a create's failure wherever they are seen.
func try(r register, req Request, session int64) (register, ErrCode) {
	switch req.Kind {
	case KindCreate:
		if r.exists {
			return r, CodeNodeExists
		}
		owner := int64(0)
		if req.Ephemeral {
			owner = session
		}
		return register{exists: true, data: req.Data, owner: owner}, CodeOK
	case KindDelete, KindSetData, KindCheck:
		if !r.exists {
			return r, CodeNoNode
		}
		if req.Version != -1 && req.Version != r.version {
			return r, CodeBadVersion
		}
		switch req.Kind {
		case KindDelete:
			return register{}, CodeOK
		case KindSetData:
			return register{exists: true, data: req.Data, version: r.version + 1, owner: r.owner}, CodeOK
		}
		return r, CodeOK
	case KindCloseSession:
		if r.exists && r.owner == session {
			return register{}, CodeOK
		}
		return r, CodeOK
	}
	return r, CodeOK
}

// matches reports whether a reply is consistent with r and gives the state
// after the request if it took effect. Without withOutput only the error
// code is judged: the sub-results of a failed multi carry no Stat.
func matches(r register, req Request, res Result, session int64, withOutput bool) (register, bool) {
	next, code := try(r, req, session)
	switch req.Kind {
	case KindGetData:
		if res.Err == CodeNoNode {
			return r, !r.exists
		}
		return r, res.Err != CodeOK || (r.exists && r.data == res.Data && r.version == res.Stat.Version)
	case KindExists:
		present := res.Err == CodeOK && res.Exists
		if res.Err != CodeOK && res.Err != CodeNoNode {
			return r, true
		}
		return r, present == r.exists && (!present || r.version == res.Stat.Version)
	}
	switch res.Err {
	case CodeOK:
		if code != CodeOK {
			return r, false
		}
		if withOutput && req.Kind == KindSetData && res.Stat.Version != next.version {
			return r, false
		}
		return next, true
	case CodeNoNode:
		return r, req.Kind == KindCreate || code == CodeNoNode
	case CodeNoChildrenForEphemerals:
		return r, req.Kind == KindCreate && code == CodeOK
	case CodeNotEmpty:
		return r, req.Kind == KindDelete && code == CodeOK
	case CodeNodeExists, CodeBadVersion:
		return r, code == res.Err
	}
	// Any other code (session expired, bad arguments, runtime inconsistency
	// after an earlier failure in a multi) means "not applied".
	return r, true
}

// apply returns every state the register may be in after s.
func apply(r register, s step) []register {
	switch s.outcome {
	case OutcomeOK:
		next := r
		for i, req := range s.reqs {
			var ok bool
			if next, ok = matches(next, req, s.ress[i], s.op.Session, true); !ok {
				return nil
			}
		}
		return []register{next}
	case OutcomeFailed:
		// Sub-requests before the failing one succeeded speculatively and
		// those after it carry RuntimeInconsistency, so checking each
		// against the speculative state validates exactly the failure.
		spec := r
		for i := range s.reqs {
			var ok bool
			if spec, ok = matches(spec, s.reqs[i], s.ress[i], s.op.Session, false); !ok {
				return nil
			}
		}
		return []register{r}
	}
	// Unknown: either nothing happened, or every sub-request on this path
	// succeeded (a multi that failed elsewhere also leaves this path alone).
	next := r
	for _, req := range s.reqs {
		var code ErrCode
		if next, code = try(next, req, s.op.Session); code != CodeOK {
			return []register{r}
		}
	}
	if next == r {
		return []register{r}
	}
	return []register{r, next}
}

// regSet is the set of registers a path may hold. The model is
// nondeterministic only through ambiguous writes; keeping the set explicitly
// (instead of Porcupine's generic power-set wrapper) keeps states small and
// hashable.
type regSet []register

func stepRegs(state, input any) (bool, any) {
	cur := state.(regSet)
	s := input.(*keyedStep)
	var out regSet
	for _, r := range cur {
		for _, n := range apply(r, s.step) {
			if !out.has(n) {
				out = append(out, n)
			}
		}
	}
	return len(out) > 0, out
}

func (s regSet) has(r register) bool {
	for _, x := range s {
		if x == r {
			return true
		}
	}
	return false
}

func equalRegs(a, b any) bool {
	s, o := a.(regSet), b.(regSet)
	if len(s) != len(o) {
		return false
	}
	for _, x := range s {
		if !o.has(x) {
			return false
		}
	}
	return true
}

// hashRegs combines member hashes with XOR because the set is unordered.
func hashRegs(state any) uint64 {
	var h uint64
	for _, r := range state.(regSet) {
		f := fnv.New64a()
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(r.version)<<1|boolBit(r.exists))
		f.Write(b[:])
		binary.LittleEndian.PutUint64(b[:], uint64(r.owner))
		f.Write(b[:])
		f.Write([]byte(r.data))
		h ^= f.Sum64()
	}
	return h
}

func boolBit(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func describeRegs(state any) string {
	s := state.(regSet)
	if len(s) == 1 {
		return s[0].String()
	}
	parts := make([]string, len(s))
	for i, r := range s {
		parts[i] = r.String()
	}
	return "one of {" + strings.Join(parts, ", ") + "}"
}

func describeStep(input, _ any) string {
	return input.(*keyedStep).op.String()
}

// znodeModel is the Porcupine model of one path (or, for a read issued after
// sync, the sync+read pair on one path).
func znodeModel() porcupine.Model {
	return porcupine.Model{
		Partition:         partitionByKey,
		Init:              func() any { return regSet{{}} },
		Step:              func(state, input, _ any) (bool, any) { return stepRegs(state, input) },
		Equal:             equalRegs,
		Hash:              hashRegs,
		DescribeOperation: describeStep,
		DescribeState:     describeRegs,
	}
}
