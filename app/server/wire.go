package server

import (
	"context"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/api"
	"github.com/belfry/belfry/app/auth"
	"github.com/belfry/belfry/app/bus"
	"github.com/belfry/belfry/app/channels"
	"github.com/belfry/belfry/app/email"
	"github.com/belfry/belfry/app/escalation"
	"github.com/belfry/belfry/app/gotify"
	"github.com/belfry/belfry/app/heartbeat"
	"github.com/belfry/belfry/app/hooks"
	"github.com/belfry/belfry/app/hub"
	"github.com/belfry/belfry/app/ingest"
	"github.com/belfry/belfry/app/metrics"
	"github.com/belfry/belfry/app/notify"
	"github.com/belfry/belfry/app/ntfy"
	"github.com/belfry/belfry/app/poll"
	"github.com/belfry/belfry/app/provision"
	"github.com/belfry/belfry/app/push"
	"github.com/belfry/belfry/app/quiet"
	"github.com/belfry/belfry/app/report"
	"github.com/belfry/belfry/app/retention"
	"github.com/belfry/belfry/app/routes"
	"github.com/belfry/belfry/app/schedule"
	"github.com/belfry/belfry/app/web"
	"github.com/belfry/belfry/app/webhook"
	"github.com/belfry/belfry/app/ws"
	"github.com/belfry/belfry/db"
	"github.com/belfry/belfry/ui"
	"github.com/gin-gonic/gin"
)

// wire migrates the database and builds every capability, in dependency
// order, then serves their routes and starts their background work. Each
// capability gets only the config sections it reads.
func (s *Server) wire(ctx context.Context) error {
	cfg := s.Config
	var err error
	if n, err := s.DB.Migrate(ctx); err != nil {
		return err
	} else if n > 0 {
		s.Logger.Info("database migrated", "path", s.DB.Path(), "applied", n)
	}

	// The change bus: in process, or between the replicas of a cluster.
	if cfg.Cluster.NATSURL != "" {
		if s.Net, err = bus.Connect(cfg.Cluster, "belfry "+s.version, s.Logger); err != nil {
			return err
		}
	}

	// Stores.
	s.Users, s.Tokens = db.NewUserStore(s.DB), db.NewTokenStore(s.DB)
	s.Notifications, s.Preferences, s.Mutes = db.NewNotificationStore(s.DB), db.NewPreferenceStore(s.DB), db.NewMuteStore(s.DB)

	// Who is who: users, sessions, tokens; those the configuration declares,
	// then the first admin (when provisioning created nobody).
	sessions := db.NewSessionStore(s.DB)
	s.Auth = auth.New(auth.Deps{Users: s.Users, Tokens: s.Tokens, Sessions: sessions,
		Config: cfg.Auth, Revocations: bus.Open[auth.Revocation](s.Net, "revocations"), Clock: s.Clock, Logger: s.Logger})
	if _, err := provision.Apply(ctx, provision.Deps{Config: cfg.Provision, Users: s.Users, Tokens: s.Tokens,
		Sessions: sessions, Logger: s.Logger}); err != nil {
		return err
	}
	if s.AdminPassword, err = s.Auth.EnsureAdmin(ctx, cfg.Auth.AdminPassword); err != nil {
		return err
	}
	if err := s.checkDesktopUser(ctx); err != nil {
		return err
	}

	// Every change of notification state goes through the dispatcher
	// (creation) or the inbox (the rest), which announce it on the bus.
	// Webhooks are the dispatcher's third channel: the router queues
	// deliveries in the dispatch transaction, the worker sends them.
	s.Bus = bus.Open[app.Change](s.Net, "changes")
	inbox := notify.NewInbox(s.Notifications, s.DB, s.Bus)
	s.Inbox = inbox
	s.Webhooks = webhook.New(webhook.Deps{Config: cfg.Webhooks, BaseURL: cfg.Server.BaseURL, Types: s.Types,
		Store: db.NewWebhookStore(s.DB), Users: s.Users, Clock: s.Clock, Logger: s.Logger})
	// E-mail is the fourth: its router queues the outbox rows in the same
	// transaction (nothing while e-mail is off), its worker sends them.
	unsubscribeKey, err := db.UnsubscribeKey(ctx, s.DB)
	if err != nil {
		return err
	}
	s.Email = email.New(email.Deps{Config: cfg.Email, BaseURL: cfg.Server.BaseURL, Types: s.Types,
		Store: db.NewEmailStore(s.DB), Users: s.Users, Preferences: s.Preferences, Key: unsubscribeKey,
		Clock: s.Clock, Logger: s.Logger})
	// Web Push is the fifth: its router queues one push per recipient,
	// which the store fans out to their devices in the same transaction.
	vapid, err := db.VAPIDKey(ctx, s.DB)
	if err != nil {
		return err
	}
	if s.Push, err = push.New(push.Deps{Config: cfg.Push, Storm: cfg.Storm, BaseURL: cfg.Server.BaseURL, Store: db.NewPushStore(s.DB),
		Unread: s.Notifications.UnreadCount, Key: vapid, Clock: s.Clock, Logger: s.Logger}); err != nil {
		return err
	}
	// Quiet hours hold those four back per recipient; their digests go
	// through the same dispatcher. A user's default zone is the weekly
	// report's.
	zone, err := app.LoadZone(cfg.Report.Timezone)
	if err != nil {
		return err
	}
	s.Quiet = quiet.New(quiet.Deps{Store: db.NewQuietStore(s.DB), Types: s.Types, BaseURL: cfg.Server.BaseURL, Users: s.Users, Zone: zone,
		Settings: bus.Open[string](s.Net, "quiet"), Deadlines: bus.Open[time.Time](s.Net, "quiet.deadlines"), Clock: s.Clock, Logger: s.Logger})
	// Escalation: ladders start in the dispatch's transaction; their steps
	// queue rows on the same outboxes, or notify another user through the
	// dispatcher; a read or acknowledgement on the bus stops them.
	s.Escalation = escalation.New(escalation.Deps{Store: db.NewEscalationStore(s.DB), Types: s.Types, Users: s.Users,
		Notifications: s.Notifications, Webhooks: s.Webhooks.Router, Hooks: s.Webhooks.Service, Emails: s.Email.Router(),
		Pushes: reminders(s.Push), Kick: func() { s.Webhooks.Worker.Kick(); s.Email.Kick(); s.Push.Kick() },
		BaseURL: cfg.Server.BaseURL, Deadlines: bus.Open[time.Time](s.Net, "escalation.deadlines"), Clock: s.Clock, Logger: s.Logger})
	dispatcher := notify.New(notify.Deps{Types: s.Types, Users: s.Users,
		Notifications: s.Notifications, Preferences: s.Preferences, Mutes: s.Mutes, Changes: s.Bus,
		Webhooks: s.Webhooks.Router, Emails: s.Email.Router(), Pushes: s.Push.Router(), Quiet: s.Quiet, Escalations: s.Escalation,
		Clock: s.Clock, Logger: s.Logger})
	s.Dispatcher = s.Push.KickAfter(s.Email.KickAfter(s.Webhooks.Worker.KickAfter(dispatcher)))
	s.Quiet.Use(s.Dispatcher)
	s.Escalation.Use(s.Dispatcher)
	s.Bus.Subscribe(s.Escalation.Handle)
	// Scheduled delivery keeps an event for later, checked now as the
	// dispatcher will deliver it, and hands it to the dispatcher when due.
	s.Schedule = schedule.New(schedule.Deps{Config: cfg.Schedule, Store: db.NewScheduleStore(s.DB), Users: s.Users,
		Dispatcher: s.Dispatcher, Checker: dispatcher, Deadlines: bus.Open[time.Time](s.Net, "schedule.deadlines"), Locker: s.DB, Clock: s.Clock, Logger: s.Logger})
	// Clear pushes are queued once in the cluster, by the replica that made
	// the change.
	s.Bus.SubscribeOwn(s.Push.Handle)

	// The publish dialects (ntfy, Gotify, alert webhooks) map their messages
	// to events the one way and publish through the dispatcher, to the users
	// an admin routed the topic to.
	s.TopicRoutes = db.NewRouteStore(s.DB)
	s.Ingest = ingest.New(ingest.Deps{Dispatcher: s.Dispatcher, Scheduler: s.Schedule, Routes: s.TopicRoutes})
	s.Hooks = hooks.New(hooks.Deps{BaseURL: cfg.Server.BaseURL, Types: s.Types, Tokens: s.Auth, Publisher: s.Ingest,
		Inbox: inbox, Alerts: db.NewAlertStore(s.DB), Mappings: db.NewTokenMappingStore(s.DB), Logger: s.Logger})

	// The real-time layers listen on the bus and close the connections of
	// revoked credentials. Their connections count against one set of
	// limits.
	sockets := ws.NewLimits(cfg.WebSocket)
	s.Hub = hub.New(hub.Deps{BaseURL: cfg.Server.BaseURL, WebSocket: cfg.WebSocket, Limits: sockets, Storm: cfg.Storm,
		Notifications: s.Notifications, Mutes: s.Mutes, Inbox: inbox, Clock: s.Clock, Logger: s.Logger})
	s.Bus.Subscribe(s.Hub.Handle)
	s.Auth.OnRevoke(s.Hub.Revoke)
	key, err := db.CursorKey(ctx, s.DB)
	if err != nil {
		return err
	}
	polling := poll.New(poll.Deps{Polling: cfg.Polling, Notifications: s.Notifications,
		Counts: db.NewNotificationTotals(s.DB), Inbox: inbox, CursorKey: key, Clock: s.Clock, Logger: s.Logger})
	s.Bus.Subscribe(polling.Handle)
	s.Channels = channels.New(channels.Deps{BaseURL: cfg.Server.BaseURL, WebSocket: cfg.WebSocket, Limits: sockets,
		Store: db.NewChannelStore(s.DB), Users: s.Users, Deliveries: bus.Open[channels.Delivery](s.Net, "channels"),
		Clock: s.Clock, Logger: s.Logger})
	s.Auth.OnRevoke(s.Channels.Revoke)

	// Scheduled work.
	weekly, err := report.New(report.Deps{Config: cfg.Report, Dispatcher: s.Dispatcher, Users: s.Users,
		Store: db.NewReportStore(s.DB), Clock: s.Clock, Logger: s.Logger})
	if err != nil {
		return err
	}
	// Heartbeats: checks that raise an alert when their pings stop.
	s.Heartbeats = heartbeat.New(heartbeat.Deps{BaseURL: cfg.Server.BaseURL, Timezone: cfg.Report.Timezone, Types: s.Types,
		Store: db.NewHeartbeatStore(s.DB), Users: s.Users, Dispatcher: s.Dispatcher, Inbox: inbox,
		Deadlines: bus.Open[time.Time](s.Net, "heartbeat.deadlines"), Locker: s.DB, Clock: s.Clock, Logger: s.Logger})
	pruning := retention.New(retention.Deps{Pruner: inbox, Config: cfg.Retention,
		Deliveries: cfg.Webhooks.Retention.Duration, Emails: cfg.Email.Retention.Duration, Clock: s.Clock, Logger: s.Logger})

	// What people and programs talk to. The login form posts to the JSON
	// API, which shows refusals on the UI's login page.
	// Gotify's publish route and client API; its /stream counts against
	// the same connection limits and closes on revocation like the hub.
	gotifyAPI := gotify.New(gotify.Deps{Tokens: s.Auth, Publisher: s.Ingest, Numbers: db.NewNumberStore(s.DB),
		Credentials: s.Auth, Inbox: inbox, Version: s.version, Ready: s.ready, Clock: s.Clock,
		Stream: gotify.StreamConfig{BaseURL: cfg.Server.BaseURL, WebSocket: cfg.WebSocket, Limits: sockets, Logger: s.Logger}})
	s.Bus.Subscribe(gotifyAPI.Handle)
	s.Auth.OnRevoke(gotifyAPI.Revoke)
	pages, err := ui.New(ui.Deps{Types: s.Types, Auth: s.Auth, Users: s.Users, Tokens: s.Tokens,
		Notifications: s.Notifications, Inbox: inbox, Preferences: s.Preferences, Mutes: s.Mutes,
		Routes: s.TopicRoutes, Webhooks: s.Webhooks.Service, Channels: s.Channels, Email: s.Email, Quiet: s.Quiet, Escalation: s.Escalation, Hooks: s.Hooks, Heartbeats: s.Heartbeats, Scheduled: s.Schedule, FirstRunHint: firstRunHint(cfg.Auth), Clock: s.Clock, Logger: s.Logger})
	if err != nil {
		return err
	}
	jsonAPI := api.New(api.Deps{Server: cfg.Server, AuthConfig: cfg.Auth, Types: s.Types, Auth: s.Auth,
		Users: s.Users, Notifications: s.Notifications, Inbox: inbox, Preferences: s.Preferences,
		Mutes: s.Mutes, Dispatcher: s.Dispatcher, Scheduler: s.Schedule, Ready: s.ready, Version: s.version, Clock: s.Clock,
		LoginRefused: pages.LoginRefused})
	// ntfy's publish and subscribe routes; its held-open subscriptions
	// follow the bus, count against the same connection limits (/ws) and
	// end on revocation like the hub's sockets.
	ntfyAPI := ntfy.New(ntfy.Deps{Publisher: s.Ingest, Scheduled: s.Schedule, Zone: zone, Credentials: s.Auth, Notifications: s.Notifications, Clock: s.Clock,
		Stream: ntfy.StreamConfig{BaseURL: cfg.Server.BaseURL, WebSocket: cfg.WebSocket, Limits: sockets}, Logger: s.Logger})
	s.Bus.Subscribe(ntfyAPI.Handle)
	s.Auth.OnRevoke(ntfyAPI.Revoke)

	if err := s.route(pages.NotFound, jsonAPI, s.Hooks, s.Hub, polling, s.Webhooks, s.Channels, routes.New(s.TopicRoutes), gotifyAPI, s.Email, s.Push, s.Quiet, s.Escalation, s.Heartbeats, s.Schedule, pages, ntfyAPI); err != nil {
		return err
	}
	s.conns = newConnLimiter(cfg.Server)
	s.observe(s.conns, s.Auth, s.Hub, polling, s.Webhooks, s.Email, s.Push, s.Channels, sockets, pruning, gotifyAPI, ntfyAPI, s.Heartbeats, s.Escalation, s.Schedule)
	// After a gap in the bus, live clients resynchronise from the database.
	s.Net.OnGap(s.Auth.Resync, s.Quiet.Resync, polling.Resync, s.Hub.Resync, s.Channels.Resync, gotifyAPI.Resync, ntfyAPI.Resync,
		s.Schedule.Resync, s.Heartbeats.Resync, s.Escalation.Resync)
	if s.Net != nil {
		s.Net.Observe(s.Metrics)
	}
	s.drainOnShutdown(s.Hub, polling, s.Channels, gotifyAPI, ntfyAPI)
	// The outbox workers run on every replica (each claims what it sends);
	// the timers, digests, reports and retention run on the one that leads.
	s.start(s.Auth, s.Webhooks, s.Email, s.Push, gotifyAPI)
	s.lead(s.Quiet, s.Escalation, weekly, pruning, s.Heartbeats, s.Schedule)
	return nil
}

// What capabilities offer the server.
type (
	// router serves routes; when it is also documented, its routes are in
	// the OpenAPI document.
	router interface {
		Register(r gin.IRouter, authenticate gin.HandlerFunc)
	}
	documented interface{ Doc() web.Doc }
	// runner does background work until its context ends.
	runner interface{ Run(ctx context.Context) }
	// drainer is stopped when a graceful shutdown begins, before the HTTP
	// server waits for the requests in flight: sockets get close frames
	// and long polls answer at once.
	drainer interface{ Close() error }
	// observer reports its own metrics.
	observer interface{ Observe(m *metrics.Registry) }
)

// start runs the background work of rs until Close begins.
func (s *Server) start(rs ...runner) {
	for _, r := range rs {
		s.goBackground(r.Run)
	}
}

// drainOnShutdown stops ds, in order, when a shutdown begins.
func (s *Server) drainOnShutdown(ds ...drainer) {
	for _, d := range ds {
		s.drainers = append(s.drainers, func() { _ = d.Close() })
	}
}

// reminders is what builds an escalation's repeat pushes: nil while push
// is off.
func reminders(p *push.Service) escalation.Pusher {
	if !p.Enabled() {
		return nil
	}
	return p
}

// firstRunHint tells the login page how the first admin password was set.
func firstRunHint(a app.AuthConfig) string {
	if a.AdminPassword != "" {
		return "First start? The admin password is the one set by auth.admin_password (BELFRY_AUTH_ADMIN_PASSWORD)."
	}
	return "First start? The admin password was printed once in Belfry's log; reset it with: belfry user passwd admin"
}

// checkDesktopUser fails the start when auth.desktop_user names no user.
func (s *Server) checkDesktopUser(ctx context.Context) error {
	name := s.Config.Auth.DesktopUser
	if name == "" {
		return nil
	}
	if _, err := s.Users.FindUserByName(ctx, name); err != nil {
		if app.ErrorKind(err) == app.ENOTFOUND {
			return app.Errorf(app.EINVALID, "auth.desktop_user: there is no user %q (create it with: belfry user add %s --admin).", name, name)
		}
		return err
	}
	return nil
}
