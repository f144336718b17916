// app.js: the page behaviour that does not need the socket: the bell's
// dropdown, the confirmation dialog behind hx-confirm, copy buttons,
// dismissible and self-hiding alerts, form resets, relative times.
// No inline handlers anywhere: everything is delegated from here.
(function () {
  'use strict';
  document.documentElement.classList.add('js');
  var belfry = (window.belfry = window.belfry || {});

  // listURL is the address of list's first page, with the page's filters.
  function listURL(list) {
    var url = new URL(list.dataset.src, location.href);
    var filters = list.id === 'page-items' && document.getElementById('filters');
    if (filters) {
      new FormData(filters).forEach(function (v, k) { if (v !== '') url.searchParams.set(k, v); });
    }
    return url;
  }

  // reloadList refreshes a notification list (an element with data-src) in
  // place, with the page's filters. A list that shows only its first page
  // is replaced; a longer one (after "Load more") gets its first page
  // merged in at the top, so it keeps every item it shows and does not
  // reload them all. When the first page no longer overlaps what is shown
  // the list starts again from its first page.
  function replaceList(list, url) {
    // A failed request is reported by the htmx:sendError handler below.
    return htmx.ajax('GET', url.pathname + url.search, { source: list, target: list, swap: 'innerHTML' }).catch(function () {});
  }
  belfry.reloadList = function (list) {
    var url = listURL(list);
    var shown = list.querySelectorAll('.nitem').length;
    var firstPage = Number(list.dataset.pageSize) || 8;
    if (shown <= firstPage) {
      return replaceList(list, url);
    }
    return fetch(url.pathname + url.search, { credentials: 'same-origin', headers: { 'HX-Request': 'true' } }).then(function (r) {
      if (!r.ok) throw new Error('status ' + r.status);
      return r.text();
    }).then(function (html) {
      var tpl = document.createElement('template');
      tpl.innerHTML = html;
      var badge = tpl.content.getElementById('badge');
      var old = document.getElementById('badge');
      if (badge && old) { badge.removeAttribute('hx-swap-oob'); old.replaceWith(badge); }
      var fresh = tpl.content.querySelectorAll('.nitem');
      var last = fresh.length ? list.querySelector('.nitem[data-nid="' + CSS.escape(fresh[fresh.length - 1].dataset.nid) + '"]') : null;
      if (!last) return replaceList(list, url);
      var key = focusedItem(list);
      while (list.firstElementChild && list.firstElementChild !== last) list.firstElementChild.remove();
      last.remove();
      var frag = document.createDocumentFragment();
      fresh.forEach(function (li) { frag.appendChild(li); });
      list.prepend(frag);
      htmx.process(list);
      refocus(list, key);
      list.dispatchEvent(new CustomEvent('belfry:merged', { bubbles: true }));
    }).catch(function () { belfry.showError(unreachable); });
  };

  var unreachable = 'Belfry could not be reached, so nothing was changed. Check the connection and try again.';

  // showError puts an error alert in the page's flash area.
  belfry.showError = function (message) {
    var flash = document.getElementById('flash');
    if (!flash) return;
    var tpl = document.getElementById('error-alert');
    var alert = tpl.content.firstElementChild.cloneNode(true);
    alert.querySelector('p').textContent = message;
    flash.replaceChildren(alert);
  };

  // Every htmx action shows that it is busy (aria-busy, and the
  // .htmx-request style); when the server cannot be reached it says so and
  // a switch flipped by the click flips back, since nothing was saved. A
  // list still saying "Loading…" says that it could not load.
  document.addEventListener('htmx:beforeRequest', function (e) {
    e.detail.elt.setAttribute('aria-busy', 'true');
  });
  document.addEventListener('htmx:afterRequest', function (e) {
    var elt = e.detail.elt;
    elt.removeAttribute('aria-busy');
    if (e.detail.successful) return;
    if (elt.matches && elt.matches('input[type=checkbox]') && elt.isConnected) elt.checked = !elt.checked;
  });
  function unreachableRequest(e) {
    belfry.showError(unreachable);
    var target = e.detail.target;
    var loading = target && target.querySelector && target.querySelector(':scope > li.loading');
    if (loading) {
      loading.className = 'empty load-failed';
      loading.textContent = 'Notifications could not be loaded: Belfry cannot be reached.';
    }
  }
  document.addEventListener('htmx:sendError', unreachableRequest);
  document.addEventListener('htmx:timeout', unreachableRequest);

  // The bell's dropdown: loads fresh on every opening; Escape or a click
  // elsewhere closes it.
  var bell = document.getElementById('bell-button');
  var panel = document.getElementById('bell-panel');
  function openPanel() {
    panel.hidden = false;
    bell.setAttribute('aria-expanded', 'true');
    // The marks measure the time from the click to a loaded list
    // (performance.getEntriesByName('bell-panel-ready')).
    performance.mark('bell-open');
    belfry.reloadList(document.getElementById('panel-items')).then(function () {
      performance.measure('bell-panel-ready', 'bell-open');
    });
    document.getElementById('bell-panel-title').focus();
  }
  function closePanel(returnFocus) {
    if (!panel || panel.hidden) return;
    panel.hidden = true;
    bell.setAttribute('aria-expanded', 'false');
    if (returnFocus) bell.focus();
  }
  if (bell && panel) {
    belfry.openPanel = function () { if (panel.hidden) openPanel(); else document.getElementById('bell-panel-title').focus(); };
    bell.addEventListener('click', function () {
      if (panel.hidden) openPanel(); else closePanel(false);
    });
    // The dropdown closes when the focus leaves it (Tab past its end).
    panel.addEventListener('focusout', function (e) {
      var to = e.relatedTarget;
      if (to && !panel.contains(to) && !bell.contains(to)) closePanel(false);
    });
  }
  // Escape closes the dropdown and open menus; the focus goes back to what
  // opened them.
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') return;
    closePanel(true);
    document.querySelectorAll('details[open].usermenu, details[open].inline-form, details[open].nmute').forEach(function (d) {
      var had = d.contains(document.activeElement);
      d.open = false;
      if (had) d.querySelector('summary').focus();
    });
  });

  // A list that is reloaded keeps the focus on the same item's button.
  function focusedItem(list) {
    var a = document.activeElement;
    var li = a && list.contains(a) && a.closest('.nitem');
    if (!li) return null;
    return { nid: li.dataset.nid, sel: a.classList.contains('ndelete') ? '.ndelete' : '.ntitle' };
  }
  function refocus(list, key) {
    var a = document.activeElement;
    if (!key || (a && a !== document.body && a.isConnected)) return;
    var el = list.querySelector('.nitem[data-nid="' + CSS.escape(key.nid) + '"] ' + key.sel);
    if (el) el.focus();
  }
  belfry.focusedItem = focusedItem;
  belfry.refocus = refocus;
  document.addEventListener('htmx:beforeSwap', function (e) {
    var t = e.detail.target;
    if (t && t.matches && t.matches('[data-live-list]')) t.focusKey = focusedItem(t);
  });
  document.addEventListener('htmx:afterSwap', function (e) {
    var t = e.detail.target;
    if (t && t.focusKey) { refocus(t, t.focusKey); t.focusKey = null; }
  });

  // An answer that replaced the focused control (the mute menu of "Mute
  // this") marks what should take the focus with data-autofocus.
  document.addEventListener('htmx:afterSettle', function () {
    var el = document.querySelector('[data-autofocus]');
    if (!el) return;
    el.removeAttribute('data-autofocus');
    var a = document.activeElement;
    if (!a || a === document.body || !a.isConnected) el.focus();
  });

  // Deleting an item with its 🗑 moves the focus to the next item's 🗑 (or
  // the previous one's, or the main area), not to the page's start.
  var deleteFocus = null;
  document.addEventListener('htmx:beforeRequest', function (e) {
    var btn = e.detail.elt;
    if (!btn.matches || !btn.matches('.ndelete')) return;
    var li = btn.closest('li');
    var near = li.nextElementSibling && li.nextElementSibling.matches('.nitem') ? li.nextElementSibling : li.previousElementSibling;
    deleteFocus = { nid: li.dataset.nid, list: li.parentElement, near: near && near.dataset.nid };
  });
  // afterRequest comes after the swap, on a connected ancestor.
  document.addEventListener('htmx:afterRequest', function () {
    if (!deleteFocus || deleteFocus.list.querySelector('.nitem[data-nid="' + CSS.escape(deleteFocus.nid) + '"]')) return;
    var d = deleteFocus;
    deleteFocus = null;
    var a = document.activeElement;
    if (a && a !== document.body && a.isConnected) return;
    var to = d.near && d.list.querySelector('.nitem[data-nid="' + CSS.escape(d.near) + '"] .ndelete');
    if (to) { to.focus(); return; }
    var main = document.getElementById('main');
    if (main) main.focus();
  });

  // hx-confirm questions are asked in the page's <dialog>, not with
  // window.confirm; data-confirm-title and data-confirm-ok word it.
  var dialog = document.getElementById('confirm');
  document.addEventListener('htmx:confirm', function (e) {
    if (!e.detail.question || !dialog) return;
    e.preventDefault();
    var elt = e.detail.elt;
    document.getElementById('confirm-title').textContent = elt.dataset.confirmTitle || 'Are you sure?';
    document.getElementById('confirm-text').textContent = e.detail.question;
    document.getElementById('confirm-ok').textContent = elt.dataset.confirmOk || 'Confirm';
    dialog.returnValue = '';
    // The close event comes a task after the dialog closed: one that finds
    // the dialog open again belongs to the previous question, asked and
    // answered just before, and must not answer this one.
    var onClose = function () {
      if (dialog.open) return;
      dialog.removeEventListener('close', onClose);
      if (dialog.returnValue === 'ok') e.detail.issueRequest(true);
      if (elt.isConnected) elt.focus();
    };
    dialog.addEventListener('close', onClose);
    dialog.showModal();
  });

  // Copy buttons: data-copy names the field to copy. The clipboard API
  // needs a secure context; plain http on a LAN falls back to execCommand.
  document.addEventListener('click', function (e) {
    var btn = e.target.closest('[data-copy]');
    if (!btn) return;
    var field = document.querySelector(btn.dataset.copy);
    if (!field) return;
    field.select();
    var done = function () {
      btn.classList.add('copied');
      var label = btn.querySelector('span');
      if (label) label.textContent = 'Copied';
    };
    var fallback = function () {
      try { if (document.execCommand('copy')) done(); } catch (_) { /* the text stays selected */ }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, fallback);
    } else {
      fallback();
    }
  });

  // Alerts close with their button; data-autohide ones leave by themselves.
  document.addEventListener('click', function (e) {
    var btn = e.target.closest('[data-dismiss]');
    if (btn) btn.closest('.alert').remove();
  });
  function autohide(root) {
    var els = root.querySelectorAll ? Array.prototype.slice.call(root.querySelectorAll('[data-autohide]')) : [];
    if (root.matches && root.matches('[data-autohide]')) els.push(root);
    els.forEach(function (el) {
      setTimeout(function () { el.remove(); }, el.classList.contains('saved') ? 2500 : 6000);
    });
  }
  document.addEventListener('htmx:load', function (e) { autohide(e.detail.elt); });

  // Forms marked data-reset-on-success empty themselves after success.
  document.addEventListener('htmx:afterRequest', function (e) {
    var form = e.detail.elt;
    if (e.detail.successful && form.matches && form.matches('form[data-reset-on-success]')) form.reset();
  });

  // Relative times ("5 min ago") stay true while the page is open.
  belfry.ago = function (date) {
    var s = (Date.now() - date.getTime()) / 1000;
    if (s < 60) return 'just now';
    if (s < 3600) return Math.floor(s / 60) + ' min ago';
    if (s < 86400) return Math.floor(s / 3600) + ' h ago';
    if (s < 172800) return 'yesterday';
    if (s < 604800) return Math.floor(s / 86400) + ' days ago';
    return date.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
  };
  setInterval(function () {
    document.querySelectorAll('time[data-rel]').forEach(function (t) {
      t.textContent = belfry.ago(new Date(t.getAttribute('datetime')));
    });
  }, 60000);
})();

// The service worker (/sw.js, served by app/push) shows pushes, handles
// their clicks and the offline page; registering it on every page makes
// Belfry installable.
if ("serviceWorker" in navigator && window.isSecureContext) {
  navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(() => {});
}
