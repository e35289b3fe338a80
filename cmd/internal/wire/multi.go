package wire

import (
	"fmt"
	"strings"
)

// MultiOp is a request that may appear inside multi or multiRead: the op
// types ZooKeeper's MultiOperationRecord accepts. Which of them a multi or a
// multiRead may actually contain is the server's decision (3.8.0 answers
// MARSHALLINGERROR to a mix), so the codec carries any of them in either.
type MultiOp interface {
	Request
	multiOp()
}

func (*CreateRequest) multiOp()          {}
func (*Create2Request) multiOp()         {}
func (*CreateContainerRequest) multiOp() {}
func (*CreateTTLRequest) multiOp()       {}
func (*DeleteRequest) multiOp()          {}
func (*SetDataRequest) multiOp()         {}
func (*CheckVersionRequest) multiOp()    {}
func (*GetDataRequest) multiOp()         {}
func (*GetChildrenRequest) multiOp()     {}

// MultiRequest is multi (14): write ops applied atomically.
type MultiRequest struct {
	Ops []MultiOp
}

// MultiReadRequest is multiRead (22): read ops answered one by one.
type MultiReadRequest struct {
	Ops []MultiOp
}

func (*MultiRequest) Opcode() Opcode     { return OpMulti }
func (*MultiReadRequest) Opcode() Opcode { return OpMultiRead }

func (r *MultiRequest) String() string     { return "multi" + opsString(r.Ops) }
func (r *MultiReadRequest) String() string { return "multiRead" + opsString(r.Ops) }

func opsString(ops []MultiOp) string {
	parts := make([]string, len(ops))
	for i, op := range ops {
		parts[i] = op.String()
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func (r *MultiRequest) encode(e *encoder)     { encodeMultiOps(e, r.Ops) }
func (r *MultiReadRequest) encode(e *encoder) { encodeMultiOps(e, r.Ops) }

// encodeMultiOps writes each op behind a header {type, false, -1}, then the
// END header, as ZooKeeper's MultiOperationRecord does.
func encodeMultiOps(e *encoder, ops []MultiOp) {
	for _, op := range ops {
		MultiHeader{Type: op.Opcode(), Done: false, Err: -1}.encode(e)
		op.encode(e)
	}
	multiEnd.encode(e)
}

// multiOpDecoders lists the record each op type is read as. getData and
// getChildren keep their watch flag although ZooKeeper drops it inside
// multiRead, so a decoded request re-encodes to the same bytes.
var multiOpDecoders = map[Opcode]func(d *decoder) MultiOp{
	OpCreate:          func(d *decoder) MultiOp { return decodeCreate(d) },
	OpCreate2:         func(d *decoder) MultiOp { return (*Create2Request)(decodeCreate(d)) },
	OpCreateContainer: func(d *decoder) MultiOp { return (*CreateContainerRequest)(decodeCreate(d)) },
	OpCreateTTL:       func(d *decoder) MultiOp { return decodeCreateTTL(d) },
	OpDelete:          func(d *decoder) MultiOp { return decodeDelete(d) },
	OpSetData:         func(d *decoder) MultiOp { return decodeSetData(d) },
	OpCheck:           func(d *decoder) MultiOp { return decodeCheck(d) },
	OpGetData:         func(d *decoder) MultiOp { return decodeGetData(d) },
	OpGetChildren:     func(d *decoder) MultiOp { return decodeGetChildren(d) },
}

// decodeMultiOps reads headers and ops until a header with done set. Like
// ZooKeeper it ignores the err of request headers and the type of the END
// header. Each op costs at least a header, which bounds the loop.
func decodeMultiOps(d *decoder) []MultiOp {
	ops := []MultiOp{}
	limit := d.remaining() / MultiHeaderSize
	for i := 0; i <= limit; i++ {
		h := decodeMultiHeader(d)
		if d.err != nil || h.Done {
			d.inElement("ops", i)
			return ops
		}
		dec, ok := multiOpDecoders[h.Type]
		if !ok {
			d.fail("type", "op type %s not allowed in multi", h.Type)
			d.inElement("ops", i)
			return nil
		}
		op := dec(d)
		if d.err != nil {
			d.inElement("ops", i)
			return nil
		}
		ops = append(ops, op)
	}
	d.fail("ops", "no END header")
	return nil
}

// MultiResult is one entry of a multi or multiRead response: the header's
// type and err, and the body that type carries (nil for delete and check).
// A failed op is Type OpError with an ErrorResponse body repeating Err.
// Inside multi, ZooKeeper 3.8.0 picks a create's result by its flags, not
// its opcode: container flags (and TTL flags, by its source) get OpCreate2 with a
// Create2Response, any other create, create2 included, gets Type OpCreate
// with a CreateResponse (path only). go-zookeeper cannot read OpCreate2.
type MultiResult struct {
	Type Opcode
	Err  ErrCode
	Body Response
}

// MultiError is the result ZooKeeper gives a failed op, and every op after
// the first failure (with ErrRuntimeInconsistency), and, with ErrOK, every op
// before it.
func MultiError(code ErrCode) MultiResult {
	return MultiResult{Type: OpError, Err: code, Body: &ErrorResponse{Err: code}}
}

func (m MultiResult) String() string {
	if m.Body == nil {
		return fmt.Sprintf("%s{err=%s}", m.Type, m.Err)
	}
	return fmt.Sprintf("%s{err=%s %s}", m.Type, m.Err, m.Body)
}

// MultiResponse answers multi and multiRead. ZooKeeper answers a failed
// multi with ReplyHeader.err 0 and per-op OpError results, and go-zookeeper
// depends on that: it skips the body when the header's err is not 0.
type MultiResponse struct {
	Results []MultiResult
}

func (r *MultiResponse) String() string {
	parts := make([]string, len(r.Results))
	for i, res := range r.Results {
		parts[i] = res.String()
	}
	return "multiResults[" + strings.Join(parts, " ") + "]"
}

func (r *MultiResponse) encode(e *encoder) {
	for _, res := range r.Results {
		MultiHeader{Type: res.Type, Done: false, Err: res.Err}.encode(e)
		if res.Body != nil {
			res.Body.encode(e)
		}
	}
	multiEnd.encode(e)
}

// multiResultDecoders lists the body each result type carries, as in
// ZooKeeper's MultiResponse; delete and check carry none.
var multiResultDecoders = map[Opcode]func(d *decoder) Response{
	OpCreate:      func(d *decoder) Response { return &CreateResponse{Path: d.ustring("path")} },
	OpCreate2:     decodeCreate2Response,
	OpDelete:      nil,
	OpCheck:       nil,
	OpSetData:     decodeStatResponse,
	OpGetData:     decodeGetDataResponse,
	OpGetChildren: decodeGetChildrenResponse,
	OpError:       func(d *decoder) Response { return &ErrorResponse{Err: ErrCode(d.int32("err"))} },
}

func decodeMultiResponse(d *decoder) *MultiResponse {
	r := &MultiResponse{Results: []MultiResult{}}
	limit := d.remaining() / MultiHeaderSize
	for i := 0; i <= limit; i++ {
		h := decodeMultiHeader(d)
		if d.err != nil || h.Done {
			d.inElement("results", i)
			return r
		}
		dec, ok := multiResultDecoders[h.Type]
		if !ok {
			d.fail("type", "result type %s not allowed in multi", h.Type)
			d.inElement("results", i)
			return nil
		}
		res := MultiResult{Type: h.Type, Err: h.Err}
		if dec != nil {
			res.Body = dec(d)
		}
		if d.err != nil {
			d.inElement("results", i)
			return nil
		}
		r.Results = append(r.Results, res)
	}
	d.fail("results", "no END header")
	return nil
}
