{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>{{#DNC_LIST}}Do not contact{{/DNC_LIST}}{{#ALL_LIST}}Contacts{{/ALL_LIST}}</h1>
  <div class="page-actions">
    {{#CAN_WRITE}}<a class="button secondary" href="/contacts/new">New contact</a>
    <a class="button secondary" href="/contacts/import">Import CSV</a>{{/CAN_WRITE}}
    <a class="button secondary" href="{{EXPORT_URL}}" id="contacts-export">Export CSV</a>
  </div>
</div>
<nav aria-label="Contact lists" class="sub-nav">
  <a href="/contacts"{{#ALL_LIST}} aria-current="page"{{/ALL_LIST}}>All contacts</a> ·
  <a href="/contacts?do_not_contact=true"{{#DNC_LIST}} aria-current="page"{{/DNC_LIST}} id="dnc-list">Do-not-contact list</a>
</nav>
{{#FORM_ERROR}}<div class="form-error" role="alert" id="filter-errors">This list cannot be shown as asked; see the messages below.</div>{{/FORM_ERROR}}
<form class="filters" method="get" action="/contacts" role="search">
  {{>FIELD_Q}}
  {{>FIELD_TAG}}
  {{>FIELD_SORT}}
  {{#DNC_CHECKED}}<input type="hidden" name="do_not_contact" value="true">{{/DNC_CHECKED}}
  {{#E_DO_NOT_CONTACT}}<p class="field-error" id="e-do_not_contact">{{MSG}}</p>{{/E_DO_NOT_CONTACT}}
  {{#E_LIMIT}}<p class="field-error" id="e-limit">{{MSG}}</p>{{/E_LIMIT}}
  {{#E_CURSOR}}<p class="field-error" id="e-cursor">{{MSG}}</p>{{/E_CURSOR}}
  <button type="submit" class="button secondary">Search</button>
</form>
<div class="table-wrap" tabindex="0" role="region" aria-label="Contacts">
<table class="data-table" id="contacts">
  <thead><tr><th scope="col">Name</th><th scope="col">Phone</th><th scope="col">Email</th><th scope="col">Company</th><th scope="col">Tags</th></tr></thead>
  <tbody>
  {{#CONTACT}}<tr><td><a href="/contacts/{{ID}}">{{NAME}}</a>{{#ROW_DNC}} <span class="badge">Do not contact</span>{{/ROW_DNC}}</td><td>{{PHONE}}</td><td>{{EMAIL}}</td><td>{{COMPANY}}</td><td>{{TAGS}}</td></tr>
  {{/CONTACT}}
  </tbody>
</table>
</div>
{{#EMPTY}}<section class="empty-state" id="contacts-empty"><h2>No contacts yet</h2><p>Contacts are the people your campaigns reach. Add one, or import a CSV file.</p></section>{{/EMPTY}}
{{#NO_MATCH}}<p class="empty-state" id="contacts-no-match">No contact matches these filters.</p>{{/NO_MATCH}}
{{#NO_MORE}}<p class="empty-state" id="contacts-no-more">No more contacts.</p>{{/NO_MORE}}
{{>PAGER}}
