{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>API keys</h1>
</div>
{{>ADMIN_NAV}}
<div class="table-wrap" tabindex="0" role="region" aria-label="API keys">
<table class="data-table" id="api-keys">
  <thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>
  {{#KEY}}<tr><td class="wrap-anywhere">{{NAME}}</td><td><code>{{PREFIX}}</code></td><td>{{ROLE}}</td><td><span class="badge status-{{STATUS}}">{{STATUS}}</span></td><td>{{CREATED}}</td><td>{{EXPIRES}}</td><td>{{USED}} <span class="muted">{{USED_IP}}</span></td>
    <td>{{#CAN_REVOKE}}<a href="/admin/api-keys/{{ID}}/revoke">Revoke<span class="visually-hidden"> {{NAME}}</span></a>{{/CAN_REVOKE}}</td></tr>
  {{/KEY}}
  </tbody>
</table>
</div>
{{#EMPTY}}<p class="empty-state" id="api-keys-empty">No API keys yet. A key lets a script use the JSON API with the role you give it.</p>{{/EMPTY}}
{{>PAGER}}
<section aria-labelledby="new-key-title">
  <h2 id="new-key-title">New API key</h2>
  <form class="child-form" method="post" action="/admin/api-keys" novalidate>
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    {{>ERROR_SUMMARY}}
    {{>FIELD_NAME}}
    {{>FIELD_ROLE}}
    {{>FIELD_EXPIRES_ON}}
    <div class="form-actions">
      <button type="submit" class="button primary" id="create-key">Create key</button>
    </div>
  </form>
</section>
