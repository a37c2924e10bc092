{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Call analytics</h1>
  <nav class="tabs" aria-label="Calls">
    <a href="/calls">Calls</a>
    <a href="/calls/analytics" aria-current="page">Analytics</a>
  </nav>
</div>
<form class="range-form" method="get" action="/calls/analytics" novalidate>
  <div class="field{{#E_START_DATE}} has-error{{/E_START_DATE}}">
    <label for="start_date">From</label>
    <input id="start_date" name="start_date" type="date" value="{{START_DATE}}"{{#E_START_DATE}} aria-invalid="true" aria-describedby="start_date-error"{{/E_START_DATE}}>
    {{#E_START_DATE}}<p class="field-error" id="start_date-error">Start date {{MSG}}.</p>{{/E_START_DATE}}
  </div>
  <div class="field{{#E_END_DATE}} has-error{{/E_END_DATE}}">
    <label for="end_date">To</label>
    <input id="end_date" name="end_date" type="date" value="{{END_DATE}}"{{#E_END_DATE}} aria-invalid="true" aria-describedby="end_date-error"{{/E_END_DATE}}>
    {{#E_END_DATE}}<p class="field-error" id="end_date-error">End date {{MSG}}.</p>{{/E_END_DATE}}
  </div>
  <button type="submit" class="button secondary">Show</button>
  <p class="muted range-note">Days in {{ORG_TIMEZONE}}; at most 366 days.</p>
</form>
{{#RESULTS}}
<p class="muted" id="range">{{RANGE_START}} to {{RANGE_END}} · <a href="{{CALLS_HREF}}">list these calls</a></p>
<section class="cards stats" aria-label="Summary">
  <article class="card">
    <h2>Calls</h2>
    <p class="big" id="total">{{TOTAL}}</p>
    <p><a href="{{INBOUND_HREF}}"><span id="inbound">{{INBOUND}}</span> inbound</a> ·
       <a href="{{OUTBOUND_HREF}}"><span id="outbound">{{OUTBOUND}}</span> outbound</a></p>
  </article>
  <article class="card">
    <h2>Answered</h2>
    <p class="big"><span id="answered-rate">{{ANSWERED_RATE}}</span>%</p>
    <p><a href="{{ANSWERED_HREF}}"><span id="answered">{{ANSWERED}}</span> answered calls</a></p>
  </article>
  <article class="card">
    <h2>Duration of answered calls</h2>
    <p class="big" id="avg-duration">{{AVG_DURATION}}</p>
    <p class="muted">average · shortest <span id="min-duration">{{MIN_DURATION}}</span> · longest <span id="max-duration">{{MAX_DURATION}}</span></p>
  </article>
  <article class="card">
    <h2>Sentiment</h2>
    <dl class="split">
      <dt>Positive</dt><dd id="sentiment-positive">{{POSITIVE}} <span class="muted">({{POSITIVE_PCT}}%)</span></dd>
      <dt>Neutral</dt><dd id="sentiment-neutral">{{NEUTRAL}} <span class="muted">({{NEUTRAL_PCT}}%)</span></dd>
      <dt>Negative</dt><dd id="sentiment-negative">{{NEGATIVE}} <span class="muted">({{NEGATIVE_PCT}}%)</span></dd>
      <dt>Not analysed</dt><dd id="sentiment-unknown">{{UNKNOWN}} <span class="muted">({{UNKNOWN_PCT}}%)</span></dd>
    </dl>
  </article>
  <article class="card">
    <h2>Recordings</h2>
    <p class="big" id="recordings">{{RECORDINGS}}</p>
    <p class="muted"><span id="storage-mb">{{STORAGE_MB}}</span> MB stored</p>
  </article>
</section>

<section class="chart-section" aria-labelledby="daily-title">
  <h2 id="daily-title">Calls per day</h2>
  {{>DAILY_CHART}}
  <details class="chart-table">
    <summary>Calls per day as a table</summary>
    <div class="table-scroll" tabindex="0" role="region" aria-label="Calls per day as a table (scrolls sideways)">
      <table id="daily-table">
        <thead><tr><th scope="col">Date</th><th scope="col" class="num">Calls</th><th scope="col" class="num">Inbound</th><th scope="col" class="num">Outbound</th><th scope="col" class="num">Answered</th></tr></thead>
        <tbody>
        {{#DAY}}<tr><th scope="row">{{DATE}}</th><td class="num">{{TOTAL}}</td><td class="num">{{INBOUND}}</td><td class="num">{{OUTBOUND}}</td><td class="num">{{ANSWERED}}</td></tr>
        {{/DAY}}
        </tbody>
      </table>
    </div>
  </details>
</section>

<section class="chart-section" aria-labelledby="heatmap-title">
  <h2 id="heatmap-title">Calls by weekday and hour</h2>
  <p class="muted">The stronger a cell's colour, the more calls; each cell shows its count. On a narrow screen the table scrolls sideways.</p>
  <div class="table-scroll" tabindex="0" role="region" aria-label="Calls by weekday and hour (scrolls sideways)">
    <table class="heatmap" id="heatmap">
      <caption class="visually-hidden">Calls by weekday (rows) and hour of the day (columns)</caption>
      <thead><tr><td></td>{{#HEAT_HOUR}}<th scope="col">{{HOUR}}</th>{{/HEAT_HOUR}}</tr></thead>
      <tbody>
      {{#HEAT_ROW}}<tr><th scope="row">{{WEEKDAY}}</th>{{#HEAT_CELL}}<td class="heat-{{BUCKET}}" title="{{WEEKDAY}} {{HOUR}}:00: {{COUNT}} calls">{{COUNT}}</td>{{/HEAT_CELL}}</tr>
      {{/HEAT_ROW}}
      </tbody>
    </table>
  </div>
</section>

<section class="chart-section" aria-labelledby="top-title">
  <h2 id="top-title">Top numbers</h2>
  {{#NO_TOP}}<p class="muted">No calls in this range.</p>{{/NO_TOP}}
  {{#HAS_TOP}}
  <table id="top-numbers">
    <thead><tr><th scope="col">Number</th><th scope="col" class="num">Calls</th></tr></thead>
    <tbody>
    {{#TOP}}<tr><td><a href="{{HREF}}">{{NUMBER}}</a></td><td class="num">{{COUNT}}</td></tr>
    {{/TOP}}
    </tbody>
  </table>
  {{/HAS_TOP}}
</section>
{{/RESULTS}}
