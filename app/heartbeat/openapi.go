package heartbeat

import (
	"net/http"

	"github.com/belfry/belfry/app/web"
)

// Doc describes the heartbeat routes for the OpenAPI document.
func (s *Service) Doc() web.Doc {
	input := web.Object("name", web.Str("Required on create."),
		"period_seconds", web.Int("Expected time between pings, 60 to 31622400; excludes schedule. Default 86400."),
		"schedule", web.Str("A 5-field cron expression, e.g. \"0 3 * * *\"; excludes period_seconds."),
		"timezone", web.Str("IANA time zone of the schedule; \"\" is the server's (report.timezone)."),
		"grace_seconds", web.Int("How late a ping may be before the check is late. Default 3600."),
		"type", web.Str("Notification type raised; default job_failed."),
		"level", web.Enum("info", "warning", "error"),
		"rotate_key", web.Bool("Update only: a new ping key; the old URL stops working."))
	one := web.Ref("Heartbeat")
	ping := func(method, path, summary string) web.Operation {
		return web.Operation{Method: method, Path: path, Tag: "heartbeats", Summary: summary,
			Query:  []web.Param{{Name: "rid", Description: "A run id (UUID) kept in the log.", Schema: web.UUID("")}},
			Status: http.StatusOK, Result: web.Str("\"OK\" (text/plain)."), Errors: []int{http.StatusBadRequest, http.StatusNotFound}}
	}
	var ops []web.Operation
	for _, m := range []string{"GET", "POST", "HEAD"} {
		ops = append(ops,
			ping(m, "/ping/:key", "Signal success (healthchecks.io-compatible); a POST body (first 10 KiB) is kept as the ping's log."),
			ping(m, "/ping/:key/:signal", "Signal start, fail or log, or an exit status (0 success, 1-255 failure)."))
	}
	return web.Doc{
		Operations: append(ops,
			web.Operation{Method: "GET", Path: "/api/heartbeats", Tag: "heartbeats", Auth: web.AnyLogin, Summary: "The caller's checks.",
				Status: http.StatusOK, Result: web.Object("heartbeats!", web.Array(one)), Errors: web.AuthErrors},
			web.Operation{Method: "POST", Path: "/api/heartbeats", Tag: "heartbeats", Auth: web.AnyLogin, Summary: "Create a check.",
				Body: input, Status: http.StatusCreated, Result: one, Errors: append(web.BodyErrors, http.StatusConflict)},
			web.Operation{Method: "GET", Path: "/api/heartbeats/:id", Tag: "heartbeats", Auth: web.AnyLogin, Summary: "A check and its latest 50 log entries, newest first.",
				Status: http.StatusOK, Result: web.Object("heartbeat!", one, "pings!", web.Array(web.Ref("HeartbeatPing"))), Errors: web.IDErrors},
			web.Operation{Method: "PATCH", Path: "/api/heartbeats/:id", Tag: "heartbeats", Auth: web.AnyLogin, Summary: "Change a check; absent fields keep their value.",
				Body: input, Status: http.StatusOK, Result: one, Errors: append(web.BodyErrors, http.StatusNotFound)},
			web.Operation{Method: "DELETE", Path: "/api/heartbeats/:id", Tag: "heartbeats", Auth: web.AnyLogin, Summary: "Delete a check and its log.",
				Status: http.StatusOK, Result: web.OKResult, Errors: web.IDErrors},
			web.Operation{Method: "POST", Path: "/api/heartbeats/:id/pause", Tag: "heartbeats", Auth: web.AnyLogin, Summary: "Pause a check until its next ping.",
				Status: http.StatusOK, Result: one, Errors: web.IDErrors}),
		Schemas: map[string]web.Schema{
			"Heartbeat": web.Object("id!", web.UUID(""), "name!", web.Str(""), "ping_url!", web.Str("Carries the secret key."),
				"state!", web.Enum("new", "up", "late", "down", "paused"), "period_seconds", web.Int(""), "schedule", web.Str(""),
				"timezone!", web.Str(""), "grace_seconds!", web.Int(""), "type!", web.Str(""), "level!", web.Enum("info", "warning", "error"),
				"last_ping", web.Nullable(web.Time("")), "last_success", web.Nullable(web.Time("")), "started_at", web.Nullable(web.Time("")),
				"deadline", web.Nullable(web.Time("When the check goes late without a success.")), "alert_id", web.UUID("The open alert."),
				"created_at!", web.Time(""), "updated_at!", web.Time("")),
			"HeartbeatPing": web.Object("at!", web.Time(""), "kind!", web.Enum("success", "start", "fail", "log", "late"),
				"exit_status", web.Int(""), "body", web.Str(""), "rid", web.Str(""), "method", web.Str(""), "remote", web.Str(""), "user_agent", web.Str("")),
		},
	}
}
