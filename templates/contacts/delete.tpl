{{%AUTOESCAPE context="HTML"}}
<section class="card confirm-card" aria-labelledby="confirm-title">
  <h1 id="confirm-title">Delete this contact?</h1>
  <p>“{{NAME}}” disappears from lists, exports and campaigns. Their calls stay.</p>
  <form method="post" action="/contacts/{{ID}}/delete" class="confirm-actions">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <button type="submit" class="button danger" id="confirm-delete">Delete contact</button>
    <a class="button secondary" href="/contacts/{{ID}}">Cancel</a>
  </form>
</section>
