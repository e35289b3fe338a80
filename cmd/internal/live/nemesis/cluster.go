package nemesis

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/zabsim/zabsim/protocol"
)

// ErrNotServing: the ensemble found no leader with a quorum in time.
var ErrNotServing = errors.New("nemesis: ensemble not serving")

// cluster runs the servers as separate processes of `zabsim serve`, so that
// SIGKILL and SIGSTOP are real and a restart recovers from what the disk
// holds.
type cluster struct {
	n       int
	dir     string
	command []string
	env     []string
	bugs    []protocol.Bug
	net     Network

	mu    sync.Mutex
	procs map[uint64]*process
	// crashes lists servers that exited without being told to.
	crashes []string
}

type process struct {
	cmd  *exec.Cmd
	done chan struct{}
	// ended is set before a signal the harness sends to end the process,
	// so that its exit is not taken for a crash.
	ended  bool
	paused bool
}

func (c *cluster) serverDir(sid uint64) string {
	return filepath.Join(c.dir, fmt.Sprintf("server-%d", sid))
}

// logPath is the file server sid's output goes to.
func (c *cluster) logPath(sid uint64) string { return filepath.Join(c.serverDir(sid), "server.log") }

// writeConfigs writes each server's zoo.cfg and myid. Each server is
// told its peers live at the proxies of its own links to them.
func (c *cluster) writeConfigs(tick time.Duration) error {
	for sid := uint64(1); sid <= uint64(c.n); sid++ {
		data := filepath.Join(c.serverDir(sid), "data")
		if err := os.MkdirAll(data, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(data, "myid"), fmt.Appendf(nil, "%d\n", sid), 0o644); err != nil {
			return err
		}
		self := c.net.Server(sid)
		var b strings.Builder
		fmt.Fprintf(&b, "tickTime=%d\ninitLimit=10\nsyncLimit=5\ndataDir=%s\nclientPort=%d\nclientPortAddress=%s\n4lw.commands.whitelist=*\nmaxClientCnxns=0\n",
			tick.Milliseconds(), data, self.Client, self.Host)
		for peer := uint64(1); peer <= uint64(c.n); peer++ {
			if peer == sid {
				fmt.Fprintf(&b, "server.%d=%s:%d:%d\n", peer, self.Host, self.Quorum, self.Election)
				continue
			}
			q, e := c.net.Peer(sid, peer)
			host, qport, err := net.SplitHostPort(q)
			if err != nil {
				return err
			}
			_, eport, err := net.SplitHostPort(e)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "server.%d=%s:%s:%s\n", peer, host, qport, eport)
		}
		if err := os.WriteFile(c.configPath(sid), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func (c *cluster) configPath(sid uint64) string { return filepath.Join(c.serverDir(sid), "zoo.cfg") }

// start launches server sid's process.
func (c *cluster) start(sid uint64) error {
	argv := append(append([]string(nil), c.command...), "serve", "--config", c.configPath(sid))
	for _, b := range c.bugs {
		argv = append(argv, "--bug", string(b))
	}
	argv = c.net.Command(sid, argv)
	out, err := os.OpenFile(c.logPath(sid), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), c.env...)
	cmd.Stdout, cmd.Stderr, cmd.SysProcAttr = out, out, procAttr()
	if err := cmd.Start(); err != nil {
		out.Close()
		return fmt.Errorf("nemesis: starting server %d: %w", sid, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	c.mu.Lock()
	c.procs[sid] = p
	c.mu.Unlock()
	go func() {
		err := cmd.Wait()
		out.Close()
		c.mu.Lock()
		if !p.ended {
			c.crashes = append(c.crashes, fmt.Sprintf("server %d exited on its own (%v); the end of its log (%s):\n%s",
				sid, err, c.logPath(sid), logTail(c.logPath(sid), crashLogLines)))
		}
		c.mu.Unlock()
		close(p.done)
	}()
	return nil
}

// crashLogLines is how much of a crashed server's log its report quotes:
// the log itself may be in a temporary directory removed at exit.
const crashLogLines = 15

// logTail is the last n lines of the file at path, indented.
func logTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "    (" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "    " + strings.Join(lines, "\n    ")
}

func (c *cluster) proc(sid uint64) *process {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.procs[sid]
}

// running reports whether server sid's process is alive (paused counts).
func (c *cluster) running(sid uint64) bool {
	p := c.proc(sid)
	if p == nil {
		return false
	}
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (c *cluster) kill(sid uint64) error { return c.end(sid, syscall.SIGKILL) }

// end sends sig to a running process, resuming it first if paused, and
// waits for it to exit (SIGKILL after ten seconds).
func (c *cluster) end(sid uint64, sig syscall.Signal) error {
	p := c.proc(sid)
	if p == nil || !c.running(sid) {
		return nil
	}
	c.mu.Lock()
	p.ended = true
	paused := p.paused
	c.mu.Unlock()
	if err := p.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	if paused {
		_ = p.cmd.Process.Signal(syscall.SIGCONT)
	}
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	return nil
}

// pause and resume send SIGSTOP and SIGCONT.
func (c *cluster) pause(sid uint64) error  { return c.signalPause(sid, syscall.SIGSTOP, true) }
func (c *cluster) resume(sid uint64) error { return c.signalPause(sid, syscall.SIGCONT, false) }

func (c *cluster) signalPause(sid uint64, sig syscall.Signal, paused bool) error {
	p := c.proc(sid)
	if p == nil {
		return fmt.Errorf("nemesis: server %d was never started", sid)
	}
	c.mu.Lock()
	p.paused = paused
	c.mu.Unlock()
	return p.cmd.Process.Signal(sig)
}

// stopAll ends every server with SIGTERM, as an operator would; a
// failure to signal one does not spare the others.
func (c *cluster) stopAll() {
	for sid := uint64(1); sid <= uint64(c.n); sid++ {
		_ = c.end(sid, syscall.SIGTERM)
	}
}

// each calls f on every server in turn, stopping at the first error.
func (c *cluster) each(f func(uint64) error) error {
	for sid := uint64(1); sid <= uint64(c.n); sid++ {
		if err := f(sid); err != nil {
			return err
		}
	}
	return nil
}

func (c *cluster) crashReports() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.crashes...)
}

// mode asks server sid for its role with the srvr four-letter word: leader,
// follower, or "" when it does not answer or does not serve.
func (c *cluster) mode(sid uint64) string {
	conn, err := net.DialTimeout("tcp", c.net.Server(sid).ClientAddr(), 300*time.Millisecond)
	if err != nil {
		return ""
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(500 * time.Millisecond))
	if _, err := io.WriteString(conn, "srvr"); err != nil {
		return ""
	}
	sc := bufio.NewScanner(conn)
	for sc.Scan() {
		if m, ok := strings.CutPrefix(sc.Text(), "Mode: "); ok {
			return strings.TrimSpace(m)
		}
	}
	return ""
}

// leader is the sid of a server saying it leads, or 0.
func (c *cluster) leader() uint64 {
	for sid := uint64(1); sid <= uint64(c.n); sid++ {
		if c.mode(sid) == "leader" {
			return sid
		}
	}
	return 0
}

// waitServing polls until a leader serves with a quorum of followers or,
// with all, until every server leads or follows.
func (c *cluster) waitServing(ctx context.Context, all bool) error {
	for {
		leaders, serving := 0, 0
		for sid := uint64(1); sid <= uint64(c.n); sid++ {
			switch c.mode(sid) {
			case "leader":
				leaders++
				serving++
			case "follower":
				serving++
			}
		}
		if leaders == 1 && (serving == c.n || (!all && serving > c.n/2)) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %d leaders, %d of %d servers serving", ErrNotServing, leaders, serving, c.n)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
