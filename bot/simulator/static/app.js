// app.js — the chat simulator: simulated users, sending events through the
// simulator API (which signs them and posts them to the bot's /callback), and
// a long-poll loop that shows what the bot sent the selected user.
'use strict';

(function () {
  const R = window.PaiTorRender;
  const BASE = (document.querySelector('meta[name="paitor-sim-base"]') || {}).content || '';
  const api = (p) => BASE + '/api/' + p;
  const USERS_KEY = 'paitor.sim.users';
  const CURRENT_KEY = 'paitor.sim.current';

  const PLACES = [
    { title: 'โคราช (นครราชสีมา)', address: 'อ.เมืองนครราชสีมา จ.นครราชสีมา — Nakhon Ratchasima', lat: 14.9799, lng: 102.0978 },
    { title: 'เชียงใหม่', address: 'อ.เมืองเชียงใหม่ จ.เชียงใหม่ — Chiang Mai', lat: 18.7883, lng: 98.9853 },
    { title: 'กรุงเทพฯ', address: 'กรุงเทพมหานคร — Bangkok', lat: 13.7563, lng: 100.5018 },
    { title: 'ขอนแก่น', address: 'อ.เมืองขอนแก่น จ.ขอนแก่น — Khon Kaen', lat: 16.4322, lng: 102.8236 },
    { title: 'หาดใหญ่', address: 'อ.หาดใหญ่ จ.สงขลา — Hat Yai', lat: 7.0086, lng: 100.4747 },
  ];
  const STICKERS = [['446', '1988'], ['446', '1989'], ['446', '1990'], ['446', '2000'], ['11537', '52002734'], ['11538', '51626494']];

  const $ = (id) => document.getElementById(id);
  const els = {
    conn: $('conn'), select: $('user-select'), newUser: $('new-user'), follow: $('follow'), unfollow: $('unfollow'),
    hint: $('hint'), list: $('messages'), popup: $('popup'), quick: $('quick-replies'),
    form: $('composer'), input: $('input'), send: $('send'),
    location: $('location-btn'), sticker: $('sticker-btn'), image: $('image-btn'),
  };

  const state = {
    users: [],          // [{userId, displayName}]
    userId: null,       // selected user
    gen: 0,             // bumps on every user switch; stale loops stop
    abort: null,        // AbortController of the current long-poll
    lastSeq: 0,         // highest bot-delivery seq shown
    seen: new Set(),    // bot-delivery seqs shown
    last: null,         // last transcript entry: {who: 'bot'|'user', msg}
    blocked: false,
    ready: false,
  };

  // ---- small helpers -----------------------------------------------------

  function h(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  function fmtTime(at) {
    const d = at ? new Date(at) : new Date();
    if (isNaN(d.getTime())) return '';
    return d.toLocaleTimeString('th-TH', { hour: '2-digit', minute: '2-digit' });
  }

  function nearBottom() {
    const l = els.list;
    return l.scrollHeight - l.scrollTop - l.clientHeight < 80;
  }
  function scrollDown(force) {
    if (force || nearBottom()) els.list.scrollTop = els.list.scrollHeight;
  }

  function setConn(ok, text) {
    els.conn.className = 'conn ' + (ok ? 'ok' : 'bad');
    els.conn.textContent = text;
  }

  function showHint(text) {
    els.hint.textContent = text;
    els.hint.hidden = !text;
  }

  async function postJSON(path, body) {
    const r = await fetch(api(path), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    let data = {};
    try { data = await r.json(); } catch (e) { /* not JSON */ }
    return { http: r.status, data };
  }

  // ---- users -------------------------------------------------------------

  const USER_ID = /^U[0-9a-f]{32}$/;

  function loadUsers() {
    try {
      const v = JSON.parse(localStorage.getItem(USERS_KEY) || '[]');
      return Array.isArray(v) ? v.filter((u) => u && USER_ID.test(u.userId)) : [];
    } catch (e) { return []; }
  }
  function saveUsers() {
    try {
      localStorage.setItem(USERS_KEY, JSON.stringify(state.users));
      if (state.userId) localStorage.setItem(CURRENT_KEY, state.userId);
    } catch (e) { /* private mode: keep in memory */ }
  }

  function fillSelect() {
    els.select.textContent = '';
    for (const u of state.users) {
      const o = h('option', null, u.displayName + ' (…' + u.userId.slice(-4) + ')');
      o.value = u.userId;
      els.select.append(o);
    }
    if (state.userId) els.select.value = state.userId;
  }

  function nextNickname() {
    const names = new Set(state.users.map((u) => u.displayName));
    let n = state.users.length + 1;
    while (names.has('ผู้ใช้ ' + n)) n++;
    return 'ผู้ใช้ ' + n;
  }

  async function createUser() {
    const { http, data } = await postJSON('users', { displayName: nextNickname() });
    if (http !== 200 || !data.userId) throw new Error(data.error || 'HTTP ' + http);
    state.users.push({ userId: data.userId, displayName: data.displayName });
    saveUsers();
    return data.userId;
  }

  // registerAgain tells the fake about a stored user again: after a server
  // restart the fake has forgotten it (and its profile).
  async function registerAgain(u) {
    try { await postJSON('users', { userId: u.userId, displayName: u.displayName }); } catch (e) { /* shown by the poll */ }
  }

  // ---- transcript --------------------------------------------------------

  function clearTranscript() {
    els.list.textContent = '';
    state.lastSeq = 0;
    state.seen = new Set();
    state.last = null;
    state.blocked = false;
    updateQuickReplies();
  }

  function addSystem(text) {
    const stick = nearBottom();
    els.list.append(h('div', 'system', text));
    scrollDown(stick);
  }

  function addError(th, en) {
    const stick = nearBottom();
    els.list.append(h('div', 'error-line', '⚠️ ' + th + '\n' + en));
    scrollDown(stick || true);
  }

  function addRow(who, content, at, wide) {
    const stick = nearBottom();
    const row = h('div', 'row ' + who);
    if (who === 'bot') row.append(h('div', 'bot-avatar', 'ไป'));
    const box = h('div', 'content' + (wide ? ' wide' : ''));
    if (Array.isArray(content)) content.forEach((c) => box.append(c)); else box.append(content);
    row.append(box, h('div', 'time', fmtTime(at)));
    els.list.append(row);
    scrollDown(stick || who === 'user');
    return row;
  }

  function addBot(d) {
    if (state.seen.has(d.seq)) return;
    state.seen.add(d.seq);
    if (d.seq > state.lastSeq) state.lastSeq = d.seq;
    const msg = d.message || {};
    let el;
    try {
      el = R.message(msg, { onAction });
    } catch (e) {
      el = h('div', 'msg-label unknown', '[แสดงข้อความไม่ได้ (cannot render) ' + (msg.type || '?') + ']');
    }
    const parts = [];
    if (msg.sender && msg.sender.name) parts.push(h('div', 'sender', msg.sender.name));
    parts.push(el);
    if (d.via && d.via !== 'reply' && d.via !== 'push') parts.push(h('div', 'warn', 'ส่งแบบ ' + d.via + ' (sent via ' + d.via + ')'));
    if (state.blocked) parts.push(h('div', 'warn', 'ผู้ใช้บล็อกอยู่ — LINE จะไม่ส่งข้อความนี้ (user blocked: LINE would not deliver this)'));
    const wide = ['flex', 'template', 'imagemap'].includes(msg.type);
    addRow('bot', parts, d.at, wide);
    state.last = { who: 'bot', msg };
    updateQuickReplies();
  }

  function userBubble(text) {
    const b = h('div', 'bubble user-bubble');
    R.linkify(b, text);
    return b;
  }

  // addSent shows something the user sent (from history or just now).
  function addSent(s) {
    switch (s.kind) {
      case 'text':
        addRow('user', userBubble(s.text), s.at);
        break;
      case 'postback':
        if (s.displayText) {
          addRow('user', userBubble(s.displayText), s.at);
        } else {
          let t = '↳ ' + (s.label || s.data);
          const p = s.params || {};
          const v = p.datetime || p.date || p.time;
          if (v) t += ': ' + v;
          const stick = nearBottom();
          els.list.append(h('div', 'note', t));
          scrollDown(stick);
        }
        break;
      case 'follow':
        addSystem(s.isUnblocked ? '🔓 ปลดบล็อกและติดตามแล้ว (unblocked, following)' : '➕ เพิ่มเพื่อน/ติดตามแล้ว (followed)');
        state.blocked = false;
        break;
      case 'unfollow':
        addSystem('🚫 เลิกติดตาม/บล็อกแล้ว — กด "ติดตาม" เพื่อกลับมา (unfollowed/blocked — tap Follow to come back)');
        state.blocked = true;
        break;
      case 'sticker':
        addRow('user', h('div', 'bubble user-bubble sticker', '[สติกเกอร์ ' + s.packageId + '/' + s.stickerId + ']'), s.at);
        break;
      case 'location': {
        const b = h('div', 'bubble user-bubble');
        b.append(h('div', 'loc-title', '📍 ' + (s.title || 'ตำแหน่ง (location)')));
        if (s.address) b.append(h('div', 'loc-address', s.address));
        addRow('user', b, s.at);
        break;
      }
      case 'image':
        addRow('user', h('div', 'bubble user-bubble', '🖼️ [รูปภาพ (image)]'), s.at);
        break;
      default:
        addSystem('[' + s.kind + ']');
    }
    if (s.kind !== 'follow' && s.kind !== 'unfollow') {
      state.last = { who: 'user' };
      updateQuickReplies();
    }
    updateBlocked();
  }

  function statusError(status, extra) {
    if (status === 0) {
      addError('ติดต่อบอทไม่ได้ — เซิร์ฟเวอร์ /callback ไม่ตอบ ' + (extra || ''),
        'Could not reach the bot\'s /callback webhook. ' + (extra || ''));
    } else {
      addError('บอทตอบ webhook ด้วย HTTP ' + status + ' (ไม่ใช่ 200)',
        'The webhook answered HTTP ' + status + ', not 200. ' + (extra || ''));
    }
  }

  // ---- quick replies -----------------------------------------------------

  function updateQuickReplies() {
    // Showing or hiding the bar resizes the list: keep the newest message in view.
    const stick = nearBottom();
    els.quick.textContent = '';
    const items = state.last && state.last.who === 'bot' ? R.quickReplyItems(state.last.msg) : [];
    for (const it of items) els.quick.append(R.chip(it, { onAction }));
    els.quick.hidden = items.length === 0;
    scrollDown(stick);
  }

  function updateBlocked() {
    els.input.disabled = state.blocked || !state.ready;
    els.send.disabled = state.blocked || !state.ready;
    for (const b of [els.location, els.sticker, els.image]) b.disabled = state.blocked || !state.ready;
    els.input.placeholder = state.blocked
      ? 'บล็อกอยู่ — กด ติดตาม เพื่อคุยต่อ (blocked — tap Follow)'
      : 'พิมพ์ข้อความ… (type a message)';
  }

  // ---- sending -----------------------------------------------------------

  // send shows the user's side at once, then delivers the event through the
  // simulator and shows an error line when the webhook did not answer 200.
  async function send(body) {
    if (!state.userId) return;
    const userId = state.userId;
    const gen = state.gen;
    closePopup();
    // Draw the user's side at once, as LINE does.
    if (body.kind !== 'follow') showHint('');
    const local = Object.assign({ at: new Date().toISOString() }, body);
    if (body.kind === 'follow') local.isUnblocked = state.blocked;
    addSent(local);
    let res;
    try {
      res = await postJSON('send', Object.assign({ userId }, body));
    } catch (e) {
      if (gen === state.gen) addError('ส่งไม่สำเร็จ: เชื่อมต่อเซิร์ฟเวอร์ไม่ได้', 'Send failed: the server is unreachable (' + e.message + ')');
      return;
    }
    if (gen !== state.gen) return;
    if (res.http === 400) {
      addError('ส่งไม่สำเร็จ: ' + (res.data.error || 'คำขอไม่ถูกต้อง'), 'Send rejected (400): ' + (res.data.error || 'bad request'));
      return;
    }
    if (res.http !== 200 && res.http !== 502) {
      addError('ส่งไม่สำเร็จ: เซิร์ฟเวอร์ตอบ HTTP ' + res.http, 'Send failed: simulator answered HTTP ' + res.http + ' ' + (res.data.error || ''));
      return;
    }
    if (res.data.status !== 200) statusError(res.data.status || 0, res.data.error || '');
  }

  function sendText(text) {
    const t = String(text || '');
    if (!t.trim()) return;
    return send({ kind: 'text', text: t });
  }

  // ---- actions (quick replies, buttons, templates) -------------------------

  function onAction(a) {
    if (!a || typeof a !== 'object') return;
    if (state.blocked) {
      addSystem('บล็อกอยู่ — กด ติดตาม ก่อน (blocked — tap Follow first)');
      return;
    }
    switch (a.type) {
      case 'message':
        sendText(a.text || a.label);
        break;
      case 'postback': {
        send({ kind: 'postback', data: String(a.data || ''), label: a.label || '', displayText: a.displayText || '' });
        if (a.inputOption === 'openKeyboard') {
          if (a.fillInText) els.input.value = a.fillInText;
          els.input.focus();
        }
        break;
      }
      case 'uri': {
        const u = a.uri || a.linkUri || (a.altUri && a.altUri.desktop) || '';
        if (R.isWebURL(u)) window.open(u, '_blank', 'noopener,noreferrer');
        else addSystem('🔗 ' + u + ' (เปิดได้ในแอป LINE เท่านั้น — opens only in the LINE app)');
        break;
      }
      case 'datetimepicker':
        openDatePicker(a);
        break;
      case 'location':
        openLocations();
        break;
      case 'camera':
      case 'cameraRoll':
        send({ kind: 'image' });
        break;
      case 'clipboard':
        copyText(a.clipboardText || '');
        break;
      case 'richmenuswitch':
        send({ kind: 'postback', data: String(a.data || ''), label: a.label || '', params: { newRichMenuAliasId: String(a.richMenuAliasId || ''), status: 'SUCCESS' } });
        break;
      default:
        addSystem('action "' + a.type + '" ยังไม่รองรับในหน้าจำลอง (not supported by the simulator)');
    }
  }

  async function copyText(t) {
    try {
      await navigator.clipboard.writeText(t);
      addSystem('📋 คัดลอกแล้ว (copied): ' + t);
    } catch (e) {
      addSystem('📋 คัดลอกไม่ได้ — ข้อความคือ (could not copy; the text is): ' + t);
    }
  }

  // ---- popups ------------------------------------------------------------

  function closePopup() {
    els.popup.hidden = true;
    els.popup.textContent = '';
  }

  function openPopup(title, build) {
    els.popup.textContent = '';
    els.popup.append(h('h3', null, title));
    build(els.popup);
    const bar = h('div', 'bar');
    const cancel = h('button', 'small', 'ยกเลิก (Cancel)');
    cancel.type = 'button';
    cancel.addEventListener('click', closePopup);
    bar.append(cancel);
    els.popup.append(bar);
    els.popup.hidden = false;
    return bar;
  }

  function openLocations() {
    openPopup('📍 ส่งตำแหน่ง (send a location)', (p) => {
      const list = h('div', 'options');
      for (const pl of PLACES) {
        const b = h('button', 'opt');
        b.type = 'button';
        b.append(document.createTextNode(pl.title + ' '), h('small', null, pl.lat + ', ' + pl.lng));
        b.addEventListener('click', () => send({ kind: 'location', title: pl.title, address: pl.address, lat: pl.lat, lng: pl.lng }));
        list.append(b);
      }
      p.append(list);
    });
  }

  function openStickers() {
    openPopup('😊 ส่งสติกเกอร์ (send a sticker)', (p) => {
      const list = h('div', 'options grid');
      for (const [pkg, id] of STICKERS) {
        const b = h('button', 'opt', '[' + pkg + '/' + id + ']');
        b.type = 'button';
        b.addEventListener('click', () => send({ kind: 'sticker', packageId: pkg, stickerId: id }));
        list.append(b);
      }
      p.append(list);
    });
  }

  function openDatePicker(a) {
    const mode = ['date', 'time', 'datetime'].includes(a.mode) ? a.mode : 'datetime';
    const input = h('input');
    input.type = mode === 'datetime' ? 'datetime-local' : mode;
    if (a.initial) input.value = a.initial;
    if (a.min) input.min = a.min;
    if (a.max) input.max = a.max;
    const bar = openPopup('🗓️ ' + (a.label || 'เลือกวันเวลา (pick a date/time)'), (p) => p.append(input));
    const ok = h('button', 'small', 'ตกลง (OK)');
    ok.type = 'button';
    ok.addEventListener('click', () => {
      if (!input.value) { input.focus(); return; }
      const params = {};
      params[mode] = input.value;
      send({ kind: 'postback', data: String(a.data || ''), label: a.label || mode, params });
    });
    bar.append(ok);
    input.focus();
  }

  // ---- history and long-poll -----------------------------------------------

  // selectUser shows userId's conversation and starts polling for it. fresh
  // says the user was just made (a follow follows at once).
  async function selectUser(userId, fresh) {
    state.gen++;
    const gen = state.gen;
    if (state.abort) state.abort.abort();
    state.abort = new AbortController();
    state.userId = userId;
    state.ready = false;
    saveUsers();
    fillSelect();
    clearTranscript();
    closePopup();
    updateBlocked();
    const u = state.users.find((x) => x.userId === userId);
    if (u) await registerAgain(u);
    if (gen !== state.gen) return;
    await loadHistory(gen, fresh);
    if (gen !== state.gen) return;
    state.ready = true;
    updateBlocked();
    pollLoop(gen, state.abort.signal);
  }

  async function loadHistory(gen, fresh) {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await fetch(api('messages?userId=' + encodeURIComponent(state.userId) + '&after=0&timeout=0'));
        if (!r.ok) throw new Error('HTTP ' + r.status);
        const j = await r.json();
        if (gen !== state.gen) return;
        const items = [];
        (j.sent || []).forEach((s) => items.push({ t: Date.parse(s.at), o: 0, s }));
        (j.messages || []).forEach((m) => items.push({ t: Date.parse(m.at), o: 1, m }));
        items.sort((a, b) => (a.t - b.t) || (a.o - b.o));
        for (const it of items) {
          if (it.m) { addBot(it.m); continue; }
          addSent(it.s);
          if (it.s.status !== 200) statusError(it.s.status || 0, '');
        }
        setConn(true, 'เชื่อมต่อแล้ว (connected)');
        if (!items.length && !fresh) {
          showHint('ยังไม่มีข้อความ — กด "ติดตาม" เพื่อเริ่ม หรือพิมพ์ทักทาย (No messages yet — tap Follow to start, or say hi)');
        }
        scrollDown(true);
        return;
      } catch (e) {
        if (gen !== state.gen) return;
        setConn(false, 'ขาดการเชื่อมต่อ — กำลังลองใหม่ (offline, retrying)');
        await sleep(Math.min(1000 * (attempt + 1), 5000));
      }
    }
  }

  async function pollLoop(gen, signal) {
    let backoff = 1000;
    while (gen === state.gen) {
      const started = Date.now();
      try {
        const r = await fetch(api('messages?userId=' + encodeURIComponent(state.userId) + '&after=' + state.lastSeq), { signal });
        if (!r.ok) throw new Error('HTTP ' + r.status);
        const j = await r.json();
        if (gen !== state.gen) return;
        for (const m of j.messages || []) addBot(m);
        setConn(true, 'เชื่อมต่อแล้ว (connected)');
        backoff = 1000;
        // An empty answer that came back at once (server shutting down):
        // do not spin.
        if (!(j.messages || []).length && Date.now() - started < 1000) await sleep(1000);
      } catch (e) {
        if (gen !== state.gen || (e && e.name === 'AbortError')) return;
        setConn(false, 'ขาดการเชื่อมต่อ — กำลังลองใหม่ (offline, retrying)');
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 10000);
      }
    }
  }

  // ---- wiring ------------------------------------------------------------

  els.form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const t = els.input.value;
    if (!t.trim() || state.blocked || !state.ready) return;
    els.input.value = '';
    autoGrow();
    sendText(t);
  });
  els.input.addEventListener('keydown', (ev) => {
    // Enter sends; Shift+Enter is a new line; never while an IME is composing.
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
      ev.preventDefault();
      els.form.requestSubmit();
    }
  });
  function autoGrow() {
    els.input.style.height = 'auto';
    els.input.style.height = Math.min(els.input.scrollHeight + 2, 120) + 'px';
  }
  els.input.addEventListener('input', autoGrow);

  els.select.addEventListener('change', () => { showHint(''); selectUser(els.select.value); });
  els.newUser.addEventListener('click', async () => {
    try {
      const id = await createUser();
      showHint('');
      await selectUser(id, true);
      await send({ kind: 'follow' });
    } catch (e) {
      addError('สร้างผู้ใช้ไม่สำเร็จ', 'Could not create a user: ' + e.message);
    }
  });
  els.follow.addEventListener('click', () => { showHint(''); send({ kind: 'follow' }); });
  els.unfollow.addEventListener('click', () => send({ kind: 'unfollow' }));
  els.location.addEventListener('click', () => (els.popup.hidden ? openLocations() : closePopup()));
  els.sticker.addEventListener('click', () => (els.popup.hidden ? openStickers() : closePopup()));
  els.image.addEventListener('click', () => send({ kind: 'image' }));
  document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') closePopup(); });

  async function init() {
    updateBlocked();
    state.users = loadUsers();
    if (!state.users.length) {
      // First visit: make a user and follow the account, so the welcome
      // arrives without a click.
      showHint('👋 นี่คือแชทจำลองของ ไปต่อ — พิมพ์หรือแตะปุ่มเพื่อคุยกับบอทได้เลย (This is the Pai Tor chat simulator: type or tap to talk to the bot.)');
      for (let attempt = 0; ; attempt++) {
        try {
          const id = await createUser();
          await selectUser(id, true);
          await send({ kind: 'follow' });
          return;
        } catch (e) {
          setConn(false, 'ขาดการเชื่อมต่อ — กำลังลองใหม่ (offline, retrying)');
          await sleep(Math.min(1000 * (attempt + 1), 5000));
        }
      }
    }
    let current = null;
    try { current = localStorage.getItem(CURRENT_KEY); } catch (e) { /* ignore */ }
    if (!state.users.some((u) => u.userId === current)) current = state.users[0].userId;
    await selectUser(current);
  }

  init();
})();
