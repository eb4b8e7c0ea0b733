// Pai Tor counsellor console: keeps the inbox and a ticket's conversation
// current (server-sent events, else polling), fills the reply box from the
// canned replies, counts characters and stops a double submit. The pages work
// without it, except for the live updates.
(function () {
  'use strict';

  var POLL_MS = 10000;

  // live keeps a region current: on each "inbox" event (or every POLL_MS
  // without EventSource) it re-fetches the region's fragment.
  function live(el) {
    var url = el.getAttribute('data-fragment');
    var busy = false, again = false, lost = false, timer = null;
    var status = document.getElementById('live');

    function keys() {
      var seen = {};
      el.querySelectorAll('[data-id]').forEach(function (n) { seen[n.getAttribute('data-id')] = true; });
      return seen;
    }

    function refresh() {
      if (busy) { again = true; return; }
      busy = true;
      fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'text/html' }, cache: 'no-store' })
        .then(function (res) {
          if (res.status === 401) { location.reload(); return null; }
          return res.ok ? res.text() : null;
        })
        .then(function (html) {
          if (html === null) { return; }
          var before = keys();
          el.innerHTML = html;
          var fresh = 0;
          el.querySelectorAll('[data-id]').forEach(function (n) {
            if (!before[n.getAttribute('data-id')]) { n.classList.add('new'); fresh++; }
          });
          if (status) {
            var now = new Date();
            var hhmm = ('0' + now.getHours()).slice(-2) + ':' + ('0' + now.getMinutes()).slice(-2);
            status.textContent = (fresh ? status.getAttribute('data-new') + ' · ' : '') +
              status.getAttribute('data-updated') + ' ' + hhmm;
          }
        })
        .catch(function () { /* offline: the next event or poll tries again */ })
        .then(function () {
          busy = false;
          if (again) { again = false; refresh(); }
        });
    }

    function poll() {
      if (!timer) { timer = setInterval(refresh, POLL_MS); }
    }

    if (!window.EventSource) { poll(); return; }
    var es = new EventSource(el.getAttribute('data-events'));
    es.addEventListener('inbox', refresh);
    es.addEventListener('signout', function () { es.close(); location.reload(); });
    es.addEventListener('open', function () {
      if (lost) { lost = false; refresh(); } // catch up on what was missed
    });
    es.addEventListener('error', function () {
      lost = true;
      if (es.readyState === EventSource.CLOSED) { poll(); } // refused (e.g. signed out): poll, which reloads on 401
    });
  }

  function counter(box) {
    var out = document.querySelector('[data-counter-for="' + box.id + '"]');
    if (!out) { return function () {}; }
    var max = box.getAttribute('maxlength');
    function update() { out.textContent = '(' + Array.from(box.value).length + '/' + max + ')'; }
    box.addEventListener('input', update);
    update();
    return update;
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('.live-region[data-fragment]').forEach(live);

    var box = document.getElementById('reply-text');
    var update = box ? counter(box) : function () {};

    document.addEventListener('click', function (e) {
      var b = e.target.closest ? e.target.closest('[data-fill]') : null;
      if (!b || !box) { return; }
      box.value = b.getAttribute('data-fill');
      update();
      box.focus();
    });

    var form = document.getElementById('reply-form');
    if (form) {
      form.addEventListener('submit', function (e) {
        if (form.getAttribute('data-sent')) { e.preventDefault(); return; }
        form.setAttribute('data-sent', '1');
        form.setAttribute('aria-busy', 'true');
      });
    }
  });
})();
