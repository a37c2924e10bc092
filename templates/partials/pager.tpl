{{%AUTOESCAPE context="HTML"}}
{{! A list's keyset pages: back to the first page, on to the next one. Filled by form_pager() (src/app/common/form.h). }}
<nav class="pager" aria-label="Pages">
  {{#FIRST}}<a class="button secondary" href="{{FIRST_URL}}">First page</a>{{/FIRST}}
  {{#NEXT}}<a class="button secondary" rel="next" id="next-page" href="{{NEXT_URL}}">Next page</a>{{/NEXT}}
</nav>
