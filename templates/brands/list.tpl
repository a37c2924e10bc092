{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Brands</h1>
  {{#CAN_WRITE}}<a class="button secondary" href="/brands/new">New brand</a>{{/CAN_WRITE}}
</div>
<form class="filters" method="get" action="/brands" role="search">
  <label for="q">Search</label>
  <input id="q" name="q" type="search" value="{{Q}}">
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
<nav class="pager" aria-label="Pages">
  {{#PREV}}<a href="/brands?q={{Q:u}}&amp;page={{PAGE}}">Previous</a>{{/PREV}}
  {{#NEXT}}<a href="/brands?q={{Q:u}}&amp;page={{PAGE}}" rel="next">Next</a>{{/NEXT}}
</nav>
