package wire

import "fmt"

// ConnectRequest is the first frame on a connection, sent without a
// RequestHeader. The Java client appends a readOnly byte (45 bytes with a
// 16-byte passwd); go-zookeeper does not (44 bytes). HasReadOnly records
// which, because the ConnectResponse must match it.
type ConnectRequest struct {
	ProtocolVersion int32
	LastZxidSeen    int64
	TimeOut         int32
	SessionID       int64
	Passwd          []byte
	ReadOnly        bool
	HasReadOnly     bool
}

func (c *ConnectRequest) String() string {
	ro := "absent"
	if c.HasReadOnly {
		ro = fmt.Sprint(c.ReadOnly)
	}
	return fmt.Sprintf("connect{protocolVersion=%d lastZxidSeen=%#x timeOut=%d sessionId=%#x passwd=%s readOnly=%s}",
		c.ProtocolVersion, c.LastZxidSeen, c.TimeOut, c.SessionID, passwdString(c.Passwd), ro)
}

// EncodeConnectRequest returns the frame body (no length prefix).
func EncodeConnectRequest(c *ConnectRequest) []byte {
	e := newEncoder()
	e.int32(c.ProtocolVersion)
	e.int64(c.LastZxidSeen)
	e.int32(c.TimeOut)
	e.int64(c.SessionID)
	e.buffer(c.Passwd)
	if c.HasReadOnly {
		e.bool(c.ReadOnly)
	}
	return e.buf
}

// DecodeConnectRequest reads a ConnectRequest frame body. Like ZooKeeper it
// treats a missing readOnly byte as an old client, not an error, and ignores
// bytes after it.
func DecodeConnectRequest(body []byte) (*ConnectRequest, error) {
	d := &decoder{buf: body}
	c := &ConnectRequest{
		ProtocolVersion: d.int32("protocolVersion"),
		LastZxidSeen:    d.int64("lastZxidSeen"),
		TimeOut:         d.int32("timeOut"),
		SessionID:       d.int64("sessionId"),
		Passwd:          d.buffer("passwd"),
	}
	if d.err == nil && d.remaining() > 0 {
		c.HasReadOnly = true
		c.ReadOnly = d.bool("readOnly")
	}
	if err := d.finish("ConnectRequest"); err != nil {
		return nil, err
	}
	return c, nil
}

// PasswdSize is the length of the session passwd ZooKeeper hands out.
const PasswdSize = 16

// Accept answers c with a session. The readOnly byte is sent exactly when c
// carried one, as ZooKeeper does; a read-write server always says false.
func (c *ConnectRequest) Accept(timeOut int32, sessionID int64, passwd []byte) *ConnectResponse {
	return &ConnectResponse{TimeOut: timeOut, SessionID: sessionID, Passwd: passwd, HasReadOnly: c.HasReadOnly}
}

// Refuse answers c the way ZooKeeper refuses to resume an expired, closed
// or unknown session or a wrong passwd: timeOut 0, sessionId 0 and a zero
// passwd, after which the server closes the connection.
func (c *ConnectRequest) Refuse() *ConnectResponse {
	return c.Accept(0, 0, make([]byte, PasswdSize))
}

// ConnectResponse answers a ConnectRequest, without a ReplyHeader. A
// SessionID of 0 (with TimeOut 0 and a zero passwd) tells the client its
// session is expired or the passwd was wrong. HasReadOnly must equal the
// request's: ZooKeeper sends 37 bytes to a client that sent the readOnly
// byte and 36 to one that did not.
type ConnectResponse struct {
	ProtocolVersion int32
	TimeOut         int32
	SessionID       int64
	Passwd          []byte
	ReadOnly        bool
	HasReadOnly     bool
}

func (c *ConnectResponse) String() string {
	ro := "absent"
	if c.HasReadOnly {
		ro = fmt.Sprint(c.ReadOnly)
	}
	return fmt.Sprintf("connected{protocolVersion=%d timeOut=%d sessionId=%#x passwd=%s readOnly=%s}",
		c.ProtocolVersion, c.TimeOut, c.SessionID, passwdString(c.Passwd), ro)
}

// EncodeConnectResponse returns the frame body (no length prefix).
func EncodeConnectResponse(c *ConnectResponse) []byte {
	e := newEncoder()
	e.int32(c.ProtocolVersion)
	e.int32(c.TimeOut)
	e.int64(c.SessionID)
	e.buffer(c.Passwd)
	if c.HasReadOnly {
		e.bool(c.ReadOnly)
	}
	return e.buf
}

// DecodeConnectResponse reads a ConnectResponse frame body.
func DecodeConnectResponse(body []byte) (*ConnectResponse, error) {
	d := &decoder{buf: body}
	c := &ConnectResponse{
		ProtocolVersion: d.int32("protocolVersion"),
		TimeOut:         d.int32("timeOut"),
		SessionID:       d.int64("sessionId"),
		Passwd:          d.buffer("passwd"),
	}
	if d.err == nil && d.remaining() > 0 {
		c.HasReadOnly = true
		c.ReadOnly = d.bool("readOnly")
	}
	if err := d.finish("ConnectResponse"); err != nil {
		return nil, err
	}
	return c, nil
}

// passwdString prints a passwd's length only: it is a session credential.
func passwdString(p []byte) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprintf("%dB", len(p))
}
