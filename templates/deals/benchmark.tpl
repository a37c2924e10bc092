{{%AUTOESCAPE context="HTML"}}
{{! The org's rate benchmark beside the deal's value: its selects belong to #benchmark-form (a GET of this page), not to the deal form. Filled by deal_benchmark_fill() (src/app/deals/benchmarks.c); static/js/deal_benchmark.js refreshes it in place. }}
<div class="benchmark" id="rate-benchmark" data-currency="{{B_CURRENCY}}">
  <p class="benchmark-title"><strong>Rate benchmark</strong> <span class="muted">value per deliverable, your deals of the last 12 months</span></p>
  <div class="benchmark-pick">
    <label for="bench-type">Type</label>
    <select id="bench-type" name="bench_type" form="benchmark-form">{{#BT_OPT}}<option{{#SELECTED}} selected{{/SELECTED}}>{{OPT}}</option>{{/BT_OPT}}</select>
    <label for="bench-platform">Platform</label>
    <select id="bench-platform" name="bench_platform" form="benchmark-form">{{#BP_OPT}}<option{{#SELECTED}} selected{{/SELECTED}}>{{OPT}}</option>{{/BP_OPT}}</select>
    <button type="submit" class="button secondary" form="benchmark-form" id="bench-show">Show</button>
  </div>
  <p id="benchmark-figures" aria-live="polite">{{#B_SOME}}{{B_TYPE}} on {{B_PLATFORM}} ({{B_CURRENCY}}): median <strong id="bench-median">{{B_MEDIAN}}</strong>, middle half {{B_P25}} – {{B_P75}} <span class="muted">from <span id="bench-count">{{B_COUNT}}</span> {{B_DEALS}}</span>{{/B_SOME}}{{#B_NONE}}No {{B_TYPE}} on {{B_PLATFORM}} in {{B_CURRENCY}} in the last 12 months.{{/B_NONE}}</p>
</div>
