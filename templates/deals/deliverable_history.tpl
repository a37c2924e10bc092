{{%AUTOESCAPE context="HTML"}}
{{! The deal page's deliverable history: deadline changes, feedback items and the revisions answering them (src/app/deals/deliverable_history.c). }}
<section class="card" aria-labelledby="deliverable-history-title" id="deliverable-history">
  <h2 id="deliverable-history-title">Deliverable history</h2>
  <h3>Deadline changes</h3>
  {{#NO_RESCHEDULES}}<p class="muted">No deadline has moved.</p>{{/NO_RESCHEDULES}}
  <div class="table-scroll" tabindex="0" role="region" aria-label="Deadline changes (scrolls sideways)"><table class="calls-table" id="reschedules">
    <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Deliverable</th><th scope="col">Date</th><th scope="col">Old → new</th><th scope="col">Reason</th></tr></thead>
    <tbody>{{#RESCHEDULE}}<tr><td><time datetime="{{WHEN_ISO}}">{{WHEN}}</time></td><td>{{WHO}}</td><td>{{WHAT}}</td><td>{{FIELD}}</td><td>{{OLD}} → {{NEW}}</td><td>{{REASON}}</td></tr>{{/RESCHEDULE}}</tbody>
  </table></div>
  <h3>Feedback</h3>
  {{#NO_FEEDBACK}}<p class="muted">No feedback recorded.</p>{{/NO_FEEDBACK}}
  <ul class="deal-children" id="feedback-items">{{#FEEDBACK}}<li>{{WHAT}}, rejection {{REJECTION}}: {{TEXT}} <span class="muted">({{WHO}})</span> {{#OPEN}}<span class="badge">open</span>{{/OPEN}}{{#ANSWERED}}<span class="badge">answered in revision {{REVISION}}</span>{{/ANSWERED}}</li>{{/FEEDBACK}}</ul>
</section>
