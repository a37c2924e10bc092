{{%AUTOESCAPE context="HTML"}}
<section class="card confirm-card" aria-labelledby="confirm-title">
  <h1 id="confirm-title">Delete this deal?</h1>
  <p>“{{TITLE}}” with {{BRAND}} disappears from lists, the board and exports. An admin can restore it.</p>
  <form method="post" action="/deals/{{ID}}/delete" class="confirm-actions">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <button type="submit" class="button danger" id="confirm-delete">Delete deal</button>
    <a class="button secondary" href="/deals/{{ID}}">Cancel</a>
  </form>
</section>
