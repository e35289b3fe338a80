package linearize

import (
	"fmt"
	"slices"
)

// CheckReadPrefix asserts that every answered read returns the committed
// state at the zxid it was answered at. ZooKeeper serves reads locally, so
// they may be stale in real time, but the replica that answered must have
// applied exactly the committed prefix up to that zxid.
func CheckReadPrefix(history []Operation, truth *GroundTruth) []Violation {
	var out []Violation
	for i := range history {
		op := &history[i]
		if !op.Req.Kind.IsRead() || op.Outcome == OutcomeUnknown {
			continue
		}
		if op.Res.Err != CodeOK && op.Res.Err != CodeNoNode {
			continue
		}
		got := truth.ValueAt(op.Req.Path, op.Zxid)
		if readMatches(op, got, truth) {
			continue
		}
		want := describeEffect(got, op.Zxid)
		if op.Req.Kind == KindGetChildren {
			want += fmt.Sprintf(" children=%v", truth.ChildrenAt(op.Req.Path, op.Zxid))
		}
		out = append(out, violation(ReadPrefix, []string{op.String(), want},
			"%s %s answered at zxid %s does not match the committed prefix", op.Req.Kind, op.Req.Path, op.Zxid))
	}
	return out
}

func readMatches(op *Operation, got Effect, truth *GroundTruth) bool {
	if op.Res.Err == CodeNoNode {
		return !got.Exists
	}
	switch op.Req.Kind {
	case KindGetData:
		return got.Exists && got.Data == op.Res.Data && got.Version == op.Res.Stat.Version &&
			(op.Res.Stat.Mzxid == 0 || op.Res.Stat.Mzxid == got.Mzxid)
	case KindExists:
		return got.Exists == op.Res.Exists && (!got.Exists || got.Version == op.Res.Stat.Version)
	}
	kids := slices.Clone(op.Res.Children)
	slices.Sort(kids)
	return got.Exists && slices.Equal(kids, truth.ChildrenAt(op.Req.Path, op.Zxid))
}
