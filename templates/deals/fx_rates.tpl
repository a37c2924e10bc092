{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Exchange rates</h1>
  <p class="muted">Payments in another currency are converted with the latest rate on or before their expected date.</p>
</div>
<form class="child-form" method="post" action="/deals/fx-rates" novalidate>
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  {{>ERROR_SUMMARY}}
    {{>FIELD_BASE}}
    {{>FIELD_QUOTE}}
    {{>FIELD_RATE}}
    {{>FIELD_AS_OF}}
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
