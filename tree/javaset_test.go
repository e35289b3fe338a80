package tree

import (
	"os"
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
