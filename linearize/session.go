package linearize

import "sort"

// CheckSessions asserts ZooKeeper's per-session FIFO guarantees: replies
// arrive in request order, the zxids a session observes never go
// backwards (also across reconnects, which the server enforces through
// lastZxidSeen), the session's writes commit in the order issued, and a read
// issued after the session's own acknowledged write sees that write or
// something newer.
func CheckSessions(history []Operation) []Violation {
	sessions := map[int64][]*Operation{}
	for i := range history {
		op := &history[i]
		// An expiry is the server's act on the session, not a request in
		// its FIFO stream.
		if op.Outcome != OutcomeUnknown && op.Client != ServerClient {
			sessions[op.Session] = append(sessions[op.Session], op)
		}
	}
	ids := make([]int64, 0, len(sessions))
	for id := range sessions {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var out []Violation
	for _, id := range ids {
		ops := sessions[id]
		sort.SliceStable(ops, func(i, j int) bool { return ops[i].Call < ops[j].Call })
		out = append(out, replyOrder(ops)...)
		out = append(out, writeOrder(ops)...)
		out = append(out, readYourWrites(ops)...)
		sort.SliceStable(ops, func(i, j int) bool { return ops[i].Return < ops[j].Return })
		out = append(out, zxidMonotone(ops)...)
	}
	return out
}

// replyOrder: ops are in call order; their replies must be too.
func replyOrder(ops []*Operation) []Violation {
	var out []Violation
	for i := 1; i < len(ops); i++ {
		if ops[i].Return < ops[i-1].Return {
			out = append(out, violation(SessionReplyOrder, []string{ops[i-1].String(), ops[i].String()},
				"reply to xid %d arrived before the reply to earlier xid %d", ops[i].Xid, ops[i-1].Xid))
		}
	}
	return out
}

// writeOrder: ops are in call order; acknowledged writes' zxids must rise.
func writeOrder(ops []*Operation) []Violation {
	var out []Violation
	var last *Operation
	for _, op := range ops {
		if op.Outcome != OutcomeOK || !op.Req.Kind.IsWrite() {
			continue
		}
		if last != nil && op.Zxid <= last.Zxid {
			out = append(out, violation(SessionWriteOrder, []string{last.String(), op.String()},
				"write issued later committed at zxid %s, not after %s", op.Zxid, last.Zxid))
		}
		last = op
	}
	return out
}

// zxidMonotone: ops are in arrival order.
func zxidMonotone(ops []*Operation) []Violation {
	var out []Violation
	for i := 1; i < len(ops); i++ {
		if ops[i].Zxid < ops[i-1].Zxid {
			out = append(out, violation(SessionZxidMonotone, []string{ops[i-1].String(), ops[i].String()},
				"session saw zxid %s after %s", ops[i].Zxid, ops[i-1].Zxid))
		}
	}
	return out
}

// ownWrite is the session's latest acknowledged write to a path.
type ownWrite struct {
	op   *Operation
	kind Kind
}

// readYourWrites: ops are in call order. A write counts for a read once it
// returned before the read was invoked.
func readYourWrites(ops []*Operation) []Violation {
	var writes []*Operation
	for _, op := range ops {
		if op.Outcome == OutcomeOK && op.Req.Kind.IsWrite() && op.Req.Kind != KindCloseSession {
			writes = append(writes, op)
		}
	}
	sort.SliceStable(writes, func(i, j int) bool { return writes[i].Return < writes[j].Return })
	latest := map[string]ownWrite{}
	next := 0
	var out []Violation
	for _, r := range ops {
		for next < len(writes) && writes[next].Return < r.Call {
			for _, s := range project(writes[next], nil) {
				latest[s.key] = ownWrite{op: writes[next], kind: s.reqs[len(s.reqs)-1].Kind}
			}
			next++
		}
		if !r.Req.Kind.IsRead() {
			continue
		}
		w, ok := latest[r.Req.Path]
		if !ok || !staleOwnRead(r, w) {
			continue
		}
		out = append(out, violation(ReadYourWrites, []string{w.op.String(), r.String()},
			"read of %s does not reflect the session's own write at zxid %s", r.Req.Path, w.op.Zxid))
	}
	return out
}

// staleOwnRead judges from the reply alone (no ground truth needed): the
// read's zxid and, where the reply carries them, the node's mzxid or czxid
// must not predate the session's write.
func staleOwnRead(r *Operation, w ownWrite) bool {
	if r.Zxid < w.op.Zxid {
		return true
	}
	present := r.Res.Err == CodeOK && (r.Req.Kind != KindExists || r.Res.Exists)
	if !present {
		return false
	}
	switch w.kind {
	case KindCreate, KindSetData:
		return r.Req.Kind != KindGetChildren && r.Res.Stat.Mzxid != 0 && r.Res.Stat.Mzxid < uint64(w.op.Zxid)
	case KindDelete:
		return r.Res.Stat.Czxid != 0 && r.Res.Stat.Czxid < uint64(w.op.Zxid)
	}
	return false
}
