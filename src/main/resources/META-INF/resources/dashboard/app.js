// The Docshift dashboard: pages over the REST API, kept live by the cluster's server-sent events (/api/events).
// No framework and no build step: it is served from the jar by every pod.

const main = document.getElementById('main');
const live = new Map();          // runId -> [{t, processed}], documents per second over time
let session = { scope: 'read', accessControl: true };
let onEvent = () => {};          // the current page's reaction to an event

// ---- small helpers -------------------------------------------------------------------------------------------

const esc = s => String(s ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const num = n => n == null ? '–' : Number(n).toLocaleString();
const when = iso => iso ? new Date(iso).toLocaleString() : '–';
const admin = () => session.scope === 'admin';
const state = s => `<span class="state ${esc(s)}">${esc(s)}</span>`;
// A run's state, and where a partial run (a limit) stopped: "completed (limit 100)" is not a whole-table run.
const runState = r => state(r.state) + (r.limit != null ? ` <span class="muted">(limit ${num(r.limit)})</span>` : '');

function duration(ms) {
  if (ms == null) return '–';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.floor(s % 3600 / 60)).padStart(2, '0')}m`;
}

function bar(done, total, runState, runId) {
  const pct = total > 0 ? Math.min(100, Math.round(done * 100 / total)) : (runState === 'completed' ? 100 : 0);
  return `<span class="bar ${esc(runState)}" role="progressbar" aria-label="progress of run ${esc(runId)}" aria-valuemin="0" aria-valuemax="${total}"
    aria-valuenow="${done}" data-run="${esc(runId)}"><span style="width:${pct}%"></span></span> <span class="muted">${num(done)} / ${num(total)}</span>`;
}

async function api(path, options = {}) {
  const init = { method: options.method || 'GET', headers: { Accept: 'application/json' } };
  if (options.body !== undefined) {
    init.headers['Content-Type'] = options.type || 'application/json';
    init.body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  const r = await fetch(path, init);
  if (r.status === 401) { location.reload(); throw new Error('signed out'); }
  const text = await r.text();
  const body = text ? JSON.parse(text) : null;
  if (!r.ok) {
    const e = new Error(body?.detail || `HTTP ${r.status}`);
    e.problem = body;
    e.status = r.status;
    throw e;
  }
  return body;
}

async function optional(path) {
  try { return await api(path); } catch (e) { if (e.status === 404) return null; throw e; }
}

function confirmAction(text) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = text;
  dialog.returnValue = '';
  dialog.showModal();
  document.getElementById('confirm-cancel').focus();
  return new Promise(resolve => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true }));
}

/** Asks, then sends; shows the outcome (or the problem) in the element with id `outId` (found anew: the page may have been redrawn). */
async function act(text, outId, send) {
  const say = html => { const out = document.getElementById(outId); if (out) out.innerHTML = html; };
  if (!await confirmAction(text)) { say('Not sent.'); return null; }
  try {
    const result = await send();
    say('<span class="ok">Done.</span>');
    return result;
  } catch (e) {
    say(`<span class="error">${esc(e.message)}</span>`);
    return null;
  }
}

function spark(points) {
  if (!points || points.length < 2) return '<svg class="spark" aria-hidden="true"></svg>';
  const rates = [];
  for (let i = 1; i < points.length; i++) {
    const dt = (points[i].t - points[i - 1].t) / 1000;
    if (dt > 0) rates.push({ t: points[i].t, r: (points[i].processed - points[i - 1].processed) / dt });
  }
  if (rates.length < 2) return '<svg class="spark" aria-hidden="true"></svg>';
  const max = Math.max(...rates.map(p => p.r), 1), t0 = rates[0].t, t1 = rates[rates.length - 1].t || t0 + 1;
  const d = rates.map((p, i) => `${i ? 'L' : 'M'}${((p.t - t0) / Math.max(1, t1 - t0) * 288).toFixed(1)},${(46 - p.r / max * 44).toFixed(1)}`).join(' ');
  return `<svg class="spark" viewBox="0 0 288 48" role="img" aria-label="documents per second over time, up to ${num(Math.round(max))}"><path d="${d}" fill="none" stroke="#2d5bd7" stroke-width="2"/></svg>`;
}

function remember(run) {
  if (run?.runId == null) return;
  const points = live.get(run.runId) || [];
  if (!points.length || points[points.length - 1].processed !== run.processed) points.push({ t: Date.now(), processed: run.processed });
  live.set(run.runId, points.slice(-120));
}

// ---- pages ----------------------------------------------------------------------------------------------------

const pages = {
  async overview() {
    const [schema, transition, migrations, log, tables, pods] = await Promise.all([optional('/api/schema'), optional('/api/schema/transition'),
      api('/api/migrations'), api('/api/migrations/log'), api('/api/tables'), api('/api/workers')]);
    const running = migrations.map(m => m.latestRun).filter(r => r && (r.state === 'running' || r.state === 'pending'));
    running.forEach(remember);
    main.innerHTML = `<h1>Overview</h1><div class="grid">
      <section class="card"><h2>Schema</h2>${schema ? `<p>Version <strong>${schema.version}</strong>, hash <code>${esc(schema.hash.slice(0, 12))}</code>,
        active since ${when(schema.activatedAt)}</p>` : '<p>No schema pushed yet: every table is schemaless.</p>'}
        ${transition ? `<p>Transition ${transition.id} to version ${transition.toVersion}: ${state(transition.state)}</p>
        ${transition.migrations.map(m => `<div>${esc(m.name)} ${bar(m.processed, m.total, m.state, m.runId)}</div>`).join('')}` : ''}</section>
      <section class="card"><h2>Pods</h2><table><thead><tr><th>Worker</th><th>Alive</th><th>Last heartbeat</th></tr></thead><tbody id="pods">${podRows(pods)}</tbody></table>
        <p class="muted">Pods that beat their heart in the last ten minutes; a pod silent for longer is left out.</p></section>
      <section class="card wide"><h2>Running</h2>${running.length ? `<table><thead><tr><th>Run</th><th>Migration</th><th>Progress</th><th>Pod</th></tr></thead><tbody>
        ${running.map(r => `<tr><td><a href="#/runs/${r.runId}">${r.runId}</a></td><td>${esc(r.migration)}</td><td>${bar(r.processed, r.total, r.state, r.runId)}</td>
        <td>${esc(r.owner || '–')}</td></tr>`).join('')}</tbody></table>` : '<p class="muted">No run is working.</p>'}</section>
      <section class="card wide"><h2>Recent runs</h2><table><thead><tr><th>Run</th><th>Migration</th><th>State</th><th class="num">Processed</th><th>Finished</th></tr></thead><tbody>
        ${log.slice(0, 8).map(e => `<tr><td><a href="#/runs/${e.runId}">${e.runId}</a></td><td>${esc(e.name)}</td><td>${runState(e)}</td>
        <td class="num">${num(e.processed)}</td><td>${when(e.finishedAt)}</td></tr>`).join('')}</tbody></table></section>
      <section class="card wide"><h2>Tables</h2><table><thead><tr><th>Table</th><th class="num">Documents</th></tr></thead><tbody>
        ${tables.slice().sort((a, b) => b.documents - a.documents).slice(0, 10).map(t => `<tr><td><a href="#/tables/${encodeURIComponent(t.name)}">${esc(t.name)}</a></td>
        <td class="num">${num(t.documents)}</td></tr>`).join('')}</tbody></table>${tables.length > 10 ? `<p><a href="#/tables">All ${num(tables.length)} tables</a></p>` : ''}</section>
      </div>`;
    onEvent = e => { if (e.type !== 'run.progress') refresh(); else updateBars(e.data); };
    // heartbeats send no events: the pods panel asks again by itself, so a pod that died is seen to die
    pageTimer = setInterval(async () => {
      const body = document.getElementById('pods');
      if (body) body.innerHTML = podRows(await api('/api/workers'));
    }, 5000);
  },

  async tables(table, id) {
    if (id) return showDocument(table, id);
    if (table) return browse(table);
    const tables = await api('/api/tables');
    main.innerHTML = `<h1>Tables</h1><table><thead><tr><th>Table</th><th class="num">Documents</th></tr></thead><tbody>
      ${tables.map(t => `<tr><td><a href="#/tables/${encodeURIComponent(t.name)}">${esc(t.name)}</a></td><td class="num">${num(t.documents)}</td></tr>`).join('')}</tbody></table>`;
  },

  async schema() {
    const [schema, versions] = await Promise.all([optional('/api/schema'), api('/api/schema/versions')]);
    const options = versions.map(v => `<option value="${v.version}">${v.version}</option>`).join('');
    main.innerHTML = `<h1>Schema</h1>
      ${schema ? `<section class="card"><h2>Indexes</h2><table><thead><tr><th>Table</th><th>Index</th><th>Fields</th><th>State</th></tr></thead><tbody>
        ${schema.indexes.map(i => `<tr><td>${esc(i.table)}</td><td>${esc(i.name)}</td><td><code>${esc(i.fields.join(', '))}</code></td><td>${state(i.state)}</td></tr>`).join('')}
        </tbody></table></section>` : ''}
      <section class="card"><h2>Versions</h2><table><thead><tr><th>Version</th><th>Hash</th><th>Created</th><th>Activated</th><th>Changes it brought</th></tr></thead><tbody>
        ${versions.slice().reverse().map(v => `<tr><td>${v.version}</td><td><code>${esc(v.hash.slice(0, 12))}</code></td><td>${when(v.createdAt)}</td><td>${when(v.activatedAt)}</td>
        <td>${v.changes.map(c => `${esc(c.change || c.kind)} ${esc(c.kind === 'index' ? 'index' : '')} ${esc(c.table || '')}${c.field ? '.' + esc(c.field) : ''}${c.index ? ' <code>' + esc(c.index) + '</code>' : ''} <span class="muted">(${esc(c.safety)})</span>`).join('<br>')}</td></tr>`).join('')}
        </tbody></table></section>
      <section class="card"><h2>Diff</h2><div class="row"><div><label for="diff-from">From version</label><select id="diff-from"><option value="0">0 (none)</option>${options}</select></div>
        <div><label for="diff-to">To version</label><select id="diff-to">${options}</select></div><button id="diff-go">Compare</button></div><div id="diff-out"></div></section>
      ${admin() ? `<section class="card"><h2>Plan a schema</h2><label for="plan-text">Schema (JSON)</label><textarea id="plan-text">${esc(schema ? JSON.stringify(schema.schema, null, 2) : '{"tables": {}}')}</textarea>
        <button id="plan-go" class="primary">Preview plan</button> <span class="muted">Writes nothing.</span><div id="plan-out"></div></section>` : ''}`;
    if (versions.length) document.getElementById('diff-to').value = versions[versions.length - 1].version;
    document.getElementById('diff-go').onclick = async () => {
      const out = document.getElementById('diff-out');
      try { out.innerHTML = changes(await api(`/api/schema/diff?from=${document.getElementById('diff-from').value}&to=${document.getElementById('diff-to').value}`)); }
      catch (e) { out.innerHTML = `<p class="error">${esc(e.message)}</p>`; }
    };
    const plan = document.getElementById('plan-go');
    if (plan) plan.onclick = async () => {
      const out = document.getElementById('plan-out');
      try {
        const p = await api('/api/schema/plan', { method: 'POST', body: document.getElementById('plan-text').value });
        out.innerHTML = changes(p.changes) + p.violations.map(v => `<p class="error">${num(v.violating)} document(s) of ${esc(v.table)} violate it, e.g. ${v.examples.slice(0, 3).map(x =>
          `<a href="#/tables/${encodeURIComponent(v.table)}/${esc(x._id)}">${esc(x._id)}</a> ${esc(x.path)}: ${esc(x.message)}`).join('; ')}</p>`).join('')
          + `<p>${p.applicable ? '<span class="ok">It can be pushed.</span>' : '<span class="error">A push would be refused, unless it names migrations that fix those documents.</span>'}</p>`;
      } catch (e) { out.innerHTML = `<p class="error">${esc(e.message)}</p>`; }
    };
  },

  async migrations(name) {
    if (name) return migration(name);
    const migrations = await api('/api/migrations');
    migrations.forEach(m => remember(m.latestRun));
    main.innerHTML = `<h1>Migrations</h1><table><thead><tr><th>Migration</th><th>Kind</th><th>Checksum</th><th>Table</th><th>Backup</th><th>Throttle</th><th>Window</th><th>Last run</th></tr></thead><tbody>
      ${migrations.map(m => `<tr><td><a href="#/migrations/${encodeURIComponent(m.name)}">${esc(m.name)}</a></td><td>${esc(m.kind)}</td><td><code>${esc(m.checksum.slice(0, 12))}</code></td>
      <td>${esc(m.definition.table)}</td><td>${m.definition.backup ? 'yes' : 'no'}</td><td>${m.definition.maxDocumentsPerSecond ? num(m.definition.maxDocumentsPerSecond) + '/s' : '–'}</td>
      <td>${m.definition.window ? esc(m.definition.window.cron + ' for ' + m.definition.window.duration) : '–'}</td>
      <td>${m.latestRun ? `<a href="#/runs/${m.latestRun.runId}">${m.latestRun.runId}</a> ${state(m.state)}${m.latestRun.limit != null ? ` <span class="muted">(limit ${num(m.latestRun.limit)})</span>` : ''} ${bar(m.latestRun.processed, m.latestRun.total, m.latestRun.state, m.latestRun.runId)}` : '<span class="muted">never</span>'}</td></tr>`).join('')}
      </tbody></table>`;
    onEvent = e => e.type === 'run.progress' ? updateBars(e.data) : refresh();
  },

  async runs(id) {
    const run = await api(`/api/migrations/runs/${id}`);
    remember(run);
    const definition = (await api(`/api/migrations/${encodeURIComponent(run.migration)}`)).definition;
    main.innerHTML = `<h1>Run ${run.runId} of <a href="#/migrations/${encodeURIComponent(run.migration)}">${esc(run.migration)}</a></h1>
      <section class="card"><p>State: <span id="run-state" class="state ${esc(run.state)}">${esc(run.state)}</span>${run.limit != null ? ` <span class="muted">(limit ${num(run.limit)}: a partial run)</span>` : ''}
        ${run.rolledBackBy != null ? ` · rolled back by run <a href="#/runs/${run.rolledBackBy}">${run.rolledBackBy}</a>` : ''}${run.rollbackOf != null ? ` · rolls back run <a href="#/runs/${run.rollbackOf}">${run.rollbackOf}</a>` : ''}</p>
      <p>${bar(run.processed, run.total, run.state, run.runId)}</p>
      <p>Changed ${num(run.changed)}${run.stamped ? ` · stamped ${num(run.stamped)}` : ''} · <span id="run-rate">${run.documentsPerSecond != null ? num(Math.round(run.documentsPerSecond)) : '–'}</span> documents/s ·
        ETA <span id="run-eta">${run.etaSeconds != null ? duration(run.etaSeconds * 1000) : '–'}</span> · pod <code id="run-owner">${esc(run.owner || '–')}</code></p>
      <p>Started ${when(run.startedAt)} · finished ${when(run.finishedAt)} · worked ${duration(run.workedMs)}</p>
      <div id="run-chart">${spark(live.get(run.runId))}</div>
      ${run.error ? `<p class="error" id="run-error">Failed on ${run.error._id ? `document <a id="failed-document" href="#/tables/${encodeURIComponent(definition.table)}/${esc(run.error._id)}">${esc(run.error._id)}</a>` : 'a batch'}:
        ${esc(run.error.message)}</p>` : ''}
      ${admin() ? runActions(run) : ''}<div id="run-out"></div></section>`;
    wireRunActions(run);
    onEvent = e => {
      if (e.data.runId === run.runId) { e.type === 'run.progress' ? (remember(e.data), updateBars(e.data), document.getElementById('run-chart').innerHTML = spark(live.get(run.runId))) : refresh(); }
    };
  },

  async transition() {
    const t = await optional('/api/schema/transition');
    if (!t) { main.innerHTML = '<h1>Transition</h1><p>No schema transition has ever run.</p>'; return; }
    const states = ['migrating', 'verifying', 'active'];
    const side = ['failed', 'rollingBack', 'rolledBack'];
    const node = s => `<span class="node ${s === t.state ? 'current' : ''}" ${s === t.state ? 'aria-current="step"' : ''}>${s}</span>`;
    main.innerHTML = `<h1>Transition ${t.id}: version ${t.fromVersion ?? '–'} to ${t.toVersion}</h1>
      <section class="card"><div class="machine" aria-label="transition states">${states.map(node).join('<span class="arrow">→</span>')}</div>
      <div class="machine">${side.map(node).join('<span class="arrow">→</span>')}</div>
      <p>State: <span id="transition-state" class="state ${esc(t.state)}">${esc(t.state)}</span> · started ${when(t.startedAt)} · finished ${when(t.finishedAt)}</p>
      ${t.error ? `<p class="error">${esc(t.error.message)}</p>` : ''}
      <table><thead><tr><th>Migration</th><th>Run</th><th>State</th><th>Progress</th><th></th></tr></thead><tbody>
      ${t.migrations.map(m => `<tr><td><a href="#/migrations/${encodeURIComponent(m.name)}">${esc(m.name)}</a></td><td><a href="#/runs/${m.runId}">${m.runId}</a></td><td>${state(m.state)}</td>
        <td>${bar(m.processed, m.total, m.state, m.runId)}</td><td>${admin() && (m.state === 'failed' || m.state === 'cancelled') ? `<button data-resume="${m.runId}">Resume</button>` : ''}</td></tr>`).join('')}
      </tbody></table>
      ${admin() && ['migrating', 'verifying', 'failed'].includes(t.state) ? '<p><button id="transition-rollback" class="danger">Roll back</button></p>' : ''}<div id="transition-out"></div></section>`;
    const rollback = document.getElementById('transition-rollback');
    if (rollback) rollback.onclick = async () => { if (await act(`Roll transition ${t.id} back? Documents get their saved bodies back; version ${t.fromVersion} stays active.`, 'transition-out',
      () => api('/api/schema/transition/rollback', { method: 'POST' }))) refresh(); };
    main.querySelectorAll('[data-resume]').forEach(b => b.onclick = async () => {
      if (await act(`Resume run ${b.dataset.resume}?`, 'transition-out', () => api(`/api/migrations/runs/${b.dataset.resume}/resume`, { method: 'POST' }))) refresh();
    });
    onEvent = e => e.type === 'run.progress' ? updateBars(e.data) : refresh();
  },

  // Rehearsals send no events: the page asks again by itself while one runs.
  async rehearsals(id) {
    const all = await api('/api/schema/rehearsals');
    const r = id ? all.find(x => String(x.id) === id) : all[0];
    if (!r) { main.innerHTML = '<h1>Rehearsals</h1><p>No rehearsal has run. <code>docshift rehearse FILE</code> runs a transition on a copy of the documents.</p>'; return; }
    const yes = b => b == null ? '–' : b ? '<span class="ok">yes</span>' : '<span class="error">no</span>';
    main.innerHTML = `<h1>Rehearsal ${r.id}</h1>
      <section class="card"><p>State: <span id="rehearsal-state" class="state ${esc(r.state)}">${esc(r.state)}</span>${r.state === 'running' ? ` · ${esc(r.phase)}` : ''}
        · schema <code>${esc((r.schemaHash || '').slice(0, 12))}</code> over version ${r.fromVersion} · ${r.sample ? `a sample of ${num(r.sample)} per table` : 'every document'}
        · started ${when(r.startedAt)} · finished ${when(r.finishedAt)}</p>
      <p>The transition would succeed: <strong id="rehearsal-verdict">${yes(r.transitionWouldSucceed)}</strong> · rollback restored every body byte for byte: ${yes(r.rollbackByteForByte)}
        · live data unchanged: ${yes(r.live?.unchanged)}${r.live ? ` <span class="muted">(${num(r.live.writtenMeanwhile)} written by clients meanwhile)</span>` : ''}</p>
      ${r.error ? `<p class="error">${esc(r.error)}</p>` : ''}
      <table><thead><tr><th>Table</th><th>Migrations</th><th class="num">Copied</th><th class="num">Changed</th><th class="num">Stamped</th><th class="num">Docs/s</th>
        <th class="num">Projected</th><th>First failure</th><th class="num">Violating</th><th>Rollback</th></tr></thead><tbody>
      ${r.tables.map(t => `<tr><td>${esc(t.table)}</td><td>${esc(t.migrations.join(', '))} <span class="muted">(${esc(t.evaluation)}${t.backup ? '' : ', no backups'})</span></td>
        <td class="num">${num(t.copied)} / ${num(t.liveDocuments)}</td><td class="num">${num(t.sweep?.changed)}</td><td class="num">${num(t.sweep?.stamped)}</td>
        <td class="num">${t.sweep ? num(Math.round(t.sweep.docsPerSecond)) : '–'}</td><td class="num">${t.sweep?.projectedSeconds != null ? duration(t.sweep.projectedSeconds * 1000) : '–'}</td>
        <td>${t.firstFailure ? `<span class="error">${esc(t.firstFailure._id || 'a batch')}: ${esc(t.firstFailure.message)}</span>` : '–'}</td>
        <td class="num">${t.verification ? num(t.verification.violating) : '–'}</td>
        <td>${t.rollback ? (t.rollback.byteForByte ? `<span class="ok">${num(t.rollback.restored)} restored</span>` : `<span class="error">${num(t.rollback.mismatched)} differ</span>`) : '–'}</td></tr>`).join('')}
      </tbody></table></section>
      <section class="card"><h2>Kept reports</h2><table><thead><tr><th>Rehearsal</th><th>State</th><th>Would succeed</th><th class="num">Copied</th><th>Started</th></tr></thead><tbody>
      ${all.map(x => `<tr><td><a href="#/rehearsals/${x.id}">${x.id}</a></td><td>${state(x.state)}</td><td>${yes(x.transitionWouldSucceed)}</td><td class="num">${num(x.copied)}</td>
        <td>${when(x.startedAt)}</td></tr>`).join('')}</tbody></table></section>`;
    if (r.state === 'running') pageTimer = setInterval(refresh, 2000);
  },

  async log() {
    const log = await api('/api/migrations/log');
    main.innerHTML = `<h1>Migration log</h1><table><thead><tr><th>Run</th><th>Migration</th><th>Checksum</th><th>State</th><th class="num">Processed</th><th class="num">Changed</th>
      <th>Started</th><th>Duration</th><th>Pod</th><th>Error</th></tr></thead><tbody>
      ${log.map(e => `<tr><td><a href="#/runs/${e.runId}">${e.runId}</a></td><td>${esc(e.name)}</td><td><code>${esc(e.checksum.slice(0, 12))}</code></td><td>${runState(e)}</td>
      <td class="num">${num(e.processed)}</td><td class="num">${num(e.changed)}</td><td>${when(e.startedAt)}</td><td>${duration(e.durationMs)}</td><td><code>${esc(e.owner || '–')}</code></td>
      <td>${e.error ? esc((e.error._id ? e.error._id + ': ' : '') + e.error.message) : ''}</td></tr>`).join('')}</tbody></table>`;
    onEvent = e => { if (e.type === 'run.state') refresh(); };
  },
};

/** The pods /api/workers lists (those seen lately; alive: within stale-after, by the database's clock). */
function podRows(pods) {
  return pods.map(p => `<tr><td><code>${esc(p.id)}</code></td><td>${p.alive ? '<span class="ok">yes</span>' : '<span class="error">no</span>'}</td>
    <td>${when(p.heartbeatAt)}</td></tr>`).join('');
}

function changes(list) {
  if (!list.length) return '<p class="muted">No changes.</p>';
  return `<table><thead><tr><th>Change</th><th>Table</th><th>Field</th><th>Index</th><th>Safety</th><th>Detail</th></tr></thead><tbody>${list.map(c =>
    `<tr><td>${esc(c.kind)} ${esc(c.change || '')}</td><td>${esc(c.table || '')}</td><td>${esc(c.field || '')}</td><td>${c.index ? `<code>${esc(c.index)}</code>` : ''}</td><td>${state(c.safety === 'safe' ? 'completed' : 'failed').replace(/>.*</, '>' + esc(c.safety) + '<')}</td>
    <td>${esc(c.detail || '')}</td></tr>`).join('')}</tbody></table>`;
}

function runActions(run) {
  const buttons = [];
  if (run.state === 'pending' || run.state === 'running') buttons.push('<button data-action="cancel">Cancel</button>');
  if (run.state === 'cancelled' || run.state === 'failed') buttons.push('<button data-action="resume" class="primary">Resume</button>');
  if (run.backup && run.rollbackOf == null && run.transitionId == null && !(run.state === 'pending' || run.state === 'running')) buttons.push('<button data-action="rollback" class="danger">Roll back</button>');
  return buttons.length ? `<p class="row">${buttons.join(' ')}</p>` : '';
}

function wireRunActions(run) {
  main.querySelectorAll('[data-action]').forEach(b => b.onclick = async () => {
    const verb = b.dataset.action;
    const text = verb === 'rollback' ? `Roll run ${run.runId} back? Every document it changed gets its saved body back.` : `${verb[0].toUpperCase() + verb.slice(1)} run ${run.runId}?`;
    const result = await act(text, 'run-out', () => api(`/api/migrations/runs/${run.runId}/${verb}`, { method: 'POST' }));
    if (result && verb === 'rollback') location.hash = `#/runs/${result.runId}`; else if (result) refresh();
  });
}

async function migration(name) {
  const m = await api(`/api/migrations/${encodeURIComponent(name)}`);
  m.runs.forEach(remember);
  main.innerHTML = `<h1>${esc(m.name)}</h1><section class="card"><p>${esc(m.kind)} migration of <a href="#/tables/${encodeURIComponent(m.definition.table)}">${esc(m.definition.table)}</a>,
    checksum <code>${esc(m.checksum.slice(0, 12))}</code></p><pre>${esc(JSON.stringify(m.definition, null, 2))}</pre>
    ${admin() ? `<div class="row"><div><label for="run-args">Arguments (JSON)</label><input id="run-args" value="{}" size="30"></div>
      <div><label for="run-limit">Limit</label><input id="run-limit" type="number" min="1" size="8" placeholder="all"></div>
      <div><label><input id="run-rerun" type="checkbox"> Run again if completed</label></div>
      <button id="dry-run">Dry run</button><button id="start-run" class="primary">Run</button></div><div id="migration-out"></div>` : ''}</section>
    <h2>Runs</h2><table><thead><tr><th>Run</th><th>State</th><th>Progress</th><th class="num">Changed</th><th>Started</th><th>Pod</th></tr></thead><tbody>
    ${m.runs.map(r => `<tr><td><a href="#/runs/${r.runId}">${r.runId}</a></td><td>${runState(r)}</td><td>${bar(r.processed, r.total, r.state, r.runId)}</td>
    <td class="num">${num(r.changed)}</td><td>${when(r.startedAt)}</td><td><code>${esc(r.owner || '–')}</code></td></tr>`).join('')}</tbody></table>`;
  const out = document.getElementById('migration-out');
  const request = dry => {
    const body = { dryRun: dry, rerun: document.getElementById('run-rerun').checked, args: JSON.parse(document.getElementById('run-args').value || '{}') };
    const limit = document.getElementById('run-limit').value;
    if (limit) body.limit = Number(limit);
    return body;
  };
  if (admin()) {
    document.getElementById('dry-run').onclick = async () => {
      try {
        const d = await api(`/api/migrations/${encodeURIComponent(name)}/runs`, { method: 'POST', body: request(true) });
        out.innerHTML = `<p>${num(d.wouldChange)} of ${num(d.examined)} document(s) would change; nothing was written.</p>` + d.documents.map(doc =>
          `<h3><a href="#/tables/${encodeURIComponent(m.definition.table)}/${esc(doc._id)}">${esc(doc._id)}</a></h3><div class="grid diff"><pre class="minus">${esc(JSON.stringify(doc.before, null, 2))}</pre>
          <pre class="plus">${esc(JSON.stringify(doc.after, null, 2))}</pre></div>`).join('');
      } catch (e) { out.innerHTML = `<p class="error">${esc(e.message)}</p>`; }
    };
    document.getElementById('start-run').onclick = async () => {
      const started = await act(`Run ${name} on ${m.definition.table}?`, 'migration-out', () => api(`/api/migrations/${encodeURIComponent(name)}/runs`, { method: 'POST', body: request(false) }));
      if (started?.runId) location.hash = `#/runs/${started.runId}`;
      else if (started?.skipped) out.innerHTML = `<p>Already completed in run <a href="#/runs/${started.completedRun}">${started.completedRun}</a>; tick "Run again" to rerun it.</p>`;
    };
  }
  onEvent = e => e.type === 'run.progress' ? updateBars(e.data) : refresh();
}

async function browse(table, cursor) {
  const [page, schema] = await Promise.all([api(`/api/tables/${encodeURIComponent(table)}/documents?limit=50${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`), optional('/api/schema')]);
  const indexes = (schema?.indexes || []).filter(i => i.table === table && i.state === 'ready');
  render(table, page, indexes, null);
}

/** A page through an index: {index, eq} as the form had them, from the start or after a cursor. */
async function query(table, indexes, q, cursor) {
  try {
    const body = { index: q.index, limit: 50, cursor };
    if (q.eq) body.eq = JSON.parse(q.eq);
    render(table, await api(`/api/tables/${encodeURIComponent(table)}/query`, { method: 'POST', body }), indexes, q);
  } catch (e) {
    document.getElementById('query-out').textContent = e.message;
  }
}

/** A page of documents; `q` is the index query it came from, or null for creation order. */
function render(table, page, indexes, q) {
  const fields = [...new Set(page.page.flatMap(d => Object.keys(d)).filter(f => f !== '_id' && f !== '_creationTime'))].slice(0, 6);
  main.innerHTML = `<h1>${esc(table)}</h1>
    <section class="card"><form id="query" class="row"><div><label for="query-index">Index</label><select id="query-index">
      ${indexes.map(i => `<option value="${esc(i.name)}" ${q?.index === i.name ? 'selected' : ''}>${esc(i.name)} (${esc(i.fields.join(', '))})</option>`).join('')}</select></div>
      <div><label for="query-eq">Equal to (JSON)</label><input id="query-eq" size="40" value="${esc(q?.eq || '')}" placeholder='{"customerId": "..."}'></div>
      <button class="primary">Query</button> <span id="query-out" class="error" role="alert"></span></form></section>
    <table><thead><tr><th>_id</th><th>Created</th>${fields.map(f => `<th>${esc(f)}</th>`).join('')}</tr></thead><tbody>
    ${page.page.map(d => `<tr><td><a href="#/tables/${encodeURIComponent(table)}/${esc(d._id)}"><code>${esc(d._id)}</code></a></td><td>${when(new Date(d._creationTime).toISOString())}</td>
      ${fields.map(f => `<td>${esc(d[f] === undefined ? '' : typeof d[f] === 'string' ? d[f] : JSON.stringify(d[f])).slice(0, 80)}</td>`).join('')}</tr>`).join('')}</tbody></table>
    <p>${page.isDone ? '<span class="muted">End of the table.</span>' : '<button id="next-page">Next page</button>'}</p>`;
  const next = document.getElementById('next-page');
  if (next) next.onclick = () => q ? query(table, indexes, q, page.continueCursor) : browse(table, page.continueCursor);
  document.getElementById('query').onsubmit = ev => {
    ev.preventDefault();
    query(table, indexes, { index: document.getElementById('query-index').value, eq: document.getElementById('query-eq').value.trim() }, null);
  };
}

async function showDocument(table, id) {
  const doc = await api(`/api/tables/${encodeURIComponent(table)}/documents/${encodeURIComponent(id)}`);
  main.innerHTML = `<h1><a href="#/tables/${encodeURIComponent(table)}">${esc(table)}</a> / <code>${esc(id)}</code></h1>
    <p class="muted">Created ${when(new Date(doc._creationTime).toISOString())}</p><pre id="document">${esc(JSON.stringify(doc, null, 2))}</pre>`;
}

function updateBars(run) {
  remember(run);
  main.querySelectorAll(`.bar[data-run="${run.runId}"]`).forEach(el => {
    el.setAttribute('aria-valuenow', run.processed);
    el.setAttribute('aria-valuemax', run.total);
    el.firstElementChild.style.width = `${run.total > 0 ? Math.min(100, Math.round(run.processed * 100 / run.total)) : 0}%`;
    el.nextElementSibling.textContent = `${num(run.processed)} / ${num(run.total)}`;
  });
  const rate = document.getElementById('run-rate');
  const points = live.get(run.runId);
  if (rate && points?.length > 1) {
    const a = points[Math.max(0, points.length - 6)], b = points[points.length - 1];
    const r = (b.processed - a.processed) / Math.max(0.001, (b.t - a.t) / 1000);
    rate.textContent = num(Math.round(r));
    const eta = document.getElementById('run-eta');
    if (eta && r > 0) eta.textContent = duration((run.total - run.processed) / r * 1000);
  }
}

// ---- routing, session, live events ----------------------------------------------------------------------------

let refreshing = null;
let pageTimer = null;            // the current page's own polling, stopped when another page renders
async function refresh() {
  if (refreshing) return;
  refreshing = setTimeout(() => { refreshing = null; route(); }, 150);
}

// One page renders at a time: a navigation while one is loading waits for it, so a slow page never overwrites a newer one.
let routing = false, again = false;
async function route() {
  if (routing) { again = true; return; }
  routing = true;
  try {
    do {
      again = false;
      const [page, ...args] = (location.hash.replace(/^#\/?/, '') || 'overview').split('/').map(decodeURIComponent);
      document.querySelectorAll('nav a').forEach(a => a.classList.toggle('current', a.getAttribute('href') === `#/${page === 'runs' ? 'migrations' : page}`));
      onEvent = () => {};
      clearInterval(pageTimer);
      try {
        await (pages[page] || pages.overview)(...args);
      } catch (e) {
        main.innerHTML = `<h1>Something went wrong</h1><p class="error">${esc(e.message)}</p>`;
      }
    } while (again);
  } finally {
    routing = false;
  }
}

async function start() {
  session = await api('/dashboard/session');
  const box = document.getElementById('session');
  if (session.accessControl) {
    box.innerHTML = `Signed in with <strong>${esc(session.key)}</strong> (${esc(session.scope)})
      <form method="post" action="/dashboard/session/end" style="display:inline"><button type="submit">Sign out</button></form>`;
  } else {
    const banner = document.getElementById('banner');
    banner.hidden = false;
    banner.textContent = 'Access control is off (docshift.auth.enabled=false): anyone who reaches this service can read and change everything.';
  }
  const events = new EventSource('/api/events');
  for (const kind of ['run.progress', 'run.state', 'transition.state', 'schema.activated', 'index.state']) {
    events.addEventListener(kind, m => onEvent({ type: kind, data: JSON.parse(m.data) }));
  }
  window.addEventListener('hashchange', route);
  await route();
}

start();
