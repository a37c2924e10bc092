{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Audit log</h1>
  <div class="page-actions">
    <a class="button secondary" href="{{EXPORT_URL}}" id="audit-export">Export CSV</a>
  </div>
</div>
{{>ADMIN_NAV}}
{{#FORM_ERROR}}<div class="form-error" role="alert" id="filter-errors">This list cannot be shown as asked; see the messages below.</div>{{/FORM_ERROR}}
<form class="admin-filters" method="get" action="/admin/audit" role="search" id="audit-filters">
  <div class="filter-grid">
  {{>FIELD_ACTION}}
  {{>FIELD_ENTITY}}
  {{>FIELD_ENTITY_ID}}
  {{>FIELD_USER}}
  {{>FIELD_FROM}}
  {{>FIELD_TO}}
  </div>
  {{#E_LIMIT}}<p class="field-error" id="e-limit">{{MSG}}</p>{{/E_LIMIT}}
  {{#E_CURSOR}}<p class="field-error" id="e-cursor">{{MSG}}</p>{{/E_CURSOR}}
  <button type="submit" class="button secondary">Filter</button>
</form>
<div class="table-wrap" tabindex="0" role="region" aria-label="Audit log">
<table class="data-table" id="audit">
  <thead><tr><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Entity</th><th scope="col">Address</th><th scope="col">Detail</th></tr></thead>
  <tbody>
  {{#ROW}}<tr data-id="{{ID}}"><td class="nowrap">{{AT}}</td>
    <td>{{#HAS_USER}}<a href="/admin/audit?user_id={{USER_ID}}">{{/HAS_USER}}{{ACTOR}}{{#HAS_USER}}</a>{{/HAS_USER}}</td>
    <td><a href="/admin/audit?action={{ACTION}}">{{ACTION}}</a></td>
    <td>{{ENTITY}} <span class="muted">{{ENTITY_ID}}</span></td><td>{{IP}}</td><td class="wrap detail"><code>{{DETAIL}}</code></td></tr>
  {{/ROW}}
  </tbody>
</table>
</div>
{{#EMPTY}}<p class="empty-state" id="audit-empty">No audit entry matches these filters.</p>{{/EMPTY}}
{{#NO_MORE}}<p class="empty-state" id="audit-no-more">No more entries.</p>{{/NO_MORE}}
{{>PAGER}}
