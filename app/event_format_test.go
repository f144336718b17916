package app

import (
	"strings"
	"testing"
)

// TestEventFormat: format is markdown (the default, stored as "") or text;
// anything else is refused naming the field.
func TestEventFormat(t *testing.T) {
	types, err := NewTypes(nil)
	if err != nil {
		t.Fatal(err)
	}
	for format, want := range map[string]string{"": "", "markdown": "", "text": "text"} {
		e := Event{Type: "job_failed", Title: "t", Format: format}
		e.Normalize()
		if err := e.Validate(types); err != nil || e.Format != want {
			t.Errorf("format %q: %v, normalised to %q", format, err, e.Format)
		}
	}
	e := Event{Type: "job_failed", Title: "t", Format: "html"}
	e.Normalize()
	if err := e.Validate(types); ErrorKind(err) != EINVALID || !strings.HasSuffix(err.Error(), `Field format must be markdown or text, not "html".`) {
		t.Errorf("format html: %v", err)
	}
}
