{{%AUTOESCAPE context="HTML"}}
{{! The new-deal and edit-deal form; its fields are the form partials (src/app/common/form.h), filled by deal_write.c. }}
<div class="page-head">
  <h1>{{HEADING}}</h1>
  <nav class="tabs" aria-label="Deals">{{#TAB}}<a href="{{TAB_HREF}}"{{#TAB_CURRENT}} aria-current="page"{{/TAB_CURRENT}}>{{TAB_LABEL}}</a>{{/TAB}}</nav>
</div>
{{#NOTICE}}<div class="flash flash-error" role="alert" id="form-notice">{{TEXT}}</div>{{/NOTICE}}
<form class="card deal-form" id="deal-form" method="post" action="/deals{{#EDIT}}/{{ID}}{{/EDIT}}" novalidate>
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  {{#EDIT}}<input type="hidden" name="version" value="{{VERSION}}">{{/EDIT}}
  {{>ERROR_SUMMARY}}
  {{#NO_BRANDS}}<p class="muted">No brands yet: <a href="/brands/new">add a brand</a> first.</p>{{/NO_BRANDS}}
  <fieldset><legend>Deal</legend><div class="filter-grid">
    {{>F_TITLE}}
    {{>F_BRAND}}
    {{>F_OWNER}}
    {{>F_STAGE}}
    {{>F_CONTRACT}}
    {{>F_TYPE}}
    {{>F_VALUE}}
    {{>F_CURRENCY}}
    {{>F_TAGS}}
    {{>F_CATEGORIES}}
  </div>{{>BENCHMARK}}</fieldset>
  <fieldset><legend>Next action</legend><div class="filter-grid">
    {{>F_NEXT}}
    {{>F_NEXT_DUE}}
  </div></fieldset>
  <fieldset><legend>Usage rights and exclusivity</legend><div class="filter-grid">
    {{>F_UR_START}}
    {{>F_UR_END}}
    {{>F_EX_CAT}}
    {{>F_EX_PLAT}}
    {{>F_EX_START}}
    {{>F_EX_END}}
  </div></fieldset>
  <fieldset><legend>Revisions and affiliate</legend><div class="filter-grid">
    {{>F_REV_LIMIT}}
    {{>F_REV_USED}}
    {{>F_REV_FEE}}
    {{>F_AFFILIATE}}
    {{#HAS_AFFILIATE}}<div class="field"><label><input type="checkbox" name="remove_affiliate_code" value="1"> Remove the stored affiliate code</label></div>{{/HAS_AFFILIATE}}
    <div class="field"><label><input type="checkbox" name="archived" value="true"{{#ARCHIVED_CHECKED}} checked{{/ARCHIVED_CHECKED}}> Archived</label></div>
  </div></fieldset>
  <div class="confirm-actions">
    <button type="submit" class="button" id="save-deal">{{#NEW}}Create deal{{/NEW}}{{#EDIT}}Save changes{{/EDIT}}</button>
    <a class="button secondary" href="/deals{{#EDIT}}/{{ID}}{{/EDIT}}">Cancel</a>
  </div>
</form>
<form id="benchmark-form" method="get" hidden></form>
<script type="module" src="/static/js/deal_benchmark.js?v={{STATIC_VERSION}}"></script>
