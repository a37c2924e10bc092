{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>{{#NEW}}Record a payment{{/NEW}}{{#EDIT}}Edit payment{{/EDIT}}</h1>
  <p class="muted">Deal: <a href="/deals/{{DEAL_ID}}">{{DEAL_TITLE}}</a></p>
</div>
{{#NOTICE}}<div class="form-error" role="alert" id="stale-notice">{{MSG}}</div>{{/NOTICE}}
{{#FX_MISSING}}<p class="form-error" id="fx-missing">{{MSG}} Add a rate under <a href="/deals/fx-rates">exchange rates</a>, then save the payment again.</p>{{/FX_MISSING}}
{{#FX}}<p class="muted" id="fx-note">Converted at {{RATE}} (rate of {{RATE_DATE}}): {{AMOUNT_ORG}} {{ORG_CURRENCY}}.</p>{{/FX}}
<form class="child-form" method="post" action="{{#NEW}}/deals/{{DEAL_ID}}/payments{{/NEW}}{{#EDIT}}/payments/{{ID}}{{/EDIT}}" novalidate>
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  {{#EDIT}}<input type="hidden" name="version" value="{{VERSION}}">{{/EDIT}}
  {{>ERROR_SUMMARY}}
    {{>FIELD_KIND}}
    {{>FIELD_AMOUNT}}
    {{>FIELD_CURRENCY}}
    {{>FIELD_EXPECTED_AT}}
    {{>FIELD_FEES}}
    {{>FIELD_TAX_WITHHELD}}
    {{>FIELD_METHOD}}
    <div class="field{{#E_NOTES}} has-error{{/E_NOTES}}">
      <label for="f-notes">Notes</label>
      <textarea id="f-notes" name="notes" rows="3"{{#E_NOTES}} aria-invalid="true" aria-describedby="e-notes"{{/E_NOTES}}>{{V_NOTES}}</textarea>
      {{#E_NOTES}}<p class="field-error" id="e-notes">{{MSG}}</p>{{/E_NOTES}}
    </div>
  <div class="form-actions">
    <button type="submit" class="button primary" id="save-payment">{{#NEW}}Record payment{{/NEW}}{{#EDIT}}Save payment{{/EDIT}}</button>
    <a class="button secondary" href="/deals/{{DEAL_ID}}">Cancel</a>
  </div>
</form>
