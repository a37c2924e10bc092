{{%AUTOESCAPE context="HTML"}}
<p class="breadcrumb"><a href="/campaigns/{{ID}}">&larr; {{NAME}}</a></p>
<div class="page-head">
  <h1 id="replies-title">Replies to {{NAME}}</h1>
</div>
<section class="card" aria-labelledby="replies-title">
  {{#NO_REPLIES}}<p class="muted" id="replies-none">No replies yet. Replies to the campaign's SMS appear here as they arrive.</p>{{/NO_REPLIES}}
  {{#NO_MORE}}<p class="muted" id="replies-none">No older replies.</p>{{/NO_MORE}}
  <ul class="reply-list" id="all-replies" aria-labelledby="replies-title">
    {{#REPLY}}<li><p class="reply-meta">{{#REPLY_CONTACT}}<a href="/contacts/{{CONTACT_ID}}">{{CONTACT_NAME}}</a>{{/REPLY_CONTACT}}{{#REPLY_NO_CONTACT}}(contact erased){{/REPLY_NO_CONTACT}} · {{FROM}} · {{CHANNEL}} · <time datetime="{{AT}}">{{AT_LOCAL}}</time></p><p class="message-text">{{BODY}}</p></li>
    {{/REPLY}}
  </ul>
  {{>PAGER}}
</section>
