{{%AUTOESCAPE context="HTML"}}
{{! A labelled select with its options, the current one selected, and its message. Filled by form_select() (src/app/common/form.h), which writes the options (OPTIONS, escaped there). }}
<div class="field{{#ERROR}} has-error{{/ERROR}}">
      <label for="f-{{NAME}}">{{LABEL}}</label>
      <select id="f-{{NAME}}" name="{{NAME}}"{{#MULTIPLE}} multiple size="{{SIZE}}"{{/MULTIPLE}}{{#ERROR}} aria-invalid="true" aria-describedby="e-{{NAME}}"{{/ERROR}}>{{OPTIONS:none}}</select>
      {{#ERROR}}<p class="field-error" id="e-{{NAME}}">{{MSG}}</p>{{/ERROR}}
    </div>
