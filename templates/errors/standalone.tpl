{{%AUTOESCAPE context="HTML"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{{STATUS}} {{STATUS_TEXT}} · Switchboard</title>
<link rel="stylesheet" href="/static/css/app.css?v={{STATIC_VERSION}}">
</head>
<body>
<header class="site-header"><a class="brand" href="/"><span class="brand-mark" aria-hidden="true">◎</span> Switchboard</a></header>
<main id="main">
<section class="error-page">
  <p class="error-status">{{STATUS}}</p>
  <h1>{{STATUS_TEXT}}</h1>
  <p>{{MESSAGE}}</p>
  <p><a class="button secondary" href="/">Go to the start page</a></p>
  <p class="muted">If you report this, quote request id <code>{{REQUEST_ID}}</code>.</p>
</section>
</main>
</body>
</html>
