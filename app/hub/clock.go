package hub

import "github.com/belfry/belfry/app/clock"

// Clock is the hub's source of time: storm windows, the per-socket backoff
// and the trailing refresh all read it, so a test can drive a storm
// deterministically with clocktest.Fake instead of sleeping.
type Clock = clock.Clock

// Timer is a pending Clock.AfterFunc call.
type Timer = clock.Timer
