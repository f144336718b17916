package ui_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/ui"
	"github.com/chromedp/chromedp"
)

// openChannel loads the channel's page and waits until its socket is
// subscribed to the channel's stream.
func (tb *tab) openChannel(ch *app.Channel) {
	tb.t.Helper()
	tb.navigate("/channels/" + ch.ID)
	tb.until("the channel to be live", `document.body.dataset.chan === 'live'`)
}

// untilLoaded is until for a condition on the page a navigation leads to:
// evaluations that fail while the old page goes away are retried.
func (tb *tab) untilLoaded(what, expr string) {
	tb.t.Helper()
	deadline := time.Now().Add(browserTimeout)
	for {
		ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!(`+expr+`)`))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			tb.dumpState()
			tb.t.Fatalf("waiting for %s (%s): %v", what, expr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// click clicks the element sel selects with a script, for controls that
// only show on hover.
func (tb *tab) click(sel string) {
	tb.t.Helper()
	tb.until("the element "+sel, `document.querySelector(`+jsString(sel)+`) !== null`)
	eval[chromedp.Void](tb, `document.querySelector(`+jsString(sel)+`).click(); 0`)
}

// hasMessage is a script that is true when a message with this text is
// shown.
func hasMessage(text string) string {
	return `[...document.querySelectorAll('#messages .msg .msg-text')].some(e => e.textContent === ` + jsString(text) + `)`
}

// say types text into the composer and sends it with Enter.
func (tb *tab) say(text string) {
	tb.t.Helper()
	tb.do(chromedp.SendKeys(chromedp.CSS(`#composer-text`), text), chromedp.KeyEvent("\r"))
	tb.until("the composer to empty", `document.getElementById('composer-text').value === ''`)
}

func TestBrowserChannelLiveMessagesTypingAndKick(t *testing.T) {
	b := newBelfry(t)
	ann, bob := b.user("ann", false), b.user("bob", false)
	ch := b.channel(ann, "homelab", bob)
	welcome := b.post(ann, ch, "Welcome to the lab")

	at := b.signedInTab(t, "ann")
	at.openChannel(ch)
	bt := b.signedInTab(t, "bob")
	bt.openChannel(ch)
	eval[chromedp.Void](at, `window.__pwned = undefined; 0`)

	// Bob posts; Ann sees it without a reload.
	bt.say("Hello from bob")
	at.until("bob's message", hasMessage("Hello from bob"))
	bt.until("bob's own message", hasMessage("Hello from bob"))
	if n := eval[int](at, `document.querySelectorAll('#messages .msg.mine').length`); n != 1 {
		t.Errorf("ann has %d messages marked as hers, want 1", n)
	}

	// Typing shows on the other side, and ends when the message is sent.
	bt.do(chromedp.SendKeys(chromedp.CSS(`#composer-text`), "look at th"))
	at.until("the typing indicator", `document.getElementById('typing').textContent === 'bob is typing…'`)
	if got := eval[string](bt, `document.getElementById('typing').textContent`); got != "" {
		t.Errorf("bob sees his own typing: %q", got)
	}
	bt.do(chromedp.KeyEvent("is: "+ui.Hostile), chromedp.KeyEvent("\r"))
	full := "look at this: " + ui.Hostile
	at.until("the ui.Hostile message", hasMessage(full))
	at.until("the typing indicator to end", `document.getElementById('typing').textContent === ''`)
	if n := eval[int](at, `document.querySelectorAll('#main img').length`); n != 0 {
		t.Errorf("%d img elements in the channel", n)
	}
	if eval[bool](at, `window.__pwned !== undefined`) {
		t.Error("injected script ran")
	}

	// Ann replies to bob's message; bob sees the reply with its quote.
	hello := eval[string](at, `[...document.querySelectorAll('#messages .msg')].find(e => e.querySelector('.msg-text').textContent === 'Hello from bob').dataset.mid`)
	at.click(`#msg-` + hello + ` [data-reply]`)
	at.until("the reply bar", `!document.getElementById('reply-to').hidden && document.querySelector('#reply-to .reply-name').textContent === 'bob'`)
	at.say("Hi bob!")
	bt.until("the reply", hasMessage("Hi bob!"))
	if got := eval[string](bt, `[...document.querySelectorAll('#messages .msg')].find(e => e.querySelector('.msg-text').textContent === 'Hi bob!').querySelector('.msg-parent-text').textContent`); got != "bob Hello from bob" {
		t.Errorf("the reply quotes %q", got)
	}
	at.until("the reply bar to close", `document.getElementById('reply-to').hidden`)

	// Bob edits his message; Ann sees the new text marked as edited.
	bt.click(`#msg-` + hello + ` [data-edit]`)
	bt.until("the edit form", `document.querySelector('#msg-`+hello+` .msg-edit-form textarea') === document.activeElement`)
	bt.do(chromedp.KeyEvent(" (edited by hand)"), chromedp.KeyEvent("\r"))
	at.until("the edit", `document.querySelector('#msg-`+hello+` .msg-text').textContent === 'Hello from bob (edited by hand)' && !document.querySelector('#msg-`+hello+` .msg-edited').hidden`)
	bt.until("the edit form to close", `document.querySelector('#msg-`+hello+` .msg-edit-form') === null`)

	// Only the author may edit: bob has no edit button on ann's message.
	if eval[bool](bt, `getComputedStyle(document.querySelector('#msg-`+welcome.ID+` [data-edit]')).display !== 'none'`) {
		t.Error("bob may edit ann's message")
	}
	if eval[bool](bt, `getComputedStyle(document.querySelector('#msg-`+welcome.ID+` .msg-delete')).display !== 'none'`) {
		t.Error("bob may delete ann's message")
	}

	at.shot("channel-desktop")

	// Ann, the owner, deletes bob's ui.Hostile message after confirming.
	hostileID := eval[string](at, `[...document.querySelectorAll('#messages .msg')].find(e => e.querySelector('.msg-text').textContent === `+jsString(full)+`).dataset.mid`)
	at.click(`#msg-` + hostileID + ` .msg-delete`)
	at.until("the confirmation", `document.getElementById('confirm').open`)
	at.do(chromedp.Click(chromedp.CSS(`#confirm-ok`)))
	bt.until("the deletion", `document.getElementById('msg-`+hostileID+`') === null`)
	at.until("the deletion", `document.getElementById('msg-`+hostileID+`') === null`)

	// Ann kicks bob from the member list; bob is told and can no longer post.
	member := `#members .member[data-user-id="` + bob.ID + `"]`
	at.do(chromedp.Click(chromedp.CSS(member + ` summary`)))
	at.until("the member menu", `document.querySelector('`+member+` .mod-kick button') !== null && document.querySelector('`+member+` details').open`)
	at.shot("channel-moderation-desktop")
	at.do(chromedp.Click(chromedp.CSS(member + ` .mod-kick button`)))
	at.until("the confirmation", `document.getElementById('confirm').open && document.getElementById('confirm-ok').textContent === 'Kick'`)
	at.do(chromedp.Click(chromedp.CSS(`#confirm-ok`)))
	bt.until("the notice", `!document.getElementById('chan-notice').hidden && document.querySelector('#chan-notice p').textContent.includes('removed you')`)
	if !eval[bool](bt, `document.getElementById('composer').hidden && document.body.dataset.chanState === 'kicked'`) {
		t.Error("the kicked user can still post")
	}
	at.until("bob to leave the member list", `document.querySelector('`+member+`') === null && document.getElementById('chan-count').textContent === '1'`)
	at.until("the system line", `[...document.querySelectorAll('#messages .msg-system')].some(e => e.textContent === 'bob was removed from the channel.')`)
	bt.shot("channel-kicked-desktop")
	if r := b.role(bob, ch); r != "" {
		t.Errorf("bob's role after the kick: %q", r)
	}

	// He may join again from the notice.
	bt.do(chromedp.Click(chromedp.CSS(`#chan-notice button`)))
	bt.untilLoaded("the channel again", `document.body.dataset.chan === 'live' && !document.getElementById('composer').hidden`)
}

func TestBrowserChannelBanAndCatchUp(t *testing.T) {
	b := newBelfry(t)
	ann, bob := b.user("ann", false), b.user("bob", false)
	ch := b.channel(ann, "homelab", bob)
	bt := b.signedInTab(t, "bob")
	bt.openChannel(ch)

	// While bob's socket is away, ann keeps talking: the messages arrive
	// when it is back, from the replay.
	b.BlockSockets.Store(true)
	b.Channels.Revoke(bob.ID, "")
	bt.until("the offline indicator", `!document.getElementById('chan-conn').hidden`)
	for i := 1; i <= 3; i++ {
		b.post(ann, ch, fmt.Sprintf("while you were away %d", i))
	}
	b.BlockSockets.Store(false)
	bt.until("the missed messages", hasMessage("while you were away 3")+` && document.getElementById('chan-conn').hidden`)
	if n := eval[int](bt, `document.querySelectorAll('#messages .msg').length`); n != 3 {
		t.Errorf("%d messages after the catch-up, want 3", n)
	}

	// Too much missed to replay: the history is reloaded instead.
	b.BlockSockets.Store(true)
	b.Channels.Revoke(bob.ID, "")
	bt.until("the offline indicator", `!document.getElementById('chan-conn').hidden`)
	for i := 1; i <= 501; i++ {
		b.post(ann, ch, fmt.Sprintf("flood %d", i))
	}
	b.BlockSockets.Store(false)
	bt.until("the reloaded history", hasMessage("flood 501")+` && document.querySelectorAll('#messages .msg').length === `+fmt.Sprint(ui.HistoryPageSize))
	b.post(ann, ch, "after the flood")
	bt.until("live again", hasMessage("after the flood"))

	// A rename shows at once, in the heading and the title.
	name, desc := "lab $1 & co", "<i>racks</i>"
	if _, err := b.Channels.UpdateChannel(context.Background(), ann, ch.ID, app.ChannelUpdate{Name: &name, Description: &desc}); err != nil {
		t.Fatal(err)
	}
	bt.until("the new name", `document.getElementById('chan-name').textContent === 'lab $1 & co' && document.title === 'lab $1 & co · Belfry' && document.getElementById('chan-desc').textContent === '<i>racks</i>'`)

	// A ban comes with its motive, shown as text.
	if _, err := b.Channels.Ban(context.Background(), ann, ch.ID, bob.ID, "too much <b>noise</b>"); err != nil {
		t.Fatal(err)
	}
	bt.until("the notice", `!document.getElementById('chan-notice').hidden`)
	if got := eval[string](bt, `document.querySelector('#chan-notice p').textContent`); got != "You were banned from this channel: too much <b>noise</b>" {
		t.Errorf("notice %q", got)
	}
	if n := eval[int](bt, `document.querySelectorAll('#chan-notice b').length`); n != 0 {
		t.Error("the motive was rendered as HTML")
	}
}

func TestBrowserChannelsListAndScreens(t *testing.T) {
	b := newBelfry(t)
	ann, bob, carol := b.user("ann", true), b.user("bob", false), b.user("carol", false)
	lab := b.channel(bob, "homelab", ann, carol)
	b.channel(carol, "backups", ann)
	b.channel(bob, "random")
	ctx := context.Background()
	if _, err := b.Channels.SetRole(ctx, bob, lab.ID, carol.ID, app.RoleModerator); err != nil {
		t.Fatal(err)
	}
	b.post(bob, lab, "The NAS is back online after the disk swap.")
	m := b.post(carol, lab, "Great! Did the scrub finish?")
	if _, err := b.Channels.Post(ctx, bob, lab.ID, "Yes, no errors.\nI also moved the backups to the new pool.", m.ID); err != nil {
		t.Fatal(err)
	}
	b.post(ann, lab, "Nice work, both of you.")

	tb := b.signedInTab(t, "ann")
	tb.navigate("/channels")
	tb.until("the list to be live", `document.body.dataset.chan === 'live'`)
	tb.shot("channels-desktop")

	// A channel created elsewhere appears without a reload; joining opens it.
	b.channel(bob, "new-hardware")
	tb.until("the new channel", `[...document.querySelectorAll('.chan-name')].some(e => e.textContent === 'new-hardware')`)
	tb.do(chromedp.Click(chromedp.CSS(`.chan-row:not(.joined) button.primary`)))
	tb.untilLoaded("the joined channel", `location.pathname.startsWith('/channels/') && document.body.dataset.chan === 'live'`)

	// Creating one goes there.
	tb.navigate("/channels")
	tb.do(chromedp.SendKeys(chromedp.CSS(`#channel-form input[name=name]`), "garden"), chromedp.Click(chromedp.CSS(`#channel-form button[type=submit]`)))
	tb.untilLoaded("the new channel's page", `document.getElementById('chan-name') !== null && document.getElementById('chan-name').textContent === 'garden' && document.body.dataset.chan === 'live'`)

	tb.openChannel(lab)
	tb.shot("channel-view-desktop")
	tb.viewport(1280, 800, true)
	tb.openChannel(lab)
	tb.shot("channel-view-dark-desktop")
	tb.viewport(390, 844, false)
	tb.navigate("/channels")
	tb.shot("channels-phone")
	tb.openChannel(lab)
	tb.shot("channel-view-phone")
	tb.viewport(390, 844, true)
	tb.openChannel(lab)
	tb.shot("channel-view-dark-phone")
}
