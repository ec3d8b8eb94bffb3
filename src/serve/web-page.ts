/**
 * The page at `/`: one self-contained HTML document (inline CSS and JS, no external resource)
 * over the JSON API. Type text → `/v1/patch` (segmentation) and `/v1/figure` (the entropy figure
 * from the project's SVG renderer), redrawn as you type; submit a job → a progress bar fed by the
 * job's server-sent events; open a shard set → its `blt stats` numbers and HTML report.
 */

const CSS = `
* { box-sizing: border-box; }
body { font-family: 'Noto Sans', 'DejaVu Sans', 'Segoe UI', 'Helvetica Neue', Arial, sans-serif; margin: 0; color: #222; background: #fafafa; }
header { background: #1f4e9c; color: white; padding: 10px 24px; display: flex; align-items: baseline; gap: 16px; }
header h1 { font-size: 20px; margin: 0; } header .note { color: #dbe6f7; }
main { max-width: 1280px; margin: 0 auto; padding: 8px 24px 40px; }
section { background: white; border: 1px solid #e2e2e2; border-radius: 6px; padding: 12px 18px; margin-top: 16px; }
h2 { font-size: 17px; margin: 4px 0 10px; } h3 { font-size: 14px; margin: 12px 0 4px; color: #444; }
label { font-size: 13px; color: #444; margin-right: 14px; }
textarea, input[type=text], input[type=number] { font: inherit; font-size: 14px; padding: 6px; border: 1px solid #bbb; border-radius: 4px; }
textarea { width: 100%; resize: vertical; }
button { font: inherit; font-size: 13px; padding: 5px 12px; border: 1px solid #1f4e9c; background: #1f4e9c; color: white; border-radius: 4px; cursor: pointer; }
button.secondary { background: white; color: #1f4e9c; }
.controls { margin-bottom: 8px; display: flex; flex-wrap: wrap; align-items: center; gap: 6px; }
.note { color: #666; font-size: 12px; } .error { color: #b00020; font-size: 13px; white-space: pre-wrap; }
#figure { overflow-x: auto; min-height: 20px; } #figure svg { display: block; max-width: none; }
#segments { font-size: 16px; line-height: 2; word-break: break-all; }
.patch { padding: 2px 1px; white-space: pre-wrap; border-radius: 2px; }
.patch.a { background: #f8ecd9; } .patch.b { background: #dfe9f8; }
.bar { height: 16px; background: #eee; border-radius: 8px; overflow: hidden; margin: 8px 0; }
#job-bar { height: 100%; width: 0; background: #2e8b57; transition: width 0.2s; }
#job-bar.indeterminate { width: 30%; animation: slide 1.2s infinite linear; }
@keyframes slide { from { margin-left: -30%; } to { margin-left: 100%; } }
table { border-collapse: collapse; font-size: 12px; margin-top: 10px; } td, th { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: left; }
#stats-frame { width: 100%; height: 640px; border: 1px solid #ddd; margin-top: 8px; }
.kv { display: flex; gap: 18px; flex-wrap: wrap; font-size: 13px; } .kv b { color: #1f4e9c; }
`;

const SCRIPT = `
'use strict';
var $ = function (id) { return document.getElementById(id); };
function api(method, url, body) {
  var init = { method: method, headers: {} };
  if (body !== undefined) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
  return fetch(url, init).then(function (r) {
    var ct = r.headers.get('content-type') || '';
    return (ct.indexOf('json') >= 0 ? r.json() : r.text()).then(function (data) {
      if (!r.ok) {
        var e = data && data.error ? data.error.message + (data.error.hint ? '\\n(' + data.error.hint + ')' : '') : r.status + ' ' + r.statusText;
        throw new Error(e);
      }
      return data;
    });
  });
}
function fmt(x, d) { return x === null || x === undefined ? '–' : Number(x).toFixed(d); }

// --- patching as you type ---
var patchSeq = 0, patchTimer = null;
function patchBody() {
  var body = { text: $('text').value, mode: $('mode').value, segments: true };
  var th = $('threshold').value;
  if (th !== '') body.threshold = Number(th);
  if ($('monotonicity').checked) body.monotonicity = true;
  return body;
}
function schedulePatch() { clearTimeout(patchTimer); patchTimer = setTimeout(runPatch, 200); }
function runPatch() {
  var my = ++patchSeq;
  var body = patchBody();
  if (body.text === '') { $('figure').innerHTML = ''; $('segments').textContent = ''; $('patch-summary').textContent = ''; $('patch-error').textContent = ''; return; }
  $('patch-summary').textContent = 'scoring…';
  // the figure wraps to the width of the page (16 px per byte, 82 px of margins)
  var figureBody = JSON.parse(JSON.stringify(body));
  figureBody.bytesPerRow = Math.max(16, Math.floor(($('figure').clientWidth - 84) / 16));
  Promise.all([api('POST', '/v1/patch', body), api('POST', '/v1/figure', figureBody)]).then(function (res) {
    if (my !== patchSeq) return;
    var p = res[0], svg = res[1];
    $('patch-error').textContent = '';
    var seg = $('segments');
    seg.textContent = '';
    p.segments.forEach(function (s, i) {
      var span = document.createElement('span');
      span.className = 'patch ' + (i % 2 ? 'b' : 'a');
      span.textContent = s;
      span.title = 'patch ' + i + ': ' + p.patchLengths[i] + ' token(s)';
      seg.appendChild(span);
    });
    var P = p.patchLengths.length;
    $('patch-summary').textContent = p.bytes + ' bytes, ' + p.tokens.length + ' tokens, ' + P + ' patches, mean ' +
      fmt(p.tokens.length / Math.max(1, P), 2) + ' tokens/patch · mode ' + p.options.mode +
      (p.options.threshold !== undefined ? ' · θ = ' + p.options.threshold : '') + (p.options.model ? ' · model ' + p.options.model : '');
    $('figure').innerHTML = svg.replace(/^<\\?xml[^>]*>\\s*/, '');
  }).catch(function (e) {
    if (my !== patchSeq) return;
    $('patch-summary').textContent = '';
    $('patch-error').textContent = e.message;
  });
}
['text', 'threshold'].forEach(function (id) { $(id).addEventListener('input', schedulePatch); });
['mode', 'monotonicity'].forEach(function (id) { $(id).addEventListener('change', schedulePatch); });

// --- jobs ---
var source = null, currentJob = null;
function showJob(j) {
  currentJob = j;
  $('job-panel').hidden = false;
  $('job-id').textContent = j.id;
  $('job-state').textContent = j.state + (j.cancelRequested && j.state === 'running' ? ' (cancelling)' : '');
  $('job-state').className = 'state-' + j.state;
  var p = j.progress, bar = $('job-bar');
  var fraction = j.state === 'done' ? 1 : p && p.fraction !== null ? p.fraction : null;
  bar.className = fraction === null && j.state === 'running' ? 'indeterminate' : '';
  bar.style.width = fraction === null ? '' : Math.round(fraction * 100) + '%';
  $('job-percent').textContent = fraction === null ? '' : Math.round(fraction * 100) + ' %';
  var d = [];
  if (p) {
    d.push(p.documents + ' documents', fmt(p.bytes / 1e6, 2) + ' MB', p.quarantined + ' quarantined');
    if (p.mbPerSecond !== null) d.push(fmt(p.mbPerSecond, 3) + ' MB/s');
    if (p.etaSeconds !== null && j.state === 'running') d.push('ETA ' + fmt(p.etaSeconds, 0) + ' s');
  }
  if (j.summary) d.push(j.summary.patches + ' patches, mean ' + fmt(j.summary.meanPatchLength, 3) + ' tokens/patch, ' + j.summary.shards + ' shard(s)');
  if (j.error) d.push('error: ' + j.error.message);
  d.push('out: ' + j.options.out);
  $('job-detail').textContent = d.join(' · ');
  var report = $('job-report');
  report.hidden = j.state !== 'done';
  report.href = '/v1/stats/report?dir=' + encodeURIComponent(j.options.out);
  $('job-stats').hidden = j.state !== 'done';
  $('job-cancel').hidden = j.state !== 'queued' && j.state !== 'running';
}
function watch(id) {
  if (source) source.close();
  source = new EventSource('/v1/jobs/' + encodeURIComponent(id) + '/events');
  source.addEventListener('job', function (ev) { showJob(JSON.parse(ev.data)); });
  source.addEventListener('end', function (ev) { showJob(JSON.parse(ev.data)); source.close(); source = null; listJobs(); });
}
$('job-submit').addEventListener('click', function () {
  $('job-error').textContent = '';
  var body = {};
  try { var extra = $('job-options').value.trim(); if (extra) body = JSON.parse(extra); }
  catch (e) { $('job-error').textContent = 'options: not valid JSON (' + e.message + ')'; return; }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) { $('job-error').textContent = 'options: expected a JSON object'; return; }
  body.inputs = $('job-inputs').value.split('\\n').map(function (s) { return s.trim(); }).filter(Boolean);
  var out = $('job-out').value.trim();
  if (out) body.out = out;
  api('POST', '/v1/jobs', body).then(function (j) { showJob(j); watch(j.id); listJobs(); })
    .catch(function (e) { $('job-error').textContent = e.message; });
});
$('job-cancel').addEventListener('click', function () {
  if (currentJob) api('DELETE', '/v1/jobs/' + currentJob.id).then(showJob).catch(function (e) { $('job-error').textContent = e.message; });
});
$('job-stats').addEventListener('click', function () { if (currentJob) { $('stats-dir').value = currentJob.options.out; openStats(); } });
function listJobs() {
  api('GET', '/v1/jobs').then(function (r) {
    var body = $('job-list-body');
    body.textContent = '';
    r.jobs.slice(-10).reverse().forEach(function (j) {
      var tr = document.createElement('tr');
      [j.id, j.state, j.progress ? j.progress.documents : '', j.createdAt.replace('T', ' ').slice(0, 19), j.options.out].forEach(function (v) {
        var td = document.createElement('td'); td.textContent = String(v); tr.appendChild(td);
      });
      tr.style.cursor = 'pointer';
      tr.addEventListener('click', function () { showJob(j); if (j.state === 'queued' || j.state === 'running') watch(j.id); });
      body.appendChild(tr);
    });
    $('job-list').hidden = r.jobs.length === 0;
  }).catch(function () {});
}

// --- shard set statistics ---
function openStats() {
  var dir = $('stats-dir').value.trim();
  $('stats-error').textContent = '';
  $('stats-summary').textContent = 'computing…';
  var q = '?dir=' + encodeURIComponent(dir);
  api('GET', '/v1/stats' + q).then(function (s) {
    var pl = s.patchLength;
    var items = [['documents', s.documents], ['bytes', s.bytes], ['patches', s.patches],
      ['mean patch length', pl ? fmt(pl.mean, 3) : '–'], ['bytes per patch', fmt(s.bytesPerPatch, 3)],
      ['mean entropy', s.entropy ? fmt(s.entropy.mean, 3) + ' nats' : '–'], ['languages', s.byLanguage.length]];
    var box = $('stats-summary');
    box.textContent = '';
    items.forEach(function (kv) { var span = document.createElement('span'); span.innerHTML = '<b></b> '; span.firstChild.textContent = String(kv[1]); span.appendChild(document.createTextNode(kv[0])); box.appendChild(span); });
    var frame = $('stats-frame');
    frame.hidden = false;
    frame.src = '/v1/stats/report' + q;
  }).catch(function (e) { $('stats-summary').textContent = ''; $('stats-error').textContent = e.message; });
}
$('stats-open').addEventListener('click', openStats);

api('GET', '/healthz').then(function (h) {
  $('health').textContent = 'v' + h.version + ' · entropy model ' + h.model.name + ' (' + h.model.engine + ') · roots: ' + (h.roots.length ? h.roots.join(', ') : 'none (jobs disabled)');
}).catch(function (e) { $('health').textContent = 'health check failed: ' + e.message; });
listJobs();
if ($('text').value) schedulePatch();
`;

export const PAGE_CSP =
  "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'";

export function webPage(): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>blt serve</title>
<link rel="icon" href="data:,">
<style>${CSS}</style>
</head>
<body>
<header><h1>BLT toolkit</h1><span id="health" class="note"></span></header>
<main>
<section id="patch-section">
  <h2>Entropy patching</h2>
  <div class="controls">
    <label>mode <select id="mode"><option>entropy</option><option>space</option><option>static</option><option>byte</option></select></label>
    <label>threshold θ <input id="threshold" type="number" step="0.05" placeholder="model default" style="width:9em"></label>
    <label><input id="monotonicity" type="checkbox"> relative rule (monotonicity)</label>
  </div>
  <textarea id="text" rows="3" placeholder="Type or paste text: the entropy figure and the patches follow as you type"></textarea>
  <div id="patch-summary" class="note"></div>
  <div id="patch-error" class="error"></div>
  <div id="figure"></div>
  <h3>Patches</h3>
  <div id="segments"></div>
</section>
<section id="jobs-section">
  <h2>Preprocessing jobs</h2>
  <div class="controls">
    <label style="flex:1">inputs (one path per line, under the server's roots)<textarea id="job-inputs" rows="2" placeholder="multilingual.jsonl (relative paths start at the first root)"></textarea></label>
  </div>
  <div class="controls">
    <label>out (optional) <input id="job-out" type="text" placeholder="default: the server's cache dir" style="width:22em"></label>
    <label style="flex:1">options (JSON, optional) <input id="job-options" type="text" placeholder='{"mode": "entropy", "docsPerTask": 16}' style="width:100%"></label>
    <button id="job-submit">Submit job</button>
  </div>
  <div id="job-error" class="error"></div>
  <div id="job-panel" hidden>
    <div>job <code id="job-id"></code> · <b id="job-state"></b> <span id="job-percent" class="note"></span></div>
    <div class="bar"><div id="job-bar"></div></div>
    <div id="job-detail" class="note"></div>
    <div class="controls" style="margin-top:6px">
      <button id="job-stats" class="secondary" hidden>Show statistics</button>
      <a id="job-report" target="_blank" hidden>HTML report ↗</a>
      <button id="job-cancel" class="secondary" hidden>Cancel job</button>
    </div>
  </div>
  <table id="job-list" hidden><thead><tr><th>job</th><th>state</th><th>documents</th><th>submitted (UTC)</th><th>out</th></tr></thead><tbody id="job-list-body"></tbody></table>
</section>
<section id="stats-section">
  <h2>Shard set statistics</h2>
  <div class="controls">
    <input id="stats-dir" type="text" placeholder="shard set directory (under the roots, or a job's out)" style="width:36em">
    <button id="stats-open">Open report</button>
  </div>
  <div id="stats-error" class="error"></div>
  <div id="stats-summary" class="kv"></div>
  <iframe id="stats-frame" title="statistics report" hidden></iframe>
</section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
