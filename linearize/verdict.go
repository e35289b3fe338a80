package linearize

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrMalformed is wrapped by every error about input the checkers cannot
// judge (a history that breaks the recorder's rules, a log out of order): it
// is the host's mistake, not the system's, and must not become a verdict.
var ErrMalformed = errors.New("linearize: malformed input")

// ErrOverlap is returned by the Recorder when a client invokes an operation
// while its previous one is still outstanding.
var ErrOverlap = errors.New("linearize: client already has an outstanding operation")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// Check names one asserted property. The names are stable: they appear in
// `zabsim run --json` output and in golden files.
type Check string

// The checks, grouped as in DESIGN.md §4.
const (
	Linearizable        Check = "linearizable-writes"
	ZxidRealTime        Check = "zxid-real-time-order"
	AckedWriteDurable   Check = "acked-write-durable"
	SessionReplyOrder   Check = "session-reply-order"
	SessionZxidMonotone Check = "session-zxid-monotonic"
	ReadYourWrites      Check = "session-read-your-writes"
	SessionWriteOrder   Check = "session-write-order"
	ReadPrefix          Check = "read-committed-prefix"
	OneLeaderPerEpoch   Check = "one-leader-per-epoch"
	PrefixConsistency   Check = "prefix-consistency"
	TotalOrder          Check = "total-order"
	Integrity           Check = "integrity"
	LocalPrimaryOrder   Check = "local-primary-order"
	GlobalPrimaryOrder  Check = "global-primary-order"
	PrimaryIntegrity    Check = "primary-integrity"
	CommittedMonotonic  Check = "committed-log-monotonicity"
	DurableBeforeAck    Check = "durable-before-ack"
	MemoryDiskAgreement Check = "memory-disk-agreement"
	EpochSanity         Check = "epoch-file-sanity"
	TreeDigest          Check = "equal-tree-digest"
	ZxidUnique          Check = "zxid-uniqueness"
	QuorumIntersection  Check = "quorum-intersection"
	Contiguity          Check = "contiguity"
	Ephemeral           Check = "ephemeral-lifetime"
	SequentialUnique    Check = "sequential-unique"
	WatchOnce           Check = "watch-fires-once"
	WatchOrder          Check = "watch-order"
	WatchMissed         Check = "watch-before-newer-data"
	LivenessLeader      Check = "liveness-leader"
	LivenessPending     Check = "liveness-pending"
	// ExpiryAfterSilence: a leader expired a session it had heard from
	// less than a session timeout before, on its own clock.
	ExpiryAfterSilence Check = "session-expiry-after-silence"
	// RecoveryFromDisk: a crashed server restarted and could not rebuild
	// itself from what its own disk held.
	RecoveryFromDisk Check = "recovery-from-disk"
	// ShouldNotBeTriggered: a server took a branch the TLA+
	// specifications flag as impossible in a correct run (a COMMIT with
	// no proposal, a NEWLEADER ACK from the wrong epoch, ...).
	ShouldNotBeTriggered Check = "should-not-be-triggered"
)

// Violation is one failed check with the evidence that proves it, one
// stable line per operation or log entry.
type Violation struct {
	Check    Check
	Summary  string
	Evidence []string
}

func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", v.Check, v.Summary)
	for _, e := range v.Evidence {
		b.WriteString("\n    ")
		b.WriteString(e)
	}
	return b.String()
}

// Line is the violation on one line, for the --json "violations" array.
func (v Violation) Line() string {
	if len(v.Evidence) == 0 {
		return fmt.Sprintf("%s: %s", v.Check, v.Summary)
	}
	return fmt.Sprintf("%s: %s [%s]", v.Check, v.Summary, strings.Join(v.Evidence, " | "))
}

func violation(c Check, evidence []string, format string, args ...any) Violation {
	return Violation{Check: c, Summary: fmt.Sprintf(format, args...), Evidence: evidence}
}

// evidenceMax bounds how many violations of one check a verdict keeps, so a
// badly broken run (every read stale) yields a readable report, not 10,000
// lines; the count of the rest is kept.
const evidenceMax = 20

// Verdict is the outcome of checking one run: ok when Violations is empty.
type Verdict struct {
	Violations []Violation
	// Suppressed counts violations dropped per check beyond evidenceMax.
	Suppressed map[Check]int
}

// OK reports whether every check passed.
func (v Verdict) OK() bool { return len(v.Violations) == 0 }

// Failed lists the names of the failed checks, sorted, each once.
func (v Verdict) Failed() []Check {
	seen := map[Check]bool{}
	var out []Check
	for _, x := range v.Violations {
		if !seen[x.Check] {
			seen[x.Check] = true
			out = append(out, x.Check)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Lines is one line per violation, in a deterministic order.
func (v Verdict) Lines() []string {
	out := make([]string, 0, len(v.Violations)+len(v.Suppressed))
	for _, x := range v.Violations {
		out = append(out, x.Line())
	}
	checks := make([]Check, 0, len(v.Suppressed))
	for c := range v.Suppressed {
		checks = append(checks, c)
	}
	sort.Slice(checks, func(i, j int) bool { return checks[i] < checks[j] })
	for _, c := range checks {
		out = append(out, fmt.Sprintf("%s: %d more violations not shown", c, v.Suppressed[c]))
	}
	return out
}

func (v Verdict) String() string {
	if v.OK() {
		return "ok"
	}
	return "violation\n" + strings.Join(v.Lines(), "\n")
}

// Add merges violations into the verdict, keeping at most evidenceMax per
// check and sorting so the verdict does not depend on checker order.
func (v *Verdict) Add(vs ...Violation) {
	count := map[Check]int{}
	for _, x := range v.Violations {
		count[x.Check]++
	}
	for _, x := range vs {
		if count[x.Check] >= evidenceMax {
			if v.Suppressed == nil {
				v.Suppressed = map[Check]int{}
			}
			v.Suppressed[x.Check]++
			continue
		}
		count[x.Check]++
		v.Violations = append(v.Violations, x)
	}
	sort.SliceStable(v.Violations, func(i, j int) bool {
		return v.Violations[i].Check < v.Violations[j].Check
	})
}
