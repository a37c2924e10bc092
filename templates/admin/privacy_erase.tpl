{{%AUTOESCAPE context="HTML"}}
<section class="card confirm-card" aria-labelledby="confirm-title">
  <h1 id="confirm-title">Erase {{NAME}}?</h1>
  {{#ERASED}}<p id="already-erased">This contact's personal data was erased before; there is nothing left to erase.</p>
  <p><a class="button secondary" href="/contacts">Back to contacts</a></p>{{/ERASED}}
  {{#CAN_ERASE}}
  <p>Erasing removes this contact's personal data for good, everywhere Switchboard keeps it. It cannot be undone: export it first if it must be handed over.</p>
  <ul id="erase-scope">
    <li>The contact: name, phone <span class="wrap-anywhere">{{PHONE}}</span>, email <span class="wrap-anywhere">{{EMAIL}}</span>, company, property, tags. It leaves the contact list, and its number no longer links new calls to it.</li>
    <li>Calls ({{CALLS}}): the number, the caller's name, transcript, summary and action items; the recordings ({{RECORDINGS}}) and their files are deleted. Each call's time, direction, status, duration and sentiment stay, so the analytics do not change.</li>
    <li>Campaign messages ({{MESSAGES}}) lose their address, replies ({{REPLIES}}) their text and address; stored provider events and outbound webhook deliveries that name the contact are blanked, and the lines that name it leave uploaded CSV files.</li>
  </ul>
  <p>The audit log keeps that the contact was erased, by whom and when.</p>
  <form method="post" action="/admin/privacy/contacts/{{ID}}/erase" novalidate>
    <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
    {{>ERROR_SUMMARY}}
    <p>To confirm, type <strong id="erase-word">{{WORD}}</strong> below.</p>
    {{>FIELD_CONFIRM}}
    <div class="confirm-actions">
      <button type="submit" class="button danger" id="confirm-erase">Erase personal data</button>
      <a class="button secondary" href="/contacts/{{ID}}">Cancel</a>
    </div>
  </form>
  {{/CAN_ERASE}}
</section>
