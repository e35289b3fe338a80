package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"unknown scenario", []string{"run", "--scenario", "nope"}, `unknown scenario "nope"; valid scenarios: steady-state,`},
		{"bad seed", []string{"run", "--seed", "x"}, `invalid value "x" for flag -seed`},
		{"bad flag", []string{"run", "--frob"}, "flag provided but not defined: -frob"},
		{"no seeds", []string{"run", "--seeds", "0"}, "--seeds 0 is outside"},
		{"bad shard", []string{"run", "--shard", "3/2"}, `--shard "3/2": want I/N with 1 <= I <= N`},
		{"bad bug", []string{"run", "--bug", "nope"}, `unknown bug "nope"; valid bugs: quorum-too-small`},
		{"bad servers", []string{"run", "--scenario", "steady-state", "--servers", "12"}, "--servers 12 is outside 1..9"},
		{"quorum too big", []string{"run", "--scenario", "steady-state", "--quorum", "4"}, "--quorum 4 is outside 1..3"},
		{"stray argument", []string{"run", "extra"}, `unexpected arguments "extra"`},
		{"empty schedule", []string{"run", "--rapid", "3", "--schedule", "/dev/null"}, "--schedule /dev/null: no steps"},
		{"missing schedule", []string{"run", "--schedule", "/no/such/file"}, "--schedule: open /no/such/file"},
		{"replay needs seed", []string{"replay", "--scenario", "steady-state"}, "--scenario and --seed are required; scenarios: steady-state"},
		{"replay unknown scenario", []string{"replay", "--scenario", "nope", "--seed", "1"}, `unknown scenario "nope"`},
		{"scenarios extra", []string{"scenarios", "x"}, `unexpected arguments "x"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			require.Equal(t, exitUsage, dispatch(tc.args, &stdout, &stderr), "stdout=%q", stdout.String())
			require.Contains(t, stderr.String(), tc.stderr)
		})
	}
}

func TestScenariosLists(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.Equal(t, exitOK, dispatch([]string{"scenarios"}, &stdout, &stderr))
	require.Contains(t, stdout.String(), "split-brain-quorum2")
	require.GreaterOrEqual(t, strings.Count(stdout.String(), "\n"), 15)
}

// runJSON runs args and decodes every output line.
func runJSON(t *testing.T, want int, args ...string) []map[string]any {
	t.Helper()
	var stdout, stderr bytes.Buffer
	require.Equal(t, want, dispatch(args, &stdout, &stderr), "stderr=%q", stderr.String())
	var out []map[string]any
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), "line %q", sc.Text())
		out = append(out, m)
	}
	return out
}

// TestRunJSONAndReplay: the --json contract of DESIGN.md §5, and a replay
// printing the trace hash the run printed, under GOMAXPROCS 1 and 2.
func TestRunJSONAndReplay(t *testing.T) {
	lines := runJSON(t, exitOK, "run", "--scenario", "leader-crash-loop", "--seeds", "2", "--json", "--duration", "10s")
	require.Len(t, lines, 3)
	keys := []string{"scenario", "seed", "verdict", "expected", "ops", "events", "sim_ns", "wall_ns", "trace_hash", "violations"}
	for _, l := range lines[:2] {
		for _, k := range keys {
			require.Contains(t, l, k)
		}
		require.Len(t, l, len(keys))
		require.Equal(t, "ok", l["verdict"])
		require.Len(t, l["trace_hash"], 16)
	}
	sum := lines[2]
	require.Equal(t, true, sum["summary"])
	require.EqualValues(t, 2, sum["runs"])
	require.EqualValues(t, 0, sum["unexpected"])

	for _, procs := range []int{1, 2} {
		func() {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			r := runJSON(t, exitOK, "replay", "--scenario", "leader-crash-loop", "--seed", "2", "--json", "--duration", "10s")
			require.Len(t, r, 1)
			require.Equal(t, lines[1]["trace_hash"], r[0]["trace_hash"], "GOMAXPROCS=%d", procs)
		}()
	}
}

func TestRunShardsSplitTheSeeds(t *testing.T) {
	seen := map[float64]int{}
	for _, sh := range []string{"1/3", "2/3", "3/3"} {
		lines := runJSON(t, exitOK, "run", "--scenario", "steady-state", "--seeds", "5", "--shard", sh, "--json", "--duration", "2s")
		for _, l := range lines[:len(lines)-1] {
			seen[l["seed"].(float64)]++
		}
	}
	require.Equal(t, map[float64]int{1: 1, 2: 1, 3: 1, 4: 1, 5: 1}, seen)
}

// TestRunFindsSplitBrain is the acceptance in miniature: the
// quorum-of-2 scenario shows a violation and that counts as expected.
func TestRunFindsSplitBrain(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := dispatch([]string{"run", "--scenario", "split-brain-quorum2", "--seeds", "5"}, &stdout, &stderr)
	require.Equal(t, exitOK, code, "stdout=%s stderr=%s", stdout.String(), stderr.String())
	require.Contains(t, stdout.String(), "expected violation split-brain-quorum2 seed")
	require.Contains(t, stdout.String(), "replay: zabsim replay --scenario split-brain-quorum2 --seed")
	require.Regexp(t, `split-brain-quorum2 +5 +0 +5 +violation +yes`, stdout.String())
}

// An ok scenario with a bug switched on fails, and says how to replay it.
func TestRunReportsUnexpectedViolations(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := dispatch([]string{"run", "--scenario", "crash-points", "--seed", "57", "--bug", "zk-2354"}, &stdout, &stderr)
	require.Equal(t, exitUnexpected, code, "stdout=%s stderr=%s", stdout.String(), stderr.String())
	require.Contains(t, stdout.String(), "VIOLATION crash-points seed 57: recovery-from-disk")
	require.Contains(t, stdout.String(), "replay: zabsim replay --scenario crash-points --seed 57 --bug zk-2354")
}

func TestReplayWritesTraceVizAndSchedule(t *testing.T) {
	dir := t.TempDir()
	trace, viz := filepath.Join(dir, "trace.txt"), filepath.Join(dir, "viz.html")
	var stdout, stderr bytes.Buffer
	code := dispatch([]string{"replay", "--scenario", "isolated-leader", "--seed", "3", "--duration", "8s", "--trace", trace, "--viz", viz}, &stdout, &stderr)
	require.Equal(t, exitOK, code, "stderr=%s", stderr.String())
	out := stdout.String()
	require.Contains(t, out, "verdict: ok")
	require.Contains(t, out, "partition isolate leader")
	tb, err := os.ReadFile(trace)
	require.NoError(t, err)
	require.Contains(t, string(tb), "nemesis partition")
	vb, err := os.ReadFile(viz)
	require.NoError(t, err)
	require.Contains(t, string(vb), "leads epoch")

	// The printed schedule, fed back by hand, replays the same run.
	var sched []string
	in := false
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "schedule"):
			in = true
		case in && strings.HasPrefix(l, "  "):
			sched = append(sched, strings.TrimSpace(l))
		default:
			in = false
		}
	}
	require.NotEmpty(t, sched)
	file := filepath.Join(dir, "schedule.txt")
	require.NoError(t, os.WriteFile(file, []byte(strings.Join(sched, "\n")+"\n"), 0o644))
	var again bytes.Buffer
	require.Equal(t, exitOK, dispatch([]string{"replay", "--scenario", "isolated-leader", "--seed", "3", "--duration", "8s", "--schedule", file}, &again, &stderr))
	hash := func(s string) string {
		i := strings.Index(s, "trace hash ")
		require.GreaterOrEqual(t, i, 0)
		return s[i : i+27]
	}
	require.Equal(t, hash(out), hash(again.String()))
}

func TestRunRapidWithoutFailure(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := dispatch([]string{"run", "--scenario", "steady-state", "--seeds", "1", "--rapid", "3", "--duration", "3s"}, &stdout, &stderr)
	require.Equal(t, exitOK, code, "stderr=%s", stderr.String())
	require.Contains(t, stdout.String(), "steady-state seed 1: 3 rapid schedules, no failure")
}
