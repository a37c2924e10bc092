<?php
// bench/reference/calls.php — the reference page of `make bench`: what /calls does, at
// the least, written the plain PHP way (php-fpm, pm = static, a persistent PDO
// connection with pdo_pgsql as the schema owner). bench/run.sh serves it behind the
// same nginx and TLS as the app, at a location only the bench's nginx config has.
//
// Per request, in one transaction as the app does (src/app/app.c):
//   1. the session: sb_session_lookup(SHA-256 of the __Host-sb_session cookie in hex,
//      the idle timeout), the very function src/auth/session.c calls. It checks the
//      expiry and the idle time, touches last_seen_at at most every 15 s, and sets
//      app.org_id (and app.user_id) for the transaction, so row-level security applies
//      to a role under it;
//   2. the first 50 calls of the session's org, newest first ((started_at, id)
//      descending), with the list's columns (src/app/calls/calls_sql.c, LIST_COLUMNS)
//      and its default filters (not deleted, no demo calls). The owner role bypasses
//      row-level security, so the org is also named explicitly;
//   3. an HTML table of them like the app's (templates/calls/results.tpl), every value
//      escaped with htmlspecialchars.
// The statements are the ones bench/run.sh gives pgbench (-f).
//
// Environment (set in the bench's php-fpm pool): SB_BENCH_PGHOST (the cluster's socket
// directory), SB_BENCH_IDLE_S (session_idle_timeout_s), PGTZ=UTC (the connection's time
// zone, as the app's).
declare(strict_types=1);

const SESSION_COOKIE = '__Host-sb_session';
const PAGE_SIZE = 50;

function h(?string $s): string
{
    return htmlspecialchars($s ?? '', ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML5, 'UTF-8');
}

function duration_text(int $s): string
{
    return $s >= 3600 ? sprintf('%d:%02d:%02d', intdiv($s, 3600), intdiv($s, 60) % 60, $s % 60)
                      : sprintf('%d:%02d', intdiv($s, 60), $s % 60);
}

function refuse(int $status, string $why): void
{
    http_response_code($status);
    header('Content-Type: text/plain; charset=utf-8');
    echo $why, "\n";
}

$token = $_COOKIE[SESSION_COOKIE] ?? '';
if (strlen($token) !== 43) { // a real token is 43 base64url characters
    refuse(401, 'no session');
    return;
}

$pdo = new PDO('pgsql:host=' . getenv('SB_BENCH_PGHOST') . ';dbname=switchboard', 'switchboard', null, [
    PDO::ATTR_PERSISTENT => true,
    PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
    PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_NUM,
    // Parameters quoted by PDO: one round trip per statement, where pdo_pgsql's server-side
    // prepares cost a prepare, an execute and a deallocate each (about twice the time per
    // page here). The faster of PDO's two ways, so the reference is not a straw man.
    PDO::ATTR_EMULATE_PREPARES => true,
]);

$pdo->beginTransaction();
try {
    $lookup = $pdo->prepare('SELECT user_id, org_id, org_slug, org_name, org_timezone, email, user_name, role'
        . ' FROM sb_session_lookup(?, ?)');
    $lookup->execute([hash('sha256', $token), (int) (getenv('SB_BENCH_IDLE_S') ?: 1800)]);
    $session = $lookup->fetch(PDO::FETCH_ASSOC);
    if ($session === false) {
        $pdo->commit(); // the lookup deletes an expired session
        refuse(401, 'no session');
        return;
    }
    $list = $pdo->prepare('SELECT c.id, c.direction, c.provider, c.provider_call_id, c.from_number, c.to_number,'
        . ' c.caller_name, c.status, c.started_at, c.ended_at,'
        . ' c.duration_s, round(c.sentiment_score::numeric, 3), c.sentiment_label,'
        . " c.recording_status = 'stored', c.contact_id, c.campaign_id, c.created_at,"
        . ' c.started_at AT TIME ZONE ?, c.is_demo'
        . ' FROM calls c WHERE c.org_id = ? AND c.deleted_at IS NULL AND NOT c.is_demo'
        . ' ORDER BY c.started_at DESC, c.id DESC LIMIT ' . (PAGE_SIZE + 1));
    $list->execute([$session['org_timezone'], $session['org_id']]);
    $rows = $list->fetchAll();
    $pdo->commit();
} catch (Throwable $e) {
    if ($pdo->inTransaction()) {
        $pdo->rollBack();
    }
    throw $e;
}

$more = count($rows) > PAGE_SIZE;
$rows = array_slice($rows, 0, PAGE_SIZE);

header('Content-Type: text/html; charset=utf-8');
header('Cache-Control: private, no-store');
header('X-Content-Type-Options: nosniff');
header("Content-Security-Policy: default-src 'self'; frame-ancestors 'none'");
?>
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Calls · <?= h($session['org_name']) ?> · Switchboard (PHP reference)</title>
<link rel="stylesheet" href="/static/css/app.css">
</head>
<body>
<header class="site-header">
  <a class="brand" href="/">Switchboard</a>
  <nav aria-label="Main"><ul>
    <li><a href="/">Overview</a></li><li><a href="/calls" aria-current="page">Calls</a></li>
    <li><a href="/calls/analytics">Analytics</a></li><li><a href="/deals">Deals</a></li>
    <li><a href="/deals/board">Board</a></li><li><a href="/brands">Brands</a></li>
  </ul></nav>
  <p class="who"><?= h($session['user_name']) ?> · <?= h($session['email']) ?> · <?= h($session['org_slug']) ?> (<?= h($session['role']) ?>)</p>
</header>
<main id="main">
<h1>Calls</h1>
<form class="filters" method="get" action="/calls">
  <label>From <input type="date" name="start_date"></label>
  <label>To <input type="date" name="end_date"></label>
  <label>Direction <select name="direction"><option value="">Any</option><option>inbound</option><option>outbound</option></select></label>
  <label>Phone <input type="search" name="phone" inputmode="tel"></label>
  <label>Caller <input type="search" name="name"></label>
  <label>Transcript <input type="search" name="q"></label>
  <label><input type="checkbox" name="include_demo" value="true"> Include demo calls</label>
  <button type="submit">Filter</button>
</form>
<div class="table-wrap">
<table class="calls-table" id="calls-table">
  <thead>
    <tr><th scope="col">Time</th><th scope="col">Direction</th><th scope="col">From</th><th scope="col">To</th>
      <th scope="col">Caller</th><th scope="col">Status</th><th scope="col" class="num">Duration</th>
      <th scope="col">Sentiment</th><th scope="col"><span class="visually-hidden">Recording</span><span aria-hidden="true">&#9835;</span></th></tr>
  </thead>
  <tbody>
<?php foreach ($rows as $r) {
    $id = h($r[0]);
    $iso = h(substr(str_replace(' ', 'T', (string) $r[8]), 0, 19) . 'Z');
    $dir = h($r[1]);
    $status = h($r[7]);
    $sentiment = h($r[12]); ?>
    <tr data-id="<?= $id ?>">
      <td><a href="/calls/<?= $id ?>"><time datetime="<?= $iso ?>"><?= h(substr((string) $r[17], 0, 16)) ?></time></a><?= $r[18] ? ' <span class="badge">demo</span>' : '' ?></td>
      <td><span class="dir dir-<?= $dir ?>"><?= $dir ?></span></td>
      <td class="phone"><?= h($r[4]) ?></td>
      <td class="phone"><?= h($r[5]) ?></td>
      <td><?= h($r[6]) ?></td>
      <td><span class="status status-<?= $status ?>"><?= h(str_replace('_', ' ', (string) $r[7])) ?></span></td>
      <td class="num"><?= h(duration_text((int) $r[10])) ?></td>
      <td><?= $sentiment !== '' ? '<span class="sentiment sentiment-' . $sentiment . '">' . $sentiment . '</span>' : '' ?></td>
      <td><?= $r[13] ? '<span class="rec" title="Recording available" aria-label="Recording available">&#9835;</span>' : '' ?></td>
    </tr>
<?php } ?>
  </tbody>
</table>
</div>
<?php if ($more) { ?>
<nav class="pager" aria-label="Pages"><a rel="next" href="/calls?cursor=<?= h($rows[PAGE_SIZE - 1][0]) ?>">Older calls</a></nav>
<?php } ?>
</main>
</body>
</html>
