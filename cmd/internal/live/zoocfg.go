package live

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// zoo.cfg: ZooKeeper's configuration file, a Java properties file of the
// keys DESIGN.md §8 names plus the few more a 3.8 zoo.cfg commonly holds.
// Keys ZooKeeper knows but zabsim has no use for are accepted and listed
// in ZooConfig.Ignored; a key nobody knows is an error, so a typo does not
// silently leave a default in place.

// Errors of zoo.cfg and myid, for errors.Is. Each comes wrapped in a
// *ConfigError that names the file, line and key.
var (
	ErrConfigSyntax  = errors.New("not a key=value line")
	ErrConfigKey     = errors.New("unknown key")
	ErrConfigValue   = errors.New("bad value")
	ErrConfigMissing = errors.New("required key missing")
	ErrConfigDup     = errors.New("key given twice")
	ErrMyID          = errors.New("bad myid")
)

// ConfigError is one problem in a configuration file.
type ConfigError struct {
	File string
	Line int // 0 when the problem is not on one line
	Key  string
	Err  error // one of the sentinels above
	Msg  string
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Err.Error())
	if e.Msg != "" {
		b.WriteString(": " + e.Msg)
	}
	return b.String()
}

func (e *ConfigError) Unwrap() error { return e.Err }

// ServerLine is one server.N line: host:quorumPort:electionPort
// [:participant|:observer][;[clientHost:]clientPort].
type ServerLine struct {
	Quorum, Election string
	Observer         bool
	// Client is the client address of the dynamic-config form, "" if
	// the line has none.
	Client string
}

// ZooConfig is a parsed zoo.cfg.
type ZooConfig struct {
	File                 string
	TickTime             time.Duration
	InitLimit, SyncLimit int
	DataDir, DataLogDir  string
	// ClientPort is 0 when the file names none (a server line may).
	ClientPort        int
	ClientPortAddress string
	MaxClientCnxns    int
	MinSessionTimeout time.Duration
	MaxSessionTimeout time.Duration
	// FourLetterWords is 4lw.commands.whitelist; nil when not set.
	FourLetterWords []string
	SnapCount       int
	MaxFrame        int // jute.maxbuffer
	Servers         map[uint64]ServerLine
	// Ignored lists the keys ZooKeeper knows that zabsim does not use.
	Ignored []string
}

// ignoredKeys are 3.8 settings that change nothing here.
var ignoredKeys = []string{
	"admin.enableServer", "admin.serverAddress", "admin.serverPort", "admin.commandURL",
	"autopurge.snapRetainCount", "autopurge.purgeInterval", "standaloneEnabled",
	"reconfigEnabled", "dynamicConfigFile", "quorumListenOnAllIPs", "electionAlg",
	"peerType", "preAllocSize", "globalOutstandingLimit", "leaderServes",
	"cnxTimeout", "forceSync", "syncEnabled", "metricsProvider.className",
	"metricsProvider.httpPort", "metricsProvider.exportJvmInfo", "secureClientPort",
	"secureClientPortAddress", "clientPortListenBacklog", "localSessionsEnabled",
	"localSessionsUpgradingEnabled", "skipACL", "zookeeper.extendedTypesEnabled",
	"extendedTypesEnabled", "4lw.commands.enable", "audit.enable",
}

// DefaultMaxClientCnxns is ZooKeeper's maxClientCnxns default.
const DefaultMaxClientCnxns = 60

// LoadZooConfig reads and parses a zoo.cfg file.
func LoadZooConfig(path string) (*ZooConfig, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseZooConfig(f, path)
}

// ParseZooConfig parses zoo.cfg text; name is used in errors. Relative
// dataDir and dataLogDir are kept as written.
func ParseZooConfig(r io.Reader, name string) (*ZooConfig, error) {
	z := &ZooConfig{File: name, MaxClientCnxns: DefaultMaxClientCnxns, Servers: map[uint64]ServerLine{}}
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		key, value, ok := splitProperty(line)
		if !ok {
			return nil, &ConfigError{File: name, Line: n, Err: ErrConfigSyntax, Msg: strconv.Quote(line)}
		}
		if prev, dup := seen[key]; dup {
			return nil, &ConfigError{File: name, Line: n, Key: key, Err: ErrConfigDup, Msg: fmt.Sprintf("first on line %d", prev)}
		}
		seen[key] = n
		if err := z.set(key, value); err != nil {
			return nil, &ConfigError{File: name, Line: n, Key: key, Err: errorKind(err), Msg: err.Error()}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &ConfigError{File: name, Err: ErrConfigSyntax, Msg: err.Error()}
	}
	if err := z.check(seen); err != nil {
		return nil, err
	}
	return z, nil
}

// splitProperty splits a properties line: the key ends at the first
// '=', ':' or blank; one '=' or ':' after blanks belongs to the separator.
func splitProperty(line string) (key, value string, ok bool) {
	i := strings.IndexFunc(line, func(r rune) bool { return r == '=' || r == ':' || unicode.IsSpace(r) })
	if i <= 0 {
		return "", "", false
	}
	key, rest := line[:i], strings.TrimLeftFunc(line[i:], unicode.IsSpace)
	if rest != "" && (rest[0] == '=' || rest[0] == ':') {
		rest = rest[1:]
	}
	return key, strings.TrimSpace(rest), true
}

// valueError is what set returns; ParseZooConfig adds file and line.
type valueError struct {
	kind error
	msg  string
}

func (e *valueError) Error() string { return e.msg }

func errorKind(err error) error {
	var v *valueError
	if errors.As(err, &v) {
		return v.kind
	}
	return ErrConfigValue
}

func badValue(format string, args ...any) error {
	return &valueError{kind: ErrConfigValue, msg: fmt.Sprintf(format, args...)}
}

func (z *ZooConfig) set(key, value string) error {
	switch key {
	case "tickTime":
		ms, err := positive(value)
		z.TickTime = time.Duration(ms) * time.Millisecond
		return err
	case "initLimit":
		return setPositive(&z.InitLimit, value)
	case "syncLimit":
		return setPositive(&z.SyncLimit, value)
	case "dataDir":
		return setPath(&z.DataDir, value)
	case "dataLogDir":
		return setPath(&z.DataLogDir, value)
	case "clientPort":
		p, err := port(value)
		z.ClientPort = p
		return err
	case "clientPortAddress":
		if value == "" {
			return badValue("empty address")
		}
		z.ClientPortAddress = value
		return nil
	case "maxClientCnxns":
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 {
			return badValue("%q is not a count (0 means no limit)", value)
		}
		z.MaxClientCnxns = n
		return nil
	case "minSessionTimeout", "maxSessionTimeout":
		ms, err := positive(value)
		d := time.Duration(ms) * time.Millisecond
		if key == "minSessionTimeout" {
			z.MinSessionTimeout = d
		} else {
			z.MaxSessionTimeout = d
		}
		return err
	case "4lw.commands.whitelist":
		z.FourLetterWords = []string{}
		for w := range strings.SplitSeq(value, ",") {
			w = strings.TrimSpace(w)
			if w == "" {
				continue
			}
			if w != "*" && !IsFourLetterWord(w) {
				return badValue("%q is not a four-letter word zabsim knows (%s, or *)", w, strings.Join(FourLetterWords, ", "))
			}
			z.FourLetterWords = append(z.FourLetterWords, w)
		}
		return nil
	case "snapCount", "zookeeper.snapCount":
		return setPositive(&z.SnapCount, value)
	case "jute.maxbuffer", "zookeeper.jute.maxbuffer":
		return setPositive(&z.MaxFrame, value)
	}
	if rest, ok := strings.CutPrefix(key, "server."); ok {
		id, err := strconv.ParseUint(rest, 10, 64)
		if err != nil || id == 0 || id > 254 {
			return &valueError{kind: ErrConfigKey, msg: fmt.Sprintf("server id %q is not a number from 1 to 254", rest)}
		}
		s, err := parseServerLine(value)
		if err != nil {
			return err
		}
		z.Servers[id] = s
		return nil
	}
	if slices.Contains(ignoredKeys, key) || strings.HasPrefix(key, "group.") || strings.HasPrefix(key, "weight.") ||
		strings.HasPrefix(key, "ssl.") || strings.HasPrefix(key, "authProvider.") {
		z.Ignored = append(z.Ignored, key)
		return nil
	}
	return &valueError{kind: ErrConfigKey, msg: "zabsim does not know this setting"}
}

func positive(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, badValue("%q is not a positive number", v)
	}
	return n, nil
}

func setPositive(dst *int, v string) error {
	n, err := positive(v)
	*dst = n
	return err
}

func setPath(dst *string, v string) error {
	if v == "" {
		return badValue("empty path")
	}
	*dst = v
	return nil
}

func port(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 || n > 65535 {
		return 0, badValue("%q is not a port number", v)
	}
	return n, nil
}

// parseServerLine parses host:quorumPort:electionPort[:type][;client].
func parseServerLine(v string) (ServerLine, error) {
	addr, client, hasClient := strings.Cut(v, ";")
	host := ""
	rest := addr
	if strings.HasPrefix(addr, "[") { // [v6]:q:e
		end := strings.Index(addr, "]")
		if end < 0 {
			return ServerLine{}, badValue("%q: unclosed [ in the host", v)
		}
		host, rest = addr[1:end], strings.TrimPrefix(addr[end+1:], ":")
	} else {
		var ok bool
		host, rest, ok = strings.Cut(addr, ":")
		if !ok {
			return ServerLine{}, badValue("%q is not host:quorumPort:electionPort[:participant|observer]", v)
		}
	}
	parts := strings.Split(rest, ":")
	if host == "" || len(parts) < 2 || len(parts) > 3 {
		return ServerLine{}, badValue("%q is not host:quorumPort:electionPort[:participant|observer]", v)
	}
	var s ServerLine
	for i, p := range parts[:2] {
		n, err := port(p)
		if err != nil {
			what := [...]string{"quorum", "election"}[i]
			return ServerLine{}, badValue("%q: %s port %q is not a port number", v, what, p)
		}
		hp := net.JoinHostPort(host, strconv.Itoa(n))
		if i == 0 {
			s.Quorum = hp
		} else {
			s.Election = hp
		}
	}
	if len(parts) == 3 {
		switch strings.ToLower(parts[2]) {
		case "participant":
		case "observer":
			s.Observer = true
		default:
			return ServerLine{}, badValue("%q: role %q is neither participant nor observer", v, parts[2])
		}
	}
	if hasClient {
		chost, cport, ok := strings.Cut(strings.TrimSpace(client), ":")
		if !ok {
			chost, cport = "0.0.0.0", chost
		}
		n, err := port(cport)
		if err != nil {
			return ServerLine{}, badValue("%q: client port %q is not a port number", v, cport)
		}
		s.Client = net.JoinHostPort(chost, strconv.Itoa(n))
	}
	return s, nil
}

// check validates the whole file once every line is read.
func (z *ZooConfig) check(seen map[string]int) error {
	missing := func(key, why string) error {
		return &ConfigError{File: z.File, Key: key, Err: ErrConfigMissing, Msg: why}
	}
	if z.TickTime == 0 {
		return missing("tickTime", "every session timeout and limit counts in it")
	}
	if z.DataDir == "" {
		return missing("dataDir", "the server needs a directory for its log and snapshots")
	}
	if len(z.Servers) > 0 {
		if z.InitLimit == 0 {
			return missing("initLimit", "an ensemble needs it")
		}
		if z.SyncLimit == 0 {
			return missing("syncLimit", "an ensemble needs it")
		}
	}
	if z.MinSessionTimeout > 0 && z.MaxSessionTimeout > 0 && z.MinSessionTimeout > z.MaxSessionTimeout {
		return &ConfigError{File: z.File, Line: seen["minSessionTimeout"], Key: "minSessionTimeout", Err: ErrConfigValue,
			Msg: fmt.Sprintf("%v is above maxSessionTimeout %v", z.MinSessionTimeout, z.MaxSessionTimeout)}
	}
	voters := 0
	for _, s := range z.Servers {
		if !s.Observer {
			voters++
		}
	}
	if len(z.Servers) > 0 && voters == 0 {
		return &ConfigError{File: z.File, Key: "server.N", Err: ErrConfigValue, Msg: "every server is an observer"}
	}
	return nil
}

// ReadMyID reads the server id from dataDir/myid, as ZooKeeper does.
func ReadMyID(dataDir string) (uint64, error) {
	path := filepath.Join(dataDir, "myid")
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, &ConfigError{File: path, Err: ErrMyID, Msg: err.Error()}
	}
	id, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || id == 0 || id > 254 {
		return 0, &ConfigError{File: path, Err: ErrMyID, Msg: fmt.Sprintf("%q is not a server id from 1 to 254", strings.TrimSpace(string(b)))}
	}
	return id, nil
}

// ServerConfig is the live configuration of server myid of this file
// (myid is ignored for a standalone file without server lines). The
// storage directory is dataLogDir, or dataDir, plus "zabsim".
func (z *ZooConfig) ServerConfig(myid uint64) (Config, error) {
	cfg := Config{
		TickTime: z.TickTime, InitLimit: z.InitLimit, SyncLimit: z.SyncLimit,
		MinSessionTimeout: z.MinSessionTimeout, MaxSessionTimeout: z.MaxSessionTimeout,
		MaxClientCnxns: z.MaxClientCnxns, MaxFrame: z.MaxFrame, SnapCount: z.SnapCount,
		FourLetterWords: z.FourLetterWords, Peers: map[uint64]Peer{},
	}
	dir := z.DataDir
	if z.DataLogDir != "" {
		dir = z.DataLogDir
	}
	cfg.Dir = filepath.Join(dir, "zabsim")
	var client string
	if len(z.Servers) == 0 {
		cfg.ID = 1
		cfg.Peers[1] = Peer{Quorum: "127.0.0.1:0", Election: "127.0.0.1:0"}
	} else {
		self, ok := z.Servers[myid]
		if !ok {
			return Config{}, &ConfigError{File: z.File, Key: "server." + strconv.FormatUint(myid, 10), Err: ErrMyID,
				Msg: fmt.Sprintf("myid is %d but the file has no server.%d line", myid, myid)}
		}
		cfg.ID = myid
		for id, s := range z.Servers {
			cfg.Peers[id] = Peer{Quorum: s.Quorum, Election: s.Election, Observer: s.Observer}
		}
		client = self.Client
	}
	switch {
	case z.ClientPort != 0:
		host := z.ClientPortAddress
		if host == "" {
			host = "0.0.0.0"
		}
		cfg.ClientAddr = net.JoinHostPort(host, strconv.Itoa(z.ClientPort))
	case client != "":
		cfg.ClientAddr = client
	default:
		return Config{}, &ConfigError{File: z.File, Key: "clientPort", Err: ErrConfigMissing,
			Msg: "set clientPort, or a client port on this server's server.N line"}
	}
	return cfg, nil
}
