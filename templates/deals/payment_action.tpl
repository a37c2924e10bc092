{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>{{#PAID}}Mark payment paid{{/PAID}}{{#DISPUTE}}Open a dispute{{/DISPUTE}}</h1>
  <p class="muted">{{AMOUNT}} {{CURRENCY}} · deal <a href="/deals/{{DEAL_ID}}">{{DEAL_TITLE}}</a></p>
</div>
{{#FORM_ERROR}}<div class="form-error" role="alert" id="form-error">Some fields need attention; see the messages below.</div>{{/FORM_ERROR}}
<form class="child-form" method="post" action="/payments/{{ID}}/{{#PAID}}paid{{/PAID}}{{#DISPUTE}}dispute{{/DISPUTE}}" novalidate>
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  <input type="hidden" name="version" value="{{VERSION}}">
  {{#PAID}}
    <div class="field{{#E_PAID_AT}} has-error{{/E_PAID_AT}}">
      <label for="paid_at">Received at</label>
      <input id="paid_at" name="paid_at" type="datetime-local" value="{{V_PAID_AT}}" required{{#E_PAID_AT}} aria-invalid="true" aria-describedby="paid_at-error"{{/E_PAID_AT}}>
      {{#E_PAID_AT}}<p class="field-error" id="paid_at-error">{{MSG}}</p>{{/E_PAID_AT}}
    </div>
    <div class="field{{#E_AMOUNT_PAID}} has-error{{/E_AMOUNT_PAID}}">
      <label for="amount_paid">Amount received in total ({{CURRENCY}})</label>
      <input id="amount_paid" name="amount_paid" type="text" value="{{V_AMOUNT_PAID}}" inputmode="decimal" required{{#E_AMOUNT_PAID}} aria-invalid="true" aria-describedby="amount_paid-error"{{/E_AMOUNT_PAID}}>
      <p class="muted">Less than the amount makes the payment partial.</p>
      {{#E_AMOUNT_PAID}}<p class="field-error" id="amount_paid-error">{{MSG}}</p>{{/E_AMOUNT_PAID}}
    </div>
  {{/PAID}}
  {{#DISPUTE}}
    <div class="field{{#E_REASON}} has-error{{/E_REASON}}">
      <label for="reason">Reason</label>
      <textarea id="reason" name="reason" rows="3" required>{{V_REASON}}</textarea>
      {{#E_REASON}}<p class="field-error" id="reason-error">{{MSG}}</p>{{/E_REASON}}
    </div>
  {{/DISPUTE}}
  <div class="form-actions">
    <button type="submit" class="button primary">{{#PAID}}Record receipt{{/PAID}}{{#DISPUTE}}Open dispute{{/DISPUTE}}</button>
    <a class="button secondary" href="/deals/{{DEAL_ID}}">Cancel</a>
  </div>
</form>
