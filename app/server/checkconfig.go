package server

import (
	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/provision"
	"github.com/belfry/belfry/app/report"
)

// CheckConfig runs, on a configuration that cfg.Validate accepted, the
// checks that New makes at start without a database: those that the
// capabilities own (the weekly report's cron expression and time zone, the
// password hashes and files of provisioned users).
// `belfry config check` runs it so that a configuration it accepts also
// starts. Errors are EINVALID naming the key.
func CheckConfig(cfg app.Config) error {
	if _, err := report.New(report.Deps{Config: cfg.Report}); err != nil {
		return err
	}
	return provision.Check(cfg.Provision)
}
