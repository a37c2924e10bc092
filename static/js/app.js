// app.js — progressive enhancement only; every page works without it.
// Closes the user menu when focus or a click leaves it, and on Escape.
const menu = document.querySelector('details.user-menu');
if (menu) {
  document.addEventListener('click', (e) => {
    if (menu.open && !menu.contains(e.target)) menu.open = false;
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && menu.open) {
      menu.open = false;
      menu.querySelector('summary').focus();
    }
  });
}
