package experiments

import (
	"fmt"
	"sort"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/reports"
	"github.com/zabsim/zabsim/scenarios"
	"github.com/zabsim/zabsim/sim/zk"
)

// QuorumScenario is the scenario of the quorum sweep: 5 servers under
// every partition shape, with the quorum size overridden.
const QuorumScenario = "split-brain-quorum2"

// quorumRun is what one run of the sweep leaves behind.
type quorumRun struct {
	lost, split         int
	attempted, answered int
	verdict             linearize.Verdict
}

// QuorumSweep runs the partitions of QuorumScenario on servers with each
// quorum size 1..servers (zabsim run --scenario split-brain-quorum2
// --quorum Q) and counts, per quorum size, the acknowledged writes the
// checkers found lost, the epochs with more than one established leader,
// and the writes answered ok while the faults lasted. Runs with a quorum
// larger than half the servers must be clean; they are named in Verdicts
// when they are not.
func QuorumSweep(c Config, servers int) (reports.QuorumSweep, Verdicts, error) {
	base := scenario(QuorumScenario)
	runs, err := grid(c, "quorum sweep", servers, func(p int, seed uint64) (quorumRun, error) {
		out, err := scenarios.Run(base, seed, scenarios.Options{Overrides: scenarios.Overrides{Servers: servers, Quorum: p + 1}})
		if err != nil {
			return quorumRun{}, err
		}
		r := quorumRun{lost: lostAckedWrites(out.Result), split: splitBrainEpochs(out.Result.Zab), verdict: out.Verdict}
		r.attempted, r.answered = window{0, out.Scenario.Duration}.writes(out.Result.History)
		return r, nil
	})
	if err != nil {
		return reports.QuorumSweep{}, Verdicts{}, err
	}
	sweep := reports.QuorumSweep{Servers: servers}
	var v Verdicts
	for p := range servers {
		q := p + 1
		pt := reports.QuorumPoint{Quorum: q, Seeds: len(runs[p])}
		for s, r := range runs[p] {
			pt.LostAckedWrites += r.lost
			pt.SplitBrainEpochs += r.split
			pt.WritesAttempted += r.attempted
			pt.WritesSucceeded += r.answered
			if 2*q > servers {
				v.add(fmt.Sprintf("quorum %d of %d", q, servers), c.seed(s), r.verdict)
			}
		}
		sweep.Points = append(sweep.Points, pt)
	}
	return sweep, v, nil
}

// lostAckedWrites counts the writes a client was told succeeded that are
// missing from the history the ensemble finally agreed on. A write is lost
// when the acked-write-durable check reported it, or when it was committed
// before the last leader was established and that leader's history lacks
// it: every server ends up synchronized to that history, so the write is
// gone, which committed-log-monotonicity reports once per leader rather
// than per write. (The checker's ground truth is every transaction ever
// committed, so a write truncated later is still found in it.)
func lostAckedWrites(res zk.Result) int {
	flagged := map[string]bool{}
	lost := res.Verdict.Suppressed[linearize.AckedWriteDurable]
	for _, v := range res.Verdict.Violations {
		if v.Check == linearize.AckedWriteDurable && len(v.Evidence) > 0 {
			flagged[v.Evidence[0]] = true
		}
	}
	if len(res.Zab.Leaders) == 0 {
		return lost + len(flagged)
	}
	final := res.Zab.Leaders[len(res.Zab.Leaders)-1]
	commits := map[linearize.Zxid][]linearize.Commit{}
	for _, c := range res.Zab.Commits {
		commits[c.Zxid] = append(commits[c.Zxid], c)
	}
	for _, op := range res.History {
		if !isWrite(op) || op.Outcome != linearize.OutcomeOK {
			continue
		}
		if len(flagged) > 0 && flagged[op.String()] {
			lost++
			continue
		}
		if c, ok := commitOf(commits[op.Zxid], op.Return); ok && lacks(final, c) {
			lost++
		}
	}
	return lost
}

// commitOf is the commit the reply at time ret reported: the last one of
// its zxid before the reply (a broken ensemble may commit one zxid twice).
func commitOf(cs []linearize.Commit, ret int64) (linearize.Commit, bool) {
	var found linearize.Commit
	ok := false
	for _, c := range cs {
		if c.Time <= ret && (!ok || c.Time >= found.Time) {
			found, ok = c, true
		}
	}
	return found, ok
}

// lacks reports whether leader l, established after commit c, starts
// from a history without c's entry. Entries up to the leader's snapshot
// are not listed, so they count as held.
func lacks(l linearize.Establishment, c linearize.Commit) bool {
	if l.Time <= c.Time || c.Zxid <= l.Base {
		return false
	}
	i := sort.Search(len(l.History), func(i int) bool { return l.History[i].Zxid >= c.Zxid })
	return i == len(l.History) || l.History[i] != c.Entry
}

// splitBrainEpochs counts the epochs in which more than one server
// established itself as leader.
func splitBrainEpochs(rec linearize.ZabRecord) int {
	leaders := map[uint32]map[int]bool{}
	for _, l := range rec.Leaders {
		if leaders[l.Epoch] == nil {
			leaders[l.Epoch] = map[int]bool{}
		}
		leaders[l.Epoch][l.Sid] = true
	}
	n := 0
	for _, sids := range leaders {
		if len(sids) > 1 {
			n++
		}
	}
	return n
}
