{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Campaigns</h1>
  <div class="page-actions">
    {{#CAN_WRITE}}<a class="button primary" href="/campaigns/new" id="new-campaign">New campaign</a>{{/CAN_WRITE}}
  </div>
</div>
<p class="demo-note" id="demo-provider">Demo provider: no real messages are sent.</p>
{{#FORM_ERROR}}<div class="form-error" role="alert" id="filter-errors">This list cannot be shown as asked.
  {{#E_LIMIT}}<p class="field-error" id="e-limit">limit {{MSG}}</p>{{/E_LIMIT}}
  {{#E_CURSOR}}<p class="field-error" id="e-cursor">cursor {{MSG}}</p>{{/E_CURSOR}}</div>{{/FORM_ERROR}}
{{#HAS_ROWS}}<div class="table-wrap" tabindex="0" role="region" aria-label="Campaigns">
<table class="data-table" id="campaigns">
  <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Channels</th><th scope="col" class="num">Audience</th><th scope="col">Created</th></tr></thead>
  <tbody>
  {{#CAMPAIGN}}<tr><td><a href="/campaigns/{{ID}}">{{NAME}}</a></td><td><span class="badge status-{{STATUS}}">{{STATUS_LABEL}}</span></td><td>{{CHANNELS}}</td><td class="num">{{AUDIENCE_SIZE}}</td><td>{{CREATED}}</td></tr>
  {{/CAMPAIGN}}
  </tbody>
</table>
</div>{{/HAS_ROWS}}
{{#EMPTY}}<section class="empty-state" id="campaigns-empty"><h2>No campaigns yet</h2><p>A campaign reaches your contacts by SMS, voice call or email.{{#CAN_WRITE}} <a href="/campaigns/new">Build the first one</a>.{{/CAN_WRITE}}</p></section>{{/EMPTY}}
{{#NO_MORE}}<p class="empty-state" id="campaigns-no-more">No more campaigns.</p>{{/NO_MORE}}
{{>PAGER}}
