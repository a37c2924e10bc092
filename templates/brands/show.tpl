{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1 id="brand-name">{{NAME}}</h1>
  {{#CAN_WRITE}}<a class="button secondary" href="/brands/{{ID}}/edit">Edit</a>{{/CAN_WRITE}}
</div>
<section class="cards" aria-label="How this brand pays">
  <article class="card" id="metric-delay"><h2>Average payment delay</h2>
    {{#PAY_METRICS}}<p class="big"><span id="delay-days">{{DELAY}}</span> days</p><p class="muted">Over {{PAID_COUNT}} paid payments; negative is early.</p>{{/PAY_METRICS}}
    {{#PAY_NO_DATA}}<p class="muted">Not enough data yet.</p>{{/PAY_NO_DATA}}</article>
  <article class="card" id="metric-reliability"><h2>Payment reliability</h2>
    {{#PAY_METRICS}}<p class="big"><span id="reliability-pct">{{RELIABILITY}}</span>%</p><p class="muted">Paid on or before the expected date.</p>{{/PAY_METRICS}}
    {{#PAY_NO_DATA}}<p class="muted">Not enough data yet.</p>{{/PAY_NO_DATA}}</article>
  <article class="card" id="metric-revisions"><h2>Typical revisions</h2>
    {{#REV_METRICS}}<p class="big" id="typical-revisions">{{REVISIONS}}</p><p class="muted">Median over its deals.</p>{{/REV_METRICS}}
    {{#REV_NO_DATA}}<p class="muted">Not enough data yet.</p>{{/REV_NO_DATA}}</article>
</section>
<dl class="details">
  <dt>Aliases</dt><dd>{{ALIASES}}</dd>
  <dt>Contacts</dt><dd class="pre-line">{{CONTACTS}}</dd>
  <dt>Notes</dt><dd class="pre-line">{{NOTES}}</dd>
</dl>
<h2>Deals</h2>
<ul class="item-list" id="brand-deals">
  {{#DEAL}}<li><a href="/deals/{{DEAL_ID}}">{{TITLE}}</a> · {{STAGE}}</li>{{/DEAL}}
</ul>
{{#NO_DEALS}}<p class="muted">No deals with this brand yet.</p>{{/NO_DEALS}}
