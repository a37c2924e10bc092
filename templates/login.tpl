{{%AUTOESCAPE context="HTML"}}
<section class="auth-card" aria-labelledby="login-title">
  <h1 id="login-title">Sign in</h1>
  <p class="muted">Your calls, deals and campaigns in one place.</p>
  {{#FORM_ERROR}}<div class="form-error" role="alert" id="form-error">{{FORM_ERROR_MESSAGE}}</div>{{/FORM_ERROR}}
  <form method="post" action="/login" novalidate>
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <input type="hidden" name="next" value="{{NEXT}}">
    <div class="field{{#EMAIL_ERROR}} has-error{{/EMAIL_ERROR}}">
      <label for="email">Email</label>
      <input id="email" name="email" type="email" autocomplete="username" required autofocus
             value="{{EMAIL}}"{{#EMAIL_ERROR}} aria-invalid="true" aria-describedby="email-error"{{/EMAIL_ERROR}}>
      {{#EMAIL_ERROR}}<p class="field-error" id="email-error">{{EMAIL_ERROR_MESSAGE}}</p>{{/EMAIL_ERROR}}
    </div>
    <div class="field{{#PASSWORD_ERROR}} has-error{{/PASSWORD_ERROR}}">
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required
             {{#PASSWORD_ERROR}} aria-invalid="true" aria-describedby="password-error"{{/PASSWORD_ERROR}}>
      {{#PASSWORD_ERROR}}<p class="field-error" id="password-error">{{PASSWORD_ERROR_MESSAGE}}</p>{{/PASSWORD_ERROR}}
    </div>
    <button type="submit" class="button primary">Sign in</button>
  </form>
</section>
