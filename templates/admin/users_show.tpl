{{%AUTOESCAPE context="HTML"}}
<p class="breadcrumb"><a href="/admin/users">Users</a></p>
<div class="page-head">
  <h1 class="wrap-anywhere">{{NAME}}</h1>
</div>
{{#NOTICE}}<div class="form-error" role="alert" id="user-notice">{{MSG}}</div>{{/NOTICE}}
<dl class="details">
  <dt>Email</dt><dd class="wrap-anywhere">{{EMAIL}}</dd>
  <dt>Role</dt><dd>{{ROLE}}</dd>
  <dt>Status</dt><dd><span class="badge status-{{STATUS}}">{{STATUS}}</span></dd>
  <dt>Last sign-in</dt><dd>{{LAST}}</dd>
</dl>
<section class="admin-actions" aria-labelledby="actions-title">
  <h2 id="actions-title">Change</h2>
  <form method="post" action="/admin/users/{{ID}}/role" class="inline-fields">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    {{>FIELD_ROLE}}
    <button type="submit" class="button secondary" id="change-role">Change role</button>
  </form>
  <div class="row-actions">
    <form method="post" action="/admin/users/{{ID}}/reset-link" class="inline-form">
      <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
      <button type="submit" class="button secondary" id="reset-link">{{#INVITED}}New invitation link{{/INVITED}}{{#NOT_INVITED}}Password reset link{{/NOT_INVITED}}</button>
    </form>
    <a class="button secondary" href="/admin/privacy/users/{{ID}}/export" id="export-user" download>Export data (JSON)</a>
    {{#CAN_DISABLE}}<a class="button danger" href="/admin/users/{{ID}}/disable" id="disable-user">Disable…</a>{{/CAN_DISABLE}}
    {{#CAN_ENABLE}}<form method="post" action="/admin/users/{{ID}}/enable" class="inline-form">
      <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
      <button type="submit" class="button secondary" id="enable-user">Enable</button>
    </form>{{/CAN_ENABLE}}
  </div>
</section>
<section aria-labelledby="sessions-title">
  <h2 id="sessions-title">Sessions</h2>
  {{#NO_SESSIONS}}<p class="empty-state">Not signed in anywhere.</p>{{/NO_SESSIONS}}
  {{>SESSIONS}}
</section>
