{{%AUTOESCAPE context="HTML"}}
<section class="card confirm-card" aria-labelledby="confirm-title">
  <h1 id="confirm-title">Discard job {{ID}}?</h1>
  <p>This {{KIND}} job failed {{ATTEMPTS}} times and will not run again; it is deleted, and the audit log keeps its kind and last error.</p>
  <p class="muted">Last error: {{ERROR}}</p>
  <form method="post" action="/admin/jobs/{{ID}}/discard" class="confirm-actions">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <button type="submit" class="button danger" id="confirm-discard">Discard job</button>
    <a class="button secondary" href="/admin/jobs">Cancel</a>
  </form>
</section>
