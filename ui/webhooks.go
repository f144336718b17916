package ui

import (
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// webhookKinds are the choices of the kind field, in the order shown.
var webhookKinds = []struct {
	Value app.WebhookKind
	Label string
	Hint  string
}{
	{app.WebhookDiscord, "Discord", "a channel's webhook URL (Server settings → Integrations)"},
	{app.WebhookSlack, "Slack", "an incoming webhook URL of a Slack app"},
	{app.WebhookNtfy, "ntfy", "the topic URL, e.g. https://ntfy.sh/my-topic"},
	{app.WebhookGeneric, "Generic JSON", "any URL; signed the Standard Webhooks way"},
}

// kindLabel names a webhook kind for people.
func kindLabel(k app.WebhookKind) string {
	for _, w := range webhookKinds {
		if w.Value == k {
			return w.Label
		}
	}
	return string(k)
}

// webhooksPage is the content of the webhooks page and of its list
// partials.
type webhooksPage struct {
	Hooks  []webhookCard
	Kinds  any
	Events []string
	// Created and Secret are set once, right after a creation; Secret is
	// the signing secret of a generic webhook.
	Created *webhookView
	Secret  string
}

// webhookCard is one webhook with what its card needs: the known events
// (for the edit form) and, when open, its delivery log.
type webhookCard struct {
	Hook   webhookView
	Events []string
	Log    *deliveryLog
}

// loadWebhooks reads the user's webhooks into the page.
func (u *UI) loadWebhooks(c *gin.Context) (webhooksPage, error) {
	hs, err := u.d.Webhooks.List(c.Request.Context(), user(c).ID)
	if err != nil {
		return webhooksPage{}, err
	}
	events := u.d.Types.WebhookEvents()
	v := webhooksPage{Kinds: webhookKinds, Events: events}
	for _, h := range hs {
		v.Hooks = append(v.Hooks, webhookCard{Hook: viewWebhook(h), Events: events})
	}
	return v, nil
}

func (u *UI) handleWebhooksPage(c *gin.Context) {
	v, err := u.loadWebhooks(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.page(c, http.StatusOK, "webhooks", "Webhooks", v)
}

// card renders one webhook's card, with its delivery log when log is set.
func (u *UI) card(c *gin.Context, h *app.Webhook, log *deliveryLog) {
	u.partial(c, http.StatusOK, "webhooks", "webhook_card", webhookCard{Hook: viewWebhook(h), Events: u.d.Types.WebhookEvents(), Log: log})
}
