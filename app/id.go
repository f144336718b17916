package app

import (
	"strings"

	"github.com/google/uuid"
)

// ParseID checks an id given by a client — user, notification, channel,
// message, token, webhook and delivery ids are all UUIDs in their canonical
// 36-character text form — and returns it lower-cased, the
// form ids are stored in. Either letter case is accepted; any other form of
// UUID (braces, urn:uuid:, no hyphens) is not. The error is EINVALID.
func ParseID(s string) (string, error) {
	if len(s) != 36 || uuid.Validate(s) != nil {
		return "", Errorf(EINVALID, "%q is not a UUID.", TruncateUTF8(s, 64))
	}
	return strings.ToLower(s), nil
}
