package linearize

// CheckAckedWrites asserts that every acknowledged write is in the committed
// history at the zxid its reply carried, with the effect the client was
// told about. This is the client-visible form of committed-log
// monotonicity (a write lost in a leader change fails here), and, because a
// multi's sub-requests are all judged at one zxid, it is also where the
// multi's cross-path atomicity is checked.
func CheckAckedWrites(history []Operation, truth *GroundTruth) []Violation {
	var out []Violation
	for i := range history {
		op := &history[i]
		if op.Outcome != OutcomeOK || !op.Req.Kind.IsWrite() {
			continue
		}
		txn, ok := truth.At(op.Zxid)
		if !ok {
			out = append(out, violation(AckedWriteDurable, []string{op.String()},
				"acknowledged write at zxid %s is not in the committed history", op.Zxid))
			continue
		}
		if op.Req.Kind == KindCloseSession {
			// An expiry has no client request identity; what identifies it
			// is the session it ends.
			if txn.Kind != TxnCloseSession || txn.Session != op.Session {
				out = append(out, violation(AckedWriteDurable, []string{op.String(), describeTxn(txn)},
					"session 0x%x ended at zxid %s, but the committed history holds another transaction there", uint64(op.Session), op.Zxid))
			}
			continue
		}
		if txn.Request != op.ID() {
			out = append(out, violation(AckedWriteDurable, []string{op.String()},
				"acknowledged write at zxid %s: the committed history holds request %s there", op.Zxid, txn.Request))
			continue
		}
		for _, s := range project(op, nil) {
			want := s.reqs[len(s.reqs)-1]
			got := truth.ValueAt(s.key, op.Zxid)
			if !effectMatches(want, s.ress[len(s.ress)-1], got) {
				out = append(out, violation(AckedWriteDurable, []string{op.String(), describeEffect(got, op.Zxid)},
					"acknowledged write's effect on %s is not the committed state at zxid %s", s.key, op.Zxid))
			}
		}
	}
	return out
}

// effectMatches compares the last sub-request on a path with the committed
// state after the transaction.
func effectMatches(req Request, res Result, got Effect) bool {
	switch req.Kind {
	case KindCreate:
		return got.Exists && got.Data == req.Data
	case KindSetData:
		return got.Exists && got.Data == req.Data && got.Version == res.Stat.Version
	case KindDelete:
		return !got.Exists
	}
	return true
}

func describeEffect(e Effect, z Zxid) string {
	r := register{exists: e.Exists, data: e.Data, version: e.Version, owner: e.Owner}
	return "committed " + e.Path + " at " + z.String() + ": " + r.String()
}
