{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Webhook endpoint</h1>
  <a href="/admin/webhooks">All endpoints</a>
</div>
{{#SECRET}}<section class="card notice" role="status" id="webhook-secret" aria-labelledby="secret-title">
  <h2 id="secret-title">Copy the signing secret now</h2>
  <p>It is shown this once. Verify each delivery's <code>Switchboard-Signature</code> with it.</p>
  <p><code class="secret" id="webhook-secret-value">{{VALUE}}</code></p>
</section>{{/SECRET}}
<section class="card" aria-labelledby="endpoint-state">
  <h2 id="endpoint-state"><span class="url">{{URL}}</span></h2>
  <p>Events: {{EVENTS}}</p>
  {{#ENABLED}}<p><span class="badge ok" id="endpoint-enabled">Enabled</span> · {{FAILURES}} failed attempts in a row</p>{{/ENABLED}}
  {{#DISABLED}}<p><span class="badge bad" id="endpoint-disabled">Disabled</span> {{REASON}}</p>{{/DISABLED}}
  <div>
    {{#ENABLED}}<form method="post" action="/admin/webhooks/{{ID}}/test" class="inline-form"><input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}"><button type="submit" class="button secondary" id="send-test">Send a test event</button></form>{{/ENABLED}}
    <a class="button danger" href="/admin/webhooks/{{ID}}/delete" id="delete-endpoint">Delete endpoint</a>
  </div>
</section>
<section class="card" aria-labelledby="edit-endpoint">
  <h2 id="edit-endpoint">Settings</h2>
  <form class="child-form" method="post" action="/admin/webhooks/{{ID}}" novalidate id="webhook-form">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <input type="hidden" name="version" value="{{VERSION}}">
    {{>ERROR_SUMMARY}}
    {{>FIELD_URL}}
    {{>FIELD_DESCRIPTION}}
    <fieldset class="consent"{{#E_EVENTS}} aria-describedby="e-events"{{/E_EVENTS}}>
      <legend>Events</legend>
      {{#E_EVENTS}}<p class="field-error" id="e-events">{{MSG}}</p>{{/E_EVENTS}}
      {{#EVENT}}<div class="field checkbox"><input type="checkbox" id="f-event-{{N}}" name="events" value="{{NAME}}"{{#CHECKED}} checked{{/CHECKED}}><label for="f-event-{{N}}"><code>{{NAME}}</code></label></div>
      {{/EVENT}}
    </fieldset>
    <div class="field checkbox"><input type="checkbox" id="f-enabled" name="enabled" value="on"{{#ENABLED_CHECKED}} checked{{/ENABLED_CHECKED}}><label for="f-enabled">Enabled (enabling again clears the failure count)</label></div>
    {{#E_ENABLED}}<p class="field-error" id="e-enabled">{{MSG}}</p>{{/E_ENABLED}}
    <div class="form-actions"><button type="submit" class="button primary">Save endpoint</button></div>
  </form>
</section>
<section aria-labelledby="deliveries-title">
  <h2 id="deliveries-title">Latest deliveries</h2>
  {{#HAS_DELIVERIES}}<div class="table-wrap" tabindex="0" role="region" aria-label="Deliveries">
  <table class="data-table" id="deliveries">
    <thead><tr><th scope="col">Event</th><th scope="col">Status</th><th scope="col" class="num">Attempts</th><th scope="col">Answer</th><th scope="col">Queued</th><th scope="col">Last attempt</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
    <tbody>
    {{#DELIVERY}}<tr><td><code>{{TYPE}}</code></td><td><span class="badge status-{{STATUS}}">{{STATUS}}</span><div class="muted">{{ERROR}}</div></td><td class="num">{{ATTEMPTS}}</td><td>{{RESPONSE}}</td><td>{{CREATED}}</td><td>{{LAST}}</td>
      <td><form method="post" action="/admin/webhook-deliveries/{{ID}}/redeliver" class="inline-form"><input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}"><button type="submit" class="button secondary small">Redeliver</button></form></td></tr>
    {{/DELIVERY}}
    </tbody>
  </table>
  </div>{{/HAS_DELIVERIES}}
  {{#NO_DELIVERIES}}<p class="empty-state" id="deliveries-empty">Nothing sent to this endpoint yet. Send a test event to try it.</p>{{/NO_DELIVERIES}}
</section>
