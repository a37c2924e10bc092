// admin_health.js — the health page refreshes itself every 10 s from its JSON twin
// (/api/v1/admin/health); without JavaScript the page is whole as served.
const REFRESH_MS = 10000;
const root = document.getElementById('health');
const status = document.getElementById('health-status');

function size(bytes) {
  if (bytes == null) return 'unknown';
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${v} bytes` : `${Math.round(v)} ${units[u]}`;
}

function gib(bytes) {
  return bytes == null ? 'unknown' : `${(bytes / 1073741824).toFixed(1)} GiB`;
}

const fields = {
  'database.version': (d) => d.database.version,
  'database.size': (d) => size(d.database.size_bytes),
  'workers.busy': (d) => d.workers.busy,
  'workers.idle': (d) => d.workers.idle,
  'workers.restarts': (d) => d.workers.restarts,
  'workers.crashes': (d) => d.workers.crashes,
  'workers.recycles': (d) => d.workers.recycles,
  dead_jobs: (d) => d.dead_jobs,
  'recordings.size': (d) => size(d.recordings.bytes),
  'recordings.files': (d) => d.recordings.files,
  'recordings.disk_free': (d) => gib(d.recordings.disk_free_bytes),
};

function cell(tag, text, cls) {
  const c = document.createElement(tag);
  if (tag === 'th') c.scope = 'row';
  if (cls) c.className = cls;
  c.textContent = String(text);
  return c;
}

function rows(tableId, items, columns) {
  const body = document.querySelector(`#${tableId} tbody`);
  if (!body) return;
  body.replaceChildren(...items.map((it) => {
    const tr = document.createElement('tr');
    columns.forEach(([key, cls], i) => tr.append(cell(i === 0 ? 'th' : 'td', it[key] ?? '', cls)));
    return tr;
  }));
}

function show(d) {
  for (const el of document.querySelectorAll('[data-health]')) {
    const f = fields[el.dataset.health];
    if (f) el.textContent = String(f(d));
  }
  document.querySelector('[data-health="dead_jobs"]')?.classList.toggle('bad', d.dead_jobs > 0);
  for (const w of d.requests) {
    const tr = document.querySelector(`#health-requests tr[data-minutes="${w.minutes}"]`);
    if (!tr) continue;
    tr.querySelector('[data-col="requests"]').textContent = String(w.requests);
    tr.querySelector('[data-col="error_rate"]').textContent = `${(w.error_rate * 100).toFixed(2)} %`;
    for (const p of ['p50_ms', 'p95_ms', 'p99_ms']) tr.querySelector(`[data-col="${p}"]`).textContent = w[p].toFixed(1);
  }
  rows('health-queue', d.queue, [['kind'], ['queued', 'num'], ['running', 'num'], ['dead', 'num'], ['oldest_age_s', 'num']]);
  rows('health-providers', d.providers, [['provider'], ['state'], ['failures', 'num'], ['opened_at']]);
  status.textContent = `Refreshed at ${new Date().toLocaleTimeString()}.`;
}

async function refresh() {
  try {
    const res = await fetch(root.dataset.source, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    show((await res.json()).data);
  } catch (e) {
    status.textContent = `Could not refresh (${e.message}); showing the last figures.`;
  }
}

if (root && status) setInterval(refresh, REFRESH_MS);
