package app

import (
	"strconv"
	"strings"
	"time"
)

// String writes the keyset position as "<unix ms>_<id>", the text the
// inbox's next_cursor and the web UI's "Load more" links carry. Clients
// treat it as opaque.
func (c Cursor) String() string {
	return strconv.FormatInt(c.CreatedAt.UnixMilli(), 10) + "_" + c.ID
}

// CursorAfter is the keyset position just past n.
func CursorAfter(n *Notification) Cursor {
	return Cursor{CreatedAt: n.CreatedAt, ID: n.ID}
}

// ParseCursor reads what Cursor.String wrote. Errors: EINVALID naming the
// parameter.
func ParseCursor(param, s string) (*Cursor, error) {
	ms, raw, ok := strings.Cut(s, "_")
	n, err := strconv.ParseInt(ms, 10, 64)
	id, idErr := ParseID(raw)
	if !ok || err != nil || n < 0 || idErr != nil {
		return nil, Errorf(EINVALID, "Parameter %s is malformed: pass the next_cursor of the previous page unchanged.", param)
	}
	return &Cursor{CreatedAt: time.UnixMilli(n).UTC(), ID: id}, nil
}
