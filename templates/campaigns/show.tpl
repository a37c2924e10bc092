{{%AUTOESCAPE context="HTML"}}
<p class="breadcrumb"><a href="/campaigns">Campaigns</a></p>
<div class="page-head">
  <h1 id="campaign-name">{{NAME}}</h1>
  <div class="page-actions">
    {{#CAN_EDIT}}<a class="button secondary" href="/campaigns/{{ID}}/edit" id="edit-campaign">Edit</a>{{/CAN_EDIT}}
    {{#CAN_DELETE}}<a class="button danger" href="/campaigns/{{ID}}/delete" id="delete-campaign">Delete</a>{{/CAN_DELETE}}
  </div>
</div>
<p class="demo-note" id="demo-provider">Demo provider: no real messages are sent.</p>
<p>Status: <span class="badge status-{{STATUS}}" id="campaign-status">{{STATUS_LABEL}}</span></p>
{{#ACTION}}<form method="post" action="/campaigns/{{ID}}/{{ACTION_NAME}}" class="inline-form">
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  <button type="submit" class="button {{ACTION_CLASS}}" id="action-{{ACTION_NAME}}">{{ACTION_LABEL}}</button>
</form>{{/ACTION}}
<dl class="details" id="campaign-details">
  <dt>Channels</dt><dd id="campaign-channels">{{CHANNELS}}</dd>
  <dt>Audience</dt><dd id="campaign-audience">{{#AUD_TAG}}Contacts tagged “{{TAG}}”{{/AUD_TAG}}{{#AUD_CONTACTS}}Chosen contacts{{/AUD_CONTACTS}} · <span id="campaign-audience-size">{{AUDIENCE_SIZE}}</span>{{#LAUNCHED}} at launch{{/LAUNCHED}}</dd>
  <dt>Start</dt><dd id="campaign-schedule">{{#SCHEDULED}}{{AT}} (the organisation's time){{/SCHEDULED}}{{#AT_LAUNCH}}As soon as it is launched{{/AT_LAUNCH}}</dd>
  <dt>Quiet hours</dt><dd id="campaign-quiet">{{#QUIET_ORG}}The organisation's ({{ORG_QUIET}}){{/QUIET_ORG}}{{#QUIET_OWN}}{{START}} to {{END}}{{/QUIET_OWN}}, in each contact's time zone, else the organisation's</dd>
  <dt>Rate</dt><dd id="campaign-rate">{{RATE}} messages per minute</dd>
  <dt>Created</dt><dd>{{CREATED}}</dd>
</dl>
{{#PROGRESS}}<h2>Progress</h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="Messages per channel and state">
<table class="data-table" id="campaign-progress">
  <thead><tr><th scope="col">Channel</th><th scope="col" class="num">Queued</th><th scope="col" class="num">Sent</th><th scope="col" class="num">Delivered</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Skipped</th><th scope="col" class="num">Replied</th></tr></thead>
  <tbody>
  {{#CHANNEL_ROW}}<tr id="progress-{{CHANNEL_KEY}}"><th scope="row">{{CHANNEL}}</th><td class="num">{{QUEUED}}</td><td class="num">{{SENT}}</td><td class="num">{{DELIVERED}}</td><td class="num">{{FAILED}}</td><td class="num">{{SKIPPED}}</td><td class="num">{{REPLIED}}</td></tr>
  {{/CHANNEL_ROW}}
  </tbody>
</table>
</div>
<h3>Not sent, and why</h3>
<ul class="item-list" id="campaign-reasons">
  {{#REASON}}<li>{{R_CHANNEL}}: {{R_REASON}} · {{R_COUNT}}</li>{{/REASON}}
</ul>{{/PROGRESS}}
<h2>Preview</h2>
{{#PREVIEW}}<p class="muted">As <a href="/contacts/{{SAMPLE_ID}}" id="preview-contact">{{SAMPLE_NAME}}</a> would receive it.</p>
{{#P_SMS}}<section class="card preview" aria-labelledby="preview-sms-title"><h3 id="preview-sms-title">Text message</h3>
  <p class="message-text" id="preview-sms">{{TEXT}}</p>
  <p class="muted" id="preview-sms-count">{{CHARS}} characters · {{SEGMENTS}} {{PARTS_WORD}} ({{ENCODING}})</p></section>{{/P_SMS}}
{{#P_EMAIL}}<section class="card preview" aria-labelledby="preview-email-title"><h3 id="preview-email-title">Email</h3>
  <p><strong id="preview-email-subject">{{SUBJECT}}</strong></p>
  <p class="message-text" id="preview-email">{{TEXT}}</p></section>{{/P_EMAIL}}
{{#P_VOICE}}<section class="card preview" aria-labelledby="preview-voice-title"><h3 id="preview-voice-title">Voice script</h3>
  <p class="message-text" id="preview-voice">{{TEXT}}</p></section>{{/P_VOICE}}
{{/PREVIEW}}
{{#NO_SAMPLE}}<p class="muted" id="preview-none">The audience has no contacts to preview with.</p>{{/NO_SAMPLE}}
