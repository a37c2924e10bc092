{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Users</h1>
  <div class="page-actions"><a class="button" href="/admin/users/new" id="new-user">New user</a></div>
</div>
{{>ADMIN_NAV}}
{{#FORM_ERROR}}<div class="form-error" role="alert">This list cannot be shown as asked: {{#E_LIMIT}}limit {{MSG}}{{/E_LIMIT}}{{#E_CURSOR}}cursor {{MSG}}{{/E_CURSOR}}</div>{{/FORM_ERROR}}
<div class="table-wrap" tabindex="0" role="region" aria-label="Users">
<table class="data-table" id="users">
  <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Last sign-in</th></tr></thead>
  <tbody>
  {{#USER}}<tr><td><a href="/admin/users/{{ID}}">{{NAME}}</a></td><td class="wrap-anywhere">{{EMAIL}}</td><td>{{ROLE}}</td><td><span class="badge status-{{STATUS}}">{{STATUS}}</span></td><td>{{LAST}}</td></tr>
  {{/USER}}
  </tbody>
</table>
</div>
{{#EMPTY}}<p class="empty-state">No more users.</p>{{/EMPTY}}
{{>PAGER}}
