{{%AUTOESCAPE context="HTML"}}
<section class="auth-card" aria-labelledby="setup-title">
  <h1 id="setup-title">{{#INVITE}}Welcome to {{ORG}}{{/INVITE}}{{#RESET}}Set a new password{{/RESET}}</h1>
  <p>{{#INVITE}}Choose a password for <strong class="wrap-anywhere">{{EMAIL}}</strong> to finish setting up your account.{{/INVITE}}{{#RESET}}Choose a new password for <strong class="wrap-anywhere">{{EMAIL}}</strong>. Your other sessions end.{{/RESET}}</p>
  <form method="post" action="/account/setup" novalidate>
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <input type="hidden" name="token" value="{{TOKEN}}">
    {{>ERROR_SUMMARY}}
    {{>FIELD_PASSWORD}}
    <button type="submit" class="button primary" id="set-password">{{#INVITE}}Set password and sign in{{/INVITE}}{{#RESET}}Set password and sign in{{/RESET}}</button>
  </form>
</section>
