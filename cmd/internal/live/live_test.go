package live

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

func TestOperations(t *testing.T) {
	t.Parallel()
	e := startTestEnsemble(t, 3)
	c, _ := connect(t, e.ClientAddrs(), 2*time.Second)
	acl := zk.WorldACL(zk.PermAll)

	p, err := c.Create("/a", []byte("one"), 0, acl)
	mustf(t, err, "create /a")
	if p != "/a" {
		t.Fatalf("create returned %q", p)
	}
	if _, err := c.Create("/a", nil, 0, acl); !errors.Is(err, zk.ErrNodeExists) {
		t.Fatalf("create existing: %v", err)
	}
	if _, err := c.Create("/missing/child", nil, 0, acl); !errors.Is(err, zk.ErrNoNode) {
		t.Fatalf("create under missing parent: %v", err)
	}
	data, st, err := c.Get("/a")
	mustf(t, err, "get /a")
	if string(data) != "one" || st.Version != 0 || st.Czxid == 0 || st.Czxid != st.Mzxid {
		t.Fatalf("get /a = %q %+v", data, st)
	}
	st, err = c.Set("/a", []byte("two"), 0)
	mustf(t, err, "set /a")
	if st.Version != 1 {
		t.Fatalf("set /a: version %d", st.Version)
	}
	if _, err := c.Set("/a", []byte("x"), 0); !errors.Is(err, zk.ErrBadVersion) {
		t.Fatalf("set with wrong version: %v", err)
	}
	for _, name := range []string{"c3", "a1", "b2"} {
		_, err := c.Create("/a/"+name, nil, 0, acl)
		mustf(t, err, "create /a/%s", name)
	}
	seq, err := c.Create("/a/s-", nil, zk.FlagSequence, acl)
	mustf(t, err, "create sequential")
	if seq != "/a/s-0000000003" {
		t.Fatalf("sequential name %q", seq)
	}
	kids, st, err := c.Children("/a")
	mustf(t, err, "children /a")
	if !slices.Equal(kids, []string{"c3", "a1", "b2", "s-0000000003"}) || st.NumChildren != 4 {
		t.Fatalf("children /a = %v, %+v", kids, st)
	}
	ok, _, err := c.Exists("/a/c3")
	mustf(t, err, "exists")
	if !ok {
		t.Fatal("exists /a/c3 = false")
	}
	ok, _, err = c.Exists("/nope")
	mustf(t, err, "exists /nope")
	if ok {
		t.Fatal("exists /nope = true")
	}
	if err := c.Delete("/a", -1); !errors.Is(err, zk.ErrNotEmpty) {
		t.Fatalf("delete non-empty: %v", err)
	}
	mustf(t, c.Delete("/a/c3", 0), "delete /a/c3")
	if err := c.Delete("/a/c3", -1); !errors.Is(err, zk.ErrNoNode) {
		t.Fatalf("delete missing: %v", err)
	}

	// multi: success, then a failure that applies nothing.
	res, err := c.Multi(
		&zk.CreateRequest{Path: "/m", Data: []byte("m"), Acl: acl},
		&zk.CreateRequest{Path: "/m/x-", Acl: acl, Flags: zk.FlagSequence},
		&zk.SetDataRequest{Path: "/m", Data: []byte("m1"), Version: 0},
		&zk.CheckVersionRequest{Path: "/m", Version: 1},
		&zk.DeleteRequest{Path: "/a/a1", Version: -1},
	)
	mustf(t, err, "multi")
	if len(res) != 5 || res[0].String != "/m" || res[1].String != "/m/x-0000000000" || res[2].Stat == nil || res[2].Stat.Version != 1 {
		t.Fatalf("multi results %+v", res)
	}
	res, err = c.Multi(
		&zk.CreateRequest{Path: "/m/y", Acl: acl},
		&zk.SetDataRequest{Path: "/nope", Version: -1},
	)
	if !errors.Is(err, zk.ErrNoNode) || len(res) != 2 || res[0].Error != nil || !errors.Is(res[1].Error, zk.ErrNoNode) {
		t.Fatalf("failed multi: %v %+v", err, res)
	}
	if ok, _, _ := c.Exists("/m/y"); ok {
		t.Fatal("a failed multi created /m/y")
	}

	// sync, then a read through another server sees the write.
	_, err = c.Sync("/m")
	mustf(t, err, "sync")
	other, _ := connect(t, e.ClientAddrs(), 2*time.Second)
	_, err = other.Sync("/m")
	mustf(t, err, "sync on the second session")
	data, _, err = other.Get("/m")
	mustf(t, err, "get /m")
	if string(data) != "m1" {
		t.Fatalf("get /m after sync = %q", data)
	}

	// Watches: data, child, exists on a missing node; one-shot.
	_, _, dataW, err := c.GetW("/m")
	mustf(t, err, "getw")
	_, _, childW, err := c.ChildrenW("/m")
	mustf(t, err, "childrenw")
	_, _, existW, err := c.ExistsW("/m/new")
	mustf(t, err, "existsw")
	_, err = other.Set("/m", []byte("m2"), -1)
	mustf(t, err, "set from the other session")
	if ev := waitEvent(t, dataW, 5*time.Second); ev.Type != zk.EventNodeDataChanged || ev.Path != "/m" {
		t.Fatalf("data watch: %+v", ev)
	}
	_, err = other.Create("/m/new", nil, 0, acl)
	mustf(t, err, "create /m/new")
	if ev := waitEvent(t, existW, 5*time.Second); ev.Type != zk.EventNodeCreated || ev.Path != "/m/new" {
		t.Fatalf("exists watch: %+v", ev)
	}
	if ev := waitEvent(t, childW, 5*time.Second); ev.Type != zk.EventNodeChildrenChanged || ev.Path != "/m" {
		t.Fatalf("child watch: %+v", ev)
	}

	// An ephemeral goes with its session's close.
	eph, _ := connect(t, e.ClientAddrs(), 2*time.Second)
	_, err = eph.Create("/m/eph", []byte("e"), zk.FlagEphemeral, acl)
	mustf(t, err, "create ephemeral")
	_, _, gone, err := c.ExistsW("/m/eph")
	mustf(t, err, "existsw /m/eph")
	eph.Close()
	if ev := waitEvent(t, gone, 5*time.Second); ev.Type != zk.EventNodeDeleted {
		t.Fatalf("ephemeral after close: %+v", ev)
	}
}
