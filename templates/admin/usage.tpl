{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Usage</h1>
  {{>ADMIN_NAV}}
</div>
<form class="filters usage-range" method="get" action="/admin/usage">
  {{#RANGE_ERROR}}<div class="form-error" role="alert" id="form-error"><p><a href="#f-{{FIELD}}">{{FIELD}}</a> {{MSG}}</p></div>{{/RANGE_ERROR}}
  <div class="field">
    <label for="f-from">From (UTC day)</label>
    <input id="f-from" name="from" type="date" value="{{FROM}}">
  </div>
  <div class="field">
    <label for="f-to">To (UTC day)</label>
    <input id="f-to" name="to" type="date" value="{{TO}}">
  </div>
  <div class="form-actions">
    <button type="submit" class="button secondary">Show</button>
  </div>
</form>
{{#FIGURES}}
<p class="muted">Days are UTC days. Request counts reach this page within a few seconds.</p>
<section class="cards">
  <article class="card"><h2>Requests</h2><p class="big">{{T_REQUESTS}}</p><p class="muted">signed-in users, {{RANGE_FROM}} to {{RANGE_TO}}</p></article>
  <article class="card"><h2>API calls</h2><p class="big">{{T_API}}</p><p class="muted">with API keys</p></article>
  <article class="card"><h2>Messages sent</h2><p class="big">{{T_MESSAGES}}</p><p class="muted">SMS, voice and email</p></article>
  <article class="card"><h2>Recording storage</h2><p class="big">{{STORAGE}}</p><p class="muted">{{RECORDINGS}} recordings stored</p></article>
</section>
<p><a class="button secondary" href="/admin/usage.csv?from={{RANGE_FROM}}&amp;to={{RANGE_TO}}" download>Export CSV</a></p>
<section class="usage-section" aria-labelledby="usage-chart-title">
<h2 id="usage-chart-title">Requests and API calls per day</h2>
<svg class="bar-chart" role="img" aria-labelledby="usage-svg-title usage-svg-desc" viewBox="0 0 {{CHART_W}} {{CHART_H}}" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">
  <title id="usage-svg-title">Requests and API calls per day</title>
  <desc id="usage-svg-desc">A bar for each day of the range; the same figures are in the table below.</desc>
  {{#TICK}}<line class="grid" x1="{{X1}}" x2="{{X2}}" y1="{{Y}}" y2="{{Y}}"></line>
  <text class="axis" x="{{LABEL_X}}" y="{{Y}}" text-anchor="end" dominant-baseline="middle">{{LABEL}}</text>
  {{/TICK}}
  {{#BAR}}<rect class="bar" x="{{X}}" y="{{Y}}" width="{{W}}" height="{{H}}"><title>{{DATE}}: {{COUNT}}</title></rect>
  {{/BAR}}
  {{#XLABEL}}<text class="axis" x="{{X}}" y="{{Y}}" text-anchor="middle">{{TEXT}}</text>
  {{/XLABEL}}
</svg>
</section>
<section class="usage-section" aria-labelledby="usage-days-title">
<h2 id="usage-days-title">Per day</h2>
<div class="table-wrap" tabindex="0" role="region" aria-labelledby="usage-days-title">
<table class="data-table">
  <thead><tr><th scope="col">Day</th><th scope="col" class="num">Requests</th><th scope="col" class="num">API calls</th><th scope="col" class="num">SMS</th><th scope="col" class="num">Voice</th><th scope="col" class="num">Email</th><th scope="col" class="num">Recordings</th></tr></thead>
  <tbody>
  {{#DAY}}<tr><th scope="row">{{DATE}}</th><td class="num">{{REQUESTS}}</td><td class="num">{{API}}</td><td class="num">{{SMS}}</td><td class="num">{{VOICE}}</td><td class="num">{{EMAIL}}</td><td class="num">{{REC}}</td></tr>
  {{/DAY}}
  </tbody>
</table>
</div>
</section>
<section class="usage-section" aria-labelledby="usage-subjects-title">
<h2 id="usage-subjects-title">Per user and API key</h2>
{{#NO_SUBJECTS}}<p class="empty-state">No requests counted in this range yet.</p>{{/NO_SUBJECTS}}
<div class="table-wrap" tabindex="0" role="region" aria-labelledby="usage-subjects-title">
<table class="data-table">
  <thead><tr><th scope="col">Day</th><th scope="col">Who</th><th scope="col">Kind</th><th scope="col" class="num">Requests</th></tr></thead>
  <tbody>
  {{#SUBJECT}}<tr><td>{{DATE}}</td><td>{{NAME}}</td><td>{{KIND}}</td><td class="num">{{COUNT}}</td></tr>
  {{/SUBJECT}}
  </tbody>
</table>
</div>
</section>
{{/FIGURES}}
