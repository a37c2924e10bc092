{{%AUTOESCAPE context="HTML"}}
<p class="breadcrumb"><a href="/campaigns">Campaigns</a></p>
<div class="page-head">
  <h1 id="campaign-name">{{NAME}}</h1>
  <div class="page-actions">
    {{#CAN_EDIT}}<a class="button secondary" href="/campaigns/{{ID}}/edit" id="edit-campaign">Edit</a>{{/CAN_EDIT}}
    {{#CAN_DELETE}}<a class="button danger" href="/campaigns/{{ID}}/delete" id="delete-campaign">Delete</a>{{/CAN_DELETE}}
  </div>
</div>
<div class="provider-notes">
<p class="demo-note" id="demo-provider">Demo provider: no real messages are sent.</p>
{{#PROGRESS}}<div class="breakers" id="campaign-breakers" aria-label="Provider circuit breakers" role="group">
  <span class="muted">Circuit breakers:</span>
  {{#BREAKER}}<span class="breaker" data-provider="{{B_PROVIDER}}">{{B_PROVIDER_LABEL}} <span class="badge breaker-{{B_STATE}}" data-breaker="{{B_PROVIDER}}">{{B_LABEL}}{{#B_UNTIL}} until {{AT}}{{/B_UNTIL}}</span></span>
  {{/BREAKER}}
</div>{{/PROGRESS}}
</div>
<p>Status: <span class="badge status-{{STATUS}}" id="campaign-status">{{STATUS_LABEL}}</span></p>
{{#ACTION}}<form method="post" action="/campaigns/{{ID}}/{{ACTION_NAME}}" class="inline-form">
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  <button type="submit" class="button {{ACTION_CLASS}}" id="action-{{ACTION_NAME}}">{{ACTION_LABEL}}</button>
</form>{{/ACTION}}
<dl class="details" id="campaign-details">
  <dt>Channels</dt><dd id="campaign-channels">{{CHANNELS}}</dd>
  <dt>Audience</dt><dd id="campaign-audience">{{#AUD_TAG}}Contacts tagged “{{TAG}}”{{/AUD_TAG}}{{#AUD_CONTACTS}}Chosen contacts{{/AUD_CONTACTS}} · <span id="campaign-audience-size">{{AUDIENCE_SIZE}}</span>{{#LAUNCHED}} at launch{{/LAUNCHED}}</dd>
  <dt>Start</dt><dd id="campaign-schedule">{{#SCHEDULED}}{{AT}} (the organisation's time){{/SCHEDULED}}{{#AT_LAUNCH}}As soon as it is launched{{/AT_LAUNCH}}</dd>
  <dt>Quiet hours</dt><dd id="campaign-quiet">{{#QUIET_ORG}}The organisation's: {{WINDOW}}{{/QUIET_ORG}}{{#QUIET_OWN}}This campaign's own: {{WINDOW}}{{/QUIET_OWN}}{{#QUIET_ZONES}} (in each contact's time zone, else the organisation's){{/QUIET_ZONES}}{{#QUIET_NOW}}<br><strong id="campaign-quiet-now">Quiet hours now in the organisation's time zone: its contacts' messages are held until {{OPENS}}.</strong>{{/QUIET_NOW}}</dd>
  <dt>Rate</dt><dd id="campaign-rate">{{RATE}} messages per minute</dd>
  <dt>Created</dt><dd>{{CREATED}}</dd>
</dl>
{{#PROGRESS}}<section class="campaign-live" id="campaign-live"{{#LIVE}} data-stats-url="/api/v1/campaigns/{{ID}}/stats"{{/LIVE}} aria-labelledby="progress-title">
<div class="section-head"><h2 id="progress-title">Progress</h2>{{#LIVE}}<a class="button secondary" href="/campaigns/{{ID}}" id="campaign-refresh">Refresh</a>{{/LIVE}}</div>
<p id="campaign-summary" aria-live="polite" aria-atomic="true"><span data-v="settled">{{SETTLED}}</span> of <span data-v="messages">{{MESSAGES}}</span> messages done (<span data-v="settled_pct">{{SETTLED_PCT}}</span>%) · <span data-v="status_label">{{STATUS_LABEL}}</span></p>
<progress class="progress-bar" id="campaign-done-bar" max="{{MESSAGES}}" value="{{SETTLED}}" aria-labelledby="campaign-summary"></progress>
<div class="table-wrap" tabindex="0" role="region" aria-label="Messages per channel and state">
<table class="data-table" id="campaign-progress">
  <thead><tr><th scope="col">Channel</th><th scope="col" class="num">Queued</th><th scope="col" class="num">Sent</th><th scope="col" class="num">Delivered</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Skipped</th><th scope="col" class="num">Replied</th></tr></thead>
  <tbody>
  {{#CHANNEL_ROW}}<tr id="progress-{{CHANNEL_KEY}}"><th scope="row">{{CHANNEL}}</th><td class="num" data-v="channels.{{CHANNEL_KEY}}.queued">{{QUEUED}}</td><td class="num" data-v="channels.{{CHANNEL_KEY}}.sent">{{SENT}}</td><td class="num" data-v="channels.{{CHANNEL_KEY}}.delivered">{{DELIVERED}}</td><td class="num" data-v="channels.{{CHANNEL_KEY}}.failed">{{FAILED}}</td><td class="num" data-v="channels.{{CHANNEL_KEY}}.skipped">{{SKIPPED}}</td><td class="num" data-v="channels.{{CHANNEL_KEY}}.replied">{{REPLIED}}</td></tr>
  {{/CHANNEL_ROW}}
  </tbody>
  {{#SEVERAL_CHANNELS}}<tfoot><tr id="progress-total"><th scope="row">All channels</th><td class="num" data-v="totals.queued">{{T_QUEUED}}</td><td class="num" data-v="totals.sent">{{T_SENT}}</td><td class="num" data-v="totals.delivered">{{T_DELIVERED}}</td><td class="num" data-v="totals.failed">{{T_FAILED}}</td><td class="num" data-v="totals.skipped">{{T_SKIPPED}}</td><td class="num" data-v="totals.replied">{{T_REPLIED}}</td></tr></tfoot>{{/SEVERAL_CHANNELS}}
</table>
</div>
<h3 id="funnel-title">Funnel</h3>
<p class="muted">One message per recipient and channel; sent counts the messages the provider took (delivered ones included).</p>
<table class="funnel" id="campaign-funnel" aria-labelledby="funnel-title">
  <thead><tr><th scope="col">Stage</th><th scope="col" class="num">Messages</th><th scope="col" class="num">Share</th><th scope="col"><span class="visually-hidden">Bar</span></th></tr></thead>
  <tbody>
  {{#FUNNEL}}<tr id="funnel-{{F_KEY}}"><th scope="row" id="funnel-label-{{F_KEY}}">{{F_LABEL}}</th><td class="num" data-v="funnel.{{F_KEY}}">{{F_N}}</td><td class="num"><span data-v="funnel_pct.{{F_KEY}}">{{F_PCT}}</span>%</td><td class="funnel-bar"><meter min="0" max="{{F_MAX}}" value="{{F_N}}" data-meter="{{F_KEY}}" aria-labelledby="funnel-label-{{F_KEY}}"></meter></td></tr>
  {{/FUNNEL}}
  </tbody>
</table>
<h3 id="errors-title">Errors by reason</h3>
<div class="table-wrap" tabindex="0" role="region" aria-labelledby="errors-title">
<table class="data-table" id="campaign-errors"{{#NO_ERRORS}} hidden{{/NO_ERRORS}}>
  <thead><tr><th scope="col">Channel</th><th scope="col">Outcome</th><th scope="col">Reason</th><th scope="col" class="num">Messages</th></tr></thead>
  <tbody>
  {{#ERROR}}<tr><td>{{E_CHANNEL}}</td><td>{{E_STATE}}</td><td>{{E_LABEL}} <span class="muted reason-code">({{E_REASON}})</span></td><td class="num">{{E_COUNT}}</td></tr>
  {{/ERROR}}
  </tbody>
</table>
</div>
<p class="muted" id="campaign-errors-none"{{#HAS_ERRORS}} hidden{{/HAS_ERRORS}}>No message has failed or been skipped.</p>
<h3 id="replies-title">Replies <span class="muted">(<span data-v="replies.total">{{REPLIES_TOTAL}}</span>)</span></h3>
<ul class="reply-list" id="campaign-replies" aria-labelledby="replies-title">
  {{#REPLY}}<li><p class="reply-meta">{{#REPLY_CONTACT}}<a href="/contacts/{{CONTACT_ID}}">{{CONTACT_NAME}}</a>{{/REPLY_CONTACT}}{{#REPLY_NO_CONTACT}}(contact erased){{/REPLY_NO_CONTACT}} · <time datetime="{{AT}}">{{AT_LOCAL}}</time></p><p class="message-text">{{BODY}}</p></li>
  {{/REPLY}}
</ul>
<p class="muted" id="campaign-replies-none"{{#HAS_REPLIES}} hidden{{/HAS_REPLIES}}>No replies yet.</p>
<p class="muted" id="campaign-replies-more"{{#REPLIES_MORE_HIDDEN}} hidden{{/REPLIES_MORE_HIDDEN}}>And <span data-v="replies_more">{{REPLIES_MORE}}</span> more, older.</p>
<p{{#NO_REPLIES}} hidden{{/NO_REPLIES}} id="campaign-replies-all"><a href="/campaigns/{{ID}}/replies">All replies</a></p>
</section>{{/PROGRESS}}
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
{{#LIVE}}<script type="module" src="/static/js/campaign_live.js?v={{STATIC_VERSION}}"></script>{{/LIVE}}
