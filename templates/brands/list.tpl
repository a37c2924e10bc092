{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Brands</h1>
  {{#CAN_WRITE}}<a class="button secondary" href="/brands/new">New brand</a>{{/CAN_WRITE}}
</div>
{{#FORM_ERROR}}<div class="form-error" role="alert" id="filter-errors">This list cannot be shown as asked; see the messages below.</div>{{/FORM_ERROR}}
<form class="filters" method="get" action="/brands" role="search">
  {{>FIELD_Q}}
  {{#E_LIMIT}}<p class="field-error" id="e-limit">{{MSG}}</p>{{/E_LIMIT}}
  {{#E_CURSOR}}<p class="field-error" id="e-cursor">{{MSG}}</p>{{/E_CURSOR}}
  <button type="submit" class="button secondary">Search</button>
</form>
<table class="data-table" id="brands">
  <thead><tr><th scope="col">Name</th><th scope="col">Aliases</th><th scope="col" class="num">Deals</th></tr></thead>
  <tbody>
  {{#BRAND}}<tr><td><a href="/brands/{{ID}}">{{NAME}}</a></td><td>{{ALIASES}}</td><td class="num">{{DEALS}}</td></tr>
  {{/BRAND}}
  </tbody>
</table>
{{#EMPTY}}<section class="empty-state" id="brands-empty"><h2>No brands yet</h2><p>Brands are the companies you make deals with. Add one to start.</p></section>{{/EMPTY}}
{{#NO_MATCH}}<p class="empty-state" id="brands-no-match">No brand matches “{{Q}}”.</p>{{/NO_MATCH}}
{{#NO_MORE}}<p class="empty-state" id="brands-no-more">No more brands.</p>{{/NO_MORE}}
{{>PAGER}}
