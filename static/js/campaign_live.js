// campaign_live.js — the campaign page's live refresh: while the campaign is
// scheduled, running or paused, its JSON twin (GET /api/v1/campaigns/{id}/stats) is
// read about every two seconds (longer for a big campaign) and the page's figures, bars, status, errors, replies
// and breakers are rewritten in place; the summary above them is an aria-live region.
// It stops once the status is final (completed, canceled, failed) and waits longer
// after each failed read. Without JavaScript the server-rendered page is complete and
// its Refresh link reloads it.
const live = document.getElementById('campaign-live');
const url = live && live.dataset.statsUrl;
const EVERY_MS = 2000;
const MAX_WAIT_MS = 60000;
let wait = EVERY_MS;

/** The wait between reads: two seconds, longer for a big campaign (its counts read an
 * index entry per message: 1 s more per 25,000 messages, at most 30 s). */
function pace(messages) {
  return Math.min(30000, Math.max(EVERY_MS, messages / 25));
}

/** The value at a dotted path of the stats ("channels.sms.queued"). */
function at(data, path) {
  return path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), data);
}

function percent(part, whole) {
  return whole > 0 ? Math.round((part * 100) / whole) : 0;
}

/** Sets an element's text only when it changed, so the live region speaks only then. */
function setText(el, text) {
  const s = String(text);
  if (el.textContent !== s) el.textContent = s;
}

function figures(d) {
  const derived = { settled_pct: percent(d.settled, d.messages),
    replies_more: Math.max(0, d.replies.total - d.replies.latest.length), funnel_pct: {} };
  for (const k of Object.keys(d.funnel)) derived.funnel_pct[k] = percent(d.funnel[k], d.funnel.messages);
  for (const el of document.querySelectorAll('[data-v]')) {
    const v = at(d, el.dataset.v) ?? at(derived, el.dataset.v);
    if (v !== undefined && v !== null) setText(el, v);
  }
  const bar = document.getElementById('campaign-done-bar');
  if (bar) {
    bar.max = Math.max(d.messages, 1);
    bar.value = d.settled;
  }
  for (const m of document.querySelectorAll('meter[data-meter]')) {
    m.max = Math.max(d.funnel.messages, 1);
    m.value = d.funnel[m.dataset.meter] ?? 0;
  }
  const status = document.getElementById('campaign-status');
  if (status) {
    setText(status, d.status_label);
    status.className = `badge status-${d.status}`;
  }
  document.getElementById('campaign-progress')?.setAttribute('data-status', d.status);
  const quiet = document.getElementById('campaign-quiet-now');
  if (quiet) quiet.hidden = !d.quiet_now.quiet;
}

function cell(tag, text, className) {
  const el = document.createElement(tag);
  el.textContent = text;
  if (className) el.className = className;
  return el;
}

function errors(d) {
  const table = document.getElementById('campaign-errors');
  const none = document.getElementById('campaign-errors-none');
  if (!table) return;
  const channel = { sms: 'SMS', voice: 'Voice', email: 'Email' };
  const rows = d.errors.map((e) => {
    const tr = document.createElement('tr');
    const why = cell('td', `${e.label} `);
    why.append(cell('span', `(${e.reason})`, 'muted reason-code'));
    tr.append(cell('td', channel[e.channel] || e.channel), cell('td', e.state === 'failed' ? 'Failed' : 'Skipped'), why,
      cell('td', String(e.count), 'num'));
    return tr;
  });
  table.tBodies[0].replaceChildren(...rows);
  table.hidden = rows.length === 0;
  if (none) none.hidden = rows.length > 0;
}

function replies(d) {
  const list = document.getElementById('campaign-replies');
  if (!list) return;
  const items = d.replies.latest.map((r) => {
    const li = document.createElement('li');
    const meta = cell('p', '', 'reply-meta');
    if (r.contact_id) {
      const a = cell('a', r.contact_name || '(no name)');
      a.href = `/contacts/${encodeURIComponent(r.contact_id)}`;
      meta.append(a);
    } else {
      meta.append('(contact erased)');
    }
    meta.append(' · ');
    const t = cell('time', r.received_at_local);
    t.dateTime = r.received_at;
    meta.append(t);
    li.append(meta, cell('p', r.body, 'message-text'));
    return li;
  });
  list.replaceChildren(...items);
  const none = document.getElementById('campaign-replies-none');
  if (none) none.hidden = items.length > 0;
  const more = document.getElementById('campaign-replies-more');
  if (more) more.hidden = d.replies.total <= items.length;
  const all = document.getElementById('campaign-replies-all');
  if (all) all.hidden = items.length === 0;
}

function breakers(d) {
  for (const b of d.breakers) {
    const badge = document.querySelector(`[data-breaker="${b.provider}"]`);
    if (!badge) continue;
    setText(badge, b.state === 'open' && b.probe_at_local ? `${b.label} until ${b.probe_at_local.replace('T', ' ')}` : b.label);
    badge.className = `badge breaker-${b.state}`;
  }
}

function show(d) {
  figures(d);
  errors(d);
  replies(d);
  breakers(d);
  live.dataset.refreshed = String(Number(live.dataset.refreshed || 0) + 1);
}

/** Once final, the page's actions no longer apply: hide them and stop. */
function finish() {
  for (const f of document.querySelectorAll('form.inline-form[action*="/campaigns/"]')) f.remove();
  document.getElementById('campaign-refresh')?.remove();
  live.dataset.final = 'true';
}

async function poll() {
  try {
    const res = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (!res.ok) throw new Error(`status ${res.status}`);
    const { data } = await res.json();
    show(data);
    wait = pace(data.messages);
    if (data.final) return finish();
  } catch {
    // A failed read (the network, a restart) is tried again later, less often each time.
    wait = Math.min(wait * 2, MAX_WAIT_MS);
  }
  setTimeout(poll, document.hidden ? Math.max(wait, 10000) : wait);
}

if (url) setTimeout(poll, EVERY_MS);
