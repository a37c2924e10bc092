{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>{{#NEW}}New contact{{/NEW}}{{#EDIT}}Edit contact{{/EDIT}}</h1>
  <a href="/contacts">All contacts</a>
</div>
{{#NOTICE}}<div class="form-error" role="alert" id="stale-notice">{{MSG}}</div>{{/NOTICE}}
<form class="child-form" method="post" action="{{#NEW}}/contacts{{/NEW}}{{#EDIT}}/contacts/{{ID}}{{/EDIT}}" novalidate>
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  {{#EDIT}}<input type="hidden" name="version" value="{{VERSION}}">{{/EDIT}}
  {{>ERROR_SUMMARY}}
  {{>FIELD_FIRST_NAME}}
  {{>FIELD_LAST_NAME}}
  {{>FIELD_PHONE}}
  {{>FIELD_EMAIL}}
  {{>FIELD_COMPANY}}
  {{>FIELD_PROPERTY_ADDRESS}}
  {{>FIELD_PROPERTY_TYPE}}
  {{>FIELD_TAGS}}
  {{>FIELD_TIME_ZONE}}
  <fieldset class="consent">
    <legend>Consent</legend>
    <div class="field checkbox"><input type="checkbox" id="f-opt_out_sms" name="opt_out_sms" value="on"{{#OPT_OUT_SMS}} checked{{/OPT_OUT_SMS}}><label for="f-opt_out_sms">Opted out of SMS</label></div>
    <div class="field checkbox"><input type="checkbox" id="f-opt_out_voice" name="opt_out_voice" value="on"{{#OPT_OUT_VOICE}} checked{{/OPT_OUT_VOICE}}><label for="f-opt_out_voice">Opted out of calls</label></div>
    <div class="field checkbox"><input type="checkbox" id="f-opt_out_email" name="opt_out_email" value="on"{{#OPT_OUT_EMAIL}} checked{{/OPT_OUT_EMAIL}}><label for="f-opt_out_email">Opted out of email</label></div>
    <div class="field checkbox"><input type="checkbox" id="f-do_not_contact" name="do_not_contact" value="on"{{#DO_NOT_CONTACT}} checked{{/DO_NOT_CONTACT}}><label for="f-do_not_contact">On the do-not-contact list (no channel at all)</label></div>
  </fieldset>
  <div class="form-actions">
    <button type="submit" class="button primary">{{#NEW}}Create contact{{/NEW}}{{#EDIT}}Save contact{{/EDIT}}</button>
  </div>
</form>
