package tree

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestChildSetMatchesJava replays testdata/java_hashset.txt: random adds
// and removes (ASCII and non-ASCII names, sequential-style names, sets up
// to a few hundred names) and, at each "dump" line, the iteration order
// that java.util.HashSet<>(8) of OpenJDK 17 printed for them. It was made
// by feeding the operations to a ten-line Java program:
//
//	HashSet<String> s = new HashSet<>(8);  // per "new" line
//	s.add(name) / s.remove(name);          // per "+ name" / "- name" line
//	System.out.println("dump " + String.join(",", s));
func TestChildSetMatchesJava(t *testing.T) {
	raw, err := os.ReadFile("testdata/java_hashset.txt")
	require.NoError(t, err)
	var set javaSet
	dumps := 0
	for i, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		switch {
		case line == "new":
			set = javaSet{}
		case strings.HasPrefix(line, "+ "):
			set.Add(line[2:])
		case strings.HasPrefix(line, "- "):
			set.Remove(line[2:])
		case strings.HasPrefix(line, "dump "):
			dumps++
			require.Equal(t, line[len("dump "):], strings.Join(set.Names(), ","), "line %d", i+1)
			restored, ok := restoreJavaSet(set.capacity(), set.Names())
			require.True(t, ok)
			require.Equal(t, set.Names(), restored.Names())
		default:
			t.Fatalf("line %d: %q", i+1, line)
		}
	}
	require.Greater(t, dumps, 100)
}

// TestJavaSetCloneMatchesJava replays testdata/java_hashset_clone.txt:
// sets of the default capacity (DataTree's per-session ephemeral sets)
// growing to between 1 and 150 paths and shrinking again, and at each
// "clone" line the iteration order of HashSet.clone() under OpenJDK 17,
// as testdata/JavaSetClone.java printed it. The clone's order is what
// getEphemerals returns; it differs from the set's own order when the set
// once held more than the clone's table is sized for.
func TestJavaSetCloneMatchesJava(t *testing.T) {
	raw, err := os.ReadFile("testdata/java_hashset_clone.txt")
	require.NoError(t, err)
	var set *javaSet
	clones, reordered := 0, 0
	for i, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		switch {
		case line == "new":
			set = newJavaSet(javaSetCapacityDefault)
		case strings.HasPrefix(line, "+ "):
			require.True(t, set.Add(line[2:]), "line %d", i+1)
		case strings.HasPrefix(line, "- "):
			require.True(t, set.Remove(line[2:]), "line %d", i+1)
		case line == "clone" || strings.HasPrefix(line, "clone "):
			clones++
			got := strings.Join(set.clone().Names(), ",")
			require.Equal(t, strings.TrimPrefix(strings.TrimPrefix(line, "clone"), " "), got, "line %d", i+1)
			if got != strings.Join(set.Names(), ",") {
				reordered++
			}
		default:
			t.Fatalf("line %d: %q", i+1, line)
		}
	}
	require.Greater(t, clones, 500)
	require.Greater(t, reordered, 50, "the file no longer tells a clone from its source")
}

// TestEphemeralOrderMatchesZooKeeper replays testdata/zk_ephemerals.txt,
// sessions that created and deleted ephemerals on a ZooKeeper 3.8.0 and
// the getEphemerals answers it gave, order included (recorded, and
// checked against ZooKeeper and a zabsim ensemble, by cmd/internal/live's
// test of the same name, which also describes the format).
func TestEphemeralOrderMatchesZooKeeper(t *testing.T) {
	raw, err := os.ReadFile("testdata/zk_ephemerals.txt")
	require.NoError(t, err)
	h := newHarness(t)
	session := int64(0)
	answers, reordered := 0, 0
	for i, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		verb, arg, _ := strings.Cut(line, " ")
		var r Result
		switch verb {
		case "#":
			continue
		case "p":
			r = h.mustOK(create(arg, ""))
		case "session":
			session++
		case "close":
			r, _ = h.as(session, nil, Request{Op: OpCloseSession})
		case "+":
			r, _ = h.as(session, nil, createFlags(arg, FlagEphemeral))
		case "-":
			r, _ = h.as(session, nil, Request{Op: OpDelete, Path: arg, Version: -1})
		case "?":
			prefix, want, ok := strings.Cut(arg, "\t")
			require.True(t, ok, "line %d: %q", i+1, line)
			got := h.tree.GetEphemerals(Caller{Session: session}, prefix)
			require.Equal(t, want, strings.Join(got, ","), "line %d", i+1)
			answers++
			if !slices.IsSorted(got) {
				reordered++
			}
		default:
			t.Fatalf("line %d: %q", i+1, line)
		}
		require.NoError(t, r.Err, "line %d: %q", i+1, line)
	}
	require.Greater(t, answers, 50)
	require.Greater(t, reordered, 20, "the recording no longer tells ZooKeeper's order from a sorted one")
}
