package app

import (
	"time"
	_ "time/tzdata" // time zones on systems without /usr/share/zoneinfo (small containers)
)

// LoadZone is the one rule for naming a time zone, shared by report.timezone
// and each user's quiet-hours zone: an IANA name ("Europe/Paris", "UTC") or
// "Local", the server's zone. Errors are EINVALID.
func LoadZone(name string) (*time.Location, error) {
	if name == "" {
		return nil, Errorf(EINVALID, "A time zone is required: an IANA name such as \"Europe/Paris\", \"UTC\" or \"Local\".")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, Errorf(EINVALID, "%q is not a known time zone (examples: Europe/Paris, UTC, Local).", name)
	}
	return loc, nil
}
