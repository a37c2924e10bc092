{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Alert rule: {{METRIC_LABEL}}</h1>
  <a href="/admin/alerts">All alerts</a>
</div>
<p>State now: <span class="badge status-{{STATE}}" id="rule-state">{{STATE}}</span></p>
<section class="card" aria-labelledby="edit-rule">
  <h2 id="edit-rule">Settings</h2>
  <form class="child-form" method="post" action="/admin/alerts/rules/{{ID}}" novalidate id="rule-form">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    {{>ERROR_SUMMARY}}
    {{>FIELD_METRIC}}
    {{>FIELD_THRESHOLD}}
    {{>FIELD_WINDOW}}
    {{>FIELD_COOLDOWN}}
    <div class="field checkbox"><input type="checkbox" id="f-rule-enabled" name="enabled" value="on"{{#RULE_ENABLED}} checked{{/RULE_ENABLED}}><label for="f-rule-enabled">Enabled</label></div>
    <div class="form-actions"><button type="submit" class="button primary">Save rule</button>
      <a class="button danger" href="/admin/alerts/rules/{{ID}}/delete" id="delete-rule">Delete rule</a></div>
  </form>
</section>
