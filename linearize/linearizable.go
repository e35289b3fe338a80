package linearize

import (
	"fmt"
	"sort"
	"time"

	"github.com/anishathalye/porcupine"
)

// LinearizableOptions tunes CheckLinearizable.
type LinearizableOptions struct {
	// Timeout bounds Porcupine's search; 0 means defaultTimeout. A search
	// that runs out of time is reported as a violation, never as ok.
	Timeout time.Duration
	// SkipSyncedReads leaves sync+read pairs out of the model. ZAB.md §4:
	// sync+read is not strictly linearizable, since a deposed leader can
	// still answer a sync within syncLimit; scenarios that partition a
	// leader away from its quorum set this to avoid flagging what ZooKeeper
	// permits.
	SkipSyncedReads bool
}

const defaultTimeout = time.Minute

// LinearizableResult is the outcome of the Porcupine search, kept so the
// visualization can be written afterwards.
type LinearizableResult struct {
	Violations []Violation
	info       porcupine.LinearizationInfo
	result     porcupine.CheckResult
}

// CheckLinearizable checks writes, and reads issued right after a sync,
// against a register per path.
//
// Partitioning: every path is its own partition. A multi is projected onto
// each path it touches (sound, since each projection of a linearizable
// history is linearizable), which drops its cross-path atomicity;
// CheckZxidOrder and CheckAckedWrites restore it from the zxids (all
// sub-operations share one zxid, and writes are totally ordered by zxid).
// A closeSession is projected onto every path its session created an
// ephemeral on, where it deletes the node if the session still owns it.
// Session expiry is a closeSession no client issued: the host records it
// with Recorder.SessionEnded, or ephemerals would seem to vanish unbidden. getChildren is not modelled (children couple paths); the read-prefix
// check covers it where a GroundTruth is given.
func CheckLinearizable(history []Operation, opts LinearizableOptions) (*LinearizableResult, error) {
	ops, err := porcupineOps(history, opts)
	if err != nil {
		return nil, err
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = defaultTimeout
	}
	model := znodeModel()
	res, info := porcupine.CheckOperationsVerbose(model, ops, timeout)
	out := &LinearizableResult{info: info, result: res}
	switch res {
	case porcupine.Unknown:
		out.Violations = []Violation{violation(Linearizable, nil,
			"porcupine did not finish within %s on %d operations: result unknown, counted as a failure", timeout, len(ops))}
	case porcupine.Illegal:
		out.Violations = illegalPartitions(model.Partition(ops), info)
	}
	return out, nil
}

// porcupineOps turns the history into model steps, one per (operation, path).
func porcupineOps(history []Operation, opts LinearizableOptions) ([]porcupine.Operation, error) {
	for i := range history {
		if err := validateOp(&history[i]); err != nil {
			return nil, err
		}
	}
	owned := ephemeralKeys(history)
	prev := previousInSession(history)
	var out []porcupine.Operation
	for i := range history {
		op := &history[i]
		call := op.Call
		switch {
		case op.Req.Kind == KindGetData || op.Req.Kind == KindExists:
			p, ok := prev[i]
			if opts.SkipSyncedReads || !ok || op.Outcome == OutcomeUnknown {
				continue
			}
			sync := history[p]
			if sync.Req.Kind != KindSync || sync.Outcome != OutcomeOK {
				continue
			}
			call = sync.Call
		case !op.Req.Kind.IsWrite():
			continue
		}
		for _, s := range project(op, owned) {
			out = append(out, porcupine.Operation{
				ClientId: op.Stream, Input: s, Call: call, Return: op.Return,
			})
		}
	}
	return out, nil
}

func validateOp(op *Operation) error {
	if op.Return < op.Call {
		return malformed("return before call: %s", op)
	}
	if (op.Outcome == OutcomeUnknown) != (op.Return == Infinity) {
		return malformed("an operation ends at infinity exactly when its outcome is unknown: %s", op)
	}
	if op.Req.Kind == KindMulti && op.Outcome != OutcomeUnknown && len(op.Res.Ops) != len(op.Req.Ops) && !wholeMultiFailed(op) {
		return malformed("multi with %d sub-requests has %d sub-results: %s", len(op.Req.Ops), len(op.Res.Ops), op)
	}
	return nil
}

// wholeMultiFailed: a multi refused as a whole before any sub-request was
// tried (SessionMoved, SessionExpired, a marshalling error) is answered by
// ZooKeeper with the error in the reply header and no sub-results. It
// changed nothing and says nothing about any path.
func wholeMultiFailed(op *Operation) bool {
	return op.Req.Kind == KindMulti && op.Outcome == OutcomeFailed && op.Res.Err != CodeOK && len(op.Res.Ops) == 0
}

// keyedStep is a step with the path it belongs to.
type keyedStep struct {
	step
	key string
}

// project splits an operation into per-path steps, in sub-request order.
func project(op *Operation, owned map[int64][]string) []*keyedStep {
	if op.Req.Kind == KindCloseSession {
		var out []*keyedStep
		for _, k := range owned[op.Session] {
			out = append(out, &keyedStep{step: step{op: op, reqs: []Request{op.Req}, ress: []Result{op.Res}, outcome: op.Outcome}, key: k})
		}
		return out
	}
	if wholeMultiFailed(op) {
		return nil
	}
	reqs, ress := []Request{op.Req}, []Result{op.Res}
	if op.Req.Kind == KindMulti {
		reqs, ress = op.Req.Ops, op.Res.Ops
	}
	byKey := map[string]*keyedStep{}
	var order []string
	for i, req := range reqs {
		key := req.Path
		var res Result
		if op.Outcome != OutcomeUnknown && i < len(ress) {
			// A multi short of results is refused by validateOp; the other
			// checkers judge what is there rather than panic.
			res = ress[i]
		}
		if req.Kind == KindCreate && req.Sequential {
			// The name is known only from a successful reply; a sequential
			// create whose name nobody learnt cannot be named by any other
			// operation on the register model's side either.
			if op.Outcome == OutcomeUnknown || res.Err != CodeOK || res.Created == "" {
				continue
			}
			key = res.Created
		}
		s, ok := byKey[key]
		if !ok {
			s = &keyedStep{step: step{op: op, outcome: op.Outcome}, key: key}
			byKey[key] = s
			order = append(order, key)
		}
		s.reqs = append(s.reqs, req)
		if op.Outcome != OutcomeUnknown {
			s.ress = append(s.ress, res)
		}
	}
	out := make([]*keyedStep, len(order))
	for i, k := range order {
		out[i] = byKey[k]
	}
	return out
}

// ephemeralKeys lists, per session, the paths it may have created
// ephemerals on, sorted.
func ephemeralKeys(history []Operation) map[int64][]string {
	sets := map[int64]map[string]bool{}
	for i := range history {
		op := &history[i]
		if op.Outcome == OutcomeFailed {
			continue
		}
		for _, s := range project(op, nil) {
			for _, r := range s.reqs {
				if r.Kind == KindCreate && r.Ephemeral {
					if sets[op.Session] == nil {
						sets[op.Session] = map[string]bool{}
					}
					sets[op.Session][s.key] = true
				}
			}
		}
	}
	out := make(map[int64][]string, len(sets))
	for sess, keys := range sets {
		for k := range keys {
			out[sess] = append(out[sess], k)
		}
		sort.Strings(out[sess])
	}
	return out
}

// previousInSession maps each operation index to the index of the same
// session's operation invoked just before it.
func previousInSession(history []Operation) map[int]int {
	idx := make([]int, len(history))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		x, y := history[idx[a]], history[idx[b]]
		if x.Session != y.Session {
			return x.Session < y.Session
		}
		return x.Call < y.Call
	})
	prev := map[int]int{}
	for j := 1; j < len(idx); j++ {
		if history[idx[j-1]].Session == history[idx[j]].Session {
			prev[idx[j]] = idx[j-1]
		}
	}
	return prev
}

// partitionByKey groups steps by path, in sorted path order so the
// visualization and the evidence are deterministic.
func partitionByKey(ops []porcupine.Operation) [][]porcupine.Operation {
	groups := map[string][]porcupine.Operation{}
	for _, o := range ops {
		k := o.Input.(*keyedStep).key
		groups[k] = append(groups[k], o)
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([][]porcupine.Operation, len(keys))
	for i, k := range keys {
		out[i] = groups[k]
	}
	return out
}

// illegalPartitions names each path whose history has no linearization,
// with the operations the longest partial linearization could not place.
func illegalPartitions(parts [][]porcupine.Operation, info porcupine.LinearizationInfo) []Violation {
	partials := info.PartialLinearizations()
	var out []Violation
	for i, part := range parts {
		longest := []int{}
		for _, l := range partials[i] {
			if len(l) > len(longest) {
				longest = l
			}
		}
		if len(longest) == len(part) {
			continue
		}
		placed := make([]bool, len(part))
		for _, j := range longest {
			placed[j] = true
		}
		state := znodeModel().Init()
		evidence := []string{}
		for _, j := range longest {
			_, state = stepRegs(state, part[j].Input)
		}
		evidence = append(evidence, fmt.Sprintf("after %d of %d operations the register is %s", len(longest), len(part), describeRegs(state)))
		for j, o := range part {
			if !placed[j] && len(evidence) < evidenceLinesMax {
				evidence = append(evidence, "not linearizable: "+o.Input.(*keyedStep).op.String())
			}
		}
		out = append(out, violation(Linearizable, evidence, "no linearization of the operations on %s", part[0].Input.(*keyedStep).key))
	}
	return out
}

// evidenceLinesMax bounds the evidence of one violation.
const evidenceLinesMax = 12
