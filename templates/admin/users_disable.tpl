{{%AUTOESCAPE context="HTML"}}
<section class="card confirm-card" aria-labelledby="confirm-title">
  <h1 id="confirm-title">Disable {{EMAIL}}?</h1>
  <p>They are signed out everywhere at once and cannot sign in until an admin enables them again.</p>
  <form method="post" action="/admin/users/{{ID}}/disable" class="confirm-actions">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <button type="submit" class="button danger" id="confirm-disable">Disable user</button>
    <a class="button secondary" href="/admin/users/{{ID}}">Cancel</a>
  </form>
</section>
