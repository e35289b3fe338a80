// Package reports turns numbers that other packages produced into figures
// and self-contained HTML pages.
//
// It draws and never decides: verdicts, expectations and every measured
// value arrive in the plain input types declared here (LatencyBySize,
// AvailabilityBySize, QuorumSweep, Timeline, ElectionTimes,
// ThroughputSeries, RunReport), which the command line fills from the
// simulator and the checkers. Keeping the package free of protocol, tree
// and linearize imports means a figure can be redrawn from saved numbers,
// and a change to a checker can never change what a report claims without
// the caller saying so.
//
// Each figure function writes one PNG (for the page) and one SVG (for
// zooming and print) into a directory and returns a Figure: the file names
// relative to that directory and the table of numbers behind the picture,
// which WriteIndex puts next to it. Durations are time.Duration values of
// simulated time unless a field says otherwise; axes pick µs, ms or s from
// the data so the numbers on a tick stay short.
//
// Progress reports how far a long experiment has come: a redrawn bar on a
// terminal, plain lines at fixed fractions anywhere else, so a CI log holds
// the same lines on every run.
package reports
