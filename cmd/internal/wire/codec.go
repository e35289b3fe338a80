package wire

import (
	"errors"
	"fmt"
)

// ErrUnknownOpcode is what an UnknownOpcodeError matches with errors.Is.
// ZooKeeper answers such a request with UNIMPLEMENTED (zxid -1) and then
// closes the connection.
var ErrUnknownOpcode = errors.New("wire: unknown opcode")

// UnknownOpcodeError carries the header of a request whose opcode has no
// request record, so the server can echo its xid.
type UnknownOpcodeError struct {
	Header RequestHeader
}

func (e *UnknownOpcodeError) Error() string {
	return fmt.Sprintf("wire: unknown opcode %d (xid %d)", int32(e.Header.Opcode), e.Header.Xid)
}

func (e *UnknownOpcodeError) Unwrap() error { return ErrUnknownOpcode }

// EncodeRequest returns the frame body of a request: header, then record.
func EncodeRequest(xid int32, r Request) []byte {
	e := newEncoder()
	RequestHeader{Xid: xid, Opcode: r.Opcode()}.encode(e)
	r.encode(e)
	return e.buf
}

// DecodeRequest reads a request frame body (after the length prefix). The
// header is returned whenever its 8 bytes were there, also alongside an
// *UnknownOpcodeError or a *DecodeError for the body, so the server can
// answer with the right xid. Bytes after the record are ignored, as
// ZooKeeper's record reader does.
func DecodeRequest(body []byte) (RequestHeader, Request, error) {
	d := &decoder{buf: body}
	h := decodeRequestHeader(d)
	if err := d.finish("RequestHeader"); err != nil {
		return RequestHeader{}, nil, err
	}
	rd, ok := requestDecoders[h.Opcode]
	if !ok {
		return h, nil, &UnknownOpcodeError{Header: h}
	}
	r := rd.decode(d)
	if err := d.finish(rd.record); err != nil {
		return h, nil, err
	}
	return h, r, nil
}

// EncodeReply returns the frame body of a reply: header, then the record
// unless body is nil. ZooKeeper sends no record after a non-zero err, except
// for multiRead's END-only body; passing the body or nil decides that.
func EncodeReply(h ReplyHeader, body Response) []byte {
	e := newEncoder()
	h.encode(e)
	if body != nil {
		body.encode(e)
	}
	return e.buf
}

// EncodeNotification returns the frame body of a watch notification.
func EncodeNotification(ev *WatcherEvent) []byte {
	return EncodeReply(NotificationHeader, ev)
}

// DecodeReply reads a reply frame body for a request with opcode op. A
// notification (xid -1) decodes as a *WatcherEvent whatever op is. A reply
// with a non-zero err and nothing after the header has a nil body; so does
// a successful reply to an op that returns nothing.
func DecodeReply(op Opcode, body []byte) (ReplyHeader, Response, error) {
	d := &decoder{buf: body}
	h := decodeReplyHeader(d)
	if err := d.finish("ReplyHeader"); err != nil {
		return ReplyHeader{}, nil, err
	}
	if h.Xid == XidNotification {
		ev := decodeWatcherEvent(d)
		if err := d.finish("WatcherEvent"); err != nil {
			return h, nil, err
		}
		return h, ev, nil
	}
	if h.Err != ErrOK && d.remaining() == 0 {
		return h, nil, nil
	}
	rd, ok := responseDecoders[op]
	if !ok {
		return h, nil, &UnknownOpcodeError{Header: RequestHeader{Xid: h.Xid, Opcode: op}}
	}
	if rd.decode == nil {
		return h, nil, nil
	}
	r := rd.decode(d)
	if err := d.finish(rd.record); err != nil {
		return h, nil, err
	}
	return h, r, nil
}
