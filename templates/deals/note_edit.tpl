{{%AUTOESCAPE context="HTML"}}
{{#EDIT}}<div class="page-head">
  <h1>Edit note</h1>
  <p class="muted">By {{AUTHOR}} at {{WHEN}} · deal <a href="/deals/{{DEAL_ID}}">back to the deal</a></p>
</div>
<form class="child-form" method="post" action="/deal-notes/{{ID}}" novalidate>
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  {{>ERROR_SUMMARY}}
  <div class="field{{#E_BODY}} has-error{{/E_BODY}}">
    <label for="f-body">Note</label>
    <textarea id="f-body" name="body" rows="5" maxlength="5000" required{{#E_BODY}} aria-invalid="true" aria-describedby="e-body"{{/E_BODY}}>{{V_BODY}}</textarea>
    {{#E_BODY}}<p class="field-error" id="e-body">{{MSG}}</p>{{/E_BODY}}
  </div>
  <div class="form-actions">
    <button type="submit" class="button primary">Save note</button>
    <a class="button secondary" href="/deals/{{DEAL_ID}}">Cancel</a>
  </div>
</form>{{/EDIT}}
{{#DELETE}}<section class="card confirm-card" aria-labelledby="confirm-title">
  <h1 id="confirm-title">Delete this note?</h1>
  <p class="muted">By {{AUTHOR}} at {{WHEN}}</p>
  <blockquote class="note-body">{{BODY}}</blockquote>
  <p>The note disappears from the deal; its text stays in the deal's change history.</p>
  <form method="post" action="/deal-notes/{{ID}}/delete" class="confirm-actions">
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    <button type="submit" class="button danger" id="confirm-delete-note">Delete note</button>
    <a class="button secondary" href="/deals/{{DEAL_ID}}">Cancel</a>
  </form>
</section>{{/DELETE}}
