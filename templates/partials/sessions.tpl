{{%AUTOESCAPE context="HTML"}}
{{! A user's sessions with a button to end each; ACTION_BASE is where the revoke forms post (…/sessions/{id}/revoke). }}
{{#HAS_ROWS}}<div class="table-wrap" tabindex="0" role="region" aria-label="Sessions">
<table class="data-table" id="sessions">
  <thead><tr><th scope="col">Signed in</th><th scope="col">Last seen</th><th scope="col">Address</th><th scope="col">Browser</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>
  {{#SESSION}}<tr><td>{{CREATED}}</td><td>{{SEEN}}{{#CURRENT}} <span class="badge">this session</span>{{/CURRENT}}</td><td>{{IP}}</td><td class="user-agent">{{AGENT}}</td>
    <td><form method="post" action="{{ACTION_BASE}}/sessions/{{SID}}/revoke" class="inline-form">
      <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
      <button type="submit" class="button secondary small">End<span class="visually-hidden"> the session signed in {{CREATED}}</span></button>
    </form></td></tr>
  {{/SESSION}}
  </tbody>
</table>
</div>{{/HAS_ROWS}}
