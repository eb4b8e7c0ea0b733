// render.js — draws LINE message objects (as the bot sent them to the
// Messaging API) as DOM elements, roughly as the LINE app shows them.
// Every piece of message content goes through textContent or a checked
// attribute: never innerHTML. Actions are handed to ctx.onAction(action).
'use strict';

(function () {
  // ---- helpers ------------------------------------------------------------

  function h(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // LINE's keyword sizes, in CSS pixels.
  const TEXT_SIZE = { xxs: '11px', xs: '13px', sm: '14px', md: '16px', lg: '19px', xl: '22px', xxl: '29px', '3xl': '35px', '4xl': '48px', '5xl': '74px' };
  const SPACE = { none: '0', xs: '2px', sm: '4px', md: '8px', lg: '12px', xl: '16px', xxl: '20px' };
  const IMAGE_SIZE = { xxs: '40px', xs: '60px', sm: '80px', md: '100px', lg: '120px', xl: '140px', xxl: '160px', '3xl': '180px', '4xl': '200px', '5xl': '220px', full: '100%' };
  const BORDER = { none: '0', light: '0.5px', normal: '1px', medium: '2px', 'semi-bold': '3px', bold: '4px' };
  const BUBBLE_WIDTH = { nano: '120px', micro: '160px', deca: '220px', hecto: '241px', kilo: '260px', mega: '300px', giga: '386px' };
  const JUSTIFY = ['center', 'flex-start', 'flex-end', 'space-between', 'space-around', 'space-evenly'];
  const ALIGN = ['center', 'flex-start', 'flex-end'];

  // len turns a LINE length (keyword, "12px" or "50%") into CSS, or null.
  function len(v, table) {
    if (v === undefined || v === null) return null;
    const s = String(v);
    if (table && Object.prototype.hasOwnProperty.call(table, s)) return table[s];
    return /^-?\d+(\.\d+)?(px|%)$/.test(s) ? s : null;
  }

  // color accepts LINE's #RGB, #RRGGBB and #RRGGBBAA only.
  function color(v) {
    const s = String(v || '');
    return /^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/.test(s) ? s : null;
  }

  // safeImageURL allows only http(s) and inline images as <img> sources.
  function safeImageURL(u) {
    const s = String(u || '');
    return /^https?:\/\//i.test(s) || /^data:image\//i.test(s) ? s : null;
  }

  // isWebURL tells whether a link may be opened in a new tab.
  function isWebURL(u) { return /^https?:\/\//i.test(String(u || '')); }

  // linkify appends text to parent, turning http(s) URLs into links.
  function linkify(parent, text) {
    const s = String(text == null ? '' : text);
    const re = /https?:\/\/[^\s<>"']+/gi;
    let last = 0;
    let m;
    while ((m = re.exec(s)) !== null) {
      const url = m[0].replace(/[.,!?;:)\]}>」』]+$/, '');
      if (!url) continue;
      parent.append(document.createTextNode(s.slice(last, m.index)));
      const a = h('a', null, url);
      a.href = url;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      parent.append(a);
      last = m.index + url.length;
      re.lastIndex = last;
    }
    parent.append(document.createTextNode(s.slice(last)));
  }

  function label(text, cls) { return h('div', 'msg-label' + (cls ? ' ' + cls : ''), text); }

  // img builds an <img> that turns into a grey placeholder when it cannot
  // load (the simulator usually runs offline).
  function img(url, cls, alt) {
    const wrap = h('div', 'img-wrap ' + (cls || ''));
    const src = safeImageURL(url);
    const fallback = () => {
      wrap.textContent = '';
      wrap.classList.add('img-missing');
      wrap.append(h('span', null, '🖼️ ' + (alt || 'รูปภาพ (image)')));
      if (url) wrap.title = String(url);
    };
    if (!src) { fallback(); return wrap; }
    const i = document.createElement('img');
    i.alt = alt || '';
    i.loading = 'lazy';
    i.referrerPolicy = 'no-referrer';
    i.addEventListener('error', fallback, { once: true });
    i.src = src;
    wrap.append(i);
    return wrap;
  }

  // actionLabel is what a button for action shows.
  function actionLabel(action) {
    if (!action) return '';
    return action.label || action.text || action.displayText || action.uri || action.linkUri || action.type || '';
  }

  // clickable makes el run action when tapped.
  function clickable(el, action, ctx) {
    if (!action || typeof action !== 'object') return;
    el.classList.add('clickable');
    el.tabIndex = 0;
    el.setAttribute('role', 'button');
    const title = actionLabel(action);
    if (title && !el.title) el.title = title;
    const run = (ev) => { ev.stopPropagation(); ev.preventDefault(); ctx.onAction(action); };
    el.addEventListener('click', run);
    el.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') run(ev); });
  }

  function actionButton(action, cls, ctx) {
    const b = h('button', cls || 'action-button', actionLabel(action) || '(ไม่มีชื่อ)');
    b.type = 'button';
    b.addEventListener('click', (ev) => { ev.stopPropagation(); ctx.onAction(action); });
    return b;
  }

  // ---- plain message types ----------------------------------------------

  function textBubble(msg) {
    const b = h('div', 'bubble bot-bubble text');
    let text = String(msg.text || '');
    if (msg.type === 'textV2' && msg.substitution && typeof msg.substitution === 'object') {
      text = text.replace(/\{([A-Za-z0-9_]{1,20})\}/g, (all, key) => {
        const sub = msg.substitution[key];
        if (!sub) return all;
        if (sub.type === 'mention') return '@' + (sub.mentionee && sub.mentionee.type === 'all' ? 'All' : 'ผู้ใช้');
        if (sub.type === 'emoji') return '😀';
        return all;
      });
    }
    linkify(b, text);
    return b;
  }

  function locationCard(msg) {
    const b = h('div', 'bubble bot-bubble location');
    b.append(h('div', 'loc-title', '📍 ' + (msg.title || 'ตำแหน่ง (location)')));
    if (msg.address) b.append(h('div', 'loc-address', msg.address));
    b.append(h('div', 'loc-coords', Number(msg.latitude).toFixed(4) + ', ' + Number(msg.longitude).toFixed(4)));
    return b;
  }

  function imageMessage(msg) {
    const b = h('div', 'bubble media');
    const i = img(msg.previewImageUrl || msg.originalContentUrl, 'msg-image', 'รูปภาพ (image)');
    if (isWebURL(msg.originalContentUrl)) {
      i.classList.add('clickable');
      i.addEventListener('click', () => window.open(msg.originalContentUrl, '_blank', 'noopener,noreferrer'));
    }
    b.append(i);
    return b;
  }

  function imagemap(msg, ctx) {
    const b = h('div', 'bubble bot-bubble imagemap');
    b.append(label('[อิมเมจแมป imagemap] ' + (msg.altText || '')));
    const actions = Array.isArray(msg.actions) ? msg.actions : [];
    if (actions.length) {
      const list = h('div', 'template-actions');
      actions.forEach((a, i) => {
        const act = Object.assign({}, a, { uri: a.linkUri || a.uri });
        if (!act.label) act.label = (i + 1) + '. ' + (a.text || a.linkUri || a.clipboardText || a.type);
        list.append(actionButton(act, 'action-button', ctx));
      });
      b.append(list);
    }
    return b;
  }

  // ---- template messages -------------------------------------------------

  function templateCard(col, ctx, withImage) {
    const card = h('div', 'template-card');
    if (withImage && col.thumbnailImageUrl) {
      const th = img(col.thumbnailImageUrl, 'template-thumb', col.title || '');
      if (col.imageAspectRatio === 'square') th.classList.add('square');
      const bg = color(col.imageBackgroundColor);
      if (bg) th.style.backgroundColor = bg;
      if (col.imageSize === 'contain') th.classList.add('contain');
      card.append(th);
    }
    const body = h('div', 'template-body');
    if (col.title) body.append(h('div', 'template-title', col.title));
    if (col.text) {
      const t = h('div', 'template-text');
      linkify(t, col.text);
      body.append(t);
    }
    card.append(body);
    const actions = Array.isArray(col.actions) ? col.actions : [];
    if (actions.length) {
      const list = h('div', 'template-actions');
      actions.forEach((a) => list.append(actionButton(a, 'action-button', ctx)));
      card.append(list);
    }
    if (col.defaultAction) clickable(body, col.defaultAction, ctx);
    return card;
  }

  function template(msg, ctx) {
    const t = msg.template || {};
    let el;
    switch (t.type) {
      case 'buttons':
        el = templateCard(t, ctx, true);
        break;
      case 'confirm': {
        el = h('div', 'template-card confirm');
        const body = h('div', 'template-body');
        const tx = h('div', 'template-text');
        linkify(tx, t.text || '');
        body.append(tx);
        el.append(body);
        const row = h('div', 'template-actions row');
        (t.actions || []).forEach((a) => row.append(actionButton(a, 'action-button', ctx)));
        el.append(row);
        break;
      }
      case 'carousel':
        el = h('div', 'carousel');
        (t.columns || []).forEach((c) => el.append(templateCard(c, ctx, true)));
        break;
      case 'image_carousel':
        el = h('div', 'carousel');
        (t.columns || []).forEach((c) => {
          const card = h('div', 'template-card image-column');
          const pic = img(c.imageUrl, 'template-thumb square', actionLabel(c.action));
          card.append(pic);
          if (c.action) {
            clickable(card, c.action, ctx);
            card.append(h('div', 'image-column-label', actionLabel(c.action)));
          }
          el.append(card);
        });
        break;
      default:
        el = label('[template: ' + (t.type || '?') + ']', 'unknown');
    }
    if (msg.altText) el.title = msg.altText;
    return el;
  }

  // ---- flex messages -----------------------------------------------------

  function flexContainer(c, ctx) {
    if (!c || typeof c !== 'object') return label('[flex: ?]', 'unknown');
    if (c.type === 'carousel') {
      const row = h('div', 'carousel flex-carousel');
      (Array.isArray(c.contents) ? c.contents : []).forEach((b) => row.append(flexBubble(b, ctx, true)));
      return row;
    }
    if (c.type === 'bubble') return flexBubble(c, ctx, false);
    return label('[flex: ' + c.type + ']', 'unknown');
  }

  const SECTION_PADDING = { header: '20px', body: '20px', footer: '10px' };

  function flexBubble(b, ctx, inCarousel) {
    const el = h('div', 'flex-bubble');
    const w = BUBBLE_WIDTH[b.size] || BUBBLE_WIDTH.mega;
    if (inCarousel) el.style.width = w; else el.style.maxWidth = w;
    if (b.direction === 'rtl') el.dir = 'rtl';
    const styles = (b.styles && typeof b.styles === 'object') ? b.styles : {};
    let first = true;
    for (const sec of ['header', 'hero', 'body', 'footer']) {
      const comp = b[sec];
      if (!comp || typeof comp !== 'object') continue;
      const st = styles[sec] || {};
      const wrap = h('div', 'flex-section flex-' + sec);
      const bg = color(st.backgroundColor);
      if (bg) wrap.style.backgroundColor = bg;
      if (st.separator && !first) wrap.style.borderTop = '1px solid ' + (color(st.separatorColor) || '#d4d6da');
      const child = flexComponent(comp, ctx, null);
      if (comp.type === 'box' && SECTION_PADDING[sec] && !hasPadding(comp)) child.style.padding = SECTION_PADDING[sec];
      wrap.append(child);
      el.append(wrap);
      first = false;
    }
    if (b.action) clickable(el, b.action, ctx);
    return el;
  }

  function hasPadding(box) {
    return ['paddingAll', 'paddingTop', 'paddingBottom', 'paddingStart', 'paddingEnd'].some((k) => box[k] !== undefined);
  }

  // flexComponent renders one component; parent is {layout, spacing, index}
  // of the box holding it, or null for a section root.
  function flexComponent(c, ctx, parent) {
    if (!c || typeof c !== 'object') return h('span');
    let el;
    switch (c.type) {
      case 'box': el = flexBox(c, ctx); break;
      case 'text': el = flexText(c, ctx); break;
      case 'span': el = flexSpan(c); break;
      case 'image': el = flexImage(c, ctx, parent); break;
      case 'video': el = img(c.previewUrl, 'flex-video', '▶ วิดีโอ (video)'); break;
      case 'icon': el = flexIcon(c); break;
      case 'button': el = flexButton(c, ctx); break;
      case 'separator': {
        el = h('div', 'flex-separator');
        const col = color(c.color);
        if (col) el.style.backgroundColor = col;
        break;
      }
      case 'filler': el = h('div', 'flex-filler'); break;
      case 'spacer': el = h('div', 'flex-filler'); break;
      default: el = h('span', 'flex-unknown', '[' + String(c.type) + ']');
    }
    layoutChild(el, c, parent);
    return el;
  }

  function layoutChild(el, c, parent) {
    const layout = parent ? parent.layout : 'vertical';
    const row = layout === 'horizontal' || layout === 'baseline';
    if (c.type !== 'span' && c.type !== 'icon' && c.type !== 'separator') {
      let n = Number.isInteger(c.flex) ? c.flex : (row || c.type === 'filler' ? 1 : 0);
      if (n < 0) n = 0;
      if (n === 0) el.style.flex = '0 0 auto';
      else el.style.flex = row ? n + ' ' + n + ' 0%' : n + ' 0 auto';
    }
    if (c.position === 'absolute') {
      el.style.position = 'absolute';
    } else if (parent && parent.index > 0 && c.type !== 'span') {
      const m = len(c.margin !== undefined ? c.margin : parent.spacing, SPACE);
      if (m) {
        if (row) el.style.marginInlineStart = m; else el.style.marginTop = m;
      }
    }
    const off = { offsetTop: 'top', offsetBottom: 'bottom', offsetStart: 'insetInlineStart', offsetEnd: 'insetInlineEnd' };
    let hasOff = false;
    for (const k in off) {
      const v = len(c[k], SPACE);
      if (v) { el.style[off[k]] = v; hasOff = true; }
    }
    if (hasOff && c.position !== 'absolute') el.style.position = 'relative';
    if (row && c.gravity) {
      const g = { top: 'flex-start', center: 'center', bottom: 'flex-end' }[c.gravity];
      if (g) el.style.alignSelf = g;
    }
    if (!row && (c.type === 'image' || c.type === 'box') && c.align) {
      const a = { start: 'flex-start', center: 'center', end: 'flex-end' }[c.align];
      if (a) el.style.alignSelf = a;
    }
  }

  function flexBox(c, ctx) {
    const layout = ['horizontal', 'vertical', 'baseline'].includes(c.layout) ? c.layout : 'vertical';
    const el = h('div', 'flex-box flex-' + layout);
    const s = el.style;
    const bg = color(c.backgroundColor);
    if (bg) s.backgroundColor = bg;
    const bc = color(c.borderColor);
    const bw = len(c.borderWidth, BORDER);
    if (bw) { s.borderStyle = 'solid'; s.borderWidth = bw; s.borderColor = bc || '#000'; }
    const r = len(c.cornerRadius, SPACE);
    if (r) { s.borderRadius = r; s.overflow = 'hidden'; }
    for (const k of ['width', 'maxWidth', 'height', 'maxHeight']) {
      const v = len(c[k]);
      if (v) s[k] = v;
    }
    const pa = len(c.paddingAll, SPACE);
    if (pa) s.padding = pa;
    const pads = { paddingTop: 'paddingTop', paddingBottom: 'paddingBottom', paddingStart: 'paddingInlineStart', paddingEnd: 'paddingInlineEnd' };
    for (const k in pads) {
      const v = len(c[k], SPACE);
      if (v) s[pads[k]] = v;
    }
    if (JUSTIFY.includes(c.justifyContent)) s.justifyContent = c.justifyContent;
    if (ALIGN.includes(c.alignItems)) s.alignItems = c.alignItems;
    const g = c.background;
    if (g && g.type === 'linearGradient' && color(g.startColor) && color(g.endColor)) {
      const angle = /^-?\d+(\.\d+)?deg$/.test(String(g.angle || '')) ? g.angle : '0deg';
      const stops = [color(g.startColor)];
      if (color(g.centerColor)) stops.push(color(g.centerColor) + ' ' + (len(g.centerPosition) || '50%'));
      stops.push(color(g.endColor));
      // LINE's 0deg points up, as CSS's does.
      s.backgroundImage = 'linear-gradient(' + angle + ', ' + stops.join(', ') + ')';
    }
    let index = 0;
    (Array.isArray(c.contents) ? c.contents : []).forEach((child) => {
      if (!child || typeof child !== 'object') return;
      el.append(flexComponent(child, ctx, { layout, spacing: c.spacing, index }));
      if (child.position !== 'absolute') index++;
    });
    if (c.action) clickable(el, c.action, ctx);
    return el;
  }

  function styleText(el, c) {
    const size = len(c.size, TEXT_SIZE);
    if (size) el.style.fontSize = size;
    if (c.weight === 'bold') el.style.fontWeight = '700';
    const col = color(c.color);
    if (col) el.style.color = col;
    if (c.style === 'italic') el.style.fontStyle = 'italic';
    if (c.decoration === 'underline' || c.decoration === 'line-through') el.style.textDecoration = c.decoration;
  }

  function flexSpan(c) {
    const el = h('span', 'flex-span', c.text || '');
    styleText(el, c);
    return el;
  }

  function flexText(c, ctx) {
    const el = h('div', 'flex-text');
    if (Array.isArray(c.contents) && c.contents.length) {
      c.contents.forEach((sp) => { if (sp && sp.type === 'span') el.append(flexSpan(sp)); });
    } else {
      el.textContent = String(c.text == null ? '' : c.text);
    }
    styleText(el, c);
    if (!c.size) el.style.fontSize = TEXT_SIZE.md;
    if (['start', 'end', 'center'].includes(c.align)) el.style.textAlign = c.align;
    if (c.wrap) {
      el.classList.add('wrap');
      if (Number.isInteger(c.maxLines) && c.maxLines > 0) {
        el.classList.add('clamp');
        el.style.webkitLineClamp = String(c.maxLines);
      }
    } else {
      el.classList.add('nowrap');
    }
    const ls = len(c.lineSpacing);
    if (ls && /px$/.test(ls)) el.style.lineHeight = 'calc(1.3em + ' + ls + ')';
    if (c.action) clickable(el, c.action, ctx);
    return el;
  }

  function flexImage(c, ctx, parent) {
    const el = img(c.url, 'flex-image', '');
    const size = len(c.size, IMAGE_SIZE) || IMAGE_SIZE.md;
    el.style.width = size;
    el.style.maxWidth = '100%';
    const ar = /^(\d+(\.\d+)?):(\d+(\.\d+)?)$/.exec(String(c.aspectRatio || '1:1'));
    if (ar) el.style.aspectRatio = ar[1] + ' / ' + ar[3];
    if (c.aspectMode === 'cover') el.classList.add('cover');
    const bg = color(c.backgroundColor);
    if (bg) el.style.backgroundColor = bg;
    if (!parent || parent.layout === 'vertical') {
      const a = { start: 'flex-start', center: 'center', end: 'flex-end' }[c.align || 'center'];
      el.style.alignSelf = a || 'center';
    }
    if (c.action) clickable(el, c.action, ctx);
    return el;
  }

  function flexIcon(c) {
    const size = len(c.size, TEXT_SIZE) || TEXT_SIZE.md;
    const el = img(c.url, 'flex-icon', '');
    el.style.height = size;
    const ar = /^(\d+(\.\d+)?):(\d+(\.\d+)?)$/.exec(String(c.aspectRatio || '1:1'));
    el.style.width = ar ? 'calc(' + size + ' * ' + (Number(ar[1]) / Number(ar[3])) + ')' : size;
    return el;
  }

  function flexButton(c, ctx) {
    const style = ['primary', 'secondary', 'link'].includes(c.style) ? c.style : 'link';
    const b = actionButton(c.action || {}, 'flex-button ' + style + (c.height === 'sm' ? ' sm' : ''), ctx);
    const col = color(c.color);
    if (col) {
      if (style === 'link') b.style.color = col; else b.style.backgroundColor = col;
    }
    return b;
  }

  // ---- entry points -------------------------------------------------------

  // message renders one LINE message object as the content of a bot row.
  function message(msg, ctx) {
    if (!msg || typeof msg !== 'object') return label('[ข้อความเสีย (bad message)]', 'unknown');
    let el;
    switch (msg.type) {
      case 'text':
      case 'textV2':
        el = textBubble(msg);
        break;
      case 'sticker':
        el = h('div', 'bubble sticker', '[สติกเกอร์ ' + msg.packageId + '/' + msg.stickerId + ']');
        break;
      case 'image':
        el = imageMessage(msg);
        break;
      case 'video':
        el = h('div', 'bubble media');
        el.append(img(msg.previewImageUrl, 'msg-image', '▶ วิดีโอ (video)'), h('div', 'media-caption', '▶ วิดีโอ (video)'));
        break;
      case 'audio':
        el = label('[เสียง audio ' + Math.round((msg.duration || 0) / 1000) + ' s]');
        break;
      case 'location':
        el = locationCard(msg);
        break;
      case 'imagemap':
        el = imagemap(msg, ctx);
        break;
      case 'template':
        el = template(msg, ctx);
        break;
      case 'flex':
        el = flexContainer(msg.contents, ctx);
        if (msg.altText) el.title = msg.altText;
        break;
      default:
        el = label('[' + String(msg.type) + ']', 'unknown');
    }
    return el;
  }

  // quickReplyItems returns the quick-reply items of a message (maybe none).
  function quickReplyItems(msg) {
    const items = msg && msg.quickReply && Array.isArray(msg.quickReply.items) ? msg.quickReply.items : [];
    return items.filter((it) => it && it.action && typeof it.action === 'object');
  }

  // chip renders one quick-reply item.
  function chip(item, ctx) {
    const b = h('button', 'chip');
    b.type = 'button';
    if (item.imageUrl && safeImageURL(item.imageUrl)) {
      const i = document.createElement('img');
      i.alt = '';
      i.referrerPolicy = 'no-referrer';
      i.addEventListener('error', () => i.remove(), { once: true });
      i.src = safeImageURL(item.imageUrl);
      b.append(i);
    }
    b.append(document.createTextNode(actionLabel(item.action)));
    b.addEventListener('click', () => ctx.onAction(item.action));
    return b;
  }

  window.PaiTorRender = { message, quickReplyItems, chip, linkify, isWebURL, actionLabel };
})();
