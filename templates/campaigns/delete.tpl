{{%AUTOESCAPE context="HTML"}}
<section class="card confirm-card" aria-labelledby="confirm-title">
  <h1 id="confirm-title">Delete this draft?</h1>
  <p>The draft campaign “{{NAME}}” is removed for good. Its contacts stay.</p>
  <form method="post" action="/campaigns/{{ID}}/delete" class="confirm-actions">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <button type="submit" class="button danger" id="confirm-delete">Delete draft</button>
    <a class="button secondary" href="/campaigns/{{ID}}">Cancel</a>
  </form>
</section>
