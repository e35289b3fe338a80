package live

import (
	"cmp"
	"fmt"
	"net"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/zabsim/zabsim/protocol"
	"github.com/zabsim/zabsim/tree"
)

// Four-letter words: a client that sends one of these four ASCII bytes as
// its first bytes, instead of a ConnectRequest's length, gets a text
// answer and the connection closes, as in ZooKeeper 3.8. ZooKeeper tells
// them apart the same way: as a frame length, every word is far over the
// limit.

// Version is what srvr, stat, mntr and envi report: a 3.8.0 in the form
// go-zookeeper's FLWSrvr can parse (ZK-SEMANTICS.md §5.3).
const Version = "3.8.0-zabsim, built on 01/01/2024 00:00 GMT"

// FourLetterWords lists the words this server knows.
var FourLetterWords = []string{"conf", "cons", "envi", "isro", "mntr", "ruok", "srvr", "stat"}

// notServing is ZooKeeper's answer to a word that needs a serving server.
const notServing = "This ZooKeeper instance is not currently serving requests\n"

// IsFourLetterWord reports whether w is one of FourLetterWords.
func IsFourLetterWord(w string) bool { return slices.Contains(FourLetterWords, w) }

// wordSet is the whitelist: "*" allows every word, nil means ZooKeeper's
// default (srvr only).
func wordSet(list []string) map[string]bool {
	if list == nil {
		list = []string{"srvr"}
	}
	set := map[string]bool{}
	for _, w := range list {
		if w == "*" {
			for _, w := range FourLetterWords {
				set[w] = true
			}
			continue
		}
		set[w] = true
	}
	return set
}

// fourLetter answers a word on the connection's reader goroutine, asking
// the loop for what only it knows.
func (s *Server) fourLetter(nc net.Conn, word string) {
	var answer string
	switch {
	case !s.words[word]:
		answer = word + " is not executed because it is not in the whitelist.\n"
	case word == "ruok":
		answer = "imok"
	default:
		ch := make(chan string, 1)
		if !s.send(event{kind: evWord, word: word, answer: ch}) {
			return
		}
		select {
		case answer = <-ch:
		case <-s.quit:
			return
		}
	}
	_ = nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := nc.Write([]byte(answer)); err != nil {
		s.logf("server %d: four-letter word %s: %v", s.cfg.ID, word, err)
	}
}

// stats are the server's counters for four-letter words.
type stats struct {
	received, sent                           int64
	latMinNs, latMaxNs, latTotalNs, latCount int64
}

func (st *stats) latency(ns int64) {
	if st.latCount == 0 || ns < st.latMinNs {
		st.latMinNs = ns
	}
	st.latMaxNs = max(st.latMaxNs, ns)
	st.latTotalNs += ns
	st.latCount++
}

func ms(ns int64) int64 { return ns / int64(time.Millisecond) }

func (st *stats) avgMs() float64 {
	if st.latCount == 0 {
		return 0
	}
	return float64(st.latTotalNs) / float64(st.latCount) / float64(time.Millisecond)
}

// mode is the server's role as ZooKeeper names it, "" when not serving.
func (s *Server) mode() string {
	st := s.rep.Peer().Status()
	switch {
	case !st.Serving:
		return ""
	case len(s.cfg.Peers) == 1:
		return "standalone"
	case st.State == protocol.Leading:
		return "leader"
	case st.State == protocol.Observing:
		return "observer"
	}
	return "follower"
}

// wordAnswer is the text of a word that needs the loop's numbers. It runs
// on the loop.
func (s *Server) wordAnswer(word string) string {
	var b strings.Builder
	mode := s.mode()
	switch word {
	case "conf":
		s.writeConf(&b)
		return b.String()
	case "envi":
		writeEnvi(&b)
		return b.String()
	case "isro":
		if mode == "" {
			return "null"
		}
		return "rw"
	}
	if mode == "" {
		return notServing
	}
	switch word {
	case "srvr":
		b.WriteString("Zookeeper version: " + Version + "\n")
		s.writeServerStats(&b, mode)
	case "stat":
		b.WriteString("Zookeeper version: " + Version + "\n")
		b.WriteString("Clients:\n")
		s.writeConns(&b, false)
		b.WriteString("\n")
		s.writeServerStats(&b, mode)
	case "cons":
		s.writeConns(&b, true)
		b.WriteString("\n")
	case "mntr":
		s.writeMntr(&b, mode)
	}
	return b.String()
}

func (s *Server) outstanding() int {
	n := 0
	for _, c := range s.conns {
		n += len(c.pending) + len(c.early)
	}
	return n
}

func (s *Server) writeServerStats(b *strings.Builder, mode string) {
	st := &s.stats
	fmt.Fprintf(b, "Latency min/avg/max: %d/%.4f/%d\n", ms(st.latMinNs), st.avgMs(), ms(st.latMaxNs))
	fmt.Fprintf(b, "Received: %d\n", st.received)
	fmt.Fprintf(b, "Sent: %d\n", st.sent)
	fmt.Fprintf(b, "Connections: %d\n", len(s.conns))
	fmt.Fprintf(b, "Outstanding: %d\n", s.outstanding())
	fmt.Fprintf(b, "Zxid: %#x\n", s.rep.Tree().Zxid())
	fmt.Fprintf(b, "Mode: %s\n", mode)
	fmt.Fprintf(b, "Node count: %d\n", s.rep.Tree().NodeCount())
}

// writeConns lists the connections as ZooKeeper's cons does (stat shows
// the short form).
func (s *Server) writeConns(b *strings.Builder, long bool) {
	conns := make([]*clientConn, 0, len(s.conns))
	for _, c := range s.conns {
		conns = append(conns, c)
	}
	slices.SortFunc(conns, func(a, b *clientConn) int { return cmp.Compare(a.id, b.id) })
	for _, c := range conns {
		fmt.Fprintf(b, " /%s[1](queued=%d,recved=%d,sent=%d", c.remote, len(c.pending)+len(c.early), c.received, c.sent)
		if long {
			avg := int64(0)
			if c.answered > 0 {
				avg = ms(c.latTotalNs / c.answered)
			}
			lop := c.lastOp
			if lop == "" {
				lop = "NA"
			}
			fmt.Fprintf(b, ",sid=%#x,lop=%s,est=%d,to=%d,lcxid=%#x,lzxid=%#x,lresp=%d,llat=%d,minlat=%d,avglat=%d,maxlat=%d",
				c.session, lop, c.opened.UnixMilli(), c.timeout, uint32(c.lastXid), uint64(c.lastZxid), c.lastRespMs,
				ms(c.lastLatNs), ms(c.latMinNs), avg, ms(c.latMaxNs))
		}
		b.WriteString(")\n")
	}
}

func (s *Server) writeMntr(b *strings.Builder, mode string) {
	st := &s.stats
	kv := func(k string, v any) { fmt.Fprintf(b, "zk_%s\t%v\n", k, v) }
	kv("version", Version)
	kv("server_state", mode)
	kv("avg_latency", fmt.Sprintf("%.4f", st.avgMs()))
	kv("max_latency", ms(st.latMaxNs))
	kv("min_latency", ms(st.latMinNs))
	kv("packets_received", st.received)
	kv("packets_sent", st.sent)
	kv("num_alive_connections", len(s.conns))
	kv("outstanding_requests", s.outstanding())
	kv("znode_count", s.rep.Tree().NodeCount())
	kv("ephemerals_count", s.ephemerals())
	kv("last_zxid", fmt.Sprintf("%#x", s.rep.Tree().Zxid()))
	kv("uptime", time.Since(s.start).Milliseconds())
	if mode == "leader" {
		learners := s.rep.Peer().Learners()
		kv("learners", len(learners))
		kv("synced_followers", len(learners))
	}
}

func (s *Server) ephemerals() int {
	n := 0
	for id := range s.rep.Tree().Sessions() {
		n += len(s.rep.Tree().GetEphemerals(tree.Caller{Session: id}, "/"))
	}
	return n
}

func (s *Server) writeConf(b *strings.Builder) {
	kv := func(k string, v any) { fmt.Fprintf(b, "%s=%v\n", k, v) }
	kv("clientPort", portOf(s.ClientAddr()))
	kv("clientPortAddress", hostOf(s.ClientAddr()))
	kv("dataDir", s.cfg.Dir)
	kv("tickTime", s.cfg.TickTime.Milliseconds())
	kv("maxClientCnxns", s.cfg.MaxClientCnxns)
	kv("minSessionTimeout", s.minTimeout().Milliseconds())
	kv("maxSessionTimeout", s.maxTimeout().Milliseconds())
	kv("serverId", s.cfg.ID)
	kv("initLimit", s.cfg.InitLimit)
	kv("syncLimit", s.cfg.SyncLimit)
	self := s.cfg.Peers[s.cfg.ID]
	kv("electionPort", portOf(self.Election))
	kv("quorumPort", portOf(self.Quorum))
	peerType := 0
	if self.Observer {
		peerType = 1
	}
	kv("peerType", peerType)
	b.WriteString("membership: \n")
	ids := make([]uint64, 0, len(s.cfg.Peers))
	for id := range s.cfg.Peers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		p := s.cfg.Peers[id]
		role := "participant"
		if p.Observer {
			role = "observer"
		}
		fmt.Fprintf(b, "server.%d=%s:%s:%s\n", id, p.Quorum, portOf(p.Election), role)
	}
}

func (s *Server) minTimeout() time.Duration {
	if s.cfg.MinSessionTimeout > 0 {
		return s.cfg.MinSessionTimeout
	}
	return 2 * s.cfg.TickTime
}

func (s *Server) maxTimeout() time.Duration {
	if s.cfg.MaxSessionTimeout > 0 {
		return s.cfg.MaxSessionTimeout
	}
	return 20 * s.cfg.TickTime
}

func writeEnvi(b *strings.Builder) {
	kv := func(k string, v any) { fmt.Fprintf(b, "%s=%v\n", k, v) }
	b.WriteString("Environment:\n")
	kv("zookeeper.version", Version)
	host, _ := os.Hostname()
	kv("host.name", host)
	kv("go.version", runtime.Version())
	kv("os.name", runtime.GOOS)
	kv("os.arch", runtime.GOARCH)
	wd, _ := os.Getwd()
	kv("user.dir", wd)
	kv("os.cpus", runtime.NumCPU())
	kv("pid", os.Getpid())
}

func hostOf(addr string) string {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return h
}

func portOf(addr string) string {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return p
}
