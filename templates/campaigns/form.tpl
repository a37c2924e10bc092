{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>{{#NEW}}New campaign{{/NEW}}{{#EDIT}}Edit campaign{{/EDIT}}</h1>
  <a href="/campaigns">All campaigns</a>
</div>
<p class="demo-note" id="demo-provider">Demo provider: no real messages are sent.</p>
{{#NOTICE}}<div class="form-error" role="alert" id="stale-notice">{{MSG}}</div>{{/NOTICE}}
<form class="child-form campaign-form" method="post" action="{{#NEW}}/campaigns{{/NEW}}{{#EDIT}}/campaigns/{{ID}}{{/EDIT}}" novalidate>
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  {{#EDIT}}<input type="hidden" name="version" value="{{VERSION}}">{{/EDIT}}
  {{>ERROR_SUMMARY}}
  {{>FIELD_NAME}}
  <fieldset class="field{{#E_CHANNELS}} has-error{{/E_CHANNELS}}" id="f-channels"{{#E_CHANNELS}} aria-describedby="e-channels"{{/E_CHANNELS}}>
    <legend>Channels</legend>
    <div class="choice"><input type="checkbox" id="f-ch-sms" name="channels" value="sms"{{#CH_SMS}} checked{{/CH_SMS}}><label for="f-ch-sms">SMS</label></div>
    <div class="choice"><input type="checkbox" id="f-ch-voice" name="channels" value="voice"{{#CH_VOICE}} checked{{/CH_VOICE}}><label for="f-ch-voice">Voice call</label></div>
    <div class="choice"><input type="checkbox" id="f-ch-email" name="channels" value="email"{{#CH_EMAIL}} checked{{/CH_EMAIL}}><label for="f-ch-email">Email</label></div>
    {{#E_CHANNELS}}<p class="field-error" id="e-channels">{{MSG}}</p>{{/E_CHANNELS}}
  </fieldset>
  <fieldset class="field" id="f-audience">
    <legend>Audience</legend>
    <div class="choice"><input type="radio" id="f-aud-contacts" name="audience" value="contacts"{{#AUD_CONTACTS}} checked{{/AUD_CONTACTS}}><label for="f-aud-contacts">Chosen contacts</label></div>
    <div class="choice"><input type="radio" id="f-aud-tag" name="audience" value="tag"{{#AUD_TAG}} checked{{/AUD_TAG}}><label for="f-aud-tag">Every contact with a tag</label></div>
    {{>FIELD_AUDIENCE_TAG}}
    <div class="picker-search">{{>FIELD_FIND}}
      <button type="submit" class="button secondary" name="find_contacts" value="1" id="find-contacts">Find contacts</button></div>
    <div class="field{{#E_CONTACT_IDS}} has-error{{/E_CONTACT_IDS}}">
      <fieldset class="contact-picker" id="f-contact_ids"{{#E_CONTACT_IDS}} aria-describedby="e-contact_ids"{{/E_CONTACT_IDS}}>
        <legend>Contacts</legend>
        {{#PICK}}<div class="choice"><input type="checkbox" id="f-pick-{{PICK_ID}}" name="contact_ids" value="{{PICK_ID}}"{{#PICKED}} checked{{/PICKED}}><label for="f-pick-{{PICK_ID}}">{{PICK_NAME}} <span class="muted">{{PICK_DETAIL}}</span></label></div>
        {{/PICK}}
        {{#PICK_NO_MATCH}}<p class="muted">No contact matches this search.</p>{{/PICK_NO_MATCH}}
        {{#PICK_NONE}}<p class="muted">No contacts yet: <a href="/contacts/new">add</a> or <a href="/contacts/import">import</a> some first.</p>{{/PICK_NONE}}
      </fieldset>
      {{#E_CONTACT_IDS}}<p class="field-error" id="e-contact_ids">{{MSG}}</p>{{/E_CONTACT_IDS}}
    </div>
  </fieldset>
  <p class="muted" id="fields-help">Texts may use the fields &#123;&#123;first_name}}, &#123;&#123;last_name}}, &#123;&#123;company}}, &#123;&#123;phone}}, &#123;&#123;email}} and &#123;&#123;property_address}}; &#123;&#123;first_name|there}} writes “there” when a contact has no first name.</p>
  <div class="field{{#E_SMS_BODY}} has-error{{/E_SMS_BODY}}">
    <label for="f-sms_body">SMS text</label>
    <textarea id="f-sms_body" name="sms_body" rows="4" maxlength="500" aria-describedby="sms-counter{{#E_SMS_BODY}} e-sms_body{{/E_SMS_BODY}}"{{#E_SMS_BODY}} aria-invalid="true"{{/E_SMS_BODY}}>{{V_SMS_BODY}}</textarea>
    <p class="muted" id="sms-counter" aria-live="polite">{{SMS_CHARS}} of 500 characters · {{SMS_SEGMENTS}} SMS {{SMS_PARTS_WORD}} ({{SMS_ENCODING}})</p>
    {{#E_SMS_BODY}}<p class="field-error" id="e-sms_body">{{MSG}}</p>{{/E_SMS_BODY}}
  </div>
  {{>FIELD_EMAIL_SUBJECT}}
  <div class="field{{#E_EMAIL_BODY}} has-error{{/E_EMAIL_BODY}}">
    <label for="f-email_body">Email text</label>
    <textarea id="f-email_body" name="email_body" rows="6"{{#E_EMAIL_BODY}} aria-invalid="true" aria-describedby="e-email_body"{{/E_EMAIL_BODY}}>{{V_EMAIL_BODY}}</textarea>
    {{#E_EMAIL_BODY}}<p class="field-error" id="e-email_body">{{MSG}}</p>{{/E_EMAIL_BODY}}
  </div>
  <div class="field{{#E_VOICE_SCRIPT}} has-error{{/E_VOICE_SCRIPT}}">
    <label for="f-voice_script">Voice script</label>
    <textarea id="f-voice_script" name="voice_script" rows="4"{{#E_VOICE_SCRIPT}} aria-invalid="true" aria-describedby="e-voice_script"{{/E_VOICE_SCRIPT}}>{{V_VOICE_SCRIPT}}</textarea>
    {{#E_VOICE_SCRIPT}}<p class="field-error" id="e-voice_script">{{MSG}}</p>{{/E_VOICE_SCRIPT}}
  </div>
  <fieldset class="field" id="f-schedule">
    <legend>Start</legend>
    <div class="choice"><input type="radio" id="f-schedule-now" name="schedule" value="now"{{#SCHEDULE_NOW}} checked{{/SCHEDULE_NOW}}><label for="f-schedule-now">When launched</label></div>
    <div class="choice"><input type="radio" id="f-schedule-later" name="schedule" value="later"{{#SCHEDULE_LATER}} checked{{/SCHEDULE_LATER}}><label for="f-schedule-later">At a time (the organisation's time zone)</label></div>
    {{>FIELD_SCHEDULE_AT}}
  </fieldset>
  <fieldset class="field" id="f-quiet">
    <legend>Quiet hours</legend>
    <p class="muted">Nothing is sent between these times, in each contact's time zone (else the organisation's).</p>
    <div class="choice"><input type="radio" id="f-quiet-org" name="quiet" value="org"{{#QUIET_ORG}} checked{{/QUIET_ORG}}><label for="f-quiet-org">The organisation's quiet hours <span class="muted" id="org-quiet">({{ORG_QUIET}})</span></label></div>
    <div class="choice"><input type="radio" id="f-quiet-custom" name="quiet" value="custom"{{#QUIET_CUSTOM}} checked{{/QUIET_CUSTOM}}><label for="f-quiet-custom">This campaign's own</label></div>
    <div class="quiet-times">{{>FIELD_QUIET_START}}{{>FIELD_QUIET_END}}</div>
    {{#ORG_QUIET_NOW}}<p class="notice" id="org-quiet-now">It is the organisation's quiet hours now in its time zone: with them, a campaign launched now holds its messages until {{OPENS}}, and each contact in another time zone gets them when their own quiet hours end.</p>{{/ORG_QUIET_NOW}}
  </fieldset>
  {{>FIELD_RATE}}
  <div class="form-actions">
    <button type="submit" class="button primary" id="save-campaign">Save draft</button>
  </div>
</form>
<script type="module" src="/static/js/campaign_form.js?v={{STATIC_VERSION}}"></script>
