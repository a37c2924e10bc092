{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Jobs</h1>
</div>
{{>ADMIN_NAV}}
<h2 class="section-title" id="kinds-title">Queue by kind</h2>
<div class="table-wrap" tabindex="0" role="region" aria-labelledby="kinds-title">
<table class="data-table" id="job-kinds">
  <thead><tr><th scope="col">Kind</th><th scope="col" class="num">Queued</th><th scope="col" class="num">Running</th><th scope="col" class="num">Dead</th><th scope="col" class="num">Oldest due (s)</th></tr></thead>
  <tbody>
  {{#KIND}}<tr><th scope="row">{{KIND}}</th><td class="num">{{QUEUED}}</td><td class="num">{{RUNNING}}</td><td class="num">{{DEAD}}</td><td class="num">{{OLDEST}}</td></tr>
  {{/KIND}}
  </tbody>
</table>
</div>
{{#KINDS_EMPTY}}<p class="empty-state" id="kinds-empty">No job of this organisation is queued, running or dead.</p>{{/KINDS_EMPTY}}
<h2 class="section-title" id="periodic-title">Periodic jobs</h2>
<p class="muted">Each run queues the next one when it finishes; they act on every organisation.</p>
<div class="table-wrap" tabindex="0" role="region" aria-labelledby="periodic-title">
<table class="data-table" id="periodic-jobs">
  <thead><tr><th scope="col">Kind</th><th scope="col">What it does</th><th scope="col">Every</th><th scope="col">Last run</th><th scope="col">Next run</th></tr></thead>
  <tbody>
  {{#PERIODIC}}<tr data-kind="{{KIND}}"><th scope="row">{{KIND}}</th><td class="purpose">{{PURPOSE}}</td><td>{{EVERY}}</td><td class="last-run">{{LAST}} {{LAST_STATUS}} <span class="muted">{{LAST_ERROR}}</span></td><td class="next-run">{{NEXT}}</td></tr>
  {{/PERIODIC}}
  </tbody>
</table>
</div>
<h2 class="section-title" id="dead-title">Dead letters</h2>
{{#FORM_ERROR}}<div class="form-error" role="alert" id="filter-errors">This list cannot be shown as asked; see the messages below.</div>{{/FORM_ERROR}}
<form class="admin-filters" method="get" action="/admin/jobs" role="search" id="dead-filters">
  <div class="filter-grid">{{>FIELD_KIND}}</div>
  {{#E_LIMIT}}<p class="field-error" id="e-limit">{{MSG}}</p>{{/E_LIMIT}}
  {{#E_CURSOR}}<p class="field-error" id="e-cursor">{{MSG}}</p>{{/E_CURSOR}}
  <button type="submit" class="button secondary">Filter</button>
</form>
<div class="table-wrap" tabindex="0" role="region" aria-labelledby="dead-title">
<table class="data-table" id="dead-jobs">
  <thead><tr><th scope="col" class="num">Job</th><th scope="col">Kind</th><th scope="col" class="num">Attempts</th><th scope="col">Last error</th><th scope="col">Died</th><th scope="col">Actions</th></tr></thead>
  <tbody>
  {{#DEAD}}<tr data-id="{{ID}}"><td class="num">{{ID}}</td><td class="nowrap">{{KIND}}</td><td class="num">{{ATTEMPTS}}</td><td class="wrap">{{ERROR}}</td><td class="nowrap">{{DIED_AT}}</td>
    <td><div class="job-actions"><form method="post" action="/admin/jobs/{{ID}}/retry"><input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}"><button type="submit" class="button secondary" aria-label="Retry job {{ID}}">Retry</button></form>
    <a class="button secondary" href="/admin/jobs/{{ID}}/discard" aria-label="Discard job {{ID}}">Discard…</a></div></td></tr>
  {{/DEAD}}
  </tbody>
</table>
</div>
{{#DEAD_EMPTY}}<p class="empty-state" id="dead-empty">No dead job: everything that failed was retried to success.</p>{{/DEAD_EMPTY}}
{{#DEAD_NO_MORE}}<p class="empty-state" id="dead-no-more">No more dead jobs.</p>{{/DEAD_NO_MORE}}
{{>PAGER}}
