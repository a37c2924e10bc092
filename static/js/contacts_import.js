// contacts_import.js — while an upload or an import is under way (seconds for 100,000
// rows), shows a progress bar and keeps the button from being pressed twice. The
// import runs in the request itself, so the bar is indeterminate: the page that
// follows shows what was done. Without JavaScript the forms work the same.
for (const form of document.querySelectorAll('form[data-progress]')) {
  form.addEventListener('submit', () => {
    const box = document.getElementById(form.dataset.progress);
    if (box) box.hidden = false;
    for (const b of form.querySelectorAll('button[type="submit"]')) b.disabled = true;
  });
}
