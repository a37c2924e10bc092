{{%AUTOESCAPE context="HTML"}}
<section class="card confirm-card" aria-labelledby="confirm-title">
  <h1 id="confirm-title">Revoke the API key “{{NAME}}”?</h1>
  {{#CAN_REVOKE}}<p>Key <code>{{PREFIX}}</code> stops working at once, for every request that uses it. This cannot be undone.</p>
  <form method="post" action="/admin/api-keys/{{ID}}/revoke" class="confirm-actions">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <button type="submit" class="button danger" id="confirm-revoke">Revoke key</button>
    <a class="button secondary" href="/admin/api-keys">Cancel</a>
  </form>{{/CAN_REVOKE}}
  {{#ALREADY_REVOKED}}<p>This key is already revoked.</p><p><a class="button secondary" href="/admin/api-keys">Back to API keys</a></p>{{/ALREADY_REVOKED}}
</section>
