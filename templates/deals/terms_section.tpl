{{%AUTOESCAPE context="HTML"}}
{{! The deal page's affiliate and performance terms (src/app/deals/deal_terms.c). }}
<section class="card" aria-labelledby="terms-title" id="terms">
  <h2 id="terms-title">Affiliate and performance terms</h2>
  {{#CAN_WRITE}}<p><a class="button secondary" href="/deals/{{ID}}/terms" id="edit-terms">Edit terms</a></p>{{/CAN_WRITE}}
  <dl class="meta">
    <dt>Commission rate</dt><dd id="terms-rate">{{#RATE}}{{TEXT}}%{{/RATE}}{{#NO_RATE}}<span class="muted">none</span>{{/NO_RATE}}</dd>
    <dt>Tracking URL</dt><dd id="terms-url">{{#URL}}<a href="{{HREF}}" rel="noopener noreferrer nofollow">{{HREF}}</a>{{/URL}}{{#NO_URL}}<span class="muted">none</span>{{/NO_URL}}</dd>
    <dt>Performance bonus</dt><dd id="terms-bonus">{{#NO_BONUS}}<span class="muted">none</span>{{/NO_BONUS}}{{#BONUS}}{{AMOUNT}} when {{CONDITION}}
      {{#EARNED}}<br><span class="badge" id="bonus-earned">earned</span> <time datetime="{{WHEN_ISO}}">{{WHEN}}</time> by {{WHO}}{{#PAYMENT}} · <a href="/payments/{{P_ID}}/edit">its payment</a>{{/PAYMENT}}
        {{#CAN_UNEARN}} · <a href="/deals/{{ID}}/bonus/unearned" id="unearn-bonus">Unmark…</a>{{/CAN_UNEARN}}{{/EARNED}}
      {{#NOT_EARNED}}<br><span class="muted" id="bonus-not-earned">Not earned yet: not counted in the forecast.</span>
        {{#CAN_EARN}} <a class="button secondary" href="/deals/{{ID}}/bonus/earned" id="earn-bonus">Mark bonus earned…</a>{{/CAN_EARN}}{{/NOT_EARNED}}{{/BONUS}}</dd>
  </dl>
</section>
