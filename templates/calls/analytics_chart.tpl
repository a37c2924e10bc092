{{%AUTOESCAPE context="HTML"}}
<svg class="bar-chart" role="img" aria-labelledby="daily-chart-title daily-chart-desc" viewBox="0 0 {{CHART_W}} {{CHART_H}}" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">
  <title id="daily-chart-title">Calls per day</title>
  <desc id="daily-chart-desc">A bar for each day of the range; the same figures are in the table below.</desc>
  {{#TICK}}<line class="grid" x1="{{X1}}" x2="{{X2}}" y1="{{Y}}" y2="{{Y}}"></line>
  <text class="axis" x="{{LABEL_X}}" y="{{Y}}" text-anchor="end" dominant-baseline="middle">{{LABEL}}</text>
  {{/TICK}}
  {{#BAR}}<rect class="bar" x="{{X}}" y="{{Y}}" width="{{W}}" height="{{H}}"><title>{{DATE}}: {{COUNT}} calls</title></rect>
  {{/BAR}}
  {{#XLABEL}}<text class="axis" x="{{X}}" y="{{Y}}" text-anchor="{{ANCHOR}}">{{TEXT}}</text>
  {{/XLABEL}}
</svg>
