{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>System health</h1>
  <div class="page-actions"><a class="button secondary" href="/admin" id="health-reload">Reload</a></div>
</div>
{{>ADMIN_NAV}}
<p class="muted" id="health-status" role="status" aria-live="polite">Figures as of this page's loading.</p>
<section class="cards" id="health" data-source="/api/v1/admin/health">
  <article class="card" id="health-db">
    <h2>Database</h2>
    <p class="big ok">Up</p>
    <p class="muted">PostgreSQL <span data-health="database.version">{{DB_VERSION}}</span></p>
    <p class="muted">Size <span data-health="database.size">{{DB_SIZE}}</span></p>
  </article>
  <article class="card" id="health-workers">
    <h2>Worker pool</h2>
    <p class="big"><span data-health="workers.busy">{{WORKERS_BUSY}}</span> busy · <span data-health="workers.idle">{{WORKERS_IDLE}}</span> idle</p>
    <p class="muted"><span data-health="workers.restarts">{{WORKER_RESTARTS}}</span> restarts, <span data-health="workers.crashes">{{WORKER_CRASHES}}</span> crashes, <span data-health="workers.recycles">{{WORKER_RECYCLES}}</span> recycled</p>
  </article>
  <article class="card" id="health-dead">
    <h2>Failed jobs</h2>
    <p class="big{{#HAS_DEAD}} bad{{/HAS_DEAD}}" data-health="dead_jobs">{{DEAD_TOTAL}}</p>
    <p class="muted"><a href="/admin/jobs">Dead letters and retries</a></p>
  </article>
  <article class="card" id="health-recordings">
    <h2>Recordings</h2>
    <p class="big"><span data-health="recordings.size">{{REC_SIZE}}</span></p>
    <p class="muted"><span data-health="recordings.files">{{REC_FILES}}</span> files · <span data-health="recordings.disk_free">{{DISK_FREE}}</span> free of {{DISK_TOTAL}}</p>
  </article>
  <article class="card" id="health-people">
    <h2>People</h2>
    <p class="big">{{USER_COUNT}} users</p>
    <p class="muted">{{SESSION_COUNT}} active sessions</p>
  </article>
</section>
<h2 class="section-title" id="requests-title">Requests</h2>
<div class="table-wrap" tabindex="0" role="region" aria-labelledby="requests-title">
<table class="data-table" id="health-requests">
  <thead><tr><th scope="col">Last</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Errors (5xx)</th><th scope="col" class="num">p50 ms</th><th scope="col" class="num">p95 ms</th><th scope="col" class="num">p99 ms</th></tr></thead>
  <tbody>
  {{#WINDOW}}<tr data-minutes="{{MINUTES}}"><th scope="row">{{MINUTES}} minutes</th><td class="num" data-col="requests">{{COUNT}}</td><td class="num" data-col="error_rate">{{ERROR_RATE}} %</td><td class="num" data-col="p50_ms">{{P50}}</td><td class="num" data-col="p95_ms">{{P95}}</td><td class="num" data-col="p99_ms">{{P99}}</td></tr>
  {{/WINDOW}}
  </tbody>
</table>
</div>
<h2 class="section-title" id="queue-title">Job queue</h2>
<div class="table-wrap" tabindex="0" role="region" aria-labelledby="queue-title">
<table class="data-table" id="health-queue">
  <thead><tr><th scope="col">Kind</th><th scope="col" class="num">Queued</th><th scope="col" class="num">Running</th><th scope="col" class="num">Dead</th><th scope="col" class="num">Oldest due (s)</th></tr></thead>
  <tbody>
  {{#KIND}}<tr><th scope="row">{{KIND}}</th><td class="num">{{QUEUED}}</td><td class="num">{{RUNNING}}</td><td class="num">{{DEAD}}</td><td class="num">{{OLDEST}}</td></tr>
  {{/KIND}}
  </tbody>
</table>
</div>
{{#QUEUE_EMPTY}}<p class="empty-state" id="queue-empty">No job is queued, running or dead.</p>{{/QUEUE_EMPTY}}
<h2 class="section-title" id="providers-title">Provider circuits</h2>
<div class="table-wrap" tabindex="0" role="region" aria-labelledby="providers-title">
<table class="data-table" id="health-providers">
  <thead><tr><th scope="col">Provider</th><th scope="col">State</th><th scope="col" class="num">Failures</th><th scope="col">Opened</th></tr></thead>
  <tbody>
  {{#BREAKER}}<tr><th scope="row">{{PROVIDER}}</th><td><span class="badge breaker-{{STATE}}">{{STATE}}</span></td><td class="num">{{FAILURES}}</td><td>{{OPENED_AT}}</td></tr>
  {{/BREAKER}}
  </tbody>
</table>
</div>
{{#NO_BREAKERS}}<p class="empty-state" id="providers-empty">No provider has been called yet: every circuit is closed.</p>{{/NO_BREAKERS}}
<script type="module" src="/static/js/admin_health.js?v={{STATIC_VERSION}}"></script>
