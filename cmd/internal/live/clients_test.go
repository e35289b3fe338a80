package live

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Stock ZooKeeper clients against a live ensemble: kazoo (Python) and
// zkCli.sh (Java), as Debian packages them (ZK-SEMANTICS.md §0). They
// are skipped where not installed, but not in CI.

func requireTool(t *testing.T, path, what string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but %s is not installed (%s); .ci/setup installs it", what, path)
		}
		t.Skipf("%s is not installed (%s)", what, path)
	}
}

func runTool(t *testing.T, stdin string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
	return string(out)
}

const kazooScript = `
import sys, threading
from kazoo.client import KazooClient
zk = KazooClient(hosts=sys.argv[1], timeout=5)
zk.start(timeout=20)
zk.ensure_path("/kz/a")
zk.create("/kz/a/n", b"hello")
data, st = zk.get("/kz/a/n")
print("get", data.decode(), st.version)
fired = threading.Event()
zk.get("/kz/a/n", watch=lambda e: (print("watch", e.type, e.path), fired.set()))
zk.set("/kz/a/n", b"world")
fired.wait(10)
print("children", zk.get_children("/kz/a"))
t = zk.transaction()
t.create("/kz/t", b"1")
t.check("/kz/a/n", 1)
print("txn", t.commit())
zk.create("/kz/e-", b"", ephemeral=True, sequence=True)
print("ls", sorted(zk.get_children("/kz")))
zk.delete("/kz", recursive=True)
print("exists", zk.exists("/kz"))
zk.stop()
`

func TestKazoo(t *testing.T) {
	t.Parallel()
	requireTool(t, "/usr/lib/python3/dist-packages/kazoo", "kazoo (python3-kazoo)")
	e := startTestEnsemble(t, 3)
	out := runTool(t, kazooScript, "/usr/bin/python3", "-", e.ConnectString())
	want := "get hello 0\nwatch CHANGED /kz/a/n\nchildren ['n']\ntxn ['/kz/t', True]\nls ['a', 'e-0000000002', 't']\nexists None\n"
	if !strings.HasSuffix(out, want) {
		t.Fatalf("kazoo printed\n%s\nwant it to end with\n%s", out, want)
	}
}

func TestZkCli(t *testing.T) {
	t.Parallel()
	requireTool(t, "/usr/share/zookeeper/bin/zkCli.sh", "zkCli.sh (zookeeper)")
	e := startTestEnsemble(t, 3)
	out := runTool(t, strings.Join([]string{
		"create /cli hello", "get /cli", "set /cli world", "get /cli", "create -e /cli/eph x",
		"ls /cli", "getAcl /cli", "deleteall /cli", "ls /", "quit",
	}, "\n")+"\n", "/usr/share/zookeeper/bin/zkCli.sh", "-server", e.ConnectString())
	for _, want := range []string{"Created /cli\n", "\nhello\n", "\nworld\n", "Created /cli/eph\n", "\n[eph]\n",
		"'world,'anyone\n: cdrwa\n", "\n[zookeeper]\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("zkCli.sh output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("zkCli.sh printed:\n%s", out)
	}
}
