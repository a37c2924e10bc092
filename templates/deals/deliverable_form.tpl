{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>{{#NEW}}Add a deliverable{{/NEW}}{{#EDIT}}Edit deliverable{{/EDIT}}</h1>
  <p class="muted">Deal: <a href="/deals/{{DEAL_ID}}">{{DEAL_TITLE}}</a></p>
</div>
{{#NOTICE}}<div class="form-error" role="alert" id="stale-notice">{{MSG}}</div>{{/NOTICE}}
{{#FORM_ERROR}}<div class="form-error" role="alert" id="form-error">Some fields need attention; see the messages below.</div>{{/FORM_ERROR}}
<form class="child-form" method="post" action="{{#NEW}}/deals/{{DEAL_ID}}/deliverables{{/NEW}}{{#EDIT}}/deliverables/{{ID}}{{/EDIT}}" novalidate>
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  {{#EDIT}}<input type="hidden" name="version" value="{{VERSION}}">{{/EDIT}}
    <div class="field{{#E_PLATFORM}} has-error{{/E_PLATFORM}}">
      <label for="platform">Platform</label>
      <select id="platform" name="platform">{{#PLATFORM_OPT}}<option value="{{OPT}}"{{#SELECTED}} selected{{/SELECTED}}>{{OPT}}</option>{{/PLATFORM_OPT}}</select>
      {{#E_PLATFORM}}<p class="field-error" id="platform-error">{{MSG}}</p>{{/E_PLATFORM}}
    </div>
    <div class="field{{#E_TYPE}} has-error{{/E_TYPE}}">
      <label for="type">Type</label>
      <select id="type" name="type">{{#TYPE_OPT}}<option value="{{OPT}}"{{#SELECTED}} selected{{/SELECTED}}>{{OPT}}</option>{{/TYPE_OPT}}</select>
      {{#E_TYPE}}<p class="field-error" id="type-error">{{MSG}}</p>{{/E_TYPE}}
    </div>
    <div class="field{{#E_QUANTITY}} has-error{{/E_QUANTITY}}">
      <label for="quantity">Quantity</label>
      <input id="quantity" name="quantity" type="number" value="{{V_QUANTITY}}" min="1" max="1000"{{#E_QUANTITY}} aria-invalid="true" aria-describedby="quantity-error"{{/E_QUANTITY}}>
      {{#E_QUANTITY}}<p class="field-error" id="quantity-error">{{MSG}}</p>{{/E_QUANTITY}}
    </div>
    <div class="field{{#E_SCHEDULED_AT}} has-error{{/E_SCHEDULED_AT}}">
      <label for="scheduled_at">Scheduled for</label>
      <input id="scheduled_at" name="scheduled_at" type="datetime-local" value="{{V_SCHEDULED_AT}}"{{#E_SCHEDULED_AT}} aria-invalid="true" aria-describedby="scheduled_at-error"{{/E_SCHEDULED_AT}}>
      <p class="muted">In the organisation's time zone.</p>
      {{#E_SCHEDULED_AT}}<p class="field-error" id="scheduled_at-error">{{MSG}}</p>{{/E_SCHEDULED_AT}}
    </div>
    <div class="field{{#E_POSTING_WINDOW_START}} has-error{{/E_POSTING_WINDOW_START}}">
      <label for="posting_window_start">Posting window opens</label>
      <input id="posting_window_start" name="posting_window_start" type="datetime-local" value="{{V_POSTING_WINDOW_START}}"{{#E_POSTING_WINDOW_START}} aria-invalid="true" aria-describedby="posting_window_start-error"{{/E_POSTING_WINDOW_START}}>
      {{#E_POSTING_WINDOW_START}}<p class="field-error" id="posting_window_start-error">{{MSG}}</p>{{/E_POSTING_WINDOW_START}}
    </div>
    <div class="field{{#E_POSTING_WINDOW_END}} has-error{{/E_POSTING_WINDOW_END}}">
      <label for="posting_window_end">Posting window closes</label>
      <input id="posting_window_end" name="posting_window_end" type="datetime-local" value="{{V_POSTING_WINDOW_END}}"{{#E_POSTING_WINDOW_END}} aria-invalid="true" aria-describedby="posting_window_end-error"{{/E_POSTING_WINDOW_END}}>
      <p class="muted">The hard deadline when set.</p>
      {{#E_POSTING_WINDOW_END}}<p class="field-error" id="posting_window_end-error">{{MSG}}</p>{{/E_POSTING_WINDOW_END}}
    </div>
    <div class="field{{#E_SLA_HOURS}} has-error{{/E_SLA_HOURS}}">
      <label for="sla_hours">Approval SLA (hours)</label>
      <input id="sla_hours" name="sla_hours" type="number" value="{{V_SLA_HOURS}}" min="1" max="8760"{{#E_SLA_HOURS}} aria-invalid="true" aria-describedby="sla_hours-error"{{/E_SLA_HOURS}}>
      {{#E_SLA_HOURS}}<p class="field-error" id="sla_hours-error">{{MSG}}</p>{{/E_SLA_HOURS}}
    </div>
    <div class="field{{#E_NOTES}} has-error{{/E_NOTES}}">
      <label for="notes">Notes</label>
      <textarea id="notes" name="notes" rows="3">{{V_NOTES}}</textarea>
      {{#E_NOTES}}<p class="field-error" id="notes-error">{{MSG}}</p>{{/E_NOTES}}
    </div>
  <div class="form-actions">
    <button type="submit" class="button primary" id="save-deliverable">{{#NEW}}Add deliverable{{/NEW}}{{#EDIT}}Save deliverable{{/EDIT}}</button>
    <a class="button secondary" href="/deals/{{DEAL_ID}}">Cancel</a>
  </div>
</form>
