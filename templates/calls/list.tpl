{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Calls</h1>
  <nav class="tabs" aria-label="Calls">
    <a href="/calls" aria-current="page">Calls</a>
    <a href="/calls/analytics">Analytics</a>
  </nav>
  <p class="muted">Times in {{ORG_TIMEZONE}}</p>
</div>
<form class="call-filters" id="call-filters" method="get" action="/calls" novalidate>
  {{>ERROR_SUMMARY}}
  <div class="filter-grid">
    {{>F_START_DATE}}
    {{>F_END_DATE}}
    {{>F_PHONE}}
    {{>F_NAME}}
    {{>F_Q}}
    {{>F_DIRECTION}}
    {{>F_STATUS}}
    {{>F_SENTIMENT}}
    {{>F_HAS_RECORDING}}
    {{>F_MIN_DURATION}}
    {{>F_MAX_DURATION}}
    {{>F_CAMPAIGN_ID}}
    {{>F_SORT}}
    {{>F_LIMIT}}
    <div class="field checkbox{{#E_INCLUDE_DEMO}} has-error{{/E_INCLUDE_DEMO}}">
      <input id="f-include_demo" name="include_demo" type="checkbox" value="true"{{#DEMO_CHECKED}} checked{{/DEMO_CHECKED}}{{#E_INCLUDE_DEMO}} aria-invalid="true" aria-describedby="e-include_demo"{{/E_INCLUDE_DEMO}}>
      <label for="f-include_demo">Include demo calls</label>
      {{#E_INCLUDE_DEMO}}<p class="field-error" id="e-include_demo">{{MSG}}</p>{{/E_INCLUDE_DEMO}}
    </div>
    {{#E_CURSOR}}<div class="field has-error"><p class="field-error" id="f-cursor">Page link: {{MSG}}</p></div>{{/E_CURSOR}}
  </div>
  <div class="filter-actions">
    <button type="submit" class="button primary">Apply filters</button>
    {{#CAN_CLEAR}}<a class="button secondary" href="/calls">Clear filters</a>{{/CAN_CLEAR}}
  </div>
</form>
<div id="results" aria-live="polite">
{{>RESULTS}}
</div>
<script type="module" src="/static/js/calls.js?v={{STATIC_VERSION}}"></script>
