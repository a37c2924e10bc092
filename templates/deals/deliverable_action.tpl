{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>{{#REJECT}}Reject deliverable{{/REJECT}}{{#POSTED}}Mark deliverable posted{{/POSTED}}</h1>
  <p class="muted">{{SUMMARY_PLATFORM}} {{SUMMARY_TYPE}} · deal <a href="/deals/{{DEAL_ID}}">{{DEAL_TITLE}}</a></p>
</div>
<form class="child-form" method="post" action="/deliverables/{{ID}}/{{#REJECT}}reject{{/REJECT}}{{#POSTED}}posted{{/POSTED}}" novalidate>
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  <input type="hidden" name="version" value="{{VERSION}}">
  {{>ERROR_SUMMARY}}
  {{#REJECT}}
    <div class="field{{#E_REASON}} has-error{{/E_REASON}}">
      <label for="f-reason">Reason</label>
      <textarea id="f-reason" name="reason" rows="3" required{{#E_REASON}} aria-invalid="true" aria-describedby="e-reason"{{/E_REASON}}>{{V_REASON}}</textarea>
      {{#E_REASON}}<p class="field-error" id="e-reason">{{MSG}}</p>{{/E_REASON}}
    </div>
  {{/REJECT}}
  {{#POSTED}}
    {{>FIELD_POSTED_AT}}
    {{>FIELD_POST_URL}}
  {{/POSTED}}
  <div class="form-actions">
    <button type="submit" class="button primary">{{#REJECT}}Reject{{/REJECT}}{{#POSTED}}Mark posted{{/POSTED}}</button>
    <a class="button secondary" href="/deals/{{DEAL_ID}}">Cancel</a>
  </div>
</form>
