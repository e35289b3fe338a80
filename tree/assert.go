package tree

import "fmt"

// assert panics on a broken invariant. Bad client input never reaches
// here: it becomes a ZooKeeper error code instead. A panic inside the
// simulator turns a tree bug into a failing seed.
func assert(cond bool, format string, args ...any) {
	if !cond {
		panic(fmt.Sprintf("tree: invariant broken: "+format, args...))
	}
}
