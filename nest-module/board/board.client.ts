/**
 * The board page's script, sent inline (no build step, no CDN). It reads its data from the
 * page's JSON block, follows the server-sent events, and builds every element with
 * `createElement` + `textContent`: no received text is ever parsed as HTML. Actions are POSTs
 * carrying the page's CSRF token in a header. Plain ES2020, no template literals (this file holds
 * it in one).
 */
export const BOARD_CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('gorx-data').textContent);
  var base = data.base, csrf = data.csrf, actions = data.actions;
  var MAX_WINDOW_MS = 5 * 60 * 1000, MIN_WINDOW_MS = 20 * 1000, MAX_EVENTS = 300;
  var state = { snapshot: data.snapshot, offset: data.snapshot.now - Date.now(), events: data.recent.slice() };
  var beats = new Map();
  var MARKS = { started: '\u25B2', restarted: '\u25CF', failed: '\u2715', 'heartbeat-missed': '\u2715',
    'gave-up': '\u2715', stopped: '\u25A0', superseded: '\u25A0', skipped: '\u25A0', completed: '\u25B2' };

  function el(tag, props, children) {
    var node = document.createElement(tag);
    if (props) for (var k in props) {
      if (k === 'text') node.textContent = props[k];
      else if (k === 'className') node.className = props[k];
      else if (k === 'title') node.title = props[k];
      else if (k.indexOf('data-') === 0) node.setAttribute(k, props[k]);
    }
    if (children) children.forEach(function (c) { if (c != null) node.appendChild(c); });
    return node;
  }
  function now() { return Date.now() + state.offset; }
  function secs(ms) {
    ms = Math.max(0, ms);
    return ms < 10000 ? (ms / 1000).toFixed(1) + ' s' : Math.round(ms / 1000) + ' s';
  }
  function td(text, className) { return el('td', { text: text == null ? '' : String(text), className: className || '' }); }

  function recordBeats(workers) {
    workers.forEach(function (w) {
      if (w.lastHeartbeatAt == null) return;
      var list = beats.get(w.name);
      if (!list) beats.set(w.name, (list = []));
      if (list[list.length - 1] !== w.lastHeartbeatAt) list.push(w.lastHeartbeatAt);
      while (list.length > 0 && list[0] < now() - MAX_WINDOW_MS) list.shift();
    });
  }

  function renderWorkers() {
    var t = now();
    var rows = state.snapshot.workers.map(function (w) {
      var due = w.nextRestartAt != null ? w.nextRestartAt : w.nextRunAt;
      var cells = [
        td(w.name, 'name'),
        el('td', null, [el('span', { className: 'state s-' + w.state, text: w.state })]),
        td(w.attempt), td(w.restarts),
        td(w.lastHeartbeatAt == null ? '\u2013' : secs(t - w.lastHeartbeatAt) + ' ago'),
        td(w.details), td(w.lastError, 'error'),
        td(due == null ? '' : 'in ' + secs(due - t) + (w.schedule ? ' (' + w.schedule + ')' : ''))
      ];
      if (actions) {
        cells.push(el('td', null, ['stop', 'start', 'restart', 'remove'].map(function (a) {
          return el('button', { text: a, 'data-action': a, 'data-worker': w.name, title: a + ' ' + w.name });
        })));
      }
      return el('tr', { 'data-worker': w.name }, cells);
    });
    document.querySelector('#workers tbody').replaceChildren.apply(document.querySelector('#workers tbody'), rows);
    var total = state.snapshot.workerCount;
    document.getElementById('worker-count').textContent = total > rows.length ? rows.length + ' of ' + total : String(total);
  }

  function renderGoroutines() {
    var s = state.snapshot;
    var rows = s.goroutines.map(function (g) {
      return el('tr', null, [td(g.id), td(g.name), td(g.state), td(g.blockedOn), td(secs(g.ageMs)), td(g.parentId)]);
    });
    var body = document.querySelector('#goroutines tbody');
    body.replaceChildren.apply(body, rows);
    document.getElementById('goroutine-count').textContent =
      s.goroutineCount > s.goroutines.length ? s.goroutines.length + ' of ' + s.goroutineCount : String(s.goroutineCount);
  }

  function eventItem(e) {
    return el('li', { className: 'e-' + e.type }, [
      el('time', { text: new Date(e.at).toISOString().slice(11, 23) }), document.createTextNode(' '),
      el('b', { text: e.type }), document.createTextNode(' ' + e.worker + ' #' + e.attempt),
      e.error == null ? null : el('span', { className: 'error', text: ' ' + e.error })
    ]);
  }

  function renderEvents() {
    var list = document.getElementById('events');
    list.replaceChildren.apply(list, state.events.slice().reverse().map(eventItem));
    document.getElementById('event-count').textContent = String(state.events.length);
  }

  // The timeline spans what there is to show: from 20 s up to 5 minutes.
  function timelineWindow(t) {
    var oldest = t;
    state.events.forEach(function (e) { if (e.at < oldest) oldest = e.at; });
    beats.forEach(function (list) { if (list.length > 0 && list[0] < oldest) oldest = list[0]; });
    return Math.min(MAX_WINDOW_MS, Math.max(MIN_WINDOW_MS, Math.ceil((t - oldest) * 1.1)));
  }

  function renderTimeline() {
    var t = now(), span = timelineWindow(t), from = t - span;
    document.getElementById('timeline-window').textContent = 'last ' + secs(span);
    var names = state.snapshot.workers.map(function (w) { return w.name; });
    state.events.forEach(function (e) { if (names.indexOf(e.worker) < 0 && e.at >= from) names.push(e.worker); });
    var lanes = names.map(function (name) {
      var marks = [];
      (beats.get(name) || []).forEach(function (at) { if (at >= from) marks.push({ at: at, type: 'beat', label: 'heartbeat' }); });
      state.events.forEach(function (e) {
        if (e.worker === name && e.at >= from) marks.push({ at: e.at, type: e.type, label: e.type + ' #' + e.attempt + (e.error ? ': ' + e.error : '') });
      });
      var track = el('div', { className: 'track' }, marks.map(function (m) {
        var mark = el('span', { className: 'mark m-' + m.type, text: m.type === 'beat' ? '\u00B7' : (MARKS[m.type] || '\u25C6'),
          title: new Date(m.at).toISOString().slice(11, 19) + ' ' + m.label });
        mark.style.left = (100 * (m.at - from) / span).toFixed(2) + '%';
        return mark;
      }));
      return el('div', { className: 'lane', 'data-worker': name }, [el('span', { className: 'label', text: name, title: name }), track]);
    });
    var box = document.getElementById('timeline');
    box.replaceChildren.apply(box, lanes);
  }

  function renderAll() { renderWorkers(); renderGoroutines(); renderEvents(); renderTimeline(); }

  function setConn(text, cls) {
    var c = document.getElementById('conn');
    c.textContent = text;
    c.className = 'conn ' + cls;
  }

  recordBeats(state.snapshot.workers);
  renderAll();

  var source = new EventSource(base + '/events');
  source.addEventListener('open', function () { setConn('live', 'live'); });
  source.addEventListener('error', function () { setConn('disconnected, retrying\u2026', 'down'); });
  source.addEventListener('snapshot', function (m) {
    var s = JSON.parse(m.data);
    state.snapshot = s;
    state.offset = s.now - Date.now();
    recordBeats(s.workers);
    renderWorkers(); renderGoroutines(); renderTimeline();
    setConn('live', 'live');
  });
  source.addEventListener('events', function (m) {
    JSON.parse(m.data).forEach(function (e) { state.events.push(e); });
    if (state.events.length > MAX_EVENTS) state.events.splice(0, state.events.length - MAX_EVENTS);
    renderEvents(); renderTimeline();
  });
  setInterval(function () { renderWorkers(); renderTimeline(); }, 1000);

  if (actions) {
    document.getElementById('workers').addEventListener('click', function (ev) {
      var button = ev.target.closest('button[data-action]');
      if (!button) return;
      var action = button.getAttribute('data-action'), name = button.getAttribute('data-worker');
      if (action === 'remove' && !window.confirm('Remove worker ' + name + '?')) return;
      var note = document.getElementById('action-result');
      note.textContent = action + ' ' + name + '\u2026';
      fetch(base + '/workers/' + encodeURIComponent(name) + '/' + action, {
        method: 'POST', credentials: 'same-origin', headers: { 'x-gorx-csrf': csrf }
      }).then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (body) {
          note.textContent = res.ok ? action + ' ' + name + ': done' : action + ' ' + name + ': ' + res.status + ' ' + (body.message || '');
        });
      }, function (err) { note.textContent = action + ' ' + name + ': ' + err; });
    });
  }
})();
`;
