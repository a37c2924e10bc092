{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Alerts</h1>
</div>
{{>ADMIN_NAV}}
<p>Every minute Switchboard checks each enabled rule. A rule fires once when its
condition holds (for its window), is not sent again within its cooldown while the
condition lasts, and sends a "resolved" when it clears. Alerts go to every enabled
channel below; the email server is set in <a href="/admin/settings">Settings</a>.</p>
<section aria-labelledby="rules-title">
  <h2 id="rules-title">Rules</h2>
  {{#HAS_RULES}}<div class="table-wrap" tabindex="0" role="region" aria-label="Alert rules">
  <table class="data-table" id="alert-rules">
    <thead><tr><th scope="col">Metric</th><th scope="col" class="num">Threshold</th><th scope="col" class="num">Window (min)</th><th scope="col" class="num">Cooldown (min)</th><th scope="col">State</th><th scope="col" class="num">Last value</th><th scope="col">Last fired</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
    <tbody>
    {{#RULE}}<tr><td><a href="/admin/alerts/rules/{{ID}}">{{METRIC}}</a></td><td class="num">{{THRESHOLD}}</td><td class="num">{{WINDOW}}</td><td class="num">{{COOLDOWN}}</td><td><span class="badge status-{{STATE}}">{{STATE}}</span></td><td class="num">{{LAST_VALUE}}</td><td>{{LAST_FIRED}}</td><td><a href="/admin/alerts/rules/{{ID}}/delete">Delete<span class="visually-hidden"> the {{METRIC}} rule</span></a></td></tr>
    {{/RULE}}
    </tbody>
  </table>
  </div>{{/HAS_RULES}}
  {{#NO_RULES}}<p class="empty-state" id="rules-empty">No rules yet. Add one below.</p>{{/NO_RULES}}
</section>
{{#RULE_FORM}}<section class="card" aria-labelledby="add-rule">
  <h2 id="add-rule">Add a rule</h2>
  <form class="child-form" method="post" action="/admin/alerts/rules" novalidate id="rule-form">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    {{>ERROR_SUMMARY}}
    {{>FIELD_METRIC}}
    {{>FIELD_THRESHOLD}}
    {{>FIELD_WINDOW}}
    {{>FIELD_COOLDOWN}}
    <div class="field checkbox"><input type="checkbox" id="f-rule-enabled" name="enabled" value="on"{{#RULE_ENABLED}} checked{{/RULE_ENABLED}}><label for="f-rule-enabled">Enabled</label></div>
    <div class="form-actions"><button type="submit" class="button primary">Add rule</button></div>
  </form>
</section>{{/RULE_FORM}}
<section aria-labelledby="channels-title">
  <h2 id="channels-title">Channels</h2>
  {{#HAS_CHANNELS}}<div class="table-wrap" tabindex="0" role="region" aria-label="Alert channels">
  <table class="data-table" id="alert-channels">
    <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Sent to</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
    <tbody>
    {{#CHANNEL}}<tr><td><a href="/admin/alerts/channels/{{ID}}">{{NAME}}</a></td><td>{{KIND}}</td><td class="url">{{TARGET}}</td><td><span class="badge status-{{STATE}}">{{STATE}}</span></td>
      <td><form method="post" action="/admin/alerts/channels/{{ID}}/test" class="inline-form"><input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}"><button type="submit" class="button secondary small">Send test alert<span class="visually-hidden"> to {{NAME}}</span></button></form>
        <a href="/admin/alerts/channels/{{ID}}/delete">Delete<span class="visually-hidden"> {{NAME}}</span></a></td></tr>
    {{/CHANNEL}}
    </tbody>
  </table>
  </div>{{/HAS_CHANNELS}}
  {{#NO_CHANNELS}}<p class="empty-state" id="channels-empty">No channels yet: alerts are recorded in the history but sent nowhere.</p>{{/NO_CHANNELS}}
</section>
{{#CHANNEL_FORM}}<section class="card" aria-labelledby="add-channel">
  <h2 id="add-channel">Add a channel</h2>
  <form class="child-form" method="post" action="/admin/alerts/channels" novalidate id="channel-form">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    {{>ERROR_SUMMARY}}
    {{>FIELD_KIND}}
    {{>FIELD_NAME}}
    {{>FIELD_TARGET}}
    <div class="field checkbox"><input type="checkbox" id="f-channel-enabled" name="enabled" value="on"{{#CHANNEL_ENABLED}} checked{{/CHANNEL_ENABLED}}><label for="f-channel-enabled">Enabled</label></div>
    <div class="form-actions"><button type="submit" class="button primary">Add channel</button></div>
  </form>
</section>{{/CHANNEL_FORM}}
<section aria-labelledby="history-title">
  <h2 id="history-title">History</h2>
  {{#HAS_EVENTS}}<div class="table-wrap" tabindex="0" role="region" aria-label="Alert history">
  <table class="data-table" id="alert-history">
    <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Message</th><th scope="col">Delivery</th></tr></thead>
    <tbody>
    {{#EVENT}}<tr><td><time datetime="{{CREATED}}">{{CREATED}}</time></td><td><span class="badge status-{{KIND}}">{{KIND}}</span></td><td>{{MESSAGE}}</td><td><span class="badge status-{{STATUS}}">{{STATUS}}</span><div class="muted">{{DELIVERIES}}</div></td></tr>
    {{/EVENT}}
    </tbody>
  </table>
  </div>{{/HAS_EVENTS}}
  {{#NO_EVENTS}}<p class="empty-state" id="history-empty">Nothing has fired yet. Send a test alert to try a channel.</p>{{/NO_EVENTS}}
</section>
