// inbox.js: the notifications page's search and filters. The filters live
// in the address (the form pushes its URL), so Back and Forward restore a
// filtered list and this puts the form's fields back to match it. A status
// line tells a screen reader what a search or filter found, and "Load
// more" hands the focus to the first item it loaded.
(function () {
  'use strict';
  function syncForm() {
    var form = document.getElementById('filters');
    if (!form) return;
    var params = new URLSearchParams(location.search);
    if (!params.get('read') && params.get('unread') === '1') params.set('read', 'unread');
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name) el.value = params.get(el.name) || '';
    });
  }
  document.addEventListener('htmx:historyRestore', syncForm);

  function announce() {
    var status = document.getElementById('filter-status');
    var list = document.getElementById('page-items');
    if (!status || !list) return;
    var n = list.querySelectorAll('.nitem').length;
    var more = list.querySelector('li.more') !== null;
    status.textContent = n === 0 ? 'No notifications match.' : n + (more ? '+' : '') + (n === 1 ? ' notification' : ' notifications') + ' shown.';
  }

  var lastBeforeMore = null;
  document.addEventListener('htmx:beforeSwap', function (e) {
    var t = e.detail.target;
    if (t && t.matches && t.matches('#page-items > li.more')) lastBeforeMore = t.previousElementSibling;
  });
  document.addEventListener('htmx:afterRequest', function (e) {
    if (e.detail.successful && e.detail.elt && e.detail.elt.id === 'filters') announce();
  });
  document.addEventListener('htmx:afterSettle', function () {
    if (!lastBeforeMore) return;
    var first = lastBeforeMore.nextElementSibling;
    lastBeforeMore = null;
    var a = document.activeElement;
    var title = first && first.matches('.nitem') && first.querySelector('.ntitle');
    if (title && (!a || a === document.body || !a.isConnected)) title.focus();
  });
})();
