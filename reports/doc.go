// Package reports turns numbers that other packages produced into figures
// and self-contained HTML pages.
//
// It draws and never decides: verdicts, expectations and every measured
// value arrive in plain input types declared here, which the command line
// fills from the simulator and the checkers. Keeping the package free of
// protocol, tree and linearize imports means a figure can be redrawn from
// saved numbers, and a change to a checker can never change what a report
// claims without the caller saying so.
//
// Figures, each written as dir/NAME.png (for the page) and dir/NAME.svg
// (for zooming and print):
//
//	LatencyPercentiles  []LatencyBySize       p50/p99/p999 commit latency by ensemble size
//	LatencyCDF          []LatencyBySize       commit latency distribution, one curve per size
//	Availability        []AvailabilityBySize  writes that succeed and time with a leader, by crashed servers
//	QuorumSafety        QuorumSweep           lost acknowledged writes and split-brain epochs next to availability, by quorum size
//	TimelineFigure      Timeline              one run: latency per op, faults, leader changes, role bands
//	Elections           []ElectionTimes       election time by tickTime and finalize wait
//	Throughput          []ThroughputSeries    operations per second by client count
//
// Each returns a Figure: the file names relative to dir and the table of
// numbers behind the picture. WriteIndex lays figures out on the page of
// `zabsim report`, each with its table and the command that reproduces it;
// WriteRunReport writes the page of `zabsim run --report`, with verdicts,
// replay commands, evidence, Porcupine links, timelines and shrunk
// schedules. Durations are simulated time unless a field says otherwise;
// axes pick µs, ms or s from the data so tick labels stay short. The same
// numbers always give byte-identical files.
//
// Progress reports how far a long experiment has come: a redrawn bar on a
// terminal, plain lines at fixed fractions anywhere else, so a CI log holds
// the same lines on every run.
package reports
