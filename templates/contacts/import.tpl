{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Import contacts</h1>
  <a href="/contacts">All contacts</a>
</div>
<p>A CSV file (UTF-8, as spreadsheets save “CSV UTF-8”) with a header row and up to {{MAX_ROWS}} rows. Next you map its columns to fields and see the first rows before anything is imported.</p>
<form method="post" action="/contacts/import" enctype="multipart/form-data" class="child-form" id="import-upload" data-progress="import-progress">
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  {{>ERROR_SUMMARY}}
  <div class="field{{#E_FILE}} has-error{{/E_FILE}}">
    <label for="f-file">CSV file</label>
    <input type="file" id="f-file" name="file" accept=".csv,text/csv"{{#E_FILE}} aria-invalid="true" aria-describedby="e-file"{{/E_FILE}}>
    {{#E_FILE}}<p class="field-error" id="e-file">{{MSG}}</p>{{/E_FILE}}
  </div>
  <div class="form-actions"><button type="submit" class="button primary">Upload and preview</button></div>
  <div class="import-progress" id="import-progress" hidden>
    <label for="import-progress-bar">Uploading</label>
    <progress id="import-progress-bar"></progress>
  </div>
</form>
<script type="module" src="/static/js/contacts_import.js?v={{STATIC_VERSION}}"></script>
