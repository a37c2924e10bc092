{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Exchange rates</h1>
  <p class="muted">Payments in another currency are converted with the latest rate on or before their expected date.</p>
</div>
{{#FORM_ERROR}}<div class="form-error" role="alert" id="form-error">Some fields need attention; see the messages below.</div>{{/FORM_ERROR}}
<form class="child-form" method="post" action="/deals/fx-rates" novalidate>
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <div class="field{{#E_BASE}} has-error{{/E_BASE}}">
      <label for="base">From (1 unit of)</label>
      <select id="base" name="base">{{#BASE_OPT}}<option value="{{OPT}}"{{#SELECTED}} selected{{/SELECTED}}>{{OPT}}</option>{{/BASE_OPT}}</select>
      {{#E_BASE}}<p class="field-error" id="base-error">{{MSG}}</p>{{/E_BASE}}
    </div>
    <div class="field{{#E_QUOTE}} has-error{{/E_QUOTE}}">
      <label for="quote">To</label>
      <select id="quote" name="quote">{{#QUOTE_OPT}}<option value="{{OPT}}"{{#SELECTED}} selected{{/SELECTED}}>{{OPT}}</option>{{/QUOTE_OPT}}</select>
      {{#E_QUOTE}}<p class="field-error" id="quote-error">{{MSG}}</p>{{/E_QUOTE}}
    </div>
    <div class="field{{#E_RATE}} has-error{{/E_RATE}}">
      <label for="rate">Rate</label>
      <input id="rate" name="rate" type="text" value="{{V_RATE}}" inputmode="decimal" placeholder="1.0842"{{#E_RATE}} aria-invalid="true" aria-describedby="rate-error"{{/E_RATE}}>
      {{#E_RATE}}<p class="field-error" id="rate-error">{{MSG}}</p>{{/E_RATE}}
    </div>
    <div class="field{{#E_AS_OF}} has-error{{/E_AS_OF}}">
      <label for="as_of">As of</label>
      <input id="as_of" name="as_of" type="date" value="{{V_AS_OF}}"{{#E_AS_OF}} aria-invalid="true" aria-describedby="as_of-error"{{/E_AS_OF}}>
      {{#E_AS_OF}}<p class="field-error" id="as_of-error">{{MSG}}</p>{{/E_AS_OF}}
    </div>
  <div class="form-actions"><button type="submit" class="button primary">Save rate</button></div>
</form>
<table class="data-table" id="fx-rates">
  <thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">Rate</th><th scope="col">As of</th></tr></thead>
  <tbody>
  {{#RATE_ROW}}<tr><td>{{BASE}}</td><td>{{QUOTE}}</td><td class="num">{{RATE}}</td><td>{{AS_OF}}</td></tr>
  {{/RATE_ROW}}
  {{#NO_RATES}}<tr><td colspan="4" class="muted">No rates yet.</td></tr>{{/NO_RATES}}
  </tbody>
</table>
