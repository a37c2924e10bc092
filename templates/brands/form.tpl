{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>{{#NEW}}New brand{{/NEW}}{{#EDIT}}Edit brand{{/EDIT}}</h1>
  <a href="/brands">All brands</a>
</div>
{{#NOTICE}}<div class="form-error" role="alert" id="stale-notice">{{MSG}}</div>{{/NOTICE}}
<form class="child-form" method="post" action="{{#NEW}}/brands{{/NEW}}{{#EDIT}}/brands/{{ID}}{{/EDIT}}" novalidate>
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  {{#EDIT}}<input type="hidden" name="version" value="{{VERSION}}">{{/EDIT}}
  {{>ERROR_SUMMARY}}
    {{>FIELD_NAME}}
    {{>FIELD_ALIASES}}
    <div class="field{{#E_CONTACTS}} has-error{{/E_CONTACTS}}">
      <label for="f-contacts">Contacts</label>
      <textarea id="f-contacts" name="contacts" rows="4"{{#E_CONTACTS}} aria-invalid="true" aria-describedby="e-contacts"{{/E_CONTACTS}}>{{V_CONTACTS}}</textarea>
      <p class="muted">One per line: name, email, phone.</p>
      {{#E_CONTACTS}}<p class="field-error" id="e-contacts">{{MSG}}</p>{{/E_CONTACTS}}
    </div>
    <div class="field{{#E_NOTES}} has-error{{/E_NOTES}}">
      <label for="f-notes">Notes</label>
      <textarea id="f-notes" name="notes" rows="4"{{#E_NOTES}} aria-invalid="true" aria-describedby="e-notes"{{/E_NOTES}}>{{V_NOTES}}</textarea>
      {{#E_NOTES}}<p class="field-error" id="e-notes">{{MSG}}</p>{{/E_NOTES}}
    </div>
  <div class="form-actions">
    <button type="submit" class="button primary">{{#NEW}}Create brand{{/NEW}}{{#EDIT}}Save brand{{/EDIT}}</button>
  </div>
</form>
