package nemesis

import (
	"context"
	"fmt"
	"time"
)

// Processes is an ensemble of `zabsim serve` processes on loopback with no
// faults of its own, for tests of client code (the recipes) that want a
// server really killed: SIGKILL, then a restart from what its disk holds.
type Processes struct {
	cl  *cluster
	net Network
}

// StartProcesses starts servers of command (the zabsim binary and any
// arguments before "serve") with their storage under dir, and waits until
// every one serves.
func StartProcesses(ctx context.Context, servers int, dir string, command []string, tick time.Duration) (*Processes, error) {
	if servers < 1 || servers > 9 || dir == "" || len(command) == 0 {
		return nil, fmt.Errorf("%w: %d servers in %q running %q", ErrConfig, servers, dir, command)
	}
	network, _, err := openNetwork(NetLoopback, servers, 1)
	if err != nil {
		return nil, err
	}
	p := &Processes{cl: &cluster{n: servers, dir: dir, command: command, net: network, procs: map[uint64]*process{}}, net: network}
	if err := p.cl.writeConfigs(tick); err != nil {
		p.Close()
		return nil, err
	}
	for sid := uint64(1); sid <= uint64(servers); sid++ {
		if err := p.cl.start(sid); err != nil {
			p.Close()
			return nil, err
		}
	}
	if err := p.cl.waitServing(ctx, true); err != nil {
		p.Close()
		return nil, fmt.Errorf("starting: %w (server logs in %s)", err, dir)
	}
	return p, nil
}

// ClientAddrs are the servers' client addresses, by sid.
func (p *Processes) ClientAddrs() []string {
	out := make([]string, p.cl.n)
	for i := range out {
		out[i] = p.net.Server(uint64(i + 1)).ClientAddr()
	}
	return out
}

// Leader is the sid of the server that says it leads, or 0.
func (p *Processes) Leader() uint64 { return p.cl.leader() }

// Kill sends server sid SIGKILL and waits for it to end.
func (p *Processes) Kill(sid uint64) error { return p.cl.kill(sid) }

// Restart starts a killed server again and waits until a quorum serves.
func (p *Processes) Restart(ctx context.Context, sid uint64) error {
	if err := p.cl.start(sid); err != nil {
		return err
	}
	return p.cl.waitServing(ctx, false)
}

// Crashes lists servers that exited without being told to, with the end
// of their logs.
func (p *Processes) Crashes() []string { return p.cl.crashReports() }

// Close stops every server and the network.
func (p *Processes) Close() {
	p.cl.stopAll()
	p.net.Close()
}
