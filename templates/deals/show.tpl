{{%AUTOESCAPE context="HTML"}}
<p class="breadcrumb"><a href="/deals">&larr; All deals</a></p>
<div class="page-head">
  <h1 id="deal-title">{{TITLE}}</h1>
  <nav class="tabs" aria-label="Deals">{{#TAB}}<a href="{{TAB_HREF}}"{{#TAB_CURRENT}} aria-current="page"{{/TAB_CURRENT}}>{{TAB_LABEL}}</a>{{/TAB}}</nav>
  {{#CAN_WRITE}}<a class="button" id="edit-deal" href="/deals/{{ID}}/edit">Edit</a>{{/CAN_WRITE}}
  {{#CAN_DELETE}}<a class="button danger" id="delete-deal" href="/deals/{{ID}}/delete">Delete</a>{{/CAN_DELETE}}
</div>
{{#NOTICE}}<div class="flash flash-error" role="alert" id="deal-notice">{{TEXT}}</div>{{/NOTICE}}
{{#DELETED}}<div class="flash flash-info" role="status" id="deleted-banner">This deal is deleted.
  {{#CAN_RESTORE}}<form method="post" action="/deals/{{ID}}/restore" class="inline-form"><input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}"><button type="submit" class="button" id="restore-deal">Restore</button></form>{{/CAN_RESTORE}}
  {{#CAN_PURGE}}<form method="post" action="/deals/{{ID}}/purge" class="inline-form"><input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}"><button type="submit" class="button danger" id="purge-deal">Delete permanently</button></form>{{/CAN_PURGE}}
</div>{{/DELETED}}
<div class="call-detail deal-detail">
  <section class="card" aria-labelledby="summary-title">
    <h2 id="summary-title">Summary</h2>
    <dl class="meta">
      <dt>Brand</dt><dd id="deal-brand">{{BRAND}}</dd>
      <dt>Value</dt><dd id="deal-value">{{VALUE}}</dd>
      <dt>Stage</dt><dd><span class="deal-stage stage-{{STAGE}}" id="deal-stage">{{STAGE_LABEL}}</span></dd>
      <dt>Owner</dt><dd>{{OWNER}}</dd>
      <dt>Contract</dt><dd>{{CONTRACT}}</dd>
      <dt>Type</dt><dd>{{DEAL_TYPE}}</dd>
      <dt>Usage rights</dt><dd>{{UR_START}} – {{UR_END}}</dd>
      <dt>Revisions</dt><dd>{{REV_USED}} of {{REV_LIMIT}} (extra: {{REV_FEE}})</dd>
      <dt>Tags</dt><dd>{{#TAG}}<span class="deal-tag">{{ITEM}}</span> {{/TAG}}</dd>
      <dt>Categories</dt><dd>{{#CATEGORY}}<span class="deal-tag">{{ITEM}}</span> {{/CATEGORY}}</dd>
      {{#AFFILIATE}}<dt>Affiliate code</dt><dd id="affiliate-code">{{#AFF_BROKEN}}<strong class="field-error">Cannot be opened with the configured secret key.</strong>{{/AFF_BROKEN}}{{AFF_TEXT}}{{#AFF_REVEAL}} <a href="/deals/{{ID}}?reveal=1" id="reveal-affiliate">Reveal</a>{{/AFF_REVEAL}}</dd>{{/AFFILIATE}}
      {{#ARCHIVED}}<dt>Archived</dt><dd>yes</dd>{{/ARCHIVED}}
    </dl>
    {{#CAN_WRITE}}<div class="stage-moves" id="stage-moves">{{#MOVE}}<form method="post" action="/deals/{{ID}}/stage" class="inline-form">
      <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}"><input type="hidden" name="version" value="{{VERSION}}">
      <input type="hidden" name="stage" value="{{MOVE_VALUE}}"><button type="submit" class="button secondary" data-stage="{{MOVE_VALUE}}">Move to {{MOVE_LABEL}}</button>
    </form>{{/MOVE}}</div>{{/CAN_WRITE}}
  </section>
  <section class="card" aria-labelledby="risk-title">
    <h2 id="risk-title">Risk <span class="risk risk-{{RISK}}" id="deal-risk">{{RISK}}</span></h2>
    <ul id="risk-reasons">{{#REASON}}<li>{{ITEM}}</li>{{/REASON}}</ul>
    <h3>Next action</h3>
    <p id="next-action">{{NEXT}}{{#HAS_DUE}} — due <time datetime="{{NEXT_DUE}}">{{NEXT_DUE_LOCAL}}</time>{{/HAS_DUE}}</p>
    {{#EXCLUSIVITY}}<h3>Exclusivity</h3><p>{{EX_CAT}} on {{#PLATFORM}}{{ITEM}} {{/PLATFORM}}from {{EX_START}} to {{EX_END}}</p>{{/EXCLUSIVITY}}
    {{#CONFLICT}}<p class="flash flash-error conflict" role="status"><a href="/deals/{{C_ID}}">{{REASON}}</a></p>{{/CONFLICT}}
  </section>
</div>
<section class="card" aria-labelledby="deliverables-title">
  <h2 id="deliverables-title">Deliverables</h2>
  {{#CAN_WRITE}}<p><a class="button secondary" href="/deals/{{ID}}/deliverables/new" id="add-deliverable">Add deliverable</a></p>{{/CAN_WRITE}}
  <ul class="deal-children" id="deliverables">{{#DELIVERABLE}}<li>{{QUANTITY}} × {{PLATFORM}} {{TYPE}} <span class="deadline deadline-{{STATE}}">{{STATE}}</span> <span class="muted">{{REASON}}</span> · {{APPROVAL}}
    {{#ROW_WRITE}}<span class="row-actions">
      <a href="/deliverables/{{D_ID}}/edit">Edit</a>
      {{#CAN_SUBMIT}}<form method="post" action="/deliverables/{{D_ID}}/submit" class="inline"><input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}"><button type="submit" class="link-button">Submit for approval</button></form>{{/CAN_SUBMIT}}
      {{#CAN_REVISE}}<a href="/deliverables/{{D_ID}}/submit">Submit revision…</a>{{/CAN_REVISE}}
      {{#CAN_REVIEW}}<form method="post" action="/deliverables/{{D_ID}}/approve" class="inline"><input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}"><button type="submit" class="link-button">Approve</button></form>
      <a href="/deliverables/{{D_ID}}/reject">Reject…</a>{{/CAN_REVIEW}}
      {{#CAN_POST}}<a href="/deliverables/{{D_ID}}/posted">Mark posted…</a>{{/CAN_POST}}
    </span>{{/ROW_WRITE}}</li>{{/DELIVERABLE}}</ul>
</section>
<section class="card" aria-labelledby="payments-title">
  <h2 id="payments-title">Payments</h2>
  {{#CAN_WRITE}}<p><a class="button secondary" href="/deals/{{ID}}/payments/new" id="record-payment">Record payment</a></p>{{/CAN_WRITE}}
  <ul class="deal-children" id="payments">{{#PAYMENT}}<li>{{KIND}} {{AMOUNT}} <span class="muted">expected {{EXPECTED}}</span> <span class="pay-status pay-{{STATUS}}">{{STATUS}}</span>{{#DISPUTED}} <span class="badge">disputed</span>{{/DISPUTED}}
    {{#ROW_WRITE}}<span class="row-actions">
      <a href="/payments/{{P_ID}}/edit">Edit</a>
      {{#CAN_INVOICE}}<form method="post" action="/payments/{{P_ID}}/invoice-sent" class="inline"><input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}"><button type="submit" class="link-button">Invoice sent</button></form>{{/CAN_INVOICE}}
      {{#CAN_PAY}}<a href="/payments/{{P_ID}}/paid">Record paid…</a>{{/CAN_PAY}}
      {{#CAN_DISPUTE}}<a href="/payments/{{P_ID}}/dispute">Open dispute…</a>{{/CAN_DISPUTE}}
      {{#DISPUTED}}<form method="post" action="/payments/{{P_ID}}/resolve" class="inline"><input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}"><button type="submit" class="link-button">Resolve dispute</button></form>{{/DISPUTED}}
    </span>{{/ROW_WRITE}}</li>{{/PAYMENT}}</ul>
</section>
{{>TERMS}}
{{>NOTES}}
{{>INSTALLMENTS}}
{{>DELIVERABLE_HISTORY}}
<section class="card" aria-labelledby="history-title">
  <h2 id="history-title">Change history</h2>
  {{#NO_HISTORY}}<p class="muted">No changes recorded.</p>{{/NO_HISTORY}}
  <div class="table-scroll" tabindex="0" role="region" aria-label="Change history (scrolls sideways)"><table class="calls-table" id="history">
    <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Field</th><th scope="col">Old → new</th></tr></thead>
    <tbody>{{#HISTORY}}<tr><td><time datetime="{{WHEN_ISO}}">{{WHEN}}</time></td><td>{{WHO}}</td><td>{{ENTITY}} {{ACTION}}</td><td>{{FIELD}}</td><td>{{OLD}} → {{NEW}}</td></tr>{{/HISTORY}}</tbody>
  </table></div>
</section>
