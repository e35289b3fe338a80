package live

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const ensembleCfg = `# a 3.8 ensemble
tickTime=2000
initLimit=10
syncLimit = 5
dataDir=/var/lib/zk
clientPort: 2181
clientPortAddress=127.0.0.1
maxClientCnxns=0
4lw.commands.whitelist=srvr, ruok ,mntr
admin.enableServer=false
server.1=127.0.0.1:2888:3888
server.2=127.0.0.1:2889:3889:participant
server.3=[::1]:2890:3890:observer
`

func TestParseZooConfig(t *testing.T) {
	z, err := ParseZooConfig(strings.NewReader(ensembleCfg), "zoo.cfg")
	if err != nil {
		t.Fatal(err)
	}
	want := &ZooConfig{
		File: "zoo.cfg", TickTime: 2 * time.Second, InitLimit: 10, SyncLimit: 5, DataDir: "/var/lib/zk",
		ClientPort: 2181, ClientPortAddress: "127.0.0.1", MaxClientCnxns: 0,
		FourLetterWords: []string{"srvr", "ruok", "mntr"},
		Servers: map[uint64]ServerLine{
			1: {Quorum: "127.0.0.1:2888", Election: "127.0.0.1:3888"},
			2: {Quorum: "127.0.0.1:2889", Election: "127.0.0.1:3889"},
			3: {Quorum: "[::1]:2890", Election: "[::1]:3890", Observer: true},
		},
		Ignored: []string{"admin.enableServer"},
	}
	if !reflect.DeepEqual(z, want) {
		t.Fatalf("got  %+v\nwant %+v", z, want)
	}
	cfg, err := z.ServerConfig(2)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ID != 2 || cfg.ClientAddr != "127.0.0.1:2181" || cfg.Dir != filepath.Join("/var/lib/zk", "zabsim") ||
		len(cfg.Peers) != 3 || !cfg.Peers[3].Observer || cfg.TickTime != 2*time.Second {
		t.Fatalf("server config %+v", cfg)
	}
	if _, err := z.ServerConfig(4); !errors.Is(err, ErrMyID) || !strings.Contains(err.Error(), "server.4") {
		t.Fatalf("myid without a server line: %v", err)
	}
}

func TestParseZooConfigClientPortOnServerLine(t *testing.T) {
	z, err := ParseZooConfig(strings.NewReader("tickTime=100\ninitLimit=5\nsyncLimit=2\ndataDir=d\ndataLogDir=l\n"+
		"server.1=localhost:2888:3888;2181\nserver.2=localhost:2889:3889:participant;127.0.0.1:2182\n"), "z")
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[uint64]string{1: "0.0.0.0:2181", 2: "127.0.0.1:2182"} {
		cfg, err := z.ServerConfig(id)
		if err != nil || cfg.ClientAddr != want || cfg.Dir != filepath.Join("l", "zabsim") {
			t.Fatalf("server %d: %+v %v, want client %s", id, cfg, err, want)
		}
	}
}

func TestParseZooConfigStandalone(t *testing.T) {
	z, err := ParseZooConfig(strings.NewReader("tickTime=2000\ndataDir=/d\nclientPort=2181\n"), "z")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := z.ServerConfig(0)
	if err != nil || cfg.ID != 1 || len(cfg.Peers) != 1 || cfg.ClientAddr != "0.0.0.0:2181" || cfg.MaxClientCnxns != DefaultMaxClientCnxns {
		t.Fatalf("standalone: %+v %v", cfg, err)
	}
}

func TestParseZooConfigErrors(t *testing.T) {
	base := "tickTime=2000\ndataDir=/d\nclientPort=2181\n"
	for _, tc := range []struct {
		name, text string
		want       error
		line       int
		mention    string
	}{
		{"no separator", base + "justakey\n", ErrConfigSyntax, 4, "justakey"},
		{"unknown key", base + "tickTme=5\n", ErrConfigKey, 4, "tickTme"},
		{"bad number", "tickTime=2s\n", ErrConfigValue, 1, "tickTime"},
		{"negative", base + "initLimit=-1\n", ErrConfigValue, 4, "initLimit"},
		{"bad port", "clientPort=70000\n", ErrConfigValue, 1, "clientPort"},
		{"duplicate", base + "tickTime=3000\n", ErrConfigDup, 4, "line 1"},
		{"server id", base + "server.x=h:1:2\n", ErrConfigKey, 4, "server.x"},
		{"server id zero", base + "server.0=h:1:2\n", ErrConfigKey, 4, "server.0"},
		{"server ports", base + "server.1=h:1\n", ErrConfigValue, 4, "server.1"},
		{"server port", base + "server.1=h:1:abc\n", ErrConfigValue, 4, "election port"},
		{"server role", base + "server.1=h:1:2:leader\n", ErrConfigValue, 4, "leader"},
		{"whitelist", base + "4lw.commands.whitelist=ruok,dump\n", ErrConfigValue, 4, "dump"},
		{"no tickTime", "dataDir=/d\n", ErrConfigMissing, 0, "tickTime"},
		{"no dataDir", "tickTime=1\n", ErrConfigMissing, 0, "dataDir"},
		{"no initLimit", base + "syncLimit=2\nserver.1=h:1:2\n", ErrConfigMissing, 0, "initLimit"},
		{"timeouts", base + "minSessionTimeout=5000\nmaxSessionTimeout=4000\n", ErrConfigValue, 4, "minSessionTimeout"},
		{"only observers", base + "initLimit=1\nsyncLimit=1\nserver.1=h:1:2:observer\n", ErrConfigValue, 0, "observer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseZooConfig(strings.NewReader(tc.text), "zoo.cfg")
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Line != tc.line || !strings.Contains(err.Error(), tc.mention) {
				t.Fatalf("error %q: want line %d and a mention of %q", err, tc.line, tc.mention)
			}
		})
	}
}

func TestServerConfigWithoutClientPort(t *testing.T) {
	z, err := ParseZooConfig(strings.NewReader("tickTime=1\ndataDir=/d\ninitLimit=1\nsyncLimit=1\nserver.1=h:1:2\n"), "z")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := z.ServerConfig(1); !errors.Is(err, ErrConfigMissing) || !strings.Contains(err.Error(), "clientPort") {
		t.Fatalf("got %v", err)
	}
}

func TestReadMyID(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadMyID(dir); !errors.Is(err, ErrMyID) {
		t.Fatalf("no myid file: %v", err)
	}
	for _, tc := range []struct {
		text string
		id   uint64
		ok   bool
	}{{"3\n", 3, true}, {" 17 ", 17, true}, {"0", 0, false}, {"255", 0, false}, {"two", 0, false}} {
		if err := os.WriteFile(filepath.Join(dir, "myid"), []byte(tc.text), 0o644); err != nil {
			t.Fatal(err)
		}
		id, err := ReadMyID(dir)
		if (err == nil) != tc.ok || id != tc.id || (err != nil && !errors.Is(err, ErrMyID)) {
			t.Errorf("myid %q: %d %v", tc.text, id, err)
		}
	}
}
