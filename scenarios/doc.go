// Package scenarios is the named catalogue of experiments zabsim runs: each
// scenario is data (ensemble size, quorum, the clients' workload, the
// faults, how long, and the verdict it must reach), and Run turns one
// scenario and one seed into a checked run whose trace hash a replay
// reproduces bit for bit.
//
// `go test ./scenarios` runs every scenario over a fixed list of seeds;
// ZABSIM_SEEDS=N runs N seeds of each instead. A failing seed prints the
// `zabsim replay` command that repeats it.
//
// The package holds no checking logic: verdicts come from linearize, the
// faults from nemesis, the world from sim/zk.
package scenarios
