{{%AUTOESCAPE context="HTML"}}
<section class="card confirm-card" aria-labelledby="confirm-title">
  <h1 id="confirm-title">Unmark the bonus?</h1>
  <p>The bonus of {{AMOUNT}} on “{{DEAL_TITLE}}” is no longer earned: its payment is removed from the deal and the forecast. Nothing has been received on it.</p>
  <form method="post" action="/deals/{{DEAL_ID}}/bonus/unearned" class="confirm-actions">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <button type="submit" class="button danger" id="confirm-unearn">Unmark earned</button>
    <a class="button secondary" href="/deals/{{DEAL_ID}}">Cancel</a>
  </form>
</section>
