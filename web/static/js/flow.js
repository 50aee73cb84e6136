import { el, append, api, initTopBar, pathTail, hostMarks, icon, endpoint, l4Label, fmtBytes, fmtBits, fmtCount, fmtDuration, fmtTime, showError } from './common.js';

const refresh = await initTopBar();
const id = pathTail('/flows/');
const content = document.getElementById('content');

// block returns a panel with a title and key/value rows. Rows with an empty
// value are left out, because the flow record leaves unknown fields out.
function block(title, pairs, blockId) {
  const shown = pairs.filter(([, v]) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && !v.length));
  return el('div', { class: 'panel', id: blockId }, el('h2', { text: title }),
    el('dl', { class: 'kv' }, shown.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { 'data-key': k }, v)])));
}

const hex32 = /^[0-9a-f]{32}$/;

// ja3Link links an MD5 fingerprint to abuse.ch's SSL blacklist page.
function ja3Link(hash) {
  if (!hash) return undefined;
  if (!hex32.test(hash)) return hash;
  return el('a', { href: `https://sslbl.abuse.ch/ja3-fingerprints/${hash}/`, target: '_blank', rel: 'noopener noreferrer', text: hash });
}

function list(values) {
  return values && values.length ? values.join(', ') : undefined;
}

// longList shows the first few values of a long list and a button that
// shows the rest, so that a certificate with a hundred names does not push
// the other blocks off the screen.
function longList(values, first = 8) {
  if (!values || values.length <= first) return list(values);
  const rest = el('span', { class: 'rest', hidden: true, text: `, ${values.slice(first).join(', ')}` });
  const more = el('button', { class: 'more', onclick: () => { rest.hidden = false; more.remove(); } },
    `${values.length - first} more`);
  return [values.slice(0, first).join(', '), rest, ' ', more];
}

const castLabels = { multicast: 'Multicast', broadcast: 'Broadcast' };

// address returns an endpoint with links to its host and port, the host's
// marks and, when cast is set, a Multicast or Broadcast mark.
function address(ip, port, geo, cast) {
  const host = el('a', { href: `/hosts/${encodeURIComponent(ip)}`, text: ip });
  const portLink = port > 0 ? el('a', { href: `/?port=${port}`, text: String(port) }) : null;
  const castMark = cast ? el('span', { class: 'cast mark' }, icon('multicast', ''), castLabels[cast] || cast) : null;
  return [endpoint(ip, port, host, portLink), hostMarks(geo), castMark];
}

// protocol shows the L4 protocol's name, with its number in the tooltip
// when the record gives only the number.
function protocol(f) {
  const label = l4Label(f.l4);
  const rest = ` / IPv${f.ip_version}${f.vlan ? ` / VLAN ${f.vlan}` : ''}`;
  if (label === f.l4) return `${f.l4}${rest}`;
  return [el('span', { title: `IP protocol ${f.l4}`, text: label }), rest];
}

function summary(d) {
  const f = d.flow;
  return block('Flow', [
    ['Application', [el('a', { href: `/apps/${encodeURIComponent(f.app)}`, text: f.app }), d.encrypted ? icon('lock', 'Encrypted') : null]],
    ['Category', f.category], ['Breed', f.breed], ['Confidence', f.confidence],
    ['Protocol', protocol(f)],
    ['Client', address(f.client_ip, f.client_port, d.client_geo)],
    ['Server', address(f.server_ip, f.server_port, d.server_geo, d.cast)],
    ['First seen', fmtTime(f.first_seen)], ['Last seen', fmtTime(f.last_seen)],
    ['Duration', fmtDuration(d.duration_s)],
    ['Client → Server', `${fmtCount(f.c2s_packets)} pkts / ${fmtBytes(f.c2s_bytes)}`],
    ['Server → Client', `${fmtCount(f.s2c_packets)} pkts / ${fmtBytes(f.s2c_bytes)}`],
    ['Actual throughput', d.throughput_bps !== undefined ? fmtBits(d.throughput_bps) : undefined],
    ['Status', d.active ? 'active' : 'closed'],
    ['Additional info', f.info],
    ['Risk score', f.risk_score],
  ], 'flow-summary');
}

function tls(t) {
  const c = t.cert || {};
  return block('TLS', [
    ['Version', t.version], ['Client versions', list(t.client_versions)], ['QUIC version', t.quic_version],
    ['SNI', t.sni], ['ALPN offered', list(t.alpn)], ['ALPN negotiated', t.negotiated_alpn],
    ['Cipher', t.cipher], ['JA3', ja3Link(t.ja3)], ['JA3S', ja3Link(t.ja3s)], ['JA4', t.ja4], ['JA4S', t.ja4s],
    ['User agent', t.user_agent],
    ['Certificate subject', c.subject], ['Certificate issuer', c.issuer],
    ['Valid from', fmtTime(c.not_before)], ['Valid until', fmtTime(c.not_after)],
    ['Certificate SHA-1', c.sha1], ['Subject alt names', longList(c.san)],
  ], 'tls-block');
}

function ssh(s) {
  return block('SSH', [['Client banner', s.client_banner], ['Server banner', s.server_banner],
    ['HASSH (client)', s.hassh], ['HASSH (server)', s.hassh_server]], 'ssh-block');
}

function dns(d) {
  return block('DNS', [['Query type', d.qtype], ['Error code', d.rcode], ['Query', d.query], ['Answers', list(d.answers)]], 'dns-block');
}

function http(h) {
  return block('HTTP', [['Method', h.method], ['Host', h.host], ['URL', h.url], ['User agent', h.user_agent],
    ['Status', h.status], ['Content type', h.content_type], ['Server', h.server], ['Requests', h.requests]], 'http-block');
}

function dhcp(d) {
  return block('DHCP', [['Host name', d.hostname], ['Fingerprint', d.fingerprint], ['Class ID', d.class_id]], 'dhcp-block');
}

function issues(risks) {
  const head = el('tr', {}, ['Issue', 'Severity', 'Score', 'Description'].map((h) => el('th', { text: h })));
  const rows = risks.map((r) => el('tr', {},
    el('td', {}, icon('warning', 'Issue'), r.title || r.name, r.title ? el('span', { class: 'cc', text: ` (${r.name})` }) : null),
    el('td', {}, r.severity ? el('span', { class: `sev sev-${r.severity}`, text: r.severity }) : 'unknown'),
    el('td', { class: 'num', text: r.score ? String(r.score) : '' }),
    el('td', { text: r.description || '' })));
  return el('div', { class: 'panel wide', id: 'issues-block' }, el('h2', { text: 'Flow issues' }),
    el('table', { class: 'grid' }, el('thead', {}, head), el('tbody', {}, rows)));
}

// refreshSummary fetches the flow again every refresh interval and redraws
// its summary block, for as long as the flow is in the live table. The
// other blocks keep what the first response showed.
function refreshSummary(last) {
  setTimeout(async () => {
    let d;
    try {
      d = await api(`/api/flows/${encodeURIComponent(id)}`);
    } catch (err) {
      if (err.status !== 404) {
        showError(content, err);
        refreshSummary(last);
        return;
      }
      // The flow left the live table, and the store does not have it,
      // for instance because the flow writer has not written it yet.
      d = { ...last, active: false, throughput_bps: undefined };
    }
    showError(content, null);
    document.getElementById('flow-summary').replaceWith(summary(d));
    if (d.active) refreshSummary(d);
  }, refresh);
}

try {
  const d = await api(`/api/flows/${encodeURIComponent(id)}`);
  const f = d.flow;
  document.title = `${f.app} ${f.client_ip} → ${f.server_ip} · flowlens`;
  const blocks = el('div', { class: 'blocks' }, summary(d));
  if (f.tls) append(blocks, tls(f.tls));
  if (f.ssh) append(blocks, ssh(f.ssh));
  if (f.dns) append(blocks, dns(f.dns));
  if (f.http) append(blocks, http(f.http));
  if (f.dhcp) append(blocks, dhcp(f.dhcp));
  if (d.risks.length) append(blocks, issues(d.risks));
  append(content, blocks);
  if (d.active) refreshSummary(d);
} catch (err) {
  showError(content, err);
}
