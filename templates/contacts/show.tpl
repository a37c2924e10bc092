{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1 id="contact-name">{{NAME}}</h1>
  <div class="page-actions">
    {{#CAN_WRITE}}<a class="button secondary" href="/contacts/{{ID}}/edit">Edit</a>{{/CAN_WRITE}}
    {{#CAN_DELETE}}<a class="button danger" href="/contacts/{{ID}}/delete">Delete</a>{{/CAN_DELETE}}
    {{#CAN_DELETE}}<a class="button secondary" href="/admin/privacy/contacts/{{ID}}/export" id="export-contact" download>Export data (JSON)</a>
    <a class="button danger" href="/admin/privacy/contacts/{{ID}}/erase" id="erase-contact">Erase…</a>{{/CAN_DELETE}}
  </div>
</div>
{{#DNC}}<p class="badge" id="contact-dnc">On the do-not-contact list: no campaign reaches this contact.</p>{{/DNC}}
<dl class="details" id="contact-details">
  <dt>Phone</dt><dd id="contact-phone">{{PHONE}}</dd>
  <dt>Email</dt><dd id="contact-email">{{EMAIL}}</dd>
  <dt>Company</dt><dd>{{COMPANY}}</dd>
  <dt>Property</dt><dd>{{ADDRESS}} · {{PTYPE}}</dd>
  <dt>Tags</dt><dd id="contact-tags">{{TAGS}}</dd>
  <dt>Time zone</dt><dd>{{TZ}}</dd>
  <dt>Text messages</dt><dd id="opt-out-sms">{{OO_SMS}}</dd>
  <dt>Phone calls</dt><dd id="opt-out-voice">{{OO_VOICE}}</dd>
  <dt>Emails</dt><dd id="opt-out-email">{{OO_EMAIL}}</dd>
</dl>
<h2>Calls</h2>
{{#HAS_CALLS}}<div class="table-wrap" tabindex="0" role="region" aria-label="Calls with this contact">
<table class="data-table" id="contact-calls">
  <thead><tr><th scope="col">Started</th><th scope="col">Direction</th><th scope="col">Status</th><th scope="col" class="num">Seconds</th></tr></thead>
  <tbody>
  {{#CALL}}<tr><td><a href="/calls/{{CALL_ID}}">{{STARTED}}</a></td><td>{{DIRECTION}}</td><td>{{STATUS}}</td><td class="num">{{DURATION}}</td></tr>
  {{/CALL}}
  </tbody>
</table>
</div>{{/HAS_CALLS}}
{{#NO_CALLS}}<p class="muted" id="contact-no-calls">No calls with this contact's number yet.</p>{{/NO_CALLS}}
<h2>Messages and replies</h2>
{{#HAS_MESSAGES}}<div class="table-wrap" tabindex="0" role="region" aria-label="Campaign messages to this contact">
<table class="data-table" id="contact-messages">
  <thead><tr><th scope="col">Made</th><th scope="col">Campaign</th><th scope="col">Channel</th><th scope="col">State</th><th scope="col">Why not sent</th></tr></thead>
  <tbody>
  {{#MESSAGE}}<tr><td>{{M_AT}}</td><td><a href="/campaigns/{{M_CAMPAIGN_ID}}">{{M_CAMPAIGN}}</a></td><td>{{M_CHANNEL}}</td><td>{{M_STATE}}</td><td>{{M_REASON}}</td></tr>
  {{/MESSAGE}}
  </tbody>
</table>
</div>{{/HAS_MESSAGES}}
{{#NO_MESSAGES}}<p class="muted" id="contact-no-messages">No campaign has a message for this contact yet.</p>{{/NO_MESSAGES}}
<p class="muted" id="contact-replies">Replies will be listed here once campaigns send messages.</p>
<h2>Consent history</h2>
<ul class="item-list" id="contact-consent">
  {{#CONSENT}}<li>{{AT}} · {{WHAT}} ({{CHANNEL}}) · {{SOURCE}} {{BY}}</li>{{/CONSENT}}
</ul>
{{#NO_CONSENT}}<p class="muted" id="contact-no-consent">No opt-out or do-not-contact change recorded.</p>{{/NO_CONSENT}}
