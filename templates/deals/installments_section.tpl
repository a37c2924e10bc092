{{%AUTOESCAPE context="HTML"}}
{{! The deal page's installment schedule (src/app/deals/installments.c). }}
<section class="card" aria-labelledby="installments-title" id="installments">
  <h2 id="installments-title">Installment schedule</h2>
  {{#CAN_WRITE}}<p><a class="button secondary" href="/deals/{{ID}}/installments/new" id="new-installments">{{NEW_LABEL}}</a></p>{{/CAN_WRITE}}
  {{#NO_SCHEDULE}}<p class="muted">No installment schedule.</p>{{/NO_SCHEDULE}}
  {{#SCHEDULE}}<p id="installments-sum">Total {{TOTAL}} of the deal value {{DEAL_VALUE}}{{#ADDS_UP}}: adds up.{{/ADDS_UP}}{{#DIFFERS}} — <strong class="field-error">{{DIFF}} {{WAY}} the deal value</strong>; edit the payments so they add up.{{/DIFFERS}}</p>
  <div class="table-scroll" tabindex="0" role="region" aria-label="Installments (scrolls sideways)"><table class="calls-table" id="installments-table">
    <thead><tr><th scope="col">#</th><th scope="col">Due</th><th scope="col">Amount</th><th scope="col">Method</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
    <tbody>{{#INST}}<tr><td>{{NO}} of {{OF}}</td><td>{{DUE}}</td><td>{{AMOUNT}}</td><td>{{METHOD}}</td><td><span class="pay-status pay-{{STATUS}}">{{STATUS}}</span></td><td>{{#ROW_WRITE}}<a href="/payments/{{P_ID}}/edit">Edit<span class="visually-hidden"> payment {{NO}}</span></a>{{/ROW_WRITE}}</td></tr>{{/INST}}</tbody>
  </table></div>{{/SCHEDULE}}
</section>
