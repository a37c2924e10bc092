{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Cash-flow forecast</h1>
  <p class="muted">From {{TODAY}}, the next {{HORIZON}} days, in {{ORG_CURRENCY}}.
    {{#DAYS_OPT}}{{#CURRENT}}<strong>{{DAYS}} days</strong>{{/CURRENT}}{{#OTHER}}<a href="/deals/forecast?days={{DAYS}}">{{DAYS}} days</a>{{/OTHER}} {{/DAYS_OPT}}</p>
</div>
<section class="cards" aria-label="Totals">
  <article class="card"><h2>Expected</h2><p class="big" id="forecast-upcoming">{{UPCOMING}}</p>
    <p class="muted">Still owed, expected in the next {{HORIZON}} days.</p></article>
  <article class="card"><h2>Overdue</h2><p class="big" id="forecast-overdue">{{OVERDUE}}</p>
    <p class="muted"><span id="forecast-overdue-count">{{OVERDUE_COUNT}}</span> payments past their expected date, not in the weeks below.</p></article>
  <article class="card"><h2>Not in the forecast</h2>
    <p class="muted">{{UNDATED_COUNT}} without an expected date, {{LATER_COUNT}} expected later.</p></article>
</section>
<section class="chart-section" aria-labelledby="forecast-title">
  <h2 id="forecast-title">Per ISO week</h2>
  {{>FORECAST_CHART}}
  <div class="table-scroll" tabindex="0" role="region" aria-label="Expected per ISO week (scrolls sideways)">
  <table class="data-table" id="forecast-weeks">
    <thead><tr><th scope="col">Week</th><th scope="col">Starts</th><th scope="col" class="num">Payments</th><th scope="col" class="num">Expected</th></tr></thead>
    <tbody>
    {{#WEEK}}<tr><th scope="row">{{ISO_WEEK}}</th><td>{{WEEK_START}}</td><td class="num">{{COUNT}}</td><td class="num">{{AMOUNT}}</td></tr>
    {{/WEEK}}
    </tbody>
  </table>
  </div>
  <p class="muted">Each week's amount (and the overdue total) is what is owed in each currency, summed, then converted at today's rate and rounded once to the smallest unit of {{ORG_CURRENCY}} (half to even); Expected is the sum of the weeks.</p>
</section>
<section aria-labelledby="no-rate-title">
  <h2 id="no-rate-title">Without an exchange rate</h2>
  <p class="muted">Owed in another currency with no rate into {{ORG_CURRENCY}} on file; left out rather than guessed. <a href="/deals/fx-rates">Add a rate</a>.</p>
  <div class="table-scroll" tabindex="0" role="region" aria-label="Without an exchange rate (scrolls sideways)">
  <table class="data-table" id="forecast-no-rate">
    <thead><tr><th scope="col">Deal</th><th scope="col" class="num">Outstanding</th><th scope="col">Expected</th></tr></thead>
    <tbody>
    {{#NO_RATE}}<tr><td><a href="/deals/{{DEAL_ID}}">{{DEAL_TITLE}}</a></td><td class="num">{{AMOUNT}}</td><td>{{EXPECTED}}</td></tr>
    {{/NO_RATE}}
    {{#NO_RATE_NONE}}<tr><td colspan="3" class="muted">None.</td></tr>{{/NO_RATE_NONE}}
    </tbody>
  </table>
  </div>
  {{#NO_RATE_MORE}}<p class="muted" id="forecast-no-rate-more">The first {{SHOWN}} of {{TOTAL}} payments, by expected date.</p>{{/NO_RATE_MORE}}
</section>
