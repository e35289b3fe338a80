package protocol

// Recovered is what a host read back from its disk at start: every valid
// log record in order, every named file, and whether a torn final record
// was cut off.
type Recovered struct {
	Records  [][]byte
	Files    map[string][]byte
	TornTail bool
}
