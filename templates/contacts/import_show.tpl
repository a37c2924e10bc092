{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Import contacts</h1>
  <a href="/contacts">All contacts</a>
</div>
<p>File <strong id="import-filename">{{FILENAME}}</strong>: <span id="import-rows">{{ROWS}}</span> {{ROWS_NOUN}}.</p>
{{#PENDING}}
<form method="post" action="/contacts/imports/{{ID}}" class="child-form" id="import-mapping" data-progress="import-progress">
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  {{>ERROR_SUMMARY}}
  {{#E_MAPPING}}<p class="field-error" id="e-mapping">{{MSG}}</p>{{/E_MAPPING}}
  <fieldset>
    <legend>What each column holds</legend>
    <div class="mapping-grid">
    {{#COLUMN}}<div class="field">
      <label for="f-{{NAME}}">{{HEADER}}</label>
      <select id="f-{{NAME}}" name="{{NAME}}">{{#OPTION}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/OPTION}}</select>
    </div>{{/COLUMN}}
    </div>
  </fieldset>
  <h2>The first rows</h2>
  <div class="table-wrap" tabindex="0" role="region" aria-label="The first rows of the file">
  <table class="data-table" id="import-preview">
    <thead><tr>{{#HEAD}}<th scope="col">{{HEADER}}</th>{{/HEAD}}</tr></thead>
    <tbody>{{#PREVIEW_ROW}}<tr>{{#CELL}}<td>{{TEXT}}</td>{{/CELL}}</tr>{{/PREVIEW_ROW}}</tbody>
  </table>
  </div>
  <p class="muted">Rows with the same phone number or email are merged, with each other and with the contacts you already have. Rows that cannot be imported are listed in a report; the others go in together, or none do.</p>
  <div class="form-actions"><button type="submit" class="button primary" id="import-run">Import {{ROWS}} {{ROWS_NOUN}}</button></div>
  <div class="import-progress" id="import-progress" hidden>
    <label for="import-progress-bar">Importing {{ROWS}} {{ROWS_NOUN}}</label>
    <progress id="import-progress-bar"></progress>
  </div>
</form>
<script type="module" src="/static/js/contacts_import.js?v={{STATIC_VERSION}}"></script>
{{/PENDING}}
{{#DONE}}
<section class="cards" aria-label="What the import did" id="import-result">
  <article class="card"><h2>Created</h2><p class="big" id="import-created">{{CREATED}}</p></article>
  <article class="card"><h2>Updated</h2><p class="big" id="import-updated">{{UPDATED}}</p><p class="muted">Existing contacts with the same phone or email.</p></article>
  <article class="card"><h2>Merged</h2><p class="big" id="import-merged">{{MERGED}}</p><p class="muted">Rows folded into an earlier row of the file.</p></article>
  <article class="card"><h2>Rejected</h2><p class="big" id="import-rejected">{{REJECTED}}</p></article>
</section>
{{#HAS_REJECTED}}<p><a class="button secondary" href="/contacts/imports/{{ID}}/report.csv" id="import-report">Download the rejected rows and why</a></p>{{/HAS_REJECTED}}
<p><a href="/contacts">See the contacts</a></p>
{{/DONE}}
