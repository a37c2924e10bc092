{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>New user</h1>
  <a href="/admin/users">All users</a>
</div>
<form class="child-form" method="post" action="/admin/users" novalidate>
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  {{>ERROR_SUMMARY}}
  {{>FIELD_EMAIL}}
  {{>FIELD_NAME}}
  {{>FIELD_ROLE}}
  <fieldset class="password-choice">
    <legend>How they get a password</legend>
    <div><input type="radio" id="f-invite-link" name="invite" value="invite"{{#INVITE_CHECKED}} checked{{/INVITE_CHECKED}}>
      <label for="f-invite-link">Invite: a one-time link (valid 72 hours) they open to choose their password</label></div>
    <div><input type="radio" id="f-invite-password" name="invite" value="false"{{#PASSWORD_CHECKED}} checked{{/PASSWORD_CHECKED}}>
      <label for="f-invite-password">Set their password now</label></div>
  </fieldset>
  {{>FIELD_PASSWORD}}
  <div class="form-actions">
    <button type="submit" class="button primary" id="create-user">Create user</button>
  </div>
</form>
