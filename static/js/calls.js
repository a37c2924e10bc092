// calls.js — the calls list without reloads: the filter form and the pager links
// fetch the same URL the browser would open, swap in the results region of the
// answer and record the URL in the history. Without JS the form and links work
// as plain GETs.
const form = document.getElementById('call-filters');
const results = document.getElementById('results');

function urlOf(f) {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData(f)) if (String(v).trim() !== '') params.append(k, v);
  const qs = params.toString();
  return '/calls' + (qs ? '?' + qs : '');
}

async function show(url, push) {
  results.setAttribute('aria-busy', 'true');
  let res;
  try {
    res = await fetch(url, { headers: { Accept: 'text/html' }, credentials: 'same-origin' });
  } catch {
    window.location.assign(url);
    return;
  }
  const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
  const fresh = doc.getElementById('results');
  const freshForm = doc.getElementById('call-filters');
  if (!fresh || !freshForm || (res.status !== 200 && res.status !== 400)) {
    window.location.assign(url);
    return;
  }
  results.replaceChildren(...fresh.childNodes);
  // A 400 brings the form back with a message at each bad field.
  if (res.status === 400 || form.querySelector('.has-error')) form.replaceChildren(...freshForm.childNodes);
  results.removeAttribute('aria-busy');
  if (push) history.pushState({ calls: true }, '', url);
  document.title = doc.title;
}

if (form && results) {
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    show(urlOf(form), true);
  });
  form.addEventListener('change', (e) => {
    if (e.target.matches('select, input[type="checkbox"]')) show(urlOf(form), true);
  });
  results.addEventListener('click', (e) => {
    const a = e.target.closest('.pager a');
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    show(a.getAttribute('href'), true);
  });
  window.addEventListener('popstate', () => window.location.reload());
}
