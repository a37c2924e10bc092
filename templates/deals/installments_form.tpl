{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Installment schedule</h1>
  <p class="muted">Deal: <a href="/deals/{{DEAL_ID}}">{{DEAL_TITLE}}</a> · value <span id="deal-value">{{VALUE}}</span></p>
</div>
<form class="child-form" method="post" action="/deals/{{DEAL_ID}}/installments" id="installments-form" novalidate>
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  {{>ERROR_SUMMARY}}
  {{#EXISTING}}<div class="flash flash-info" role="status" id="existing-schedule">This deal already has a schedule of {{COUNT}} payments.
    <div class="field checkbox"><input type="checkbox" id="f-replace" name="replace" value="true"{{#REPLACE_CHECKED}} checked{{/REPLACE_CHECKED}}><label for="f-replace">Replace it (only while none of its payments is received)</label></div>
  </div>{{/EXISTING}}
  {{>FIELD_METHOD}}
  <fieldset class="field{{#E_MODE}} has-error{{/E_MODE}}" id="f-mode">
    <legend>How to split {{VALUE}}</legend>
    <div class="field checkbox"><input type="radio" id="f-mode-equal" name="mode" value="equal"{{#MODE_EQUAL}} checked{{/MODE_EQUAL}}><label for="f-mode-equal">Equal payments</label></div>
    <div class="field checkbox"><input type="radio" id="f-mode-custom" name="mode" value="custom"{{#MODE_CUSTOM}} checked{{/MODE_CUSTOM}}><label for="f-mode-custom">Custom amounts (below)</label></div>
    {{#E_MODE}}<p class="field-error" id="e-mode">{{MSG}}</p>{{/E_MODE}}
  </fieldset>
  <fieldset class="installments-equal">
    <legend>Equal payments</legend>
    {{>FIELD_COUNT}}
    {{>FIELD_FIRST_DATE}}
    {{>FIELD_INTERVAL}}
    {{>FIELD_REMAINDER}}
    <p class="muted">Amounts are split in cents: each payment gets the same share and the cents left over go on the payment chosen above, so they add up to the deal value exactly.</p>
  </fieldset>
  <fieldset class="installments-custom{{#E_PAYMENTS}} has-error{{/E_PAYMENTS}}" id="f-payments">
    <legend>Custom amounts in {{CURRENCY}} (they must add up to {{VALUE}})</legend>
    {{#E_PAYMENTS}}<p class="field-error" id="e-payments">{{MSG}}</p>{{/E_PAYMENTS}}
    <div class="table-scroll" tabindex="0" role="region" aria-label="Custom payments (scrolls sideways)"><table class="calls-table" id="custom-rows">
      <thead><tr><th scope="col">#</th><th scope="col">Amount</th><th scope="col">Due on</th></tr></thead>
      <tbody>{{#ROW}}<tr{{#ROW_ERROR}} class="has-error"{{/ROW_ERROR}}><td>{{N}}</td>
        <td><label class="visually-hidden" for="f-amount_{{N}}">Amount of payment {{N}}</label><input id="f-amount_{{N}}" name="amount_{{N}}" type="text" inputmode="decimal" value="{{AMOUNT}}"{{#E_AMOUNT}} aria-invalid="true" aria-describedby="e-amount_{{N}}"{{/E_AMOUNT}}>{{#E_AMOUNT}}<p class="field-error" id="e-amount_{{N}}">{{MSG}}</p>{{/E_AMOUNT}}</td>
        <td><label class="visually-hidden" for="f-date_{{N}}">Due date of payment {{N}}</label><input id="f-date_{{N}}" name="date_{{N}}" type="date" value="{{DATE}}"{{#E_DATE}} aria-invalid="true" aria-describedby="e-date_{{N}}"{{/E_DATE}}>{{#E_DATE}}<p class="field-error" id="e-date_{{N}}">{{MSG}}</p>{{/E_DATE}}</td></tr>{{/ROW}}</tbody>
    </table></div>
  </fieldset>
  <div class="form-actions">
    <button type="submit" class="button primary" id="create-installments">Create schedule</button>
    <a class="button secondary" href="/deals/{{DEAL_ID}}">Cancel</a>
  </div>
</form>
