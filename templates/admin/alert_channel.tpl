{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Alert channel: {{NAME}}</h1>
  <a href="/admin/alerts">All alerts</a>
</div>
<section class="card" aria-labelledby="edit-channel">
  <h2 id="edit-channel">Settings</h2>
  <form class="child-form" method="post" action="/admin/alerts/channels/{{ID}}" novalidate id="channel-form">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    {{>ERROR_SUMMARY}}
    {{>FIELD_KIND}}
    {{>FIELD_NAME}}
    {{>FIELD_TARGET}}
    <div class="field checkbox"><input type="checkbox" id="f-channel-enabled" name="enabled" value="on"{{#CHANNEL_ENABLED}} checked{{/CHANNEL_ENABLED}}><label for="f-channel-enabled">Enabled</label></div>
    <div class="form-actions"><button type="submit" class="button primary">Save channel</button>
      <a class="button danger" href="/admin/alerts/channels/{{ID}}/delete" id="delete-channel">Delete channel</a></div>
  </form>
  <form method="post" action="/admin/alerts/channels/{{ID}}/test" class="inline-form"><input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}"><button type="submit" class="button secondary" id="send-test">Send test alert</button></form>
</section>
