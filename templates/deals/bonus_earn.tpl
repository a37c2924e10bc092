{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Mark the bonus earned</h1>
  <p class="muted">Deal: <a href="/deals/{{DEAL_ID}}">{{DEAL_TITLE}}</a></p>
</div>
<form class="child-form" method="post" action="/deals/{{DEAL_ID}}/bonus/earned" id="earn-form" novalidate>
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  {{>ERROR_SUMMARY}}
  <p id="earn-summary">The bonus of {{AMOUNT}}, for “{{CONDITION}}”, becomes a payment of the deal and counts in the forecast from then on.</p>
  {{>FIELD_EXPECTED}}
  <div class="form-actions">
    <button type="submit" class="button primary" id="confirm-earn">Mark earned</button>
    <a class="button secondary" href="/deals/{{DEAL_ID}}">Cancel</a>
  </div>
</form>
