package linearize

// Run is everything recorded about one simulated run. Only History is
// required; each other part enables the checks that need it.
type Run struct {
	History []Operation
	// Truth is the committed history; it enables the read-prefix,
	// acknowledged-write, ephemeral and missed-watch checks.
	Truth    *GroundTruth
	Zab      *ZabRecord
	Watches  []SessionStream
	Liveness *Liveness
	Options  LinearizableOptions
}

// CheckRun runs every check the run's records allow and gathers one Verdict.
// The LinearizableResult is returned for VisualizePath. Errors are about
// malformed input only (they wrap ErrMalformed).
func CheckRun(run Run) (Verdict, *LinearizableResult, error) {
	var v Verdict
	lin, err := CheckLinearizable(run.History, run.Options)
	if err != nil {
		return v, nil, err
	}
	v.Add(lin.Violations...)
	v.Add(CheckZxidOrder(run.History, run.Options)...)
	v.Add(CheckSessions(run.History)...)
	v.Add(CheckSequential(run.History, run.Truth)...)
	if run.Truth != nil {
		v.Add(CheckAckedWrites(run.History, run.Truth)...)
		v.Add(CheckReadPrefix(run.History, run.Truth)...)
		v.Add(CheckEphemerals(run.Truth)...)
	}
	v.Add(CheckWatches(run.Watches, run.Truth)...)
	if run.Zab != nil {
		zab, err := CheckZab(run.Zab)
		if err != nil {
			return v, nil, err
		}
		v.Add(zab...)
	}
	if run.Liveness != nil {
		live, err := CheckLiveness(*run.Liveness, run.History)
		if err != nil {
			return v, nil, err
		}
		v.Add(live...)
	}
	return v, lin, nil
}
