{{%AUTOESCAPE context="HTML"}}
<section class="card confirm-card" aria-labelledby="link-title">
  <h1 id="link-title">{{#INVITE}}Invitation link for {{EMAIL}}{{/INVITE}}{{#RESET}}Password reset link for {{EMAIL}}{{/RESET}}</h1>
  <p>Send this link to them yourself. It is shown <strong>only once</strong>, works once, and expires in {{HOURS}} hours.
  {{#RESET}}Using it ends all their sessions.{{/RESET}}</p>
  <p><label for="one-time-link">One-time link</label></p>
  <p><input type="text" id="one-time-link" class="one-time" value="{{LINK}}" readonly></p>
  <p><a class="button secondary" href="/admin/users/{{ID}}">Back to the user</a></p>
</section>
