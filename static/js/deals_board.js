// deals_board.js — drag and drop on the deal board: dropping a card on a column posts
// the same stage change as the card's form (POST /deals/{id}/stage with the version,
// X-CSRF-Token, JSON answer), then swaps in the board as the server now has it. A
// refused move (409) shows the server's reason, which lists the allowed moves.
// Without JS, or from the keyboard, each card's select and Move button do the same.
const board = document.getElementById('deal-board');
const notice = document.getElementById('board-js-notice');

function say(text) {
  notice.textContent = text;
  notice.hidden = !text;
}

async function refresh() {
  const res = await fetch('/deals/board', { headers: { Accept: 'text/html' }, credentials: 'same-origin' });
  const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
  const fresh = doc.getElementById('deal-board');
  if (fresh) board.replaceChildren(...fresh.children);
}

async function move(card, stage) {
  const form = card.querySelector('form.board-move');
  if (!form || card.dataset.stage === stage) return;
  const token = form.querySelector('input[name="csrf_token"]').value;
  const body = new URLSearchParams({ stage, version: card.dataset.version, csrf_token: token });
  let res;
  try {
    res = await fetch(form.action, {
      method: 'POST',
      headers: { 'X-CSRF-Token': token, Accept: 'application/json' },
      credentials: 'same-origin',
      body,
    });
  } catch {
    say('The move could not be sent; check the connection and try again.');
    return;
  }
  if (res.ok) {
    say('');
    await refresh();
    return;
  }
  let message = 'The move was refused (' + res.status + ').';
  try {
    const err = (await res.json()).error;
    if (err && err.message) message = err.message;
  } catch {
    // not JSON: keep the generic message
  }
  say(message);
  if (res.status === 409) await refresh();
}

board.addEventListener('dragstart', (e) => {
  const card = e.target.closest('.board-card');
  if (!card) return;
  e.dataTransfer.setData('text/plain', card.dataset.id);
  e.dataTransfer.effectAllowed = 'move';
});

board.addEventListener('dragover', (e) => {
  if (e.target.closest('.board-column')) e.preventDefault();
});

board.addEventListener('drop', (e) => {
  const column = e.target.closest('.board-column');
  if (!column) return;
  e.preventDefault();
  const card = document.getElementById('card-' + e.dataTransfer.getData('text/plain'));
  if (card) move(card, column.dataset.stage);
});
