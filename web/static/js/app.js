import { el, append, api, initTopBar, pathTail, hostMarks, fmtBytes, fmtCount, showError } from './common.js';

const refresh = await initTopBar();
const app = pathTail('/apps/');
const content = document.getElementById('content');
document.getElementById('title').replaceChildren('Hosts using ', el('span', { id: 'app-name', text: app }));
document.title = `${app} · flowlens`;

const table = el('table', { class: 'grid', id: 'app-hosts' });
const note = el('div', { class: 'toolbar' },
  el('a', { href: `/?app=${encodeURIComponent(app)}`, text: `Active flows of ${app}` }));
const panel = el('div', { class: 'panel' }, note, table);
append(content, panel);

async function load() {
  try {
    const data = await api(`/api/apps/${encodeURIComponent(app)}/hosts`);
    showError(panel, null);
    const head = el('tr', {}, ['Host', 'Flows', 'As client', 'As server', 'Sent', 'Received', 'Total'].map((h, i) =>
      el('th', { class: i ? 'num' : undefined, text: h })));
    const rows = data.hosts.map((h) => el('tr', {},
      el('td', {}, el('a', { href: `/hosts/${encodeURIComponent(h.ip)}`, text: h.ip }), hostMarks(h.geo)),
      el('td', { class: 'num', text: fmtCount(h.flows) }),
      el('td', { class: 'num', text: fmtCount(h.as_client) }),
      el('td', { class: 'num', text: fmtCount(h.as_server) }),
      el('td', { class: 'num', text: fmtBytes(h.bytes_sent) }),
      el('td', { class: 'num', text: fmtBytes(h.bytes_received) }),
      el('td', { class: 'num', text: fmtBytes(h.bytes_sent + h.bytes_received) })));
    if (!rows.length) rows.push(el('tr', {}, el('td', { class: 'empty', colspan: 7, text: 'No active host uses this application' })));
    table.replaceChildren(el('thead', {}, head), el('tbody', {}, rows));
  } catch (err) {
    showError(panel, err);
  }
}

await load();
setInterval(load, refresh);
