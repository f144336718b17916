// inbox.js: the notifications page's search and filters. The filters live
// in the address (the server answers the form with HX-Push-Url; Back and
// Forward reload the page, as the layout's htmx-config keeps no history
// cache). A status line tells a screen reader what a search or filter
// found, and "Load more" hands the focus to the first item it loaded.
(function () {
  'use strict';
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
