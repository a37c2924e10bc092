{{%AUTOESCAPE context="HTML"}}
{{#NOT_RUN}}<section class="empty-state"><h2>Fix the filters above</h2><p>The list appears once every filter is valid.</p></section>{{/NOT_RUN}}
<div class="results-bar">
  {{#COUNT}}<p class="result-count" id="result-count"><strong>{{COUNT_TEXT}}{{#COUNT_MORE}}+{{/COUNT_MORE}}</strong> {{COUNT_NOUN}}</p>{{/COUNT}}
  {{#HAS_ROWS}}<a class="button secondary export-link" href="{{EXPORT_URL}}" download>Export CSV</a>{{/HAS_ROWS}}
</div>
{{#HAS_ROWS}}
<div class="table-wrap">
<table class="calls-table" id="calls-table">
  <thead>
    <tr><th scope="col">Time</th><th scope="col">Direction</th><th scope="col">From</th><th scope="col">To</th>
      <th scope="col">Caller</th><th scope="col">Status</th><th scope="col" class="num">Duration</th>
      <th scope="col">Sentiment</th><th scope="col"><span class="visually-hidden">Recording</span><span aria-hidden="true">&#9835;</span></th></tr>
  </thead>
  <tbody>
    {{!-- One line per row: the whitespace between cells was a tenth of the page. --}}
    {{#ROW}}<tr data-id="{{ID}}"><td><a href="/calls/{{ID}}"><time datetime="{{STARTED_AT}}">{{TIME}}</time></a>{{#DEMO}} <span class="badge">demo</span>{{/DEMO}}</td><td><span class="dir dir-{{DIRECTION}}">{{DIRECTION}}</span></td><td class="phone">{{FROM}}</td><td class="phone">{{TO}}</td><td>{{CALLER}}</td><td><span class="status status-{{STATUS}}">{{STATUS_LABEL}}</span></td><td class="num">{{DURATION}}</td><td>{{#HAS_SENT}}<span class="sentiment sentiment-{{SENTIMENT}}">{{SENTIMENT}}</span>{{/HAS_SENT}}</td><td>{{#RECORDING}}<span class="rec" title="Recording available" aria-label="Recording available">&#9835;</span>{{/RECORDING}}</td></tr>
    {{/ROW}}
  </tbody>
</table>
</div>
{{/HAS_ROWS}}
{{#EMPTY_FILTERED}}<section class="empty-state" id="calls-empty">
  <h2>No calls match these filters</h2>
  <p>Try a wider date range, another spelling of the name, fewer statuses, or
  tick “Include demo calls”. <a href="/calls">Clear all filters</a> to see every call.</p>
</section>{{/EMPTY_FILTERED}}
{{#EMPTY_ALL}}<section class="empty-state" id="calls-empty">
  <h2>No calls yet</h2>
  <p>Calls appear here as soon as your voice providers report them. Demo calls are
  hidden: <a href="/calls?include_demo=true">include demo calls</a>.</p>
</section>{{/EMPTY_ALL}}
{{>PAGER}}
