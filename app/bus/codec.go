package bus

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// maxMessage bounds a message the bus decodes; NATS's own default payload
// limit is 1 MiB.
const maxMessage = 1 << 20

// Encode is the wire form of a message on NATS: its JSON.
func Encode[T any](v T) ([]byte, error) { return json.Marshal(v) }

// Decode reads a message Encode wrote. It refuses anything else: oversized
// input, other JSON, unknown fields and trailing data.
func Decode[T any](data []byte) (T, error) {
	var v T
	if len(data) > maxMessage {
		return v, fmt.Errorf("bus: message of %d bytes, more than %d", len(data), maxMessage)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, fmt.Errorf("bus: decode message: %w", err)
	}
	if dec.More() {
		return v, fmt.Errorf("bus: trailing data after the message")
	}
	return v, nil
}
