{{%AUTOESCAPE context="HTML"}}
{{! What a refused submit got wrong, at the top of the form, each linking to its field. Filled by form_errors() (src/app/common/form.h). }}
<div class="form-error" role="alert" id="{{SUMMARY_ID}}">
    <p>{{SUMMARY_LEAD}}</p>
    <ul>{{#ERROR_SUMMARY}}<li><a href="#f-{{FIELD}}">{{FIELD}}</a> {{MSG}}</li>{{/ERROR_SUMMARY}}</ul>
  </div>
