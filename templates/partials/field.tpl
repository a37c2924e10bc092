{{%AUTOESCAPE context="HTML"}}
{{! A labelled input with its value and, after a refused submit, its message. Filled by form_field() (src/app/common/form.h). }}
<div class="field{{#ERROR}} has-error{{/ERROR}}">
      <label for="f-{{NAME}}">{{LABEL}}</label>
      <input id="f-{{NAME}}" name="{{NAME}}" type="{{TYPE}}" value="{{VALUE}}"{{#REQUIRED}} required{{/REQUIRED}}{{#MAXLENGTH}} maxlength="{{N}}"{{/MAXLENGTH}}{{#INPUTMODE}} inputmode="{{MODE}}"{{/INPUTMODE}}{{#PLACEHOLDER}} placeholder="{{TEXT}}"{{/PLACEHOLDER}}{{#AUTOCOMPLETE_OFF}} autocomplete="off"{{/AUTOCOMPLETE_OFF}}{{#ERROR}} aria-invalid="true" aria-describedby="e-{{NAME}}"{{/ERROR}}>{{#HINT}}<span class="muted">{{TEXT}}</span>{{/HINT}}
      {{#ERROR}}<p class="field-error" id="e-{{NAME}}">{{MSG}}</p>{{/ERROR}}
    </div>
