{{%AUTOESCAPE context="HTML"}}
{{! The deals list and the deleted list (LIST_PATH): filters as form partials, rows, pager. Filled by deals.c. }}
<div class="page-head">
  <h1>{{HEADING}}</h1>
  <nav class="tabs" aria-label="Deals">{{#TAB}}<a href="{{TAB_HREF}}"{{#TAB_CURRENT}} aria-current="page"{{/TAB_CURRENT}}>{{TAB_LABEL}}</a>{{/TAB}}</nav>
  {{#CAN_CREATE}}<a class="button" id="new-deal" href="/deals/new">New deal</a>{{/CAN_CREATE}}
</div>
<form class="call-filters deal-filters" id="deal-filters" method="get" action="{{LIST_PATH}}" novalidate>
  {{>ERROR_SUMMARY}}
  <div class="filter-grid">
    {{>F_Q}}
    {{>F_STAGE}}
    {{>F_BRAND}}
    {{>F_OWNER}}
    {{>F_RISK}}
    {{>F_MIN}}
    {{>F_MAX}}
    {{>F_DUE}}
    {{>F_TAG}}
    {{>F_SORT}}
    {{#E_LIMIT}}<p class="field-error" id="e-limit">limit {{MSG}}</p>{{/E_LIMIT}}
    {{#E_CURSOR}}<p class="field-error" id="e-cursor">{{MSG}}</p>{{/E_CURSOR}}
    {{#E_ARCHIVED}}<p class="field-error" id="e-archived">archived {{MSG}}</p>{{/E_ARCHIVED}}
    {{#E_DELETED}}<p class="field-error" id="e-deleted">deleted {{MSG}}</p>{{/E_DELETED}}
  </div>
  <div class="filter-actions">
    <label><input type="checkbox" name="archived" value="true"{{#ARCHIVED_CHECKED}} checked{{/ARCHIVED_CHECKED}}> Include archived</label>
    <button type="submit" class="button">Filter</button>
    <a href="{{LIST_PATH}}" class="button secondary">Clear</a>
    {{#CAN_SEE_DELETED}}<a href="/deals/deleted" id="deleted-link">Deleted deals</a>{{/CAN_SEE_DELETED}}
    {{#EXPORT}}<a class="export-link" id="export-link" href="{{EXPORT_URL}}">Export CSV</a>{{/EXPORT}}
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
{{>PAGER}}
