// channels.js: the live part of the channels pages, over /ws/channels/.
// On the list it reloads the list when a channel is created. In a channel
// it shows messages, replies, edits and deletions as they happen, keeps the
// member list current, shows who is typing, and tells the user when they
// were removed. After a reconnect it subscribes with the last seq it saw,
// so the server replays what was missed; when it cannot, the history is
// reloaded. Message text is only ever set with textContent: it is plain
// text, never HTML.
(function () {
  'use strict';
  var chan = document.getElementById('chan');
  var list = document.getElementById('channel-list');
  if (!window.htmx || (!list && !(chan && chan.dataset.role))) return;
  var belfry = window.belfry || {};

  var channelID = chan ? chan.dataset.channelId : '';
  var me = chan ? chan.dataset.me : '';
  var stream = 'channel:' + channelID;
  var lastSeq = chan ? Number(chan.dataset.lastSeq) || 0 : 0;
  var subscribedSeq = 0;
  var removed = false; // kicked, banned, left or deleted: no more resubscribing
  var banMotive = '';
  var ws = null;
  var failures = 0;
  var offlineTimer = 0;
  var msgs = document.getElementById('messages');
  var composer = document.getElementById('composer');
  var text = document.getElementById('composer-text');
  var MOD_ROLES = ['owner', 'admin', 'moderator'];

  // backoff is the delay before reconnect attempt n: doubling from 1 s to
  // 30 s, with jitter so a restarted server is not hit by every tab at once.
  function backoff(n) {
    var max = Math.min(30000, 1000 * Math.pow(2, Math.min(n, 5)));
    return max / 2 + Math.random() * max / 2;
  }

  function connect() {
    ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/channels/');
    ws.addEventListener('open', function () {
      failures = 0;
      setOffline(false);
      subscribe();
    });
    ws.addEventListener('message', function (e) {
      var frame;
      try { frame = JSON.parse(e.data); } catch (_) { return; }
      if (frame && typeof frame === 'object') handle(frame);
    });
    ws.addEventListener('close', function (e) {
      document.body.dataset.chan = 'closed';
      typers = {};
      renderTyping();
      if (!offlineTimer) {
        // A quick reconnect should not flash the indicator.
        offlineTimer = setTimeout(function () { offlineTimer = 0; if (!ws || ws.readyState !== 1) setOffline(true); }, 1200);
      }
      // 1008: this user's sockets were closed (a sign-out elsewhere, say):
      // reconnect only while this tab's own session still works; live.js
      // sends a tab whose session ended to the login page.
      if (e.code !== 1008) {
        setTimeout(connect, backoff(failures++));
        return;
      }
      fetch('/api/v1/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } }).then(function (r) {
        if (r.status !== 401) setTimeout(connect, backoff(failures++));
      }, function () { setTimeout(connect, backoff(failures++)); });
    });
  }

  function send(frame) {
    if (ws && ws.readyState === 1) ws.send(JSON.stringify(frame));
  }

  function subscribe() {
    if (list) send({ type: 'subscribe', channel: 'global' });
    if (!chan || removed) return;
    send({ type: 'subscribe', channel: 'user:' + me });
    send({ type: 'subscribe', channel: stream, since: lastSeq });
  }

  function setOffline(off) {
    clearTimeout(offlineTimer);
    offlineTimer = 0;
    var conn = document.getElementById('chan-conn');
    if (conn) conn.hidden = !off;
  }

  function handle(f) {
    switch (f.type) {
      case 'subscribed':
        if (f.channel === stream) subscribedSeq = f.seq || 0;
        if (f.channel === stream || (list && f.channel === 'global')) document.body.dataset.chan = 'live';
        return;
      case 'unsubscribed':
        if (f.channel === stream && f.reason !== 'requested') removedNotice(f.reason);
        return;
      case 'error':
        if (f.channel !== stream) return;
        if (f.code === 'RECOVERY_FAILED') {
          lastSeq = Math.max(lastSeq, subscribedSeq);
          reloadHistory();
          reloadMembers();
        } else if (f.code === 'FORBIDDEN' || f.code === 'NOT_FOUND') {
          removedNotice(f.code === 'NOT_FOUND' ? 'channel_deleted' : 'gone'); // while we were away
        }
        return;
    }
    if (f.channel === 'global') {
      if (f.type === 'channel_created' && list) htmx.ajax('GET', '/ui/channels', { source: list, target: '#channel-list', swap: 'outerHTML' });
      return;
    }
    if (f.channel === 'user:' + me) {
      userEvent(f.type, f.data || {});
      return;
    }
    if (f.channel !== stream) return;
    if (f.seq) {
      if (f.seq <= lastSeq) return; // already shown
      lastSeq = f.seq;
    }
    channelEvent(f.type, f.data || {}, f.timestamp);
  }

  function channelEvent(type, d, at) {
    switch (type) {
      case 'channel_message':
      case 'message_reply':
        addMessage(d, at);
        break;
      case 'message_updated':
        updateMessage(d.message_id, d.content);
        break;
      case 'message_deleted':
        removeMessage(d.message_id);
        break;
      case 'member_joined':
        if (d.username) names[d.user_id] = d.username;
        memberChange((d.username || 'A deleted user') + ' joined the channel.');
        break;
      case 'member_left':
        memberChange((d.username || 'A deleted user') + ' left the channel.');
        break;
      case 'member_role_updated':
        if (d.user_id === me) setRole(d.new_role);
        memberChange((d.username || 'A deleted user') + ' is now ' + d.new_role + '.');
        break;
      case 'user_kicked':
        memberChange(d.user_id === me ? '' : nameOf(d.user_id) + ' was removed from the channel.');
        break;
      case 'user_banned':
        if (d.user_id === me) banMotive = d.motive;
        memberChange(d.user_id === me ? '' : nameOf(d.user_id) + ' was banned: ' + d.motive);
        break;
      case 'user_unbanned':
        break;
      case 'channel_updated':
        if (typeof d.name === 'string') {
          setText('chan-name', d.name);
          document.title = document.title.replace(/^(\(\d+\+?\) )?.*( · Belfry)$/, function (_, count, tail) { return (count || '') + d.name + tail; });
        }
        if (typeof d.description === 'string') setText('chan-desc', d.description);
        break;
      case 'channel_deleted':
        removedNotice('channel_deleted');
        break;
      case 'user_typing':
        typing(d);
        break;
    }
  }

  function userEvent(type, d) {
    if (d.channel_id !== channelID) return;
    if (type === 'user_banned') banMotive = d.motive || '';
  }

  function setText(id, value) {
    var el = document.getElementById(id);
    if (el) el.textContent = value;
  }

  function initial(name) {
    var first = Array.from(name || '')[0];
    return first ? first.toUpperCase() : '?';
  }

  function snippet(s) {
    var chars = Array.from(s || '');
    return chars.length > 80 ? chars.slice(0, 79).join('') + '…' : chars.join('');
  }

  function fromTemplate(id) {
    return document.getElementById(id).content.firstElementChild.cloneNode(true);
  }

  // nearBottom reports whether the list shows its end, so that a new
  // message scrolls into view without yanking a reader who scrolled up.
  function nearBottom() {
    return msgs.scrollHeight - msgs.scrollTop - msgs.clientHeight < 80;
  }

  function scrollToEnd() {
    if (msgs) msgs.scrollTop = msgs.scrollHeight;
  }

  function addMessage(d, at) {
    if (!msgs || document.getElementById('msg-' + d.message_id)) return;
    var li = fromTemplate('message-template');
    var name = d.username || 'A deleted user';
    if (d.user_id && d.username) names[d.user_id] = d.username;
    li.id = 'msg-' + d.message_id;
    li.dataset.mid = d.message_id;
    li.dataset.author = d.user_id || '';
    li.classList.toggle('mine', !!me && d.user_id === me);
    li.querySelector('.msg-avatar').textContent = initial(name);
    li.querySelector('.msg-author').textContent = name;
    var time = li.querySelector('.msg-time');
    var date = at ? new Date(at) : new Date();
    time.setAttribute('datetime', date.toISOString());
    time.title = date.toLocaleString();
    time.textContent = belfry.ago ? belfry.ago(date) : '';
    li.querySelector('.msg-text').textContent = d.content;
    var parent = li.querySelector('.msg-parent');
    if (d.parent_message_id) {
      parent.href = '#msg-' + d.parent_message_id;
      parent.dataset.parent = d.parent_message_id;
      fillParent(parent);
    } else {
      parent.remove();
    }
    li.querySelector('[data-reply]').setAttribute('aria-label', 'Reply to ' + name);
    li.querySelector('.msg-delete').setAttribute('hx-delete', '/ui/channels/' + channelID + '/messages/' + d.message_id);
    var stick = nearBottom() || d.user_id === me;
    var empty = msgs.querySelector('.msgs-empty');
    if (empty) empty.remove();
    msgs.appendChild(li);
    htmx.process(li);
    if (stick) scrollToEnd();
  }

  // fillParent quotes the message a reply answers, when it is on the page.
  function fillParent(link) {
    var out = link.querySelector('.msg-parent-text');
    var p = document.getElementById('msg-' + link.dataset.parent);
    out.textContent = '';
    if (!p) {
      out.textContent = link.dataset.gone ? 'a deleted message' : 'an earlier message';
      return;
    }
    var who = document.createElement('strong');
    who.textContent = p.querySelector('.msg-author').textContent;
    out.append(who, ' ' + snippet(p.querySelector('.msg-text').textContent));
  }

  function repliesTo(id) {
    return document.querySelectorAll('.msg-parent[data-parent="' + CSS.escape(id) + '"]');
  }

  function updateMessage(id, content) {
    var li = document.getElementById('msg-' + id);
    if (!li) return;
    li.querySelector('.msg-text').textContent = content;
    li.querySelector('.msg-edited').hidden = false;
    repliesTo(id).forEach(fillParent);
  }

  function removeMessage(id) {
    var li = document.getElementById('msg-' + id);
    if (li) li.remove();
    repliesTo(id).forEach(function (link) {
      link.dataset.gone = '1';
      fillParent(link);
    });
    var reply = composer && composer.elements.parent_message_id;
    if (reply && reply.value === id) cancelReply();
  }

  // system adds a line about the channel itself (joins, kicks…) to the
  // messages; it is not stored, so a reload does not show it again.
  function system(line) {
    if (!msgs || !line) return;
    var li = document.createElement('li');
    li.className = 'msg-system';
    li.textContent = line;
    var stick = nearBottom();
    msgs.appendChild(li);
    if (stick) scrollToEnd();
  }

  // names remembers the username of every member and author seen, so that
  // a kick or ban — whose event carries only the user id — can be told
  // even after the member list dropped them.
  var names = {};
  function learnNames() {
    document.querySelectorAll('#members .member[data-user-id]').forEach(function (m) {
      if (m.dataset.username) names[m.dataset.userId] = m.dataset.username;
    });
  }
  function nameOf(userID) {
    return names[userID] || 'A user';
  }
  learnNames();
  document.addEventListener('htmx:afterSettle', learnNames);

  var membersTimer = 0;
  function memberChange(line) {
    system(line);
    reloadMembers();
  }

  // reloadMembers refreshes the member list (and the count in the header)
  // once a burst of member events is over.
  function reloadMembers() {
    clearTimeout(membersTimer);
    membersTimer = setTimeout(function () {
      if (document.getElementById('members')) {
        htmx.ajax('GET', '/ui/channels/' + channelID + '/members', { source: chan, target: '#members', swap: 'outerHTML' });
      }
    }, 100);
  }

  function reloadHistory() {
    if (!msgs) return;
    htmx.ajax('GET', msgs.dataset.src, { source: msgs, target: '#messages', swap: 'innerHTML' }).then(scrollToEnd);
  }

  function setRole(role) {
    chan.dataset.role = role;
    chan.classList.toggle('chan-mod', MOD_ROLES.indexOf(role) >= 0);
  }

  // removedNotice ends the live view: the server unsubscribed this tab
  // (kicked, banned, left elsewhere, channel deleted).
  function removedNotice(reason) {
    if (removed) return;
    removed = true;
    setRole('');
    chan.classList.add('removed');
    document.body.dataset.chanState = reason;
    stopTyping();
    typers = {};
    renderTyping();
    cancelReply();
    var words = {
      kicked: 'A moderator removed you from this channel. You may join it again.',
      banned: 'You were banned from this channel' + (banMotive ? ': ' + banMotive : '.'),
      left: 'You left this channel.',
      channel_deleted: 'This channel was deleted.',
      gone: 'You are no longer a member of this channel.'
    };
    var notice = document.getElementById('chan-notice');
    if (!notice) return;
    notice.querySelector('p').textContent = words[reason] || words.gone;
    notice.querySelector('button').hidden = !(reason === 'kicked' || reason === 'left');
    notice.querySelector('a').hidden = reason === 'kicked' || reason === 'left';
    notice.hidden = false;
    if (composer) composer.hidden = true;
  }

  // Typing: who else is typing here, each forgotten after a while in case
  // the end of it was lost.
  var typers = {};
  function typing(d) {
    if (d.user_id === me) return;
    var prev = typers[d.user_id];
    if (prev) clearTimeout(prev.timer);
    delete typers[d.user_id];
    if (d.is_typing) {
      typers[d.user_id] = { name: d.username, timer: setTimeout(function () { delete typers[d.user_id]; renderTyping(); }, 8000) };
    }
    renderTyping();
  }

  function renderTyping() {
    var el = document.getElementById('typing');
    if (!el) return;
    var who = Object.keys(typers).map(function (k) { return typers[k].name; });
    var line = '';
    if (who.length === 1) line = who[0] + ' is typing…';
    else if (who.length === 2) line = who[0] + ' and ' + who[1] + ' are typing…';
    else if (who.length > 2) line = 'Several people are typing…';
    el.textContent = line;
  }

  // This user's typing: is_typing true at most every 2.5 s while keys are
  // pressed, false after 4 s without one, on sending and on leaving the box.
  var sentTyping = 0;
  var idleTimer = 0;
  function noteTyping() {
    if (removed) return;
    var now = Date.now();
    if (now - sentTyping > 2500) {
      sentTyping = now;
      send({ type: 'typing', channel_id: channelID, is_typing: true });
    }
    clearTimeout(idleTimer);
    idleTimer = setTimeout(stopTyping, 4000);
  }
  function stopTyping() {
    clearTimeout(idleTimer);
    if (!sentTyping) return;
    sentTyping = 0;
    send({ type: 'typing', channel_id: channelID, is_typing: false });
  }

  // The composer: Enter sends, Shift+Enter starts a new line; the box grows
  // with its text.
  function autosize(ta) {
    ta.style.height = 'auto';
    ta.style.height = Math.min(ta.scrollHeight + 2, 160) + 'px';
  }

  function cancelReply() {
    if (!composer) return;
    composer.elements.parent_message_id.value = '';
    document.getElementById('reply-to').hidden = true;
  }

  function startReply(li) {
    if (!composer || removed) return;
    composer.elements.parent_message_id.value = li.dataset.mid;
    var bar = document.getElementById('reply-to');
    bar.querySelector('.reply-name').textContent = li.querySelector('.msg-author').textContent;
    bar.querySelector('.reply-text').textContent = snippet(li.querySelector('.msg-text').textContent);
    bar.hidden = false;
    text.focus();
  }

  function startEdit(li) {
    if (li.querySelector('.msg-edit-form')) return;
    var body = li.querySelector('.msg-text');
    var form = fromTemplate('edit-template');
    var ta = form.querySelector('textarea');
    ta.value = body.textContent;
    form.setAttribute('hx-patch', '/ui/channels/' + channelID + '/messages/' + li.dataset.mid);
    form.setAttribute('hx-swap', 'none');
    body.hidden = true;
    body.after(form);
    htmx.process(form);
    autosize(ta);
    ta.focus();
    ta.setSelectionRange(ta.value.length, ta.value.length);
  }

  function endEdit(form, saved) {
    var li = form.closest('.msg');
    var body = li.querySelector('.msg-text');
    if (saved) body.textContent = form.querySelector('textarea').value;
    body.hidden = false;
    form.remove();
    li.querySelector('[data-edit]').focus();
  }

  if (composer) {
    text.addEventListener('input', function () { autosize(text); noteTyping(); });
    text.addEventListener('blur', stopTyping);
    // sentByEnter swallows the line break of the Enter that sent the
    // message, should it still arrive after the box was emptied.
    var sentByEnter = false;
    text.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        sentByEnter = true;
        if (text.value.trim()) composer.requestSubmit();
      } else if (e.key === 'Escape') {
        cancelReply();
      }
    });
    text.addEventListener('beforeinput', function (e) {
      if (sentByEnter && (e.inputType === 'insertLineBreak' || e.inputType === 'insertParagraph')) e.preventDefault();
    });
    text.addEventListener('keyup', function (e) {
      if (e.key === 'Enter') sentByEnter = false;
    });
    composer.addEventListener('submit', stopTyping);
    composer.addEventListener('htmx:afterRequest', function (e) {
      if (e.detail.elt !== composer || !e.detail.successful) return;
      cancelReply();
      autosize(text);
      text.focus();
    });
  }

  document.addEventListener('click', function (e) {
    var t = e.target;
    var li = t.closest && t.closest('#messages .msg');
    if (li && t.closest('[data-reply]')) startReply(li);
    else if (li && t.closest('[data-edit]')) startEdit(li);
    else if (li && t.closest('[data-cancel-edit]')) endEdit(t.closest('form'), false);
    else if (t.closest && t.closest('[data-cancel-reply]')) { cancelReply(); text.focus(); }
    var link = t.closest && t.closest('.msg-parent');
    if (link) {
      var target = document.getElementById('msg-' + link.dataset.parent);
      e.preventDefault();
      if (target) {
        target.scrollIntoView({ block: 'center', behavior: 'smooth' });
        target.classList.remove('highlight');
        void target.offsetWidth; // restart the animation
        target.classList.add('highlight');
      }
    }
    // A click elsewhere closes the open pop-overs.
    document.querySelectorAll('details[open].popover-wrap').forEach(function (d) {
      if (!d.contains(t)) d.open = false;
    });
  });

  document.addEventListener('keydown', function (e) {
    var ta = e.target;
    var form = ta.closest && ta.closest('.msg-edit-form');
    if (form && e.key === 'Escape') endEdit(form, false);
    else if (form && e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    } else if (e.key === 'Escape') {
      document.querySelectorAll('details[open].popover-wrap').forEach(function (d) {
        d.open = false;
        d.querySelector('summary').focus();
      });
    }
  });
  document.addEventListener('input', function (e) {
    if (e.target.closest && e.target.closest('.msg-edit-form')) autosize(e.target);
  });
  document.addEventListener('htmx:afterRequest', function (e) {
    var form = e.detail.elt;
    if (form.matches && form.matches('.msg-edit-form') && e.detail.successful) endEdit(form, true);
  });

  scrollToEnd();
  connect();
})();
