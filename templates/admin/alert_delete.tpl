{{%AUTOESCAPE context="HTML"}}
<section class="card confirm-card" aria-labelledby="confirm-title">
  <h1 id="confirm-title">Delete this alert {{WHAT}}?</h1>
  <p>“{{LABEL}}” is deleted. The alert history keeps what it already sent.</p>
  <form method="post" action="{{ACTION}}" class="confirm-actions">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <button type="submit" class="button danger" id="confirm-delete">Delete {{WHAT}}</button>
    <a class="button secondary" href="{{BACK}}">Cancel</a>
  </form>
</section>
