{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Outbound webhooks</h1>
</div>
{{>ADMIN_NAV}}
<p>Switchboard posts each event you choose to your endpoints as JSON, signed with the
endpoint's secret in the <code>Switchboard-Signature</code> header
(<code>t=&lt;unix time&gt;,v1=&lt;hex HMAC-SHA256 of "t.body"&gt;</code>). A delivery that fails is
retried with back-off for 24 hours; an endpoint that keeps failing is disabled.</p>
{{#HAS_ROWS}}<div class="table-wrap" tabindex="0" role="region" aria-label="Webhook endpoints">
<table class="data-table" id="webhook-endpoints">
  <thead><tr><th scope="col">Endpoint</th><th scope="col">Events</th><th scope="col">State</th><th scope="col" class="num">Failures in a row</th></tr></thead>
  <tbody>
  {{#ENDPOINT}}<tr><td><a href="/admin/webhooks/{{ID}}">{{URL}}</a><div class="muted">{{DESCRIPTION}}</div></td><td>{{EVENTS}}</td><td><span class="badge {{STATE_CLASS}}">{{STATE}}</span></td><td class="num">{{FAILURES}}</td></tr>
  {{/ENDPOINT}}
  </tbody>
</table>
</div>{{/HAS_ROWS}}
{{#EMPTY}}<section class="empty-state" id="webhooks-empty"><h2>No endpoints yet</h2><p>Add one below to receive calls, deals, payments, campaigns and opt-outs as they happen.</p></section>{{/EMPTY}}
<section class="card" aria-labelledby="add-endpoint">
  <h2 id="add-endpoint">Add an endpoint</h2>
  <form class="child-form" method="post" action="/admin/webhooks" novalidate id="webhook-form">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    {{>ERROR_SUMMARY}}
    {{>FIELD_URL}}
    {{>FIELD_DESCRIPTION}}
    <fieldset class="consent"{{#E_EVENTS}} aria-describedby="e-events"{{/E_EVENTS}}>
      <legend>Events</legend>
      {{#E_EVENTS}}<p class="field-error" id="e-events">{{MSG}}</p>{{/E_EVENTS}}
      {{#EVENT}}<div class="field checkbox"><input type="checkbox" id="f-event-{{N}}" name="events" value="{{NAME}}"{{#CHECKED}} checked{{/CHECKED}}><label for="f-event-{{N}}"><code>{{NAME}}</code></label></div>
      {{/EVENT}}
    </fieldset>
    <div class="form-actions"><button type="submit" class="button primary">Add endpoint</button></div>
  </form>
</section>
