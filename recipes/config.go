package recipes

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"time"

	"github.com/zabsim/zabsim/tree"
)

// Configuration management, as ZooKeeper's recipes page describes it: a
// configuration lives in one znode; clients read it with a data watch
// and read it again whenever the watch fires. The znode holds the
// configuration's version number (the configuration proper would ride
// beside it), so that a reader can tell an older configuration from a
// newer one.

func configVersion(p string, data []byte) (int64, error) {
	v, err := strconv.ParseInt(string(data), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %s holds %q, not a configuration version", tree.ErrBadArguments, p, data)
	}
	return v, nil
}

// ConfigWriter sets the configuration at Path to versions 1 to Versions,
// one every Every, recording each (ConfigWritten) once it is in.
type ConfigWriter struct {
	Name     string
	Path     string
	Log      *Log
	Versions int
	Every    time.Duration
}

// Run runs the writer on c.
func (w ConfigWriter) Run(c Conn) error {
	if err := EnsurePath(c, path.Dir(w.Path)); err != nil {
		return err
	}
	for v := int64(1); v <= int64(w.Versions); v++ {
		if v > 1 {
			c.Sleep(w.Every)
		}
		if err := w.write(c, v); err != nil {
			return err
		}
		w.Log.Record(c, w.Name, ConfigWritten, "", v)
	}
	return nil
}

// write sets version v. Each attempt is conditional on the znode version
// it read, so an attempt whose reply was lost cannot be applied twice, or
// over a later one: the next read shows whether it took.
func (w ConfigWriter) write(c Conn, v int64) error {
	data := []byte(strconv.FormatInt(v, 10))
	for {
		cur, st, err := c.Get(w.Path, false)
		switch {
		case errors.Is(err, tree.ErrNoNode):
			_, err = c.Create(w.Path, data, tree.FlagPersistent)
			if err == nil {
				return nil
			}
			if errors.Is(err, tree.ErrNodeExists) {
				continue
			}
		case err == nil:
			have, bad := configVersion(w.Path, cur)
			if bad != nil {
				return bad
			}
			if have >= v {
				return nil
			}
			_, err = c.Set(w.Path, data, st.Version)
			if err == nil {
				return nil
			}
			if errors.Is(err, tree.ErrBadVersion) {
				continue
			}
		}
		if !transient(err) {
			return fmt.Errorf("writing %s: %w", w.Path, err)
		}
	}
}

// ConfigReader follows the configuration at Path until Until (a time of
// c.Now), acting on (recording, ConfigActed) each version newer than the
// last it acted on. It never acts on an older one: a read may be older
// than one before it (a reconnection to a server further behind, in a
// system without ZooKeeper's guarantee), and a careful reader compares.
type ConfigReader struct {
	Name  string
	Path  string
	Log   *Log
	Until time.Duration
}

// Run runs the reader on c.
func (r ConfigReader) Run(c Conn) error {
	acted := int64(0)
	stale := true
	for c.Now() < r.Until {
		if stale {
			v, err := r.read(c)
			if err != nil && !transient(err) {
				return err
			}
			if err == nil {
				stale = false
				if v > acted {
					acted = v
					r.Log.Record(c, r.Name, ConfigActed, "", v)
				}
			}
			continue
		}
		ev, ok := c.Next(r.Until - c.Now())
		// A reconnection may have lost the watch: read again.
		stale = ok && ev.Type != EventDisconnected
	}
	return nil
}

// read reads the configuration's version with a watch on it, 0 while
// there is none (the watch then waits for its creation).
func (r ConfigReader) read(c Conn) (int64, error) {
	for {
		data, _, err := c.Get(r.Path, true)
		if errors.Is(err, tree.ErrNoNode) {
			ok, _, err := c.Exists(r.Path, true)
			if err != nil || !ok {
				return 0, err
			}
			continue // created meanwhile, before the watch was set
		}
		if err != nil {
			return 0, err
		}
		return configVersion(r.Path, data)
	}
}
