{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>{{#PAID}}Mark payment paid{{/PAID}}{{#DISPUTE}}Open a dispute{{/DISPUTE}}</h1>
  <p class="muted">{{AMOUNT}} {{CURRENCY}} · deal <a href="/deals/{{DEAL_ID}}">{{DEAL_TITLE}}</a></p>
</div>
<form class="child-form" method="post" action="/payments/{{ID}}/{{#PAID}}paid{{/PAID}}{{#DISPUTE}}dispute{{/DISPUTE}}" novalidate>
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  <input type="hidden" name="version" value="{{VERSION}}">
  {{>ERROR_SUMMARY}}
  {{#PAID}}
    {{>FIELD_PAID_AT}}
    {{>FIELD_AMOUNT_PAID}}
  {{/PAID}}
  {{#DISPUTE}}
    <div class="field{{#E_REASON}} has-error{{/E_REASON}}">
      <label for="f-reason">Reason</label>
      <textarea id="f-reason" name="reason" rows="3" required{{#E_REASON}} aria-invalid="true" aria-describedby="e-reason"{{/E_REASON}}>{{V_REASON}}</textarea>
      {{#E_REASON}}<p class="field-error" id="e-reason">{{MSG}}</p>{{/E_REASON}}
    </div>
  {{/DISPUTE}}
  <div class="form-actions">
    <button type="submit" class="button primary">{{#PAID}}Record receipt{{/PAID}}{{#DISPUTE}}Open dispute{{/DISPUTE}}</button>
    <a class="button secondary" href="/deals/{{DEAL_ID}}">Cancel</a>
  </div>
</form>
