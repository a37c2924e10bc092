{{%AUTOESCAPE context="HTML"}}
<section class="error-page">
  <p class="error-status">{{STATUS}}</p>
  <h1>{{STATUS_TEXT}}</h1>
  <p>{{MESSAGE}}</p>
  <p><a class="button secondary" href="/">Back to the overview</a></p>
  <p class="muted">If you report this, quote request id <code>{{REQUEST_ID}}</code>.</p>
</section>
