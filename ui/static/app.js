// app.js: the page behaviour that does not need the socket: the bell's
// dropdown, the confirmation dialog behind hx-confirm, copy buttons,
// dismissible and self-hiding alerts, form resets, relative times.
// No inline handlers anywhere: everything is delegated from here.
(function () {
  'use strict';
  document.documentElement.classList.add('js');
  var belfry = (window.belfry = window.belfry || {});

  // reloadList refreshes a notification list (an element with data-src) in
  // place, with the page's filters and at least as many items as it shows.
  belfry.reloadList = function (list) {
    var url = new URL(list.dataset.src, location.href);
    var filters = list.id === 'page-items' && document.getElementById('filters');
    if (filters) {
      new FormData(filters).forEach(function (v, k) { url.searchParams.set(k, v); });
    }
    var shown = list.querySelectorAll('.nitem').length;
    if (shown > 20) url.searchParams.set('limit', String(Math.min(shown, 200)));
    return htmx.ajax('GET', url.pathname + url.search, { source: list, target: list, swap: 'innerHTML' });
  };

  // The bell's dropdown: loads fresh on every opening; Escape or a click
  // elsewhere closes it.
  var bell = document.getElementById('bell-button');
  var panel = document.getElementById('bell-panel');
  function openPanel() {
    panel.hidden = false;
    bell.setAttribute('aria-expanded', 'true');
    belfry.reloadList(document.getElementById('panel-items'));
    document.getElementById('bell-panel-title').focus();
  }
  function closePanel(returnFocus) {
    if (!panel || panel.hidden) return;
    panel.hidden = true;
    bell.setAttribute('aria-expanded', 'false');
    if (returnFocus) bell.focus();
  }
  if (bell && panel) {
    bell.addEventListener('click', function () {
      if (panel.hidden) openPanel(); else closePanel(false);
    });
  }
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') return;
    closePanel(true);
    document.querySelectorAll('details[open].usermenu, details[open].inline-form').forEach(function (d) { d.open = false; });
  });
  document.addEventListener('click', function (e) {
    if (panel && !panel.hidden && !panel.contains(e.target) && !bell.contains(e.target) && e.target.isConnected) closePanel(false);
    document.querySelectorAll('details[open].usermenu').forEach(function (d) {
      if (!d.contains(e.target)) d.open = false;
    });
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
    dialog.addEventListener('close', function () {
      if (dialog.returnValue === 'ok') e.detail.issueRequest(true);
      if (elt.isConnected) elt.focus();
    }, { once: true });
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
