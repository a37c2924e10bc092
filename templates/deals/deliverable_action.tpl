{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>{{#REJECT}}Reject deliverable{{/REJECT}}{{#SUBMIT}}Submit revision{{/SUBMIT}}{{#POSTED}}Mark deliverable posted{{/POSTED}}</h1>
  <p class="muted">{{SUMMARY_PLATFORM}} {{SUMMARY_TYPE}} · deal <a href="/deals/{{DEAL_ID}}">{{DEAL_TITLE}}</a></p>
</div>
<form class="child-form" method="post" action="/deliverables/{{ID}}/{{#REJECT}}reject{{/REJECT}}{{#SUBMIT}}submit{{/SUBMIT}}{{#POSTED}}posted{{/POSTED}}" novalidate>
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  <input type="hidden" name="version" value="{{VERSION}}">
  {{>ERROR_SUMMARY}}
  {{#REJECT}}
    <div class="field{{#E_REASON}} has-error{{/E_REASON}}">
      <label for="f-reason">Reason</label>
      <textarea id="f-reason" name="reason" rows="3" required{{#E_REASON}} aria-invalid="true" aria-describedby="e-reason"{{/E_REASON}}>{{V_REASON}}</textarea>
      {{#E_REASON}}<p class="field-error" id="e-reason">{{MSG}}</p>{{/E_REASON}}
    </div>
    <div class="field{{#E_FEEDBACK}} has-error{{/E_FEEDBACK}}">
      <label for="f-feedback">Feedback items (one per line)</label>
      <textarea id="f-feedback" name="feedback" rows="5"{{#E_FEEDBACK}} aria-invalid="true" aria-describedby="e-feedback"{{/E_FEEDBACK}}>{{V_FEEDBACK}}</textarea>
      <span class="muted">Each line becomes an item the revision can answer.</span>
      {{#E_FEEDBACK}}<p class="field-error" id="e-feedback">{{MSG}}</p>{{/E_FEEDBACK}}
    </div>
  {{/REJECT}}
  {{#SUBMIT}}
    <fieldset class="field{{#E_ANSWERS}} has-error{{/E_ANSWERS}}" id="f-answers">
      <legend>Feedback this revision answers</legend>
      {{#NO_OPEN_ITEMS}}<p class="muted">No open feedback items.</p>{{/NO_OPEN_ITEMS}}
      {{#OPEN_ITEM}}<div class="field checkbox"><input type="checkbox" id="f-answer-{{F_ID}}" name="answers" value="{{F_ID}}"{{#CHECKED}} checked{{/CHECKED}}><label for="f-answer-{{F_ID}}">{{TEXT}} <span class="muted">(rejection {{REJECTION}})</span></label></div>{{/OPEN_ITEM}}
      {{#E_ANSWERS}}<p class="field-error" id="e-answers">{{MSG}}</p>{{/E_ANSWERS}}
    </fieldset>
    <div class="field{{#E_REVISION_NOTE}} has-error{{/E_REVISION_NOTE}}">
      <label for="f-revision_note">Note (optional)</label>
      <textarea id="f-revision_note" name="revision_note" rows="3"{{#E_REVISION_NOTE}} aria-invalid="true" aria-describedby="e-revision_note"{{/E_REVISION_NOTE}}>{{V_REVISION_NOTE}}</textarea>
      {{#E_REVISION_NOTE}}<p class="field-error" id="e-revision_note">{{MSG}}</p>{{/E_REVISION_NOTE}}
    </div>
  {{/SUBMIT}}
  {{#POSTED}}
    {{>FIELD_POSTED_AT}}
    {{>FIELD_POST_URL}}
  {{/POSTED}}
  <div class="form-actions">
    <button type="submit" class="button primary">{{#REJECT}}Reject{{/REJECT}}{{#SUBMIT}}Submit for approval{{/SUBMIT}}{{#POSTED}}Mark posted{{/POSTED}}</button>
    <a class="button secondary" href="/deals/{{DEAL_ID}}">Cancel</a>
  </div>
</form>
