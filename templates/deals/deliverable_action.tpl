{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>{{#REJECT}}Reject deliverable{{/REJECT}}{{#POSTED}}Mark deliverable posted{{/POSTED}}</h1>
  <p class="muted">{{SUMMARY_PLATFORM}} {{SUMMARY_TYPE}} · deal <a href="/deals/{{DEAL_ID}}">{{DEAL_TITLE}}</a></p>
</div>
{{#FORM_ERROR}}<div class="form-error" role="alert" id="form-error">Some fields need attention; see the messages below.</div>{{/FORM_ERROR}}
<form class="child-form" method="post" action="/deliverables/{{ID}}/{{#REJECT}}reject{{/REJECT}}{{#POSTED}}posted{{/POSTED}}" novalidate>
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  <input type="hidden" name="version" value="{{VERSION}}">
  {{#REJECT}}
    <div class="field{{#E_REASON}} has-error{{/E_REASON}}">
      <label for="reason">Reason</label>
      <textarea id="reason" name="reason" rows="3" required>{{V_REASON}}</textarea>
      {{#E_REASON}}<p class="field-error" id="reason-error">{{MSG}}</p>{{/E_REASON}}
    </div>
  {{/REJECT}}
  {{#POSTED}}
    <div class="field{{#E_POSTED_AT}} has-error{{/E_POSTED_AT}}">
      <label for="posted_at">Posted at</label>
      <input id="posted_at" name="posted_at" type="datetime-local" value="{{V_POSTED_AT}}" required{{#E_POSTED_AT}} aria-invalid="true" aria-describedby="posted_at-error"{{/E_POSTED_AT}}>
      {{#E_POSTED_AT}}<p class="field-error" id="posted_at-error">{{MSG}}</p>{{/E_POSTED_AT}}
    </div>
    <div class="field{{#E_POST_URL}} has-error{{/E_POST_URL}}">
      <label for="post_url">Link to the post</label>
      <input id="post_url" name="post_url" type="url" value="{{V_POST_URL}}" required placeholder="https://"{{#E_POST_URL}} aria-invalid="true" aria-describedby="post_url-error"{{/E_POST_URL}}>
      {{#E_POST_URL}}<p class="field-error" id="post_url-error">{{MSG}}</p>{{/E_POST_URL}}
    </div>
  {{/POSTED}}
  <div class="form-actions">
    <button type="submit" class="button primary">{{#REJECT}}Reject{{/REJECT}}{{#POSTED}}Mark posted{{/POSTED}}</button>
    <a class="button secondary" href="/deals/{{DEAL_ID}}">Cancel</a>
  </div>
</form>
