{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>{{#NEW}}Record a payment{{/NEW}}{{#EDIT}}Edit payment{{/EDIT}}</h1>
  <p class="muted">Deal: <a href="/deals/{{DEAL_ID}}">{{DEAL_TITLE}}</a></p>
</div>
{{#NOTICE}}<div class="form-error" role="alert" id="stale-notice">{{MSG}}</div>{{/NOTICE}}
{{#FORM_ERROR}}<div class="form-error" role="alert" id="form-error">Some fields need attention; see the messages below.</div>{{/FORM_ERROR}}
{{#FX_MISSING}}<p class="form-error" id="fx-missing">{{MSG}} Add a rate under <a href="/deals/fx-rates">exchange rates</a>, then save the payment again.</p>{{/FX_MISSING}}
{{#FX}}<p class="muted" id="fx-note">Converted at {{RATE}} (rate of {{RATE_DATE}}): {{AMOUNT_ORG}} {{ORG_CURRENCY}}.</p>{{/FX}}
<form class="child-form" method="post" action="{{#NEW}}/deals/{{DEAL_ID}}/payments{{/NEW}}{{#EDIT}}/payments/{{ID}}{{/EDIT}}" novalidate>
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  {{#EDIT}}<input type="hidden" name="version" value="{{VERSION}}">{{/EDIT}}
    <div class="field{{#E_KIND}} has-error{{/E_KIND}}">
      <label for="kind">Kind</label>
      <select id="kind" name="kind">{{#KIND_OPT}}<option value="{{OPT}}"{{#SELECTED}} selected{{/SELECTED}}>{{OPT}}</option>{{/KIND_OPT}}</select>
      {{#E_KIND}}<p class="field-error" id="kind-error">{{MSG}}</p>{{/E_KIND}}
    </div>
    <div class="field{{#E_AMOUNT}} has-error{{/E_AMOUNT}}">
      <label for="amount">Amount</label>
      <input id="amount" name="amount" type="text" value="{{V_AMOUNT}}" inputmode="decimal" placeholder="1,250.00"{{#E_AMOUNT}} aria-invalid="true" aria-describedby="amount-error"{{/E_AMOUNT}}>
      {{#E_AMOUNT}}<p class="field-error" id="amount-error">{{MSG}}</p>{{/E_AMOUNT}}
    </div>
    <div class="field{{#E_CURRENCY}} has-error{{/E_CURRENCY}}">
      <label for="currency">Currency</label>
      <select id="currency" name="currency">{{#CURRENCY_OPT}}<option value="{{OPT}}"{{#SELECTED}} selected{{/SELECTED}}>{{OPT}}</option>{{/CURRENCY_OPT}}</select>
      {{#E_CURRENCY}}<p class="field-error" id="currency-error">{{MSG}}</p>{{/E_CURRENCY}}
    </div>
    <div class="field{{#E_EXPECTED_AT}} has-error{{/E_EXPECTED_AT}}">
      <label for="expected_at">Expected on</label>
      <input id="expected_at" name="expected_at" type="date" value="{{V_EXPECTED_AT}}"{{#E_EXPECTED_AT}} aria-invalid="true" aria-describedby="expected_at-error"{{/E_EXPECTED_AT}}>
      {{#E_EXPECTED_AT}}<p class="field-error" id="expected_at-error">{{MSG}}</p>{{/E_EXPECTED_AT}}
    </div>
    <div class="field{{#E_FEES}} has-error{{/E_FEES}}">
      <label for="fees">Fees</label>
      <input id="fees" name="fees" type="text" value="{{V_FEES}}" inputmode="decimal"{{#E_FEES}} aria-invalid="true" aria-describedby="fees-error"{{/E_FEES}}>
      {{#E_FEES}}<p class="field-error" id="fees-error">{{MSG}}</p>{{/E_FEES}}
    </div>
    <div class="field{{#E_TAX_WITHHELD}} has-error{{/E_TAX_WITHHELD}}">
      <label for="tax_withheld">Tax withheld</label>
      <input id="tax_withheld" name="tax_withheld" type="text" value="{{V_TAX_WITHHELD}}" inputmode="decimal"{{#E_TAX_WITHHELD}} aria-invalid="true" aria-describedby="tax_withheld-error"{{/E_TAX_WITHHELD}}>
      {{#E_TAX_WITHHELD}}<p class="field-error" id="tax_withheld-error">{{MSG}}</p>{{/E_TAX_WITHHELD}}
    </div>
    <div class="field{{#E_NOTES}} has-error{{/E_NOTES}}">
      <label for="notes">Notes</label>
      <textarea id="notes" name="notes" rows="3">{{V_NOTES}}</textarea>
      {{#E_NOTES}}<p class="field-error" id="notes-error">{{MSG}}</p>{{/E_NOTES}}
    </div>
  <div class="form-actions">
    <button type="submit" class="button primary" id="save-payment">{{#NEW}}Record payment{{/NEW}}{{#EDIT}}Save payment{{/EDIT}}</button>
    <a class="button secondary" href="/deals/{{DEAL_ID}}">Cancel</a>
  </div>
</form>
