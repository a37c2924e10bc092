{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Affiliate and performance terms</h1>
  <p class="muted">Deal: <a href="/deals/{{DEAL_ID}}">{{DEAL_TITLE}}</a> · type {{DEAL_TYPE}} · {{CURRENCY}}</p>
</div>
{{#NOTICE}}<div class="flash flash-error" role="alert" id="terms-notice">{{TEXT}}</div>{{/NOTICE}}
<form class="child-form" method="post" action="/deals/{{DEAL_ID}}/terms" id="terms-form" novalidate>
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  <input type="hidden" name="version" value="{{VERSION}}">
  {{>ERROR_SUMMARY}}
  <fieldset>
    <legend>Affiliate</legend>
    {{>FIELD_RATE}}
    {{>FIELD_URL}}
  </fieldset>
  <fieldset>
    <legend>Performance bonus</legend>
    {{>FIELD_CONDITION}}
    {{>FIELD_BONUS}}
  </fieldset>
  <p class="muted">Leave a field empty to remove it.</p>
  <div class="form-actions">
    <button type="submit" class="button primary" id="save-terms">Save terms</button>
    <a class="button secondary" href="/deals/{{DEAL_ID}}">Cancel</a>
  </div>
</form>
