{{%AUTOESCAPE context="HTML"}}
<p class="breadcrumb"><a href="/calls">&larr; All calls</a></p>
<div class="page-head">
  <h1>{{TITLE_NAME}}</h1>
  {{#CAN_DELETE}}<a class="button danger" id="delete-call" href="/calls/{{ID}}/delete">Delete call</a>{{/CAN_DELETE}}
</div>
<div class="call-detail">
  <section class="card call-meta" aria-labelledby="meta-title">
    <h2 id="meta-title">Call</h2>
    <dl class="meta">
      <dt>Started</dt><dd><time datetime="{{STARTED_AT}}">{{TIME}}</time> <span class="muted">({{ORG_TIMEZONE}})</span></dd>
      <dt>Ended</dt><dd>{{ENDED}}</dd>
      <dt>Direction</dt><dd><span class="dir dir-{{DIRECTION}}">{{DIRECTION}}</span></dd>
      <dt>From</dt><dd class="phone">{{FROM}}</dd>
      <dt>To</dt><dd class="phone">{{TO}}</dd>
      <dt>Caller name</dt><dd>{{CALLER}}</dd>
      <dt>Status</dt><dd><span class="status status-{{STATUS}}">{{STATUS_LABEL}}</span></dd>
      <dt>Duration</dt><dd>{{DURATION}}</dd>
      {{#HAS_SENTIMENT}}<dt>Sentiment</dt><dd><span class="sentiment sentiment-{{SENTIMENT}}">{{SENTIMENT}}</span>{{#HAS_SCORE}} <span class="muted">({{SCORE}})</span>{{/HAS_SCORE}}</dd>{{/HAS_SENTIMENT}}
      {{#NO_SENTIMENT}}<dt>Sentiment</dt><dd class="muted" id="no-sentiment">Not in the analysis</dd>{{/NO_SENTIMENT}}
      {{#NOT_ANALYSED}}<dt>Analysis</dt><dd class="muted" id="not-analysed">Not analysed</dd>{{/NOT_ANALYSED}}
      {{#SUCCESS}}<dt>Success evaluation</dt><dd id="success-evaluation">{{SUCCESS_EVALUATION}}</dd>{{/SUCCESS}}
      {{#HAS_ENDED_REASON}}<dt>Ended because</dt><dd>{{ENDED_REASON}}</dd>{{/HAS_ENDED_REASON}}
      <dt>Provider</dt><dd>{{PROVIDER}} <code>{{PROVIDER_CALL_ID}}</code></dd>
      {{#CONTACT}}<dt>Contact</dt><dd id="contact">{{CONTACT_NAME}} <span class="phone">{{CONTACT_PHONE}}</span></dd>{{/CONTACT}}
    </dl>
  </section>
  <section class="card call-recording" aria-labelledby="rec-title">
    <h2 id="rec-title">Recording</h2>
    {{#PLAYER}}<audio id="call-audio" controls preload="none" src="/calls/{{ID}}/recording"></audio>{{/PLAYER}}
    {{#RECORDING_DELETED}}<p class="muted" id="recording-deleted">Recording deleted {{RECORDING_DELETED_WHY}} ({{RECORDING_DELETED_ON}}).</p>{{/RECORDING_DELETED}}
    {{#NO_PLAYER}}<p class="muted" id="no-recording">No recording ({{RECORDING_STATUS}}).</p>{{/NO_PLAYER}}
    {{#HAS_SUMMARY}}<h2>Summary</h2><p id="summary">{{SUMMARY}}</p>{{/HAS_SUMMARY}}
    <h2>Action items</h2>
    {{#NO_ACTION_ITEMS}}<p class="muted">None.</p>{{/NO_ACTION_ITEMS}}
    {{#NOT_ANALYSED}}<p class="muted">Not analysed.</p>{{/NOT_ANALYSED}}
    <ul class="action-items">{{#ACTION_ITEM}}<li>{{ITEM}}</li>{{/ACTION_ITEM}}</ul>
  </section>
</div>
<section class="card transcript-card" aria-labelledby="transcript-title">
  <h2 id="transcript-title">Transcript</h2>
  {{#NO_TRANSCRIPT}}<p class="muted">No transcript for this call.</p>{{/NO_TRANSCRIPT}}
  {{#HAS_TRANSCRIPT}}<ol class="transcript" id="transcript">
    {{#LINE}}<li class="line speaker-{{SPEAKER}}">{{#TIMED}}<button type="button" class="seek" data-t-ms="{{T_MS}}" title="Play from {{T_TEXT}}"><time>{{T_TEXT}}</time></button>{{/TIMED}}{{#UNTIMED}}<span class="seek"></span>{{/UNTIMED}}
      <span class="speaker">{{SPEAKER}}</span> <span class="text">{{TEXT}}</span></li>
    {{/LINE}}
  </ol>{{/HAS_TRANSCRIPT}}
</section>
<section class="card related-card" aria-labelledby="related-title">
  <h2 id="related-title">Other calls with {{OTHER_NUMBER}}</h2>
  {{#NO_RELATED}}<p class="muted">No other calls with this number.</p>{{/NO_RELATED}}
  {{#HAS_RELATED}}<table class="calls-table" id="related-calls">
    <thead><tr><th scope="col">Time</th><th scope="col">Direction</th><th scope="col">Status</th><th scope="col" class="num">Duration</th></tr></thead>
    <tbody>{{#RELATED}}<tr data-id="{{ID}}"><td><a href="/calls/{{ID}}"><time datetime="{{STARTED_AT}}">{{TIME}}</time></a></td><td>{{DIRECTION}}</td><td><span class="status status-{{STATUS}}">{{STATUS_LABEL}}</span></td><td class="num">{{DURATION}}</td></tr>{{/RELATED}}</tbody>
  </table>{{/HAS_RELATED}}
</section>
<script type="module" src="/static/js/call_detail.js?v={{STATIC_VERSION}}"></script>
