{{%AUTOESCAPE context="HTML"}}
<div class="page-head">
  <h1>{{HEADING}}</h1>
  <nav class="tabs" aria-label="Deals">{{#TAB}}<a href="{{TAB_HREF}}"{{#TAB_CURRENT}} aria-current="page"{{/TAB_CURRENT}}>{{TAB_LABEL}}</a>{{/TAB}}</nav>
</div>
{{#NOTICE}}<div class="flash flash-error" role="alert" id="form-notice">{{TEXT}}</div>{{/NOTICE}}
<form class="card deal-form" id="deal-form" method="post" action="/deals{{#EDIT}}/{{ID}}{{/EDIT}}" novalidate>
  <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
  {{#EDIT}}<input type="hidden" name="version" value="{{VERSION}}">{{/EDIT}}
  {{#FORM_ERROR}}<div class="form-error" role="alert" id="form-errors">
    <p>Please correct these fields:</p>
    <ul>{{#ERROR_SUMMARY}}<li><a href="#f-{{FIELD}}">{{FIELD}}</a> {{MSG}}</li>{{/ERROR_SUMMARY}}</ul>
  </div>{{/FORM_ERROR}}
  {{#NO_BRANDS}}<p class="muted">No brands yet: <a href="/brands/new">add a brand</a> first.</p>{{/NO_BRANDS}}
  <fieldset><legend>Deal</legend><div class="filter-grid">
    <div class="field{{#E_TITLE}} has-error{{/E_TITLE}}">
      <label for="f-title">Title</label>
      <input id="f-title" name="title" type="text" value="{{V_TITLE}}" required maxlength="200"{{#E_TITLE}} aria-invalid="true" aria-describedby="e-title"{{/E_TITLE}}>
      {{#E_TITLE}}<p class="field-error" id="e-title">{{MSG}}</p>{{/E_TITLE}}
    </div>
    <div class="field{{#E_BRAND_ID}} has-error{{/E_BRAND_ID}}">
      <label for="f-brand_id">Brand</label>
      <select id="f-brand_id" name="brand_id"{{#E_BRAND_ID}} aria-invalid="true" aria-describedby="e-brand_id"{{/E_BRAND_ID}}><option value="">Choose a brand</option>{{#BRAND_OPT}}<option value="{{OPT_VALUE}}"{{#OPT_SELECTED}} selected{{/OPT_SELECTED}}>{{OPT_LABEL}}</option>{{/BRAND_OPT}}</select>
      {{#E_BRAND_ID}}<p class="field-error" id="e-brand_id">{{MSG}}</p>{{/E_BRAND_ID}}
    </div>
    <div class="field{{#E_OWNER_ID}} has-error{{/E_OWNER_ID}}">
      <label for="f-owner_id">Owner</label>
      <select id="f-owner_id" name="owner_id"{{#E_OWNER_ID}} aria-invalid="true" aria-describedby="e-owner_id"{{/E_OWNER_ID}}><option value="">Nobody</option>{{#OWNER_OPT}}<option value="{{OPT_VALUE}}"{{#OPT_SELECTED}} selected{{/OPT_SELECTED}}>{{OPT_LABEL}}</option>{{/OWNER_OPT}}</select>
      {{#E_OWNER_ID}}<p class="field-error" id="e-owner_id">{{MSG}}</p>{{/E_OWNER_ID}}
    </div>
    {{#NEW}}
    <div class="field{{#E_STAGE}} has-error{{/E_STAGE}}">
      <label for="f-stage">Stage</label>
      <select id="f-stage" name="stage"{{#E_STAGE}} aria-invalid="true" aria-describedby="e-stage"{{/E_STAGE}}>{{#STAGE_OPT}}<option value="{{OPT_VALUE}}"{{#OPT_SELECTED}} selected{{/OPT_SELECTED}}>{{OPT_LABEL}}</option>{{/STAGE_OPT}}</select>
      {{#E_STAGE}}<p class="field-error" id="e-stage">{{MSG}}</p>{{/E_STAGE}}
    </div>
    {{/NEW}}
    <div class="field{{#E_CONTRACT_STATUS}} has-error{{/E_CONTRACT_STATUS}}">
      <label for="f-contract_status">Contract</label>
      <select id="f-contract_status" name="contract_status"{{#E_CONTRACT_STATUS}} aria-invalid="true" aria-describedby="e-contract_status"{{/E_CONTRACT_STATUS}}>{{#CONTRACT_OPT}}<option value="{{OPT_VALUE}}"{{#OPT_SELECTED}} selected{{/OPT_SELECTED}}>{{OPT_LABEL}}</option>{{/CONTRACT_OPT}}</select>
      {{#E_CONTRACT_STATUS}}<p class="field-error" id="e-contract_status">{{MSG}}</p>{{/E_CONTRACT_STATUS}}
    </div>
    <div class="field{{#E_DEAL_TYPE}} has-error{{/E_DEAL_TYPE}}">
      <label for="f-deal_type">Deal type</label>
      <select id="f-deal_type" name="deal_type"{{#E_DEAL_TYPE}} aria-invalid="true" aria-describedby="e-deal_type"{{/E_DEAL_TYPE}}>{{#TYPE_OPT}}<option value="{{OPT_VALUE}}"{{#OPT_SELECTED}} selected{{/OPT_SELECTED}}>{{OPT_LABEL}}</option>{{/TYPE_OPT}}</select>
      {{#E_DEAL_TYPE}}<p class="field-error" id="e-deal_type">{{MSG}}</p>{{/E_DEAL_TYPE}}
    </div>
    <div class="field{{#E_VALUE}} has-error{{/E_VALUE}}">
      <label for="f-value">Value</label>
      <input id="f-value" name="value" type="text" value="{{V_VALUE}}" inputmode="decimal" placeholder="1,250.00"{{#E_VALUE}} aria-invalid="true" aria-describedby="e-value"{{/E_VALUE}}>
      {{#E_VALUE}}<p class="field-error" id="e-value">{{MSG}}</p>{{/E_VALUE}}
    </div>
    <div class="field{{#E_CURRENCY}} has-error{{/E_CURRENCY}}">
      <label for="f-currency">Currency</label>
      <select id="f-currency" name="currency"{{#E_CURRENCY}} aria-invalid="true" aria-describedby="e-currency"{{/E_CURRENCY}}>{{#CURRENCY_OPT}}<option value="{{OPT_VALUE}}"{{#OPT_SELECTED}} selected{{/OPT_SELECTED}}>{{OPT_LABEL}}</option>{{/CURRENCY_OPT}}</select>
      {{#E_CURRENCY}}<p class="field-error" id="e-currency">{{MSG}}</p>{{/E_CURRENCY}}
    </div>
    <div class="field{{#E_TAGS}} has-error{{/E_TAGS}}">
      <label for="f-tags">Tags (comma-separated)</label>
      <input id="f-tags" name="tags" type="text" value="{{V_TAGS}}"{{#E_TAGS}} aria-invalid="true" aria-describedby="e-tags"{{/E_TAGS}}>
      {{#E_TAGS}}<p class="field-error" id="e-tags">{{MSG}}</p>{{/E_TAGS}}
    </div>
    <div class="field{{#E_CATEGORIES}} has-error{{/E_CATEGORIES}}">
      <label for="f-categories">Categories (comma-separated)</label>
      <input id="f-categories" name="categories" type="text" value="{{V_CATEGORIES}}"{{#E_CATEGORIES}} aria-invalid="true" aria-describedby="e-categories"{{/E_CATEGORIES}}>
      {{#E_CATEGORIES}}<p class="field-error" id="e-categories">{{MSG}}</p>{{/E_CATEGORIES}}
    </div>
  </div></fieldset>
  <fieldset><legend>Next action</legend><div class="filter-grid">
    <div class="field{{#E_NEXT_ACTION}} has-error{{/E_NEXT_ACTION}}">
      <label for="f-next_action">Next action</label>
      <input id="f-next_action" name="next_action" type="text" value="{{V_NEXT_ACTION}}" maxlength="500"{{#E_NEXT_ACTION}} aria-invalid="true" aria-describedby="e-next_action"{{/E_NEXT_ACTION}}>
      {{#E_NEXT_ACTION}}<p class="field-error" id="e-next_action">{{MSG}}</p>{{/E_NEXT_ACTION}}
    </div>
    <div class="field{{#E_NEXT_ACTION_DUE_AT}} has-error{{/E_NEXT_ACTION_DUE_AT}}">
      <label for="f-next_action_due_at">Due</label>
      <input id="f-next_action_due_at" name="next_action_due_at" type="datetime-local" value="{{V_NEXT_ACTION_DUE_AT}}"{{#E_NEXT_ACTION_DUE_AT}} aria-invalid="true" aria-describedby="e-next_action_due_at"{{/E_NEXT_ACTION_DUE_AT}}>
      {{#E_NEXT_ACTION_DUE_AT}}<p class="field-error" id="e-next_action_due_at">{{MSG}}</p>{{/E_NEXT_ACTION_DUE_AT}}
    </div>
  </div></fieldset>
  <fieldset><legend>Usage rights and exclusivity</legend><div class="filter-grid">
    <div class="field{{#E_USAGE_RIGHTS_START}} has-error{{/E_USAGE_RIGHTS_START}}">
      <label for="f-usage_rights_start">Usage rights from</label>
      <input id="f-usage_rights_start" name="usage_rights_start" type="date" value="{{V_USAGE_RIGHTS_START}}"{{#E_USAGE_RIGHTS_START}} aria-invalid="true" aria-describedby="e-usage_rights_start"{{/E_USAGE_RIGHTS_START}}>
      {{#E_USAGE_RIGHTS_START}}<p class="field-error" id="e-usage_rights_start">{{MSG}}</p>{{/E_USAGE_RIGHTS_START}}
    </div>
    <div class="field{{#E_USAGE_RIGHTS_END}} has-error{{/E_USAGE_RIGHTS_END}}">
      <label for="f-usage_rights_end">Usage rights until</label>
      <input id="f-usage_rights_end" name="usage_rights_end" type="date" value="{{V_USAGE_RIGHTS_END}}"{{#E_USAGE_RIGHTS_END}} aria-invalid="true" aria-describedby="e-usage_rights_end"{{/E_USAGE_RIGHTS_END}}>
      {{#E_USAGE_RIGHTS_END}}<p class="field-error" id="e-usage_rights_end">{{MSG}}</p>{{/E_USAGE_RIGHTS_END}}
    </div>
    <div class="field{{#E_EXCLUSIVITY_CATEGORY}} has-error{{/E_EXCLUSIVITY_CATEGORY}}">
      <label for="f-exclusivity_category">Exclusivity category</label>
      <input id="f-exclusivity_category" name="exclusivity_category" type="text" value="{{V_EXCLUSIVITY_CATEGORY}}" maxlength="100"{{#E_EXCLUSIVITY_CATEGORY}} aria-invalid="true" aria-describedby="e-exclusivity_category"{{/E_EXCLUSIVITY_CATEGORY}}>
      {{#E_EXCLUSIVITY_CATEGORY}}<p class="field-error" id="e-exclusivity_category">{{MSG}}</p>{{/E_EXCLUSIVITY_CATEGORY}}
    </div>
    <div class="field{{#E_EXCLUSIVITY_PLATFORMS}} has-error{{/E_EXCLUSIVITY_PLATFORMS}}">
      <label for="f-exclusivity_platforms">Exclusive on</label>
      <select id="f-exclusivity_platforms" name="exclusivity_platforms" multiple size="4"{{#E_EXCLUSIVITY_PLATFORMS}} aria-invalid="true" aria-describedby="e-exclusivity_platforms"{{/E_EXCLUSIVITY_PLATFORMS}}>{{#PLATFORM_OPT}}<option value="{{OPT_VALUE}}"{{#OPT_SELECTED}} selected{{/OPT_SELECTED}}>{{OPT_LABEL}}</option>{{/PLATFORM_OPT}}</select>
      {{#E_EXCLUSIVITY_PLATFORMS}}<p class="field-error" id="e-exclusivity_platforms">{{MSG}}</p>{{/E_EXCLUSIVITY_PLATFORMS}}
    </div>
    <div class="field{{#E_EXCLUSIVITY_START}} has-error{{/E_EXCLUSIVITY_START}}">
      <label for="f-exclusivity_start">Exclusive from</label>
      <input id="f-exclusivity_start" name="exclusivity_start" type="date" value="{{V_EXCLUSIVITY_START}}"{{#E_EXCLUSIVITY_START}} aria-invalid="true" aria-describedby="e-exclusivity_start"{{/E_EXCLUSIVITY_START}}>
      {{#E_EXCLUSIVITY_START}}<p class="field-error" id="e-exclusivity_start">{{MSG}}</p>{{/E_EXCLUSIVITY_START}}
    </div>
    <div class="field{{#E_EXCLUSIVITY_END}} has-error{{/E_EXCLUSIVITY_END}}">
      <label for="f-exclusivity_end">Exclusive until</label>
      <input id="f-exclusivity_end" name="exclusivity_end" type="date" value="{{V_EXCLUSIVITY_END}}"{{#E_EXCLUSIVITY_END}} aria-invalid="true" aria-describedby="e-exclusivity_end"{{/E_EXCLUSIVITY_END}}>
      {{#E_EXCLUSIVITY_END}}<p class="field-error" id="e-exclusivity_end">{{MSG}}</p>{{/E_EXCLUSIVITY_END}}
    </div>
  </div></fieldset>
  <fieldset><legend>Revisions and affiliate</legend><div class="filter-grid">
    <div class="field{{#E_REVISION_LIMIT}} has-error{{/E_REVISION_LIMIT}}">
      <label for="f-revision_limit">Revision limit (empty: none)</label>
      <input id="f-revision_limit" name="revision_limit" type="text" value="{{V_REVISION_LIMIT}}" inputmode="numeric"{{#E_REVISION_LIMIT}} aria-invalid="true" aria-describedby="e-revision_limit"{{/E_REVISION_LIMIT}}>
      {{#E_REVISION_LIMIT}}<p class="field-error" id="e-revision_limit">{{MSG}}</p>{{/E_REVISION_LIMIT}}
    </div>
    <div class="field{{#E_REVISIONS_USED}} has-error{{/E_REVISIONS_USED}}">
      <label for="f-revisions_used">Revisions used</label>
      <input id="f-revisions_used" name="revisions_used" type="text" value="{{V_REVISIONS_USED}}" inputmode="numeric"{{#E_REVISIONS_USED}} aria-invalid="true" aria-describedby="e-revisions_used"{{/E_REVISIONS_USED}}>
      {{#E_REVISIONS_USED}}<p class="field-error" id="e-revisions_used">{{MSG}}</p>{{/E_REVISIONS_USED}}
    </div>
    <div class="field{{#E_REVISION_EXTRA_FEE}} has-error{{/E_REVISION_EXTRA_FEE}}">
      <label for="f-revision_extra_fee">Fee per extra revision</label>
      <input id="f-revision_extra_fee" name="revision_extra_fee" type="text" value="{{V_REVISION_EXTRA_FEE}}" inputmode="decimal"{{#E_REVISION_EXTRA_FEE}} aria-invalid="true" aria-describedby="e-revision_extra_fee"{{/E_REVISION_EXTRA_FEE}}>
      {{#E_REVISION_EXTRA_FEE}}<p class="field-error" id="e-revision_extra_fee">{{MSG}}</p>{{/E_REVISION_EXTRA_FEE}}
    </div>
    <div class="field{{#E_AFFILIATE_CODE}} has-error{{/E_AFFILIATE_CODE}}">
      <label for="f-affiliate_code">Affiliate code</label>
      <input id="f-affiliate_code" name="affiliate_code" type="text" autocomplete="off" value="{{V_AFFILIATE_CODE}}"{{#E_AFFILIATE_CODE}} aria-invalid="true" aria-describedby="e-affiliate_code"{{/E_AFFILIATE_CODE}}>{{#HAS_AFFILIATE}}<span class="muted">A code is stored; leave empty to keep it.</span> <label><input type="checkbox" name="remove_affiliate_code" value="1"> Remove it</label>{{/HAS_AFFILIATE}}
      {{#E_AFFILIATE_CODE}}<p class="field-error" id="e-affiliate_code">{{MSG}}</p>{{/E_AFFILIATE_CODE}}
    </div>
    <div class="field"><label><input type="checkbox" name="archived" value="true"{{#ARCHIVED_CHECKED}} checked{{/ARCHIVED_CHECKED}}> Archived</label></div>
  </div></fieldset>
  <div class="confirm-actions">
    <button type="submit" class="button" id="save-deal">{{#NEW}}Create deal{{/NEW}}{{#EDIT}}Save changes{{/EDIT}}</button>
    <a class="button secondary" href="/deals{{#EDIT}}/{{ID}}{{/EDIT}}">Cancel</a>
  </div>
</form>
