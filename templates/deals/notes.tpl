{{%AUTOESCAPE context="HTML"}}
{{! The deal page's notes, newest first, and the form to add one. Filled by deal_notes_fill() (src/app/deals/deal_notes.c). }}
<section class="card" aria-labelledby="notes-title">
  <h2 id="notes-title">Notes</h2>
  {{#ADD_NOTE}}<form method="post" action="/deals/{{ID}}/notes" class="child-form" id="add-note" novalidate>
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    {{>ERROR_SUMMARY}}
    <div class="field{{#E_BODY}} has-error{{/E_BODY}}">
      <label for="f-body">New note</label>
      <textarea id="f-body" name="body" rows="3" maxlength="5000" required{{#E_BODY}} aria-invalid="true" aria-describedby="e-body"{{/E_BODY}}>{{V_BODY}}</textarea>
      {{#E_BODY}}<p class="field-error" id="e-body">{{MSG}}</p>{{/E_BODY}}
    </div>
    <div class="form-actions"><button type="submit" class="button primary" id="add-note-submit">Add note</button></div>
  </form>{{/ADD_NOTE}}
  {{#NO_NOTES}}<p class="muted" id="no-notes">No notes yet.</p>{{/NO_NOTES}}
  <ol class="deal-notes" id="notes">{{#NOTE}}<li class="deal-note" data-note="{{N_ID}}">
    <p class="muted"><strong>{{AUTHOR}}</strong> · <time datetime="{{WHEN_ISO}}">{{WHEN}}</time>{{#EDITED}} · edited{{/EDITED}}
    {{#CAN_CHANGE}}<span class="row-actions"><a href="/deal-notes/{{N_ID}}/edit">Edit</a> <a href="/deal-notes/{{N_ID}}/delete">Delete…</a></span>{{/CAN_CHANGE}}</p>
    <p class="note-body">{{BODY}}</p>
  </li>{{/NOTE}}</ol>
</section>
