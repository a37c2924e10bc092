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
    {{!-- The rows are written in C (calls.c, rows_html): literal markup, every value --}}
    {{!-- escaped there as this template would. A dictionary per row was a third of --}}
    {{!-- the worker's CPU. --}}
    {{ROWS:none}}
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
