{{%AUTOESCAPE context="HTML"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{{TITLE}} · Switchboard</title>
<link rel="stylesheet" href="/static/css/app.css?v={{STATIC_VERSION}}">
<link rel="icon" href="/static/img/favicon.svg?v={{STATIC_VERSION}}" type="image/svg+xml">
<script type="module" src="/static/js/app.js?v={{STATIC_VERSION}}"></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
  <a class="brand" href="/"><span class="brand-mark" aria-hidden="true">◎</span> Switchboard</a>
  {{#SIGNED_IN}}
  <nav class="site-nav" aria-label="Main">
    <ul>
      {{#NAV}}<li><a href="{{NAV_HREF}}"{{#NAV_CURRENT}} aria-current="page"{{/NAV_CURRENT}}>{{NAV_LABEL}}</a></li>{{/NAV}}
    </ul>
  </nav>
  <details class="user-menu">
    <summary><span class="user-name">{{USER_NAME}}</span> <span class="badge role-{{USER_ROLE}}">{{USER_ROLE}}</span></summary>
    <div class="user-menu-panel">
      <p class="user-email">{{USER_EMAIL}}</p>
      <p class="user-org">{{ORG_NAME}} · <span class="role-label">{{USER_ROLE}}</span></p>
      <p><a href="/account" id="account-link">Your account</a></p>
      <form method="post" action="/logout">
        <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
        <button type="submit" class="button secondary">Sign out</button>
      </form>
    </div>
  </details>
  {{/SIGNED_IN}}
</header>
{{#FLASH}}
<div class="flash flash-{{FLASH_KIND}}" role="status">{{FLASH_MESSAGE}}</div>
{{/FLASH}}
<main id="main" tabindex="-1">
{{>CONTENT}}
</main>
<footer class="site-footer">
  <span>Switchboard {{APP_VERSION}}</span>
  <span class="request-id">Request {{REQUEST_ID}}</span>
</footer>
</body>
</html>
