{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Deal board</h1>
  <nav class="tabs" aria-label="Deals">{{#TAB}}<a href="{{TAB_HREF}}"{{#TAB_CURRENT}} aria-current="page"{{/TAB_CURRENT}}>{{TAB_LABEL}}</a>{{/TAB}}</nav>
  <p class="muted">Totals per currency, not converted. Live, unarchived deals.</p>
</div>
{{#NOTICE}}<div class="flash flash-error" role="alert" id="board-notice">{{TEXT}}</div>{{/NOTICE}}
<div class="flash flash-error" role="alert" id="board-js-notice" hidden></div>
<div class="deal-board" id="deal-board" tabindex="0" role="region" aria-label="Deal board, one column per stage (scrolls sideways)">
{{#COLUMN}}<section class="board-column" data-stage="{{STAGE}}" aria-labelledby="col-{{STAGE}}">
  <h2 id="col-{{STAGE}}">{{STAGE_LABEL}} <span class="board-count" data-count>{{COUNT}}</span></h2>
  <p class="board-total muted" data-total>{{TOTAL}}</p>
  <ol class="board-cards">{{#CARD}}<li class="board-card" id="card-{{ID}}" data-id="{{ID}}" data-version="{{VERSION}}" data-stage="{{STAGE}}"{{#CAN_MOVE}} draggable="true"{{/CAN_MOVE}}>
    <a class="board-title" href="/deals/{{ID}}">{{TITLE}}</a>
    <p class="muted">{{BRAND}}</p>
    <p><span class="board-value">{{VALUE}}</span> <span class="risk risk-{{RISK}}">{{RISK}}</span></p>
    {{#HAS_DUE}}<p class="muted">Next: {{NEXT}} <time datetime="{{NEXT_DUE}}">{{NEXT_DUE_LOCAL}}</time></p>{{/HAS_DUE}}
    {{#CAN_MOVE}}<form method="post" action="/deals/{{ID}}/stage" class="board-move">
      <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
      <input type="hidden" name="version" value="{{VERSION}}">
      <input type="hidden" name="return_to" value="board">
      <label class="visually-hidden" for="move-{{ID}}">Move “{{TITLE}}” to</label>
      <select id="move-{{ID}}" name="stage">{{#MOVE}}<option value="{{MOVE_VALUE}}">{{MOVE_LABEL}}</option>{{/MOVE}}</select>
      <button type="submit" class="button secondary">Move</button>
    </form>{{/CAN_MOVE}}
  </li>{{/CARD}}</ol>
  {{#MORE}}<p class="board-more muted">The {{SHOWN}} most recently updated are shown.
    <a href="/deals?stage={{STAGE}}">{{MORE_COUNT}} more in the list</a></p>{{/MORE}}
</section>{{/COLUMN}}
</div>
<script type="module" src="/static/js/deals_board.js?v={{STATIC_VERSION}}"></script>
