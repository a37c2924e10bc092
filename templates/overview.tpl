{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Overview</h1>
  <p class="muted">{{TODAY}} · {{ORG_TIMEZONE}}</p>
</div>
<section class="cards" aria-label="Your workspace">
  <article class="card">
    <h2>Organisation</h2>
    <p class="big" id="org-name">{{ORG_NAME}}</p>
    <p class="muted">Dates are shown in {{ORG_TIMEZONE}}.</p>
  </article>
  <article class="card">
    <h2>Your role</h2>
    <p class="big" id="user-role">{{USER_ROLE}}</p>
    <p class="muted">{{ROLE_SUMMARY}}</p>
  </article>
</section>
{{#ATTENTION}}<section class="attention" aria-labelledby="attention-title" id="attention">
  <h2 id="attention-title">Needs attention</h2>
  <ul class="item-list">
    {{#DEAD_JOBS}}<li id="attention-dead-jobs"><a href="/admin/jobs">{{COUNT}} failed {{NOUN}}</a> waiting for a retry or discard.</li>{{/DEAD_JOBS}}
    {{#PROVIDERS_DOWN}}<li id="attention-providers"><a href="/admin">Provider outage</a>: the circuit of {{PROVIDERS}} is open.</li>{{/PROVIDERS_DOWN}}
  </ul>
</section>{{/ATTENTION}}
<section class="today-calls" aria-labelledby="today-calls-title">
  <div class="page-head">
    <h2 id="today-calls-title"><a href="{{CALLS_TODAY_HREF}}">Calls today</a></h2>
    <a href="/calls/analytics">Call analytics</a>
  </div>
  <div class="cards">
    <a class="card card-link" href="{{CALLS_INBOUND_HREF}}">
      <span class="big" id="today-inbound">{{CALLS_INBOUND}}</span>
      <span class="muted">inbound</span>
    </a>
    <a class="card card-link" href="{{CALLS_OUTBOUND_HREF}}">
      <span class="big" id="today-outbound">{{CALLS_OUTBOUND}}</span>
      <span class="muted">outbound</span>
    </a>
    <a class="card card-link" href="{{CALLS_ANSWERED_HREF}}">
      <span class="big"><span id="today-answered-rate">{{CALLS_ANSWERED_RATE}}</span>%</span>
      <span class="muted">answered ({{CALLS_ANSWERED}} {{CALLS_ANSWERED_NOUN}})</span>
    </a>
  </div>
</section>
<section class="deal-figures" aria-labelledby="pipeline-title">
  <div class="page-head">
    <h2 id="pipeline-title"><a href="/deals">Pipeline</a></h2>
    <a href="/deals/forecast">Cash-flow forecast</a>
  </div>
  <table class="data-table" id="pipeline-by-stage">
    <thead><tr><th scope="col">Stage</th><th scope="col" class="num">Deals</th><th scope="col" class="num">Value ({{ORG_CURRENCY}})</th></tr></thead>
    <tbody>
    {{#STAGE}}<tr data-stage="{{STAGE}}"><th scope="row"><a href="/deals?stage={{STAGE}}">{{STAGE_LABEL}}</a></th>
      <td class="num stage-count">{{COUNT}}</td><td class="num stage-value">{{VALUE}}</td></tr>
    {{/STAGE}}
    </tbody>
  </table>
  <div class="cards">
    <article class="card" id="payments-due-week">
      <h3>Payments due this week</h3>
      <p class="big"><span id="due-week-count">{{DUE_COUNT}}</span> · <span id="due-week-value">{{DUE_VALUE}}</span></p>
      <p class="muted">Unpaid, expected from today to {{WEEK_END}}.</p>
      <ul class="item-list">{{#DUE_ITEM}}<li><a href="/deals/{{DEAL_ID}}">{{DEAL_TITLE}}</a> · {{WHAT}} · {{WHEN}}</li>{{/DUE_ITEM}}</ul>
    </article>
    <article class="card" id="payments-overdue">
      <h3>Overdue payments</h3>
      <p class="big"><span id="overdue-count">{{OVERDUE_COUNT}}</span> · <span id="overdue-value">{{OVERDUE_VALUE}}</span></p>
      <p class="muted">Still owed after their expected date.</p>
      <ul class="item-list">{{#OVERDUE_ITEM}}<li><a href="/deals/{{DEAL_ID}}">{{DEAL_TITLE}}</a> · {{WHAT}} · expected {{WHEN}}</li>{{/OVERDUE_ITEM}}</ul>
    </article>
    <article class="card" id="deliverables-late">
      <h3>Late deliverables</h3>
      <p class="big" id="late-count">{{LATE_COUNT}}</p>
      <p class="muted">Not posted by their deadline.</p>
      <ul class="item-list">{{#LATE_ITEM}}<li><a href="/deals/{{DEAL_ID}}">{{DEAL_TITLE}}</a> · {{WHAT}} · due {{WHEN}}</li>{{/LATE_ITEM}}</ul>
    </article>
  </div>
</section>
<section class="campaign-figures" aria-labelledby="campaigns-title">
  <div class="page-head">
    <h2 id="campaigns-title"><a href="/campaigns">Campaigns under way</a></h2>
    <a href="/campaigns/new">New campaign</a>
  </div>
  {{#NO_CAMPAIGNS}}<p class="muted" id="no-campaigns">No campaign is scheduled, running or paused.</p>{{/NO_CAMPAIGNS}}
  <ul class="campaign-progress-list" id="running-campaigns">
    {{#CAMPAIGN}}<li data-campaign="{{ID}}">
      <p><a href="/campaigns/{{ID}}">{{NAME}}</a> <span class="status status-{{STATUS}}">{{STATUS}}</span> <span class="muted">{{CHANNELS}}</span></p>
      <progress max="{{TOTAL}}" value="{{DONE}}" aria-label="{{NAME}}: {{DONE}} of {{TOTAL}} messages settled">{{PERCENT}}%</progress>
      <p class="muted"><span class="campaign-done">{{DONE}}</span> of <span class="campaign-total">{{TOTAL}}</span> settled · {{DELIVERED}} delivered · {{FAILED}} failed · {{SKIPPED}} skipped · {{REPLIED}} replied</p>
    </li>{{/CAMPAIGN}}
  </ul>
  {{#MORE_CAMPAIGNS}}<p><a href="/campaigns">{{MORE}} more under way</a></p>{{/MORE_CAMPAIGNS}}
</section>
