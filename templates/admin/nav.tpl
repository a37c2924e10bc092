{{%AUTOESCAPE context="HTML"}}
{{! The admin pages' own navigation, filled by admin_nav() (src/app/admin/health.c). }}
<nav aria-label="Admin" class="sub-nav admin-nav">
  {{#ITEM}}<a href="{{HREF}}"{{#CURRENT}} aria-current="page"{{/CURRENT}}>{{LABEL}}</a>{{#ITEM_separator}} · {{/ITEM_separator}}{{/ITEM}}
</nav>
