{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>System health</h1>
  <nav aria-label="Admin pages" class="subnav"><a href="/admin" aria-current="page">System health</a> · <a href="/admin/settings">Settings</a> · <a href="/admin/usage">Usage</a></nav>
</div>
<nav aria-label="Admin" class="sub-nav admin-nav">
  <a href="/admin" aria-current="page">System health</a> · <a href="/admin/users">Users</a> · <a href="/admin/api-keys">API keys</a>
</nav>
<section class="cards">
  <article class="card">
    <h2>Database</h2>
    <p class="big ok">Up</p>
    <p class="muted">{{DB_VERSION}}</p>
    <p class="muted">Size {{DB_SIZE}}</p>
  </article>
  <article class="card">
    <h2>Worker pool</h2>
    <p class="big">{{WORKERS_BUSY}} busy · {{WORKERS_IDLE}} idle</p>
    <p class="muted">{{WORKER_RESTARTS}} restarts, {{WORKER_CRASHES}} crashes</p>
  </article>
  <article class="card">
    <h2>Traffic</h2>
    <p class="big">{{REQUESTS_SERVED}}</p>
    <p class="muted">requests served since start · {{DB_ERRORS}} database errors</p>
  </article>
  <article class="card">
    <h2>People</h2>
    <p class="big">{{USER_COUNT}} users</p>
    <p class="muted">{{SESSION_COUNT}} active sessions</p>
  </article>
</section>
