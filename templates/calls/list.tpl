{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>Calls</h1>
  <nav class="tabs" aria-label="Calls">
    <a href="/calls" aria-current="page">Calls</a>
    <a href="/calls/analytics">Analytics</a>
  </nav>
  <p class="muted">Times in {{ORG_TIMEZONE}}</p>
</div>
<form class="call-filters" id="call-filters" method="get" action="/calls" novalidate>
  {{#FORM_ERROR}}<div class="form-error" role="alert" id="filter-errors">
    <p>Some filters could not be used:</p>
    <ul>{{#ERROR_SUMMARY}}<li><a href="#f-{{FIELD}}">{{FIELD}}</a> {{MSG}}</li>{{/ERROR_SUMMARY}}</ul>
  </div>{{/FORM_ERROR}}
  <div class="filter-grid">
    <div class="field{{#E_start_date}} has-error{{/E_start_date}}">
      <label for="f-start_date">From</label>
      <input id="f-start_date" name="start_date" type="{{START_TYPE}}" value="{{V_start_date}}" placeholder="YYYY-MM-DD"{{#E_start_date}} aria-invalid="true" aria-describedby="e-start_date"{{/E_start_date}}>
      {{#E_start_date}}<p class="field-error" id="e-start_date">{{MSG}}</p>{{/E_start_date}}
    </div>
    <div class="field{{#E_end_date}} has-error{{/E_end_date}}">
      <label for="f-end_date">To</label>
      <input id="f-end_date" name="end_date" type="{{END_TYPE}}" value="{{V_end_date}}" placeholder="YYYY-MM-DD"{{#E_end_date}} aria-invalid="true" aria-describedby="e-end_date"{{/E_end_date}}>
      {{#E_end_date}}<p class="field-error" id="e-end_date">{{MSG}}</p>{{/E_end_date}}
    </div>
    <div class="field{{#E_phone}} has-error{{/E_phone}}">
      <label for="f-phone">Phone number</label>
      <input id="f-phone" name="phone" type="text" inputmode="tel" value="{{V_phone}}" placeholder="(415) 555-0100"{{#E_phone}} aria-invalid="true" aria-describedby="e-phone"{{/E_phone}}>
      {{#E_phone}}<p class="field-error" id="e-phone">{{MSG}}</p>{{/E_phone}}
    </div>
    <div class="field{{#E_name}} has-error{{/E_name}}">
      <label for="f-name">Caller name</label>
      <input id="f-name" name="name" type="text" value="{{V_name}}"{{#E_name}} aria-invalid="true" aria-describedby="e-name"{{/E_name}}>
      {{#E_name}}<p class="field-error" id="e-name">{{MSG}}</p>{{/E_name}}
    </div>
    <div class="field{{#E_q}} has-error{{/E_q}}">
      <label for="f-q">Transcript contains</label>
      <input id="f-q" name="q" type="search" value="{{V_q}}" placeholder="refund -cancel"{{#E_q}} aria-invalid="true" aria-describedby="e-q"{{/E_q}}>
      {{#E_q}}<p class="field-error" id="e-q">{{MSG}}</p>{{/E_q}}
    </div>
    <div class="field{{#E_direction}} has-error{{/E_direction}}">
      <label for="f-direction">Direction</label>
      <select id="f-direction" name="direction"{{#E_direction}} aria-invalid="true" aria-describedby="e-direction"{{/E_direction}}>{{#DIRECTION_OPT}}<option value="{{OPT_VALUE}}"{{#OPT_SELECTED}} selected{{/OPT_SELECTED}}>{{OPT_LABEL}}</option>{{/DIRECTION_OPT}}</select>
      {{#E_direction}}<p class="field-error" id="e-direction">{{MSG}}</p>{{/E_direction}}
    </div>
    <div class="field{{#E_status}} has-error{{/E_status}}">
      <label for="f-status">Status</label>
      <select id="f-status" name="status"{{#E_status}} aria-invalid="true" aria-describedby="e-status"{{/E_status}}>{{#STATUS_OPT}}<option value="{{OPT_VALUE}}"{{#OPT_SELECTED}} selected{{/OPT_SELECTED}}>{{OPT_LABEL}}</option>{{/STATUS_OPT}}</select>
      {{#E_status}}<p class="field-error" id="e-status">{{MSG}}</p>{{/E_status}}
    </div>
    <div class="field{{#E_sentiment}} has-error{{/E_sentiment}}">
      <label for="f-sentiment">Sentiment</label>
      <select id="f-sentiment" name="sentiment"{{#E_sentiment}} aria-invalid="true" aria-describedby="e-sentiment"{{/E_sentiment}}>{{#SENTIMENT_OPT}}<option value="{{OPT_VALUE}}"{{#OPT_SELECTED}} selected{{/OPT_SELECTED}}>{{OPT_LABEL}}</option>{{/SENTIMENT_OPT}}</select>
      {{#E_sentiment}}<p class="field-error" id="e-sentiment">{{MSG}}</p>{{/E_sentiment}}
    </div>
    <div class="field{{#E_has_recording}} has-error{{/E_has_recording}}">
      <label for="f-has_recording">Recording</label>
      <select id="f-has_recording" name="has_recording"{{#E_has_recording}} aria-invalid="true" aria-describedby="e-has_recording"{{/E_has_recording}}>{{#RECORDING_OPT}}<option value="{{OPT_VALUE}}"{{#OPT_SELECTED}} selected{{/OPT_SELECTED}}>{{OPT_LABEL}}</option>{{/RECORDING_OPT}}</select>
      {{#E_has_recording}}<p class="field-error" id="e-has_recording">{{MSG}}</p>{{/E_has_recording}}
    </div>
    <div class="field{{#E_min_duration}} has-error{{/E_min_duration}}">
      <label for="f-min_duration">Min. seconds</label>
      <input id="f-min_duration" name="min_duration" type="text" inputmode="numeric" value="{{V_min_duration}}"{{#E_min_duration}} aria-invalid="true" aria-describedby="e-min_duration"{{/E_min_duration}}>
      {{#E_min_duration}}<p class="field-error" id="e-min_duration">{{MSG}}</p>{{/E_min_duration}}
    </div>
    <div class="field{{#E_max_duration}} has-error{{/E_max_duration}}">
      <label for="f-max_duration">Max. seconds</label>
      <input id="f-max_duration" name="max_duration" type="text" inputmode="numeric" value="{{V_max_duration}}"{{#E_max_duration}} aria-invalid="true" aria-describedby="e-max_duration"{{/E_max_duration}}>
      {{#E_max_duration}}<p class="field-error" id="e-max_duration">{{MSG}}</p>{{/E_max_duration}}
    </div>
    <div class="field{{#E_campaign_id}} has-error{{/E_campaign_id}}">
      <label for="f-campaign_id">Campaign id</label>
      <input id="f-campaign_id" name="campaign_id" type="text" value="{{V_campaign_id}}"{{#E_campaign_id}} aria-invalid="true" aria-describedby="e-campaign_id"{{/E_campaign_id}}>
      {{#E_campaign_id}}<p class="field-error" id="e-campaign_id">{{MSG}}</p>{{/E_campaign_id}}
    </div>
    <div class="field{{#E_sort}} has-error{{/E_sort}}">
      <label for="f-sort">Sort</label>
      <select id="f-sort" name="sort"{{#E_sort}} aria-invalid="true" aria-describedby="e-sort"{{/E_sort}}>{{#SORT_OPT}}<option value="{{OPT_VALUE}}"{{#OPT_SELECTED}} selected{{/OPT_SELECTED}}>{{OPT_LABEL}}</option>{{/SORT_OPT}}</select>
      {{#E_sort}}<p class="field-error" id="e-sort">{{MSG}}</p>{{/E_sort}}
    </div>
    <div class="field{{#E_limit}} has-error{{/E_limit}}">
      <label for="f-limit">Per page</label>
      <select id="f-limit" name="limit"{{#E_limit}} aria-invalid="true" aria-describedby="e-limit"{{/E_limit}}>{{#LIMIT_OPT}}<option value="{{OPT_VALUE}}"{{#OPT_SELECTED}} selected{{/OPT_SELECTED}}>{{OPT_LABEL}}</option>{{/LIMIT_OPT}}</select>
      {{#E_limit}}<p class="field-error" id="e-limit">{{MSG}}</p>{{/E_limit}}
    </div>
    <div class="field checkbox{{#E_include_demo}} has-error{{/E_include_demo}}">
      <input id="f-include_demo" name="include_demo" type="checkbox" value="true"{{#DEMO_CHECKED}} checked{{/DEMO_CHECKED}}>
      <label for="f-include_demo">Include demo calls</label>
      {{#E_include_demo}}<p class="field-error" id="e-include_demo">{{MSG}}</p>{{/E_include_demo}}
    </div>
    {{#E_cursor}}<div class="field has-error"><p class="field-error" id="f-cursor">Page link: {{MSG}}</p></div>{{/E_cursor}}
  </div>
  <div class="filter-actions">
    <button type="submit" class="button primary">Apply filters</button>
    {{#CAN_CLEAR}}<a class="button secondary" href="/calls">Clear filters</a>{{/CAN_CLEAR}}
  </div>
</form>
<div id="results" aria-live="polite">
{{>RESULTS}}
</div>
<script type="module" src="/static/js/calls.js?v={{STATIC_VERSION}}"></script>
