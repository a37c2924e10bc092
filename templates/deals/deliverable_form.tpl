{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>{{#NEW}}Add a deliverable{{/NEW}}{{#EDIT}}Edit deliverable{{/EDIT}}</h1>
  <p class="muted">Deal: <a href="/deals/{{DEAL_ID}}">{{DEAL_TITLE}}</a></p>
</div>
{{#NOTICE}}<div class="form-error" role="alert" id="stale-notice">{{MSG}}</div>{{/NOTICE}}
<form class="child-form" method="post" action="{{#NEW}}/deals/{{DEAL_ID}}/deliverables{{/NEW}}{{#EDIT}}/deliverables/{{ID}}{{/EDIT}}" novalidate>
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  {{#EDIT}}<input type="hidden" name="version" value="{{VERSION}}">{{/EDIT}}
  {{>ERROR_SUMMARY}}
    {{>FIELD_PLATFORM}}
    {{>FIELD_TYPE}}
    {{>FIELD_QUANTITY}}
    {{>FIELD_SCHEDULED_AT}}
    {{>FIELD_POSTING_WINDOW_START}}
    {{>FIELD_POSTING_WINDOW_END}}
    {{>FIELD_SLA_HOURS}}
    <div class="field{{#E_NOTES}} has-error{{/E_NOTES}}">
      <label for="f-notes">Notes</label>
      <textarea id="f-notes" name="notes" rows="3"{{#E_NOTES}} aria-invalid="true" aria-describedby="e-notes"{{/E_NOTES}}>{{V_NOTES}}</textarea>
      {{#E_NOTES}}<p class="field-error" id="e-notes">{{MSG}}</p>{{/E_NOTES}}
    </div>
    {{#EDIT}}<div class="field{{#E_RESCHEDULE_REASON}} has-error{{/E_RESCHEDULE_REASON}}">
      <label for="f-reschedule_reason">Reason for a date change</label>
      <textarea id="f-reschedule_reason" name="reschedule_reason" rows="2"{{#E_RESCHEDULE_REASON}} aria-invalid="true" aria-describedby="e-reschedule_reason"{{/E_RESCHEDULE_REASON}}>{{V_RESCHEDULE_REASON}}</textarea>
      <span class="muted">Required when the scheduled time or the end of the posting window moves; kept in the deliverable's history.</span>
      {{#E_RESCHEDULE_REASON}}<p class="field-error" id="e-reschedule_reason">{{MSG}}</p>{{/E_RESCHEDULE_REASON}}
    </div>{{/EDIT}}
  <div class="form-actions">
    <button type="submit" class="button primary" id="save-deliverable">{{#NEW}}Add deliverable{{/NEW}}{{#EDIT}}Save deliverable{{/EDIT}}</button>
    <a class="button secondary" href="/deals/{{DEAL_ID}}">Cancel</a>
  </div>
</form>
