{{%AUTOESCAPE context="HTML"}}
<section class="card confirm-card" aria-labelledby="key-title">
  <h1 id="key-title">API key “{{NAME}}” created</h1>
  <p>Copy the key now: it is shown <strong>only once</strong> and cannot be shown again. It acts with the role <strong>{{ROLE}}</strong>; send it as <code>Authorization: Bearer</code>.</p>
  <p><label for="new-key">API key</label></p>
  <p><input type="text" id="new-key" class="one-time" value="{{KEY}}" readonly></p>
  <p><a class="button secondary" href="/admin/api-keys">Back to API keys</a></p>
</section>
