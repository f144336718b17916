// live.js: the notification socket (/ws/notification/, opened by
// htmx-ext-ws on #live). Its JSON frames drive the bell's badge, the toasts
// and list reloads; clicking a notification marks it read over the socket,
// as the spec's widget does. Reconnects with backoff and shows "offline"
// meanwhile.
(function () {
  'use strict';
  var live = document.getElementById('live');
  if (!live || !window.htmx) return;
  var belfry = window.belfry || {};

  // htmx-ext-ws reconnects by itself after these close codes (1012: server
  // restart, 1013: the tab read too slowly); after any other we decide.
  var EXT_RECONNECTS = [1006, 1011, 1012, 1013];
  var TOAST_MS = { info: 6000, warning: 8000, error: 12000 };
  var MAX_TOASTS = 4;
  var socket = null;
  var open = false;
  var failures = 0;
  var offlineTimer = 0;
  var lastSessionCheck = 0;
  var frameCount = null; // the unread count of the last frame

  // backoff is the delay before reconnect attempt n: doubling from 1 s up to
  // 30 s, with jitter so a restarted server is not hit by every tab at once.
  function backoff(n) {
    var max = Math.min(30000, 1000 * Math.pow(2, Math.min(n, 5)));
    return max / 2 + Math.random() * max / 2;
  }
  htmx.config.wsReconnectDelay = backoff;

  live.addEventListener('htmx:wsOpen', function (e) {
    socket = e.detail.socketWrapper;
    open = true;
    failures = 0;
    clearTimeout(offlineTimer);
    offlineTimer = 0;
    setOffline(false);
    document.body.dataset.live = 'open';
    frameCount = badgeCount();
    refresh(); // catch up with whatever happened while we were away
  });

  live.addEventListener('htmx:wsClose', function (e) {
    open = false;
    document.body.dataset.live = 'closed';
    if (!offlineTimer) {
      // A quick reconnect should not flash the indicator.
      offlineTimer = setTimeout(function () { offlineTimer = 0; if (!open) setOffline(true); }, 1200);
    }
    var code = e.detail.event.code;
    var wrapper = e.detail.socketWrapper;
    if (EXT_RECONNECTS.indexOf(code) >= 0) {
      checkSession(false); // a refused handshake (session ended) closes with 1006 too
      return;
    }
    // 1008 means this user's sessions were revoked: only a tab whose own
    // session still works reconnects.
    checkSession(code === 1008).then(function (ok) {
      if (ok && wrapper) setTimeout(function () { wrapper.reconnect(); }, backoff(failures++));
    });
  });

  live.addEventListener('htmx:wsBeforeMessage', function (e) {
    e.preventDefault(); // frames are JSON for us, not HTML for htmx to swap
    var frame;
    try { frame = JSON.parse(e.detail.message); } catch (_) { return; }
    if (!frame || frame.type !== 'notification') return;
    var before = badgeCount();
    setBadge(frame.notification_count);
    // How many arrived is told by the frames' counts alone: the badge is
    // also set by list reloads, whose counts may be newer than a frame's.
    var count = typeof frame.notification_count === 'number' ? frame.notification_count : 100;
    var rose = frameCount === null ? 0 : count - frameCount;
    frameCount = count;
    if (rose > 0 || frame.notification) {
      var b = burstNow();
      b.arrived += Math.max(rose, 0);
      if (typeof frame.notification_count !== 'number') b.capped = true;
      if (frame.notification) { b.shown++; b.trimmed += toast(frame.notification); }
      scheduleSummary();
    }
    // A read frame carries only the count: when it falls, something was
    // read or deleted (maybe in another tab), so the lists show it.
    if (frame.reload_widget || (!frame.notification && badgeCount() < before)) reloadLists();
  });

  function setOffline(off) {
    var conn = document.getElementById('conn');
    if (conn) conn.hidden = !off;
  }

  // checkSession sends the tab to the login page when its session ended;
  // it resolves to false then. Unless forced it asks at most every 10 s.
  function checkSession(force) {
    if (!force && Date.now() - lastSessionCheck < 10000) return Promise.resolve(true);
    lastSessionCheck = Date.now();
    return fetch('/api/v1/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } }).then(function (r) {
      if (r.status !== 401) return true;
      location.assign('/login?expired=1&next=' + encodeURIComponent(location.pathname + location.search));
      return false;
    }, function () { return true; }); // the server is down: stay offline and retry
  }

  function badgeCount() {
    var badge = document.getElementById('badge');
    return badge ? Number(badge.dataset.count || 0) : 0;
  }

  // setBadge shows the unread count: a number, or "99+" (the spec sends that
  // string above 99); hidden at zero.
  function setBadge(count) {
    var n = typeof count === 'number' ? count : 100;
    var text = n > 99 ? '99+' : String(n);
    var badge = document.getElementById('badge');
    if (badge) {
      var rose = n > Number(badge.dataset.count || 0);
      badge.textContent = text;
      badge.dataset.count = String(n);
      badge.hidden = n === 0;
      if (rose) {
        badge.classList.remove('bump');
        void badge.offsetWidth; // restart the animation
        badge.classList.add('bump');
      }
    }
    nameBell();
    document.title = (n ? '(' + text + ') ' : '') + document.title.replace(/^\(\d+\+?\) /, '');
  }

  // nameBell gives the bell the name its badge shows ("Notifications, 5
  // unread"): after every change of the badge, whoever made it (a frame, a
  // list or /ui/badge swapped in by htmx, a merged reload).
  var bell = document.getElementById('bell-button');
  function nameBell() {
    var badge = document.getElementById('badge');
    var label = badge && !badge.hidden && badge.textContent ? 'Notifications, ' + badge.textContent + ' unread' : 'Notifications';
    if (bell && bell.getAttribute('aria-label') !== label) bell.setAttribute('aria-label', label);
  }
  if (bell) new MutationObserver(nameBell).observe(bell, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['hidden'] });

  function reloadLists() {
    document.querySelectorAll('[data-live-list]').forEach(function (list) {
      if (!list.closest('[hidden]')) belfry.reloadList(list); // a closed dropdown reloads when opened
    });
  }

  function refresh() {
    reloadLists();
    if (document.getElementById('badge')) htmx.ajax('GET', '/ui/badge', { source: live, target: '#badge', swap: 'outerHTML' }).catch(function () {});
  }

  // readHere holds the ids this tab marked read. A list reload that was
  // rendered just before the server stored the read would show them unread
  // again, and no reload follows a read, so every swap re-applies them.
  var readHere = new Set();
  function applyReads() {
    document.querySelectorAll('.nitem.unread').forEach(function (li) {
      if (!readHere.has(li.dataset.nid)) return;
      li.classList.remove('unread');
      var state = li.querySelector('.nstate');
      if (state) state.textContent = ', read';
    });
  }
  document.addEventListener('htmx:afterSettle', applyReads);
  document.addEventListener('belfry:merged', applyReads);

  // markRead marks a notification read at once on the page, then tells the
  // server over the socket (or, while offline, through the JSON API).
  function markRead(id) {
    readHere.add(id);
    applyReads();
    if (open && socket) {
      socket.send(JSON.stringify({ type: 'notification', notification_id: id }));
    } else {
      fetch('/api/notifications/' + encodeURIComponent(id) + '/read', { method: 'PATCH', credentials: 'same-origin', keepalive: true })
        .catch(function () { /* it stays unread on the server; the next reload shows that */ });
    }
  }
  belfry.markRead = markRead;

  // A click anywhere on an unread item — its title, its link, its text —
  // except its delete button, its mute menu, its service and project
  // filters and its escalation's steps marks it read.
  document.addEventListener('click', function (e) {
    var item = e.target.closest('.nitem.unread');
    if (item && !e.target.closest('.ndelete, .nmute, .nsource, .nescalation')) markRead(item.dataset.nid);
  });

  function iconNode(name) {
    var t = document.getElementById('toast-icons');
    var holder = t && t.content.querySelector('[data-icon="' + name + '"]');
    return holder ? holder.firstElementChild.cloneNode(true) : document.createTextNode('');
  }

  // plainText reads the text of the sanitised description without running
  // or loading anything: a parsed document has no browsing context.
  function plainText(html) {
    if (!html) return '';
    var text = new DOMParser().parseFromString(html, 'text/html').body.textContent || '';
    text = text.replace(/\s+/g, ' ').trim();
    return text.length > 160 ? text.slice(0, 157) + '…' : text;
  }

  function safeLink(url) {
    return typeof url === 'string' && (/^https?:\/\//i.test(url) || (url.charAt(0) === '/' && url.charAt(1) !== '/' && url.charAt(1) !== '\\'));
  }

  // toast shows a new notification: level colour, title, short body, link;
  // dismissible, hides itself (not while hovered or focused), at most
  // MAX_TOASTS stacked. The region is an ARIA live region.
  function toast(n) {
    var region = document.getElementById('toasts');
    if (!region) return;
    var level = ['info', 'warning', 'error'].indexOf(n.level) >= 0 ? n.level : 'info';
    var el = document.createElement('div');
    el.className = 'toast level-' + level;
    el.dataset.nid = n.id;
    if (level === 'error') el.setAttribute('role', 'alert');
    var ic = document.createElement('span');
    ic.className = 'toast-icon';
    ic.appendChild(iconNode(level));
    var text = document.createElement('div');
    text.className = 'toast-text';
    var title = document.createElement('p');
    title.className = 'toast-title';
    title.textContent = n.message;
    text.appendChild(title);
    var body = plainText(n.description);
    if (body) {
      var p = document.createElement('p');
      p.className = 'toast-body';
      p.textContent = body;
      text.appendChild(p);
    }
    focusable(el, title, hintOnce());
    if (safeLink(n.target_url)) {
      var a = document.createElement('a');
      a.className = 'toast-link';
      a.href = n.target_url;
      a.textContent = 'Open';
      a.appendChild(iconNode('external'));
      if (/^https?:/i.test(n.target_url)) { a.target = '_blank'; a.rel = 'noopener noreferrer'; }
      a.addEventListener('click', function () { markRead(n.id); dismiss(el); });
      text.appendChild(a);
    }
    var close = document.createElement('button');
    close.type = 'button';
    close.className = 'icon-btn toast-close';
    close.setAttribute('aria-label', 'Dismiss: ' + n.message);
    close.appendChild(iconNode('x'));
    close.addEventListener('click', function () { dismiss(el); });
    el.append(ic, text, close);
    region.prepend(el);
    var trimmed = 0;
    var shown = region.querySelectorAll('.toast:not(.toast-summary)');
    for (var i = shown.length - 1; i >= MAX_TOASTS; i--) { shown[i].remove(); trimmed++; }
    autoDismiss(el, TOAST_MS[level]);
    return trimmed;
  }

  // autoDismiss makes el leave after ms, not while it is hovered or holds
  // the focus; it returns the function that starts the wait again.
  function autoDismiss(el, ms) {
    var timer = 0;
    var arm = function () { clearTimeout(timer); timer = setTimeout(function () { dismiss(el); }, ms); };
    el.addEventListener('mouseenter', function () { clearTimeout(timer); });
    el.addEventListener('focusin', function () { clearTimeout(timer); });
    el.addEventListener('mouseleave', arm);
    el.addEventListener('focusout', function (e) { if (!el.contains(e.relatedTarget)) arm(); });
    arm();
    return arm;
  }

  // A burst is notifications arriving less than BURST_GAP_MS apart. Every
  // one of them that gets no toast of its own — held back by the server's
  // storm prevention (a frame that raises the count without a toast), or
  // pushed out of the stack of MAX_TOASTS — is counted in one summary
  // toast, "+19 more", whose button opens the bell's dropdown. A single
  // notification without a toast (its type's toasts are off) makes no
  // summary.
  var BURST_GAP_MS = 5000;
  var SUMMARY_MS = 10000;
  var burst = null;
  function burstNow() {
    var now = Date.now();
    if (!burst || now - burst.last > BURST_GAP_MS) burst = { arrived: 0, shown: 0, trimmed: 0, seen: 0, capped: false, last: now };
    burst.last = now;
    return burst;
  }
  // moreOf is how many of b's notifications have no toast and are not yet
  // in a summary that was closed or followed.
  function moreOf(b) { return Math.max(b.arrived - b.shown, 0) + b.trimmed - b.seen; }

  // The summary is updated at most every SUMMARY_DELAY_MS, so a burst is
  // announced once rather than once per notification.
  var SUMMARY_DELAY_MS = 250;
  var summaryTimer = 0;
  function scheduleSummary() {
    if (!summaryTimer) summaryTimer = setTimeout(function () { summaryTimer = 0; showSummary(); }, SUMMARY_DELAY_MS);
  }

  var summary = null;
  function showSummary() {
    var b = burst;
    var region = document.getElementById('toasts');
    if (!b || !region || b.arrived < 2) return;
    var more = moreOf(b);
    if (more <= 0) return;
    var text = '+' + more + (b.capped ? ' or more' : ' more') + (more === 1 ? ' notification' : ' notifications');
    if (summary && summary.isConnected && !summary.classList.contains('leaving')) {
      summary.querySelector('.toast-title').textContent = text;
      summary.rearm();
      return;
    }
    var el = document.createElement('div');
    el.className = 'toast toast-summary level-info';
    var ic = document.createElement('span');
    ic.className = 'toast-icon';
    ic.appendChild(iconNode('info'));
    var body = document.createElement('div');
    body.className = 'toast-text';
    var title = document.createElement('p');
    title.className = 'toast-title';
    title.textContent = text;
    var why = document.createElement('p');
    why.className = 'toast-body';
    why.textContent = 'They arrived together, so their toasts were held back.';
    var open = document.createElement('button');
    open.type = 'button';
    open.className = 'link-btn toast-link';
    open.textContent = 'Show them';
    var close = document.createElement('button');
    close.type = 'button';
    close.className = 'icon-btn toast-close';
    close.setAttribute('aria-label', 'Dismiss the summary');
    close.appendChild(iconNode('x'));
    var owner = b;
    var seen = function () { owner.seen = Math.max(owner.arrived - owner.shown, 0) + owner.trimmed; };
    open.addEventListener('click', function () {
      seen();
      dismiss(el);
      if (belfry.openPanel) belfry.openPanel(); else location.assign('/notifications');
    });
    close.addEventListener('click', function () { seen(); dismiss(el); });
    body.append(title, why, open);
    el.append(ic, body, close);
    focusable(el, title, hintOnce());
    region.append(el);
    el.rearm = autoDismiss(el, SUMMARY_MS);
    summary = el;
  }

  function dismiss(el) {
    if (!el.isConnected || el.classList.contains('leaving')) return;
    if (el.contains(document.activeElement)) back(); // the focus does not fall to the page's start
    el.classList.add('leaving');
    var gone = function () { el.remove(); };
    el.addEventListener('animationend', gone, { once: true });
    setTimeout(gone, 400); // no animation with reduced motion
  }

  // Alt+T (Option+T on a Mac) moves the focus to the newest toast, and from
  // a toast back to where it was; Escape in a toast goes back too. The
  // first toast of a page tells screen readers so; with no toast, a status
  // message says there is none.
  var returnTo = null;
  var toastSeq = 0;
  var hinted = false;
  function hintOnce() {
    if (hinted) return null;
    hinted = true;
    var hint = document.createElement('span');
    hint.className = 'sr';
    hint.textContent = ' Press Alt+T to move to the newest toast.';
    return hint;
  }
  // focusable lets the shortcut focus el, a group that screen readers then
  // name by its title (a name on a plain div is not allowed).
  function focusable(el, title, hint) {
    title.id = 'toast-title-' + (++toastSeq);
    el.tabIndex = -1;
    el.setAttribute('role', 'group');
    el.setAttribute('aria-labelledby', title.id);
    if (hint) el.appendChild(hint);
  }
  function newestToast() {
    var region = document.getElementById('toasts');
    if (!region) return null;
    return region.querySelector('.toast:not(.toast-summary):not(.leaving)') || region.querySelector('.toast:not(.leaving)');
  }
  function say(text) {
    var status = document.getElementById('shortcut-status');
    if (!status) return;
    status.textContent = text;
    setTimeout(function () { if (status.textContent === text) status.textContent = ''; }, 4000);
  }
  function back() {
    var to = returnTo && returnTo.isConnected ? returnTo : document.getElementById('main');
    returnTo = null;
    if (to) to.focus();
  }
  document.addEventListener('keydown', function (e) {
    var region = document.getElementById('toasts');
    if (!region) return;
    var inToasts = region.contains(document.activeElement);
    if (e.key === 'Escape' && inToasts) {
      e.preventDefault();
      back();
      return;
    }
    if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || e.code !== 'KeyT') return;
    e.preventDefault();
    if (inToasts) { back(); return; }
    var t = newestToast();
    if (!t) { say('There is no toast.'); return; }
    returnTo = document.activeElement && document.activeElement !== document.body ? document.activeElement : null;
    t.focus();
  });
})();
