import { el, append, api, initTopBar, hostMarks, endpoint, fmtTime, showError } from './common.js';
import { renderPager, sizeSelect } from './flowtable.js';

const refresh = await initTopBar();
const content = document.getElementById('content');
const state = { severity: '', risk: '', host: '', from: '', to: '', page: 1, size: 25 };

const localInput = (id, onChange) => el('input', { id, type: 'datetime-local', onchange: (e) => onChange(e.target.value) });
const toISO = (v) => (v ? new Date(v).toISOString() : '');
const controls = el('div', { class: 'toolbar' },
  el('label', {}, 'Min severity', el('select', { id: 'severity', onchange: (e) => { state.severity = e.target.value; state.page = 1; load(); } },
    ['', 'Low', 'Medium', 'High', 'Severe', 'Critical', 'Emergency'].map((s) => el('option', { value: s, text: s || 'Any' })))),
  el('label', {}, 'Risk', el('input', { id: 'risk', placeholder: 'e.g. tls_certificate_expired',
    onchange: (e) => { state.risk = e.target.value.trim(); state.page = 1; load(); } })),
  el('label', {}, 'Host', el('input', { id: 'host', placeholder: 'IP address',
    onchange: (e) => { state.host = e.target.value.trim(); state.page = 1; load(); } })),
  el('label', {}, 'From', localInput('from', (v) => { state.from = toISO(v); state.page = 1; load(); })),
  el('label', {}, 'To', localInput('to', (v) => { state.to = toISO(v); state.page = 1; load(); })),
  el('span', { class: 'spacer' }),
  el('label', {}, 'Rows', sizeSelect(state.size, (n) => { state.size = n; state.page = 1; load(); })));
const table = el('table', { class: 'grid', id: 'alerts' });
const pager = el('div', { class: 'pager' });
const panel = el('div', { class: 'panel' }, controls, table, pager);
append(content, panel);

function address(ip, port, geo) {
  return [endpoint(ip, port, el('a', { href: `/hosts/${encodeURIComponent(ip)}`, text: ip })), hostMarks(geo)];
}

async function load() {
  try {
    const data = await api('/api/alerts', state);
    showError(panel, null);
    const head = el('tr', {}, ['Time', 'Severity', 'Score', 'Issue', 'Application', 'Client', 'Server', 'Flow info', ''].map((h) => el('th', { text: h })));
    const rows = data.rows.map((a) => el('tr', {},
      el('td', { text: fmtTime(a.time) }),
      el('td', {}, el('span', { class: `sev sev-${a.severity}`, text: a.severity })),
      el('td', { class: 'num', text: String(a.score || '') }),
      el('td', { class: 'issue' }, el('div', { class: 'risk-name', text: a.risk }),
        a.description && a.description !== a.risk ? el('div', { class: 'description', text: a.description }) : null),
      el('td', { text: a.app || '' }),
      el('td', {}, address(a.client_ip, a.client_port, a.client_geo)),
      el('td', {}, address(a.server_ip, a.server_port, a.server_geo)),
      el('td', { class: 'info', text: a.info || '' }),
      el('td', {}, el('a', { href: `/flows/${encodeURIComponent(a.flow_id)}`, class: 'flow-link', text: 'Flow' }))));
    if (!rows.length) rows.push(el('tr', {}, el('td', { class: 'empty', colspan: 9, text: 'No alerts' })));
    table.replaceChildren(el('thead', {}, head), el('tbody', {}, rows));
    renderPager(pager, data.total, state.page, state.size, (p) => { state.page = p; load(); });
  } catch (err) {
    showError(panel, err);
  }
}

await load();
setInterval(load, refresh);
