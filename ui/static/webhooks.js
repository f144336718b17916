// webhooks.js: the webhooks page. Each card's Edit button (and the form's
// Cancel) shows or hides the card's edit form, below its actions.
(function () {
  'use strict';
  document.addEventListener('click', function (e) {
    var btn = e.target.closest && e.target.closest('[data-edit-toggle]');
    var panel = btn && document.getElementById(btn.getAttribute('aria-controls'));
    if (!panel) return;
    var open = panel.hidden;
    panel.hidden = !open;
    var card = panel.closest('.hook');
    card.querySelectorAll('[data-edit-toggle][aria-expanded]').forEach(function (b) { b.setAttribute('aria-expanded', String(open)); });
    if (open) {
      panel.querySelector('input, select, textarea').focus();
    } else {
      panel.querySelector('form').reset();
      card.querySelector('.hook-actions [data-edit-toggle]').focus();
    }
  });
})();
