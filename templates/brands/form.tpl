{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>{{#NEW}}New brand{{/NEW}}{{#EDIT}}Edit brand{{/EDIT}}</h1>
  <a href="/brands">All brands</a>
</div>
{{#NOTICE}}<div class="form-error" role="alert" id="stale-notice">{{MSG}}</div>{{/NOTICE}}
{{#FORM_ERROR}}<div class="form-error" role="alert" id="form-error">Some fields need attention; see the messages below.</div>{{/FORM_ERROR}}
<form class="child-form" method="post" action="{{#NEW}}/brands{{/NEW}}{{#EDIT}}/brands/{{ID}}{{/EDIT}}" novalidate>
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  {{#EDIT}}<input type="hidden" name="version" value="{{VERSION}}">{{/EDIT}}
    <div class="field{{#E_NAME}} has-error{{/E_NAME}}">
      <label for="name">Name</label>
      <input id="name" name="name" type="text" maxlength="200" required value="{{V_NAME}}">
      {{#E_NAME}}<p class="field-error" id="name-error">{{MSG}}</p>{{/E_NAME}}
    </div>
    <div class="field{{#E_ALIASES}} has-error{{/E_ALIASES}}">
      <label for="aliases">Aliases</label>
      <input id="aliases" name="aliases" type="text" value="{{V_ALIASES}}">
      <p class="muted">Separated by commas.</p>
      {{#E_ALIASES}}<p class="field-error" id="aliases-error">{{MSG}}</p>{{/E_ALIASES}}
    </div>
    <div class="field{{#E_CONTACTS}} has-error{{/E_CONTACTS}}">
      <label for="contacts">Contacts</label>
      <textarea id="contacts" name="contacts" rows="4">{{V_CONTACTS}}</textarea>
      <p class="muted">One per line: name, email, phone.</p>
      {{#E_CONTACTS}}<p class="field-error" id="contacts-error">{{MSG}}</p>{{/E_CONTACTS}}
    </div>
    <div class="field{{#E_NOTES}} has-error{{/E_NOTES}}">
      <label for="notes">Notes</label>
      <textarea id="notes" name="notes" rows="4">{{V_NOTES}}</textarea>
      {{#E_NOTES}}<p class="field-error" id="notes-error">{{MSG}}</p>{{/E_NOTES}}
    </div>
  <div class="form-actions">
    <button type="submit" class="button primary">{{#NEW}}Create brand{{/NEW}}{{#EDIT}}Save brand{{/EDIT}}</button>
  </div>
</form>
