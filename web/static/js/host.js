import { el, append, api, initTopBar, pathTail, hostMarks, fmtBytes, fmtCount, showError } from './common.js';
import { mountLiveFlows } from './livetable.js';

const refresh = await initTopBar();
const ip = pathTail('/hosts/');
const content = document.getElementById('content');
document.getElementById('title').replaceChildren('Host ', el('span', { id: 'host-ip', text: ip }));
document.title = `Host ${ip} · flowlens`;

const summary = el('div', { class: 'panel', id: 'host-summary' });
append(content, summary);

function kv(pairs) {
  return el('dl', { class: 'kv' }, pairs.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', {}, v)]));
}

async function loadSummary() {
  try {
    const h = await api(`/api/hosts/${encodeURIComponent(ip)}`);
    const geo = h.geo || {};
    const where = [];
    if (geo.self) where.push('monitoring host');
    else if (geo.local) where.push('local network');
    if (geo.country) where.push(geo.country);
    summary.replaceChildren(kv([
      ['Address', [h.ip, ...hostMarks(geo)]],
      ['Location', where.join(', ') || 'unknown'],
      ['Autonomous system', geo.asn ? `AS${geo.asn} ${geo.as_org || ''}` : 'unknown'],
      ['Active flows', `${fmtCount(h.flows)} (${fmtCount(h.as_client)} as client, ${fmtCount(h.as_server)} as server)`],
      ['Bytes sent', fmtBytes(h.bytes_sent)],
      ['Bytes received', fmtBytes(h.bytes_received)],
      ['Applications', h.apps.map((a, i) => [i ? ', ' : '', el('a', { href: `/apps/${encodeURIComponent(a.app)}`, text: a.app }), ` (${fmtBytes(a.bytes)})`])],
    ]));
  } catch (err) {
    showError(summary, err);
  }
}

await loadSummary();
append(content, el('h2', { text: 'Active flows' }));
mountLiveFlows(content, refresh, { host: ip });
setInterval(loadSummary, refresh);
