package nemesis

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrNoNetns: network namespaces cannot be made here (not root, or no
// iproute2, or the kernel refuses); the caller falls back to loopback
// proxies.
var ErrNoNetns = errors.New("nemesis: network namespaces unavailable")

// namePrefix starts the name of every namespace and link the harness
// makes; the process id that follows it tells leftovers of a crashed run
// (whose process is gone) from another live run's.
const namePrefix = "zbn"

// Ports a server listens on inside its own namespace, ZooKeeper's.
const (
	nsClientPort   = 2181
	nsQuorumPort   = 2888
	nsElectionPort = 3888
)

// netnsNet puts each server in a network namespace of its own, joined by a
// veth pair to a bridge in the root namespace, where the clients and the
// peer-link proxies are. A partition takes the server's veth down: the
// kernel then drops everything to and from it, clients included. The
// kernel of the machine this was written on has no netem qdisc, so delay
// and loss are made by the proxies every peer link goes through.
type netnsNet struct {
	prefix string
	subnet string // "10.213.N."
	n      int
	links  *links
}

// newNetnsNet builds the namespaces, after removing leftovers of crashed
// runs. On failure it removes what it made and wraps ErrNoNetns when the
// failure was the first namespace (no privilege).
func newNetnsNet(n int, seed uint64) (*netnsNet, error) {
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("%w: not running as root", ErrNoNetns)
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoNetns, err)
	}
	removeLeftovers()
	octet, err := freeSubnet()
	if err != nil {
		return nil, err
	}
	nn := &netnsNet{prefix: fmt.Sprintf("%s%x-", namePrefix, os.Getpid()), subnet: fmt.Sprintf("10.213.%d.", octet), n: n}
	if err := nn.setup(); err != nil {
		nn.teardown()
		return nil, err
	}
	if nn.links, err = newLinks(n, nn.subnet+"1", nn.Server, seed); err != nil {
		nn.teardown()
		return nil, err
	}
	return nn, nil
}

func (nn *netnsNet) bridge() string         { return nn.prefix + "br" }
func (nn *netnsNet) ns(sid uint64) string   { return fmt.Sprintf("%sn%d", nn.prefix, sid) }
func (nn *netnsNet) veth(sid uint64) string { return fmt.Sprintf("%sh%d", nn.prefix, sid) }

func (nn *netnsNet) setup() error {
	br := nn.bridge()
	if err := ipCmd("link", "add", br, "type", "bridge"); err != nil {
		return fmt.Errorf("%w: %w", ErrNoNetns, err)
	}
	steps := [][]string{
		{"addr", "add", nn.subnet + "1/24", "dev", br},
		{"link", "set", br, "up"},
	}
	for sid := uint64(1); sid <= uint64(nn.n); sid++ {
		ns, host, inner := nn.ns(sid), nn.veth(sid), fmt.Sprintf("%sp%d", nn.prefix, sid)
		steps = append(steps,
			[]string{"netns", "add", ns},
			[]string{"link", "add", host, "type", "veth", "peer", "name", inner},
			[]string{"link", "set", inner, "netns", ns},
			[]string{"link", "set", host, "master", br},
			[]string{"link", "set", host, "up"},
			[]string{"-n", ns, "addr", "add", nn.Server(sid).Host + "/24", "dev", inner},
			[]string{"-n", ns, "link", "set", inner, "up"},
			[]string{"-n", ns, "link", "set", "lo", "up"},
		)
	}
	for _, s := range steps {
		if err := ipCmd(s...); err != nil {
			if s[0] == "netns" {
				return fmt.Errorf("%w: %w", ErrNoNetns, err)
			}
			return err
		}
	}
	return nil
}

// teardown removes the namespaces (which takes their veth pairs along)
// and the bridge; it is safe on a half-made network.
func (nn *netnsNet) teardown() {
	for sid := uint64(1); sid <= uint64(nn.n); sid++ {
		_ = ipCmd("netns", "del", nn.ns(sid))
		_ = ipCmd("link", "del", nn.veth(sid))
	}
	_ = ipCmd("link", "del", nn.bridge())
}

func (nn *netnsNet) Describe() string {
	return fmt.Sprintf("network namespaces: %d servers in namespaces %sn1.., on %s0/24 behind bridge %s (partitions take a server's veth down; delay and loss in TCP proxies on the bridge, since this kernel has no netem)",
		nn.n, nn.prefix, nn.subnet, nn.bridge())
}

func (nn *netnsNet) Server(sid uint64) Place {
	return Place{Host: nn.subnet + strconv.FormatUint(10+sid, 10), Client: nsClientPort, Quorum: nsQuorumPort, Election: nsElectionPort}
}

func (nn *netnsNet) Peer(from, to uint64) (string, string) { return nn.links.peer(from, to) }

func (nn *netnsNet) Command(sid uint64, argv []string) []string {
	return append([]string{"ip", "netns", "exec", nn.ns(sid)}, argv...)
}

func (nn *netnsNet) Isolate(sid uint64) error { return ipCmd("link", "set", nn.veth(sid), "down") }
func (nn *netnsNet) Rejoin(sid uint64) error  { return ipCmd("link", "set", nn.veth(sid), "up") }

// CutLink cuts the proxies between a and b: taking a veth down would cut
// a server off from everyone.
func (nn *netnsNet) CutLink(a, b uint64, cut bool) { nn.links.cut(between(a, b), cut) }

func (nn *netnsNet) Slow(delay time.Duration, loss float64) { nn.links.slow(delay, loss) }

func (nn *netnsNet) Close() error {
	nn.links.close()
	nn.teardown()
	return nil
}

func ipCmd(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// freeSubnet picks a 10.213.N.0/24 no interface of this machine is on.
func freeSubnet() (int, error) {
	out, err := exec.Command("ip", "-o", "-4", "addr", "show").Output()
	if err != nil {
		return 0, fmt.Errorf("%w: ip addr show: %w", ErrNoNetns, err)
	}
	start := os.Getpid() % 250
	for i := range 250 {
		octet := 1 + (start+i)%250
		if !strings.Contains(string(out), fmt.Sprintf(" 10.213.%d.", octet)) {
			return octet, nil
		}
	}
	return 0, fmt.Errorf("%w: no free 10.213.N.0/24", ErrNoNetns)
}

// removeLeftovers deletes namespaces and links a crashed run left behind:
// those named with a process id no longer running.
func removeLeftovers() {
	if out, err := exec.Command("ip", "netns", "list").Output(); err == nil {
		for _, line := range strings.Split(string(out), "\n") {
			if f := strings.Fields(line); len(f) > 0 && orphaned(f[0]) {
				_ = ipCmd("netns", "del", f[0])
			}
		}
	}
	if out, err := exec.Command("ip", "-o", "link", "show").Output(); err == nil {
		for _, line := range strings.Split(string(out), "\n") {
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			name, _, _ := strings.Cut(strings.TrimSuffix(f[1], ":"), "@")
			if orphaned(name) {
				_ = ipCmd("link", "del", name)
			}
		}
	}
}

// orphaned reports whether name is one of the harness's and the run that
// made it is gone.
func orphaned(name string) bool {
	rest, ok := strings.CutPrefix(name, namePrefix)
	if !ok {
		return false
	}
	hex, _, ok := strings.Cut(rest, "-")
	if !ok {
		return false
	}
	pid, err := strconv.ParseInt(hex, 16, 32)
	if err != nil {
		return false
	}
	return pid != int64(os.Getpid()) && errors.Is(syscall.Kill(int(pid), 0), syscall.ESRCH)
}
