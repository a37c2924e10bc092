// deal_benchmark.js — the deal form's rate benchmark follows its type, platform and the
// deal's currency without reloading the form (and losing what was typed): it asks
// GET /api/v1/deals/benchmarks and rewrites the figures. Without JS, the Show button
// reloads the form with ?bench_type=&bench_platform= and the server renders them.
const box = document.getElementById('rate-benchmark');
const type = document.getElementById('bench-type');
const platform = document.getElementById('bench-platform');
const currency = document.getElementById('f-currency');
const figures = document.getElementById('benchmark-figures');
const show = document.getElementById('bench-show');

function text(parent, tag, value) {
  const el = document.createElement(tag);
  el.textContent = value;
  parent.append(el);
  return el;
}

async function refresh() {
  const cur = (currency && currency.value) || box.dataset.currency;
  const q = new URLSearchParams({ type: type.value, platform: platform.value, currency: cur });
  let data;
  try {
    const res = await fetch(`/api/v1/deals/benchmarks?${q}`, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (!res.ok) return;
    data = (await res.json()).data;
  } catch {
    return; // the figures shown stay; the Show button still works
  }
  figures.replaceChildren();
  if (!data.count) {
    figures.textContent = `No ${data.type} on ${data.platform} in ${data.currency} in the last 12 months.`;
    return;
  }
  figures.append(`${data.type} on ${data.platform} (${data.currency}): median `);
  text(figures, 'strong', data.median_display).id = 'bench-median';
  figures.append(`, middle half ${data.p25_display} – ${data.p75_display} `);
  text(figures, 'span', `from ${data.count} ${data.count === 1 ? 'deal' : 'deals'}`).className = 'muted';
}

if (box && type && platform && figures) {
  if (show) show.hidden = true;
  for (const el of [type, platform, currency]) if (el) el.addEventListener('change', refresh);
}
