// Package zkserver starts real Apache ZooKeeper 3.8 servers (Debian's
// zookeeper package, installed by .ci/setup) on loopback ports, so tests can
// compare zabsim with the real thing. It only ever binds 127.0.0.1 and only
// ever stops the processes it started, by their PID.
package zkserver

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Paths of Debian's ZooKeeper jar and the SLF4J binding it needs to log.
const (
	ZooKeeperJar = "/usr/share/java/zookeeper.jar"
	SLF4JJar     = "/usr/share/java/slf4j-simple.jar"
)

// ReadyTimeout bounds how long Start waits for a server to answer `srvr`
// with a Mode line. A standalone server needs about 1 s on an idle machine;
// the margin is for a CPU shared with other test binaries.
const ReadyTimeout = 60 * time.Second

// Available reports whether java and the ZooKeeper jars are installed.
func Available() bool {
	return Missing() == ""
}

// Missing names what is missing for Available, or returns "".
func Missing() string {
	var missing []string
	if _, err := exec.LookPath("java"); err != nil {
		missing = append(missing, "java")
	}
	for _, jar := range []string{ZooKeeperJar, SLF4JJar} {
		if _, err := os.Stat(jar); err != nil {
			missing = append(missing, jar)
		}
	}
	return strings.Join(missing, ", ")
}

// Server is one running ZooKeeper process.
type Server struct {
	ID      int    // server.N id; 0 for a standalone server
	Addr    string // client address, 127.0.0.1:port
	DataDir string
	LogFile string

	// What launched it, for Restart.
	dir        string
	clientPort int
	members    []string
	props      []string

	cmd    *exec.Cmd
	exited chan struct{} // closed once cmd.Wait has returned
	mu     sync.Mutex
	err    error // cmd.Wait's result
	killed bool
}

// Start runs a standalone server with its dataDir, config and log under dir,
// which must exist (a t.TempDir() is the intended use), and returns once it
// serves clients. props are Java system properties ("key=value") for server
// options zoo.cfg cannot set. The caller must call Stop.
func Start(dir string, props ...string) (*Server, error) {
	// A port picked as free can be taken before java binds it; another
	// pick almost always succeeds.
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		var ports []int
		if ports, err = freePorts(1); err != nil {
			return nil, err
		}
		sdir := filepath.Join(dir, fmt.Sprintf("standalone-%d", attempt))
		var s *Server
		if s, err = launch(sdir, 0, ports[0], nil, props); err != nil {
			return nil, err
		}
		if err = s.waitReady(time.Now().Add(ReadyTimeout)); err == nil {
			return s, nil
		}
		s.Stop()
		if !strings.Contains(s.LogTail(50), "Address already in use") {
			return nil, err
		}
	}
	return nil, err
}

// StartEnsemble runs an n-server ensemble (server ids 1..n) on loopback,
// each with its own dataDir under dir, and returns once every server reports
// a mode (leader or follower). props are as for Start. The caller must Stop
// every server.
func StartEnsemble(dir string, n int, props ...string) ([]*Server, error) {
	if n < 1 {
		return nil, fmt.Errorf("zkserver: ensemble of %d servers", n)
	}
	ports, err := freePorts(3 * n)
	if err != nil {
		return nil, err
	}
	var members []string
	for i := 1; i <= n; i++ {
		members = append(members, fmt.Sprintf("server.%d=127.0.0.1:%d:%d", i, ports[3*(i-1)+1], ports[3*(i-1)+2]))
	}
	servers := make([]*Server, 0, n)
	stopAll := func() {
		for _, s := range servers {
			s.Stop()
		}
	}
	for i := 1; i <= n; i++ {
		s, err := launch(filepath.Join(dir, fmt.Sprintf("server%d", i)), i, ports[3*(i-1)], members, props)
		if err != nil {
			stopAll()
			return nil, err
		}
		servers = append(servers, s)
	}
	deadline := time.Now().Add(ReadyTimeout)
	for _, s := range servers {
		if err := s.waitReady(deadline); err != nil {
			stopAll()
			return nil, err
		}
	}
	return servers, nil
}

// freePorts asks the kernel for n distinct free loopback ports, holding them
// all open until every one is chosen so none is handed out twice.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("zkserver: picking a free port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func launch(dir string, id, clientPort int, members, props []string) (*Server, error) {
	if m := Missing(); m != "" {
		return nil, fmt.Errorf("zkserver: ZooKeeper is not installed (missing %s); run .ci/setup", m)
	}
	dataDir := filepath.Join(dir, "data")
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("zkserver: %w", err)
	}
	cfg := []string{
		"tickTime=2000",
		"initLimit=10",
		"syncLimit=5",
		"dataDir=" + dataDir,
		"clientPortAddress=127.0.0.1",
		"clientPort=" + strconv.Itoa(clientPort),
		"maxClientCnxns=0",
		"4lw.commands.whitelist=*",
		// Keeps the AdminServer off port 8080, which parallel servers would fight over.
		"admin.enableServer=false",
	}
	cfg = append(cfg, members...)
	if id != 0 {
		if err := os.WriteFile(filepath.Join(dataDir, "myid"), []byte(strconv.Itoa(id)+"\n"), 0o644); err != nil {
			return nil, fmt.Errorf("zkserver: %w", err)
		}
	}
	cfgFile := filepath.Join(dir, "zoo.cfg")
	if err := os.WriteFile(cfgFile, []byte(strings.Join(cfg, "\n")+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("zkserver: %w", err)
	}
	logFile := filepath.Join(dir, "zookeeper.log")
	// Appended to, so a restarted server's log follows its earlier life.
	out, err := os.OpenFile(logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("zkserver: %w", err)
	}
	defer out.Close()
	args := []string{
		"-Xms64m", "-Xmx512m", "-XX:+UseSerialGC",
		"-cp", ZooKeeperJar + ":" + SLF4JJar,
		// Everything (JVM errors and the server's log) goes to one file,
		// so a failure report can quote its tail.
		"-Dorg.slf4j.simpleLogger.logFile=System.out",
	}
	for _, p := range props {
		args = append(args, "-D"+p)
	}
	args = append(args, "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfgFile)
	cmd := exec.Command("java", args...)
	cmd.Dir = dir
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("zkserver: starting java: %w", err)
	}
	s := &Server{
		ID:         id,
		Addr:       net.JoinHostPort("127.0.0.1", strconv.Itoa(clientPort)),
		DataDir:    dataDir,
		LogFile:    logFile,
		dir:        dir,
		clientPort: clientPort,
		members:    members,
		props:      props,
		cmd:        cmd,
		exited:     make(chan struct{}),
	}
	go func() {
		err := cmd.Wait()
		s.mu.Lock()
		s.err = err
		s.mu.Unlock()
		close(s.exited)
	}()
	return s, nil
}

func (s *Server) waitReady(deadline time.Time) error {
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			s.mu.Lock()
			err := s.err
			s.mu.Unlock()
			return fmt.Errorf("zkserver: %s exited before serving (%v); log tail:\n%s", s.Addr, err, s.LogTail(30))
		default:
		}
		_, err := s.Mode()
		if err == nil {
			return nil
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("zkserver: %s did not report a Mode within %v (last: %v); log tail:\n%s", s.Addr, ReadyTimeout, last, s.LogTail(30))
}

// Mode returns the server's role from `srvr` (standalone, leader or
// follower). `ruok` is not enough: it answers before a quorum exists.
func (s *Server) Mode() (string, error) {
	out, err := s.FourLetter("srvr")
	if err != nil {
		return "", err
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if mode, ok := strings.CutPrefix(sc.Text(), "Mode: "); ok {
			return strings.TrimSpace(mode), nil
		}
	}
	return "", fmt.Errorf("zkserver: no Mode line in srvr reply %q", out)
}

// FourLetter sends a four-letter word and returns the whole reply.
func (s *Server) FourLetter(word string) (string, error) {
	conn, err := net.DialTimeout("tcp", s.Addr, 2*time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return "", err
	}
	if _, err := io.WriteString(conn, word); err != nil {
		return "", err
	}
	b, err := io.ReadAll(conn)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// LogTail returns the last n lines of the server's log.
func (s *Server) LogTail(n int) string {
	b, err := os.ReadFile(s.LogFile)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// Stop kills the process (by the PID Start got) and waits for it to exit.
// It is safe to call more than once.
func (s *Server) Stop() {
	s.mu.Lock()
	if !s.killed {
		s.killed = true
		// The only error is "process already finished", which is the goal.
		_ = s.cmd.Process.Kill()
	}
	s.mu.Unlock()
	<-s.exited
}

// Restart starts a stopped server again with its id, address,
// configuration and dataDir (which keeps what it logged) and returns it
// once it reports a mode, as Start does: a member of an ensemble, once it
// has joined a quorum. The caller must Stop the new Server.
func (s *Server) Restart() (*Server, error) {
	if !s.Exited() {
		return nil, fmt.Errorf("zkserver: server %d at %s is running; Stop it first", s.ID, s.Addr)
	}
	n, err := launch(s.dir, s.ID, s.clientPort, s.members, s.props)
	if err != nil {
		return nil, err
	}
	if err := n.waitReady(time.Now().Add(ReadyTimeout)); err != nil {
		n.Stop()
		return nil, err
	}
	return n, nil
}

// Exited reports whether the process has ended (killed or crashed).
func (s *Server) Exited() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}
