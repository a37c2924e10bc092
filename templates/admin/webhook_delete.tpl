{{%AUTOESCAPE context="HTML"}}
<section class="card confirm-card" aria-labelledby="confirm-title">
  <h1 id="confirm-title">Delete this endpoint?</h1>
  <p>Events stop going to “{{URL}}”, and its delivery log is deleted with it.</p>
  <form method="post" action="/admin/webhooks/{{ID}}/delete" class="confirm-actions">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <button type="submit" class="button danger" id="confirm-delete">Delete endpoint</button>
    <a class="button secondary" href="/admin/webhooks/{{ID}}">Cancel</a>
  </form>
</section>
