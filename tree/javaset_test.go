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
	var set childSet
	dumps := 0
	for i, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		switch {
		case line == "new":
			set = childSet{}
		case strings.HasPrefix(line, "+ "):
			set.Add(line[2:])
		case strings.HasPrefix(line, "- "):
			set.Remove(line[2:])
		case strings.HasPrefix(line, "dump "):
			dumps++
			require.Equal(t, line[len("dump "):], strings.Join(set.Names(), ","), "line %d", i+1)
			restored, ok := restoreChildSet(set.capacity(), set.Names())
			require.True(t, ok)
			require.Equal(t, set.Names(), restored.Names())
		default:
			t.Fatalf("line %d: %q", i+1, line)
		}
	}
	require.Greater(t, dumps, 100)
}
