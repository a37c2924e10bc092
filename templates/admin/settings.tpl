{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Settings</h1>
  {{>ADMIN_NAV}}
</div>
<form class="child-form settings-form" method="post" action="/admin/settings" novalidate autocomplete="off">
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  {{>ERROR_SUMMARY}}
  <fieldset>
    <legend>Organisation</legend>
    {{>FIELD_NAME}}
    {{>FIELD_TIMEZONE}}
    {{>FIELD_CURRENCY}}
  </fieldset>
  <fieldset>
    <legend>Campaign quiet hours</legend>
    <p class="muted">Nothing is sent between these times in the contact's (else the organisation's) time zone, unless a campaign sets its own.</p>
    {{>FIELD_QUIET_START}}
    {{>FIELD_QUIET_END}}
  </fieldset>
  <fieldset>
    <legend>Recordings</legend>
    {{>FIELD_RETENTION}}
    <div class="field{{#E_RECORDING_DOWNLOAD_HOSTS}} has-error{{/E_RECORDING_DOWNLOAD_HOSTS}}">
      <label for="f-recording_download_hosts">Recording download hosts</label>
      <textarea id="f-recording_download_hosts" name="recording_download_hosts" rows="3" aria-describedby="h-recording_download_hosts{{#E_RECORDING_DOWNLOAD_HOSTS}} e-recording_download_hosts{{/E_RECORDING_DOWNLOAD_HOSTS}}"{{#E_RECORDING_DOWNLOAD_HOSTS}} aria-invalid="true"{{/E_RECORDING_DOWNLOAD_HOSTS}}>{{V_RECORDING_DOWNLOAD_HOSTS}}</textarea>
      <p class="muted" id="h-recording_download_hosts">Host names recordings may be downloaded from, separated by commas; <code>.example.com</code> allows its subdomains. Empty: the server's default list.</p>
      {{#E_RECORDING_DOWNLOAD_HOSTS}}<p class="field-error" id="e-recording_download_hosts">{{MSG}}</p>{{/E_RECORDING_DOWNLOAD_HOSTS}}
    </div>
  </fieldset>
  <fieldset>
    <legend>Providers</legend>
    {{>FIELD_TWILIO_BASE_URL}}
    {{>FIELD_TWILIO_FROM}}
    {{>FIELD_SENDGRID_BASE_URL}}
    {{>FIELD_SENDGRID_FROM}}
    <div class="field{{#E_SENDGRID_EVENT_PUBLIC_KEY}} has-error{{/E_SENDGRID_EVENT_PUBLIC_KEY}}">
      <label for="f-sendgrid_event_public_key">SendGrid event webhook public key</label>
      <textarea id="f-sendgrid_event_public_key" name="sendgrid_event_public_key" rows="3"{{#E_SENDGRID_EVENT_PUBLIC_KEY}} aria-invalid="true" aria-describedby="e-sendgrid_event_public_key"{{/E_SENDGRID_EVENT_PUBLIC_KEY}}>{{V_SENDGRID_EVENT_PUBLIC_KEY}}</textarea>
      {{#E_SENDGRID_EVENT_PUBLIC_KEY}}<p class="field-error" id="e-sendgrid_event_public_key">{{MSG}}</p>{{/E_SENDGRID_EVENT_PUBLIC_KEY}}
    </div>
  </fieldset>
  <fieldset>
    <legend>Email (SMTP)</legend>
    <p class="muted">The server alert emails and reminders are sent through. Its user name and password are with the credentials below.</p>
    {{>FIELD_SMTP_HOST}}
    {{>FIELD_SMTP_PORT}}
    {{>FIELD_SMTP_SECURITY}}
    {{>FIELD_SMTP_FROM}}
  </fieldset>
  <fieldset>
    <legend>Reminders by email</legend>
    <p class="muted">Once a day, each deal owner gets their deliverables due within 48 hours and their overdue payments, through the SMTP server above.</p>
    <div class="field checkbox{{#E_REMINDERS_ENABLED}} has-error{{/E_REMINDERS_ENABLED}}"><input type="checkbox" id="f-reminders_enabled" name="reminders_enabled" value="on"{{#REMINDERS_ON}} checked{{/REMINDERS_ON}}{{#E_REMINDERS_ENABLED}} aria-invalid="true" aria-describedby="e-reminders_enabled"{{/E_REMINDERS_ENABLED}}><label for="f-reminders_enabled">Send reminders</label></div>
    {{#E_REMINDERS_ENABLED}}<p class="field-error" id="e-reminders_enabled">{{MSG}}</p>{{/E_REMINDERS_ENABLED}}
    {{>FIELD_REMINDERS_TIME}}
  </fieldset>
  <fieldset>
    <legend>Call analysis and Vapi</legend>
    <p class="muted">Vapi's end-of-call report carries the call's analysis; these keys say where in its structured data the sentiment and the action items are. Missed webhooks are recovered by asking Vapi, with the Vapi API key below, for the calls since the last one seen.</p>
    {{>FIELD_SENTIMENT_KEY}}
    {{>FIELD_ACTION_ITEMS_KEY}}
    {{>FIELD_VAPI_BASE_URL}}
  </fieldset>
  <fieldset>
    <legend>Provider credentials</legend>
    <p class="muted">Stored encrypted and never shown again. Leave a field empty to keep what is set.</p>
    {{#SECRET}}
    <div class="field secret-field{{#ERROR}} has-error{{/ERROR}}">
      <label for="f-{{KEY}}">{{LABEL}}</label>
      <p class="muted" id="s-{{KEY}}">{{#IS_SET}}Set: <code>{{HINT}}</code>, on <time datetime="{{AT}}">{{AT}}</time>{{/IS_SET}}{{#NOT_SET}}Not set{{/NOT_SET}}</p>
      <input id="f-{{KEY}}" name="{{KEY}}" type="password" value="" autocomplete="new-password" aria-describedby="s-{{KEY}}{{#ERROR}} e-{{KEY}}{{/ERROR}}"{{#ERROR}} aria-invalid="true"{{/ERROR}}>
      {{#IS_SET}}<label class="checkbox"><input type="checkbox" name="clear_{{KEY}}" value="1"> Remove the {{LABEL}}</label>{{/IS_SET}}
      {{#ERROR}}<p class="field-error" id="e-{{KEY}}">{{MSG}}</p>{{/ERROR}}
    </div>
    {{/SECRET}}
  </fieldset>
  <div class="form-actions">
    <button type="submit" class="button primary">Save settings</button>
  </div>
</form>
