{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Your account</h1>
</div>
<dl class="details">
  <dt>Email</dt><dd class="wrap-anywhere">{{EMAIL}}</dd>
  <dt>Name</dt><dd>{{NAME}}</dd>
  <dt>Role</dt><dd>{{ROLE}}</dd>
</dl>
<section class="account-section" aria-labelledby="password-title">
  <h2 id="password-title">Change password</h2>
  <form class="child-form" method="post" action="/account/password" novalidate>
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    {{>ERROR_SUMMARY}}
    {{>FIELD_CURRENT}}
    {{>FIELD_NEW}}
    <p class="muted">Changing it signs you out everywhere else.</p>
    <div class="form-actions"><button type="submit" class="button primary" id="change-password">Change password</button></div>
  </form>
</section>
<section aria-labelledby="sessions-title">
  <h2 id="sessions-title">Your sessions</h2>
  {{#NO_SESSIONS}}<p class="empty-state">No sessions.</p>{{/NO_SESSIONS}}
  {{>SESSIONS}}
</section>
