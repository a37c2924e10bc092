{{%AUTOESCAPE context="HTML"}}
<section class="card confirm-card" aria-labelledby="confirm-title">
  <h1 id="confirm-title">Delete this call?</h1>
  <p>It disappears from lists, analytics and exports.</p>
  <p><strong>{{TIME}}</strong> · {{DIRECTION}} · {{FROM}} &rarr; {{TO}} · {{CALLER}} · {{DURATION}}</p>
  <form method="post" action="/calls/{{ID}}/delete" class="confirm-actions">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <button type="submit" class="button danger" id="confirm-delete">Delete call</button>
    <a class="button secondary" href="/calls/{{ID}}">Cancel</a>
  </form>
</section>
