package cli

import (
	"context"

	"github.com/belfry/belfry/app/channels"
	"github.com/belfry/belfry/app/hub"
	"github.com/belfry/belfry/app/poll"
	"github.com/belfry/belfry/app/report"
	"github.com/belfry/belfry/app/webhook"
	"github.com/belfry/belfry/db"
	"github.com/belfry/belfry/ui"
)

// capabilities are wired after the JSON API, in order: each registers its
// routes on s.Engine, starts its goroutines with s.Go and adds its shutdown
// work with s.OnClose.
var capabilities = []capability{
	wireHub,
	wirePolling,
	wireWebhooks,
	wireReport,
	wireChannels,
	wireUI,
}

// wireChannels serves /api/channels and /ws/channels/.
func wireChannels(_ context.Context, s *Server) error {
	s.Channels = channels.New(channels.Deps{
		Config: s.Config, Store: db.NewChannelStore(s.DB), Users: s.Users, Logger: s.Logger,
	})
	s.Auth.OnRevoke(s.Channels.Revoke)
	s.Channels.Register(s.Engine, s.API.Authenticate())
	s.OnDrain(func() { s.Channels.Close() })
	return nil
}

// wirePolling serves /api/v1/client/notifications for clients that cannot
// hold a socket; waiting long polls answer at once on shutdown.
func wirePolling(ctx context.Context, s *Server) error {
	key, err := db.CursorKey(ctx, s.DB)
	if err != nil {
		return err
	}
	p := poll.New(poll.Deps{
		Config: s.Config, Notifications: s.Notifications, Counts: db.NewNotificationTotals(s.DB),
		Changes: s.Bus, CursorKey: key, Logger: s.Logger,
	})
	s.Bus.Subscribe(p.Handle)
	p.Register(s.Engine, s.API.Authenticate())
	observePolling(s, p.Stats)
	s.OnDrain(p.Close)
	return nil
}

// wireWebhooks serves /api/webhooks and runs the delivery worker; pending
// deliveries of an earlier run resume at once.
func wireWebhooks(_ context.Context, s *Server) error {
	wd := webhook.Deps{Config: s.Config, Types: s.Types, Store: db.NewWebhookStore(s.DB), Logger: s.Logger}
	webhook.NewAPI(wd, s.Webhooks).Register(s.Engine, s.API.Authenticate())
	s.Go(s.Webhooks.Run)
	return nil
}

// wireReport schedules the weekly report and sends a report missed while
// Belfry was not running.
func wireReport(_ context.Context, s *Server) error {
	rep, err := report.New(report.Deps{
		Config: s.Config, Dispatcher: s.Dispatcher, Users: s.Users,
		Store: db.NewReportStore(s.DB), Logger: s.Logger,
	})
	if err != nil {
		return err
	}
	s.Go(rep.Run)
	return nil
}

// wireHub serves /ws/notification/: every change on the bus is pushed to
// the user's sockets, and sockets whose credentials go away are closed.
func wireHub(_ context.Context, s *Server) error {
	s.Hub = hub.New(hub.Deps{
		Config: s.Config, Notifications: s.Notifications, Mutes: s.Mutes,
		Changes: s.Bus, Logger: s.Logger,
	})
	s.Bus.Subscribe(s.Hub.Handle)
	s.Auth.OnRevoke(s.Hub.Revoke)
	s.Hub.Register(s.Engine, s.API.Authenticate())
	// Upgraded connections are not waited for by http.Server.Shutdown:
	// close frames go out when the drain begins.
	s.OnDrain(func() { s.Hub.Close() })
	return nil
}

// wireUI serves the web pages, their htmx partials and the static assets.
func wireUI(_ context.Context, s *Server) error {
	hint := "First start? The admin password was printed once in Belfry's log; reset it with: belfry user passwd admin"
	if s.Config.Auth.AdminPassword != "" {
		hint = "First start? The admin password is the one set by auth.admin_password (BELFRY_AUTH_ADMIN_PASSWORD)."
	}
	u, err := ui.New(ui.Deps{
		Config: s.Config, Types: s.Types, Auth: s.Auth, Users: s.Users, Tokens: s.Tokens,
		Notifications: s.Notifications, Preferences: s.Preferences, Mutes: s.Mutes,
		Changes: s.Bus, FirstRunHint: hint, Logger: s.Logger,
		Webhooks: webhook.NewService(webhook.Deps{Config: s.Config, Types: s.Types, Store: db.NewWebhookStore(s.DB), Logger: s.Logger}, s.Webhooks), Channels: s.Channels,
	})
	if err != nil {
		return err
	}
	u.Register(s.Engine, s.API.Authenticate())
	return nil
}
