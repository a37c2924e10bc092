{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>{{HEADING}}</h1>
  <nav class="tabs" aria-label="Deals">{{#TAB}}<a href="{{TAB_HREF}}"{{#TAB_CURRENT}} aria-current="page"{{/TAB_CURRENT}}>{{TAB_LABEL}}</a>{{/TAB}}</nav>
  {{#CAN_CREATE}}<a class="button" id="new-deal" href="/deals/new">New deal</a>{{/CAN_CREATE}}
</div>
<form class="call-filters deal-filters" id="deal-filters" method="get" action="/deals" novalidate>
  {{#FORM_ERROR}}<div class="form-error" role="alert" id="filter-errors">
    <p>Some filters could not be used:</p>
    <ul>{{#ERROR_SUMMARY}}<li><a href="#f-{{FIELD}}">{{FIELD}}</a> {{MSG}}</li>{{/ERROR_SUMMARY}}</ul>
  </div>{{/FORM_ERROR}}
  <div class="filter-grid">
    <div class="field{{#E_q}} has-error{{/E_q}}"><label for="f-q">Title or brand</label>
      <input id="f-q" name="q" type="search" value="{{V_q}}">{{#E_q}}<p class="field-error" id="e-q">{{MSG}}</p>{{/E_q}}</div>
    <div class="field{{#E_stage}} has-error{{/E_stage}}"><label for="f-stage">Stage</label>
      <select id="f-stage" name="stage"><option value="">Any</option>{{#STAGE_OPT}}<option value="{{OPT_VALUE}}"{{#OPT_SELECTED}} selected{{/OPT_SELECTED}}>{{OPT_LABEL}}</option>{{/STAGE_OPT}}</select>{{#E_stage}}<p class="field-error" id="e-stage">{{MSG}}</p>{{/E_stage}}</div>
    <div class="field{{#E_brand_id}} has-error{{/E_brand_id}}"><label for="f-brand_id">Brand</label>
      <select id="f-brand_id" name="brand_id"><option value="">Any</option>{{#BRAND_OPT}}<option value="{{OPT_VALUE}}"{{#OPT_SELECTED}} selected{{/OPT_SELECTED}}>{{OPT_LABEL}}</option>{{/BRAND_OPT}}</select>{{#E_brand_id}}<p class="field-error" id="e-brand_id">{{MSG}}</p>{{/E_brand_id}}</div>
    <div class="field{{#E_owner_id}} has-error{{/E_owner_id}}"><label for="f-owner_id">Owner</label>
      <select id="f-owner_id" name="owner_id"><option value="">Anyone</option>{{#OWNER_OPT}}<option value="{{OPT_VALUE}}"{{#OPT_SELECTED}} selected{{/OPT_SELECTED}}>{{OPT_LABEL}}</option>{{/OWNER_OPT}}</select>{{#E_owner_id}}<p class="field-error" id="e-owner_id">{{MSG}}</p>{{/E_owner_id}}</div>
    <div class="field{{#E_risk}} has-error{{/E_risk}}"><label for="f-risk">Risk</label>
      <select id="f-risk" name="risk"><option value="">Any</option>{{#RISK_OPT}}<option value="{{OPT_VALUE}}"{{#OPT_SELECTED}} selected{{/OPT_SELECTED}}>{{OPT_LABEL}}</option>{{/RISK_OPT}}</select>{{#E_risk}}<p class="field-error" id="e-risk">{{MSG}}</p>{{/E_risk}}</div>
    <div class="field{{#E_min_value}} has-error{{/E_min_value}}"><label for="f-min_value">Min value (cents)</label>
      <input id="f-min_value" name="min_value" inputmode="numeric" value="{{V_min_value}}">{{#E_min_value}}<p class="field-error" id="e-min_value">{{MSG}}</p>{{/E_min_value}}</div>
    <div class="field{{#E_max_value}} has-error{{/E_max_value}}"><label for="f-max_value">Max value (cents)</label>
      <input id="f-max_value" name="max_value" inputmode="numeric" value="{{V_max_value}}">{{#E_max_value}}<p class="field-error" id="e-max_value">{{MSG}}</p>{{/E_max_value}}</div>
    <div class="field{{#E_due_before}} has-error{{/E_due_before}}"><label for="f-due_before">Next action due before</label>
      <input id="f-due_before" name="due_before" type="date" value="{{V_due_before}}">{{#E_due_before}}<p class="field-error" id="e-due_before">{{MSG}}</p>{{/E_due_before}}</div>
    <div class="field{{#E_tag}} has-error{{/E_tag}}"><label for="f-tag">Tag</label>
      <input id="f-tag" name="tag" value="{{V_tag}}">{{#E_tag}}<p class="field-error" id="e-tag">{{MSG}}</p>{{/E_tag}}</div>
    <div class="field{{#E_sort}} has-error{{/E_sort}}"><label for="f-sort">Sort by</label>
      <select id="f-sort" name="sort">{{#SORT_OPT}}<option value="{{OPT_VALUE}}"{{#OPT_SELECTED}} selected{{/OPT_SELECTED}}>{{OPT_LABEL}}</option>{{/SORT_OPT}}</select>{{#E_sort}}<p class="field-error" id="e-sort">{{MSG}}</p>{{/E_sort}}</div>
    {{#E_limit}}<p class="field-error" id="e-limit">limit {{MSG}}</p>{{/E_limit}}
    {{#E_cursor}}<p class="field-error" id="e-cursor">{{MSG}}</p>{{/E_cursor}}
    {{#E_archived}}<p class="field-error" id="e-archived">archived {{MSG}}</p>{{/E_archived}}
    {{#E_deleted}}<p class="field-error" id="e-deleted">deleted {{MSG}}</p>{{/E_deleted}}
  </div>
  {{#DELETED_LIST}}<input type="hidden" name="deleted" value="true">{{/DELETED_LIST}}
  <div class="filter-actions">
    <label><input type="checkbox" name="archived" value="true"{{#ARCHIVED_CHECKED}} checked{{/ARCHIVED_CHECKED}}> Include archived</label>
    <button type="submit" class="button">Filter</button>
    <a href="/deals" class="button secondary">Clear</a>
    {{#CAN_SEE_DELETED}}<a href="/deals?deleted=true" id="deleted-link">Deleted deals</a>{{/CAN_SEE_DELETED}}
    <a class="export-link" id="export-link" href="{{EXPORT_URL}}">Export CSV</a>
  </div>
</form>
{{#HAS_ROWS}}<div class="table-wrap table-scroll"><table class="calls-table deals-table" id="deals-table">
  <thead><tr><th scope="col">Deal</th><th scope="col">Brand</th><th scope="col">Stage</th><th scope="col">Value</th><th scope="col">Risk</th><th scope="col">Next action</th><th scope="col">Owner</th></tr></thead>
  <tbody>{{#ROW}}<tr data-id="{{ID}}">
    <td><a href="/deals/{{ID}}">{{TITLE}}</a>{{#ARCHIVED}} <span class="badge">archived</span>{{/ARCHIVED}}{{#TAG}} <span class="deal-tag">{{ITEM}}</span>{{/TAG}}</td>
    <td>{{BRAND}}</td><td><span class="deal-stage stage-{{STAGE}}">{{STAGE_LABEL}}</span></td>
    <td class="num">{{VALUE}}</td><td><span class="risk risk-{{RISK}}">{{RISK}}</span></td>
    <td>{{NEXT}}{{#HAS_DUE}} <time class="muted" datetime="{{NEXT_DUE}}">{{NEXT_DUE_LOCAL}}</time>{{/HAS_DUE}}</td><td>{{OWNER}}</td>
  </tr>{{/ROW}}</tbody>
</table></div>{{/HAS_ROWS}}
{{#EMPTY}}<p class="empty-state" id="no-deals">No deals match.</p>{{/EMPTY}}
<nav class="pager" aria-label="Pages">{{#FIRST}}<a href="{{FIRST_URL}}">First page</a>{{/FIRST}}{{#NEXT}}<a href="{{NEXT_URL}}" id="next-page" rel="next">Next page</a>{{/NEXT}}</nav>
