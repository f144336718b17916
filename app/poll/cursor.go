package poll

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/google/uuid"
)

// A cursor is the keyset position of the last row of a page, bound to the
// query that produced it and signed, so clients can neither forge positions
// nor carry a cursor over to another filter. Its bytes are:
//
//	[0]      version (1)
//	[1]      sort: 0 newest, 1 oldest
//	[2:10]   created_at, unix milliseconds, big-endian
//	[10:26]  notification id, the 16 bytes of the UUID
//	[26:34]  the first 8 bytes of SHA-256 of the filter (user, status,
//	         service_id, project)
//	[34:50]  the first 16 bytes of HMAC-SHA256(key, bytes[0:34])
//
// in unpadded base64url: 67 characters.
const (
	cursorVersion = 1
	cursorBody    = 34
	cursorMACLen  = 16
	cursorLen     = cursorBody + cursorMACLen
)

// position is a decoded cursor.
type position struct {
	sort      string
	createdAt int64 // unix ms
	id        uuid.UUID
	filter    [8]byte
}

// appCursor is the position as the store's keyset condition.
func (p position) appCursor() *app.Cursor {
	return &app.Cursor{CreatedAt: time.UnixMilli(p.createdAt).UTC(), ID: p.id.String()}
}

// cursorCodec signs and checks cursors with one server key.
type cursorCodec struct {
	key []byte
}

func newCursorCodec(key []byte) *cursorCodec {
	return &cursorCodec{key: append([]byte(nil), key...)}
}

func (cc *cursorCodec) mac(body []byte) []byte {
	m := hmac.New(sha256.New, cc.key)
	m.Write(body)
	return m.Sum(nil)[:cursorMACLen]
}

// encode returns the cursor text of p.
func (cc *cursorCodec) encode(p position) string {
	b := make([]byte, cursorBody, cursorLen)
	b[0] = cursorVersion
	if p.sort == app.SortOldest {
		b[1] = 1
	}
	binary.BigEndian.PutUint64(b[2:10], uint64(p.createdAt))
	copy(b[10:26], p.id[:])
	copy(b[26:34], p.filter[:])
	return base64.RawURLEncoding.EncodeToString(append(b, cc.mac(b)...))
}

// decode checks the signature of text and returns its position; ok is false
// for anything this server did not issue with its current key.
func (cc *cursorCodec) decode(text string) (p position, ok bool) {
	if base64.RawURLEncoding.DecodedLen(len(text)) != cursorLen {
		return p, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(text)
	if err != nil || len(b) != cursorLen {
		return p, false
	}
	if !hmac.Equal(b[cursorBody:], cc.mac(b[:cursorBody])) || b[0] != cursorVersion || b[1] > 1 {
		return p, false
	}
	p.sort = app.SortNewest
	if b[1] == 1 {
		p.sort = app.SortOldest
	}
	p.createdAt = int64(binary.BigEndian.Uint64(b[2:10]))
	copy(p.id[:], b[10:26])
	copy(p.filter[:], b[26:34])
	return p, true
}

// filterHash binds a cursor to the user and filter of its query; limit is
// left out so a client may change its page size while walking.
func filterHash(userID, status, serviceID, project string) [8]byte {
	h := sha256.New()
	for _, s := range []string{userID, status, serviceID, project} {
		// A length prefix keeps ("ab","c") and ("a","bc") apart.
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	var out [8]byte
	copy(out[:], h.Sum(nil))
	return out
}
