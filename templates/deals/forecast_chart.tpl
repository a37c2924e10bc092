{{%AUTOESCAPE context="HTML"}}
<svg class="bar-chart" role="img" aria-labelledby="forecast-chart-title forecast-chart-desc" viewBox="0 0 {{CHART_W}} {{CHART_H}}" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">
  <title id="forecast-chart-title">Expected income per week</title>
  <desc id="forecast-chart-desc">A bar for each ISO week of the horizon; the same figures are in the table below.</desc>
  {{#TICK}}<line class="grid" x1="{{X1}}" x2="{{X2}}" y1="{{Y}}" y2="{{Y}}"></line>
  <text class="axis" x="{{LABEL_X}}" y="{{Y}}" text-anchor="end" dominant-baseline="middle">{{LABEL}}</text>
  {{/TICK}}
  {{#BAR}}<rect class="bar" x="{{X}}" y="{{Y}}" width="{{W}}" height="{{H}}"><title>Week of {{WEEK}}: {{AMOUNT}}</title></rect>
  {{/BAR}}
  {{#XLABEL}}<text class="axis" x="{{X}}" y="{{Y}}" text-anchor="middle">{{TEXT}}</text>
  {{/XLABEL}}
</svg>
