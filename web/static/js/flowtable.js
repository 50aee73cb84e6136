// The flow table shared by Active Flows, the host page and the explorer.
import { el, append, clear, icon, hostMarks, flag, endpoint, l4Label, fmtBytes, fmtBits, fmtDuration, fmtTime } from './common.js';

const goodBreeds = new Set(['Safe', 'Acceptable']);
const badBreeds = new Set(['Unsafe', 'Potentially Dangerous', 'Dangerous']);

// columns lists the table's columns; live tables show throughput, the
// explorer shows the last packet time and JA3 instead.
function columns(live) {
  const cols = [
    { key: null, label: 'Details', cell: lensCell },
    { key: 'app', label: 'Application', cell: appCell },
    { key: 'l4', label: 'Proto', cell: l4Cell },
    { key: 'client_ip', label: 'Client', cell: (r, o) => endpointCell(r, o, 'client') },
    { key: 'server_ip', label: 'Server', cell: (r, o) => endpointCell(r, o, 'server') },
    { key: 'duration', label: 'Duration', cell: (r) => fmtDuration(r.duration_s), num: true },
    { key: null, label: 'Breakdown', cell: breakdownCell },
  ];
  if (live) cols.push({ key: 'throughput', label: 'Actual Thpt', cell: (r) => fmtBits(r.throughput_bps), num: true });
  cols.push({ key: 'bytes', label: 'Total Bytes', cell: (r) => fmtBytes(r.bytes), num: true });
  if (!live) {
    cols.push({ key: 'last_seen', label: 'Last Seen', cell: (r) => fmtTime(r.flow.last_seen) });
    cols.push({ key: null, label: 'JA3', cell: ja3Cell });
  }
  cols.push({ key: 'info', label: 'Info', cell: infoCell, cls: 'info' });
  return cols;
}

// value returns a link (live pages) or a clickable span that adds a filter
// (explorer) for one field value.
function value(opts, text, field, raw, href) {
  if (opts.onValue) {
    return el('span', { class: 'click', title: `Filter on ${field} = ${raw}`, 'data-field': field,
      onclick: (e) => { e.preventDefault(); opts.onValue(field, raw); } }, text);
  }
  return href ? el('a', { href }, text) : document.createTextNode(text);
}

function lensCell(r) {
  return el('a', { href: `/flows/${encodeURIComponent(r.flow.id)}`, title: 'Flow details', class: 'lens' }, icon('lens', 'Flow details'));
}

function appCell(r, opts) {
  const f = r.flow;
  const span = el('span', { class: 'app-cell' });
  if (r.encrypted) append(span, icon('lock', 'Encrypted'));
  if (goodBreeds.has(f.breed)) append(span, icon('thumb-up', f.breed));
  else if (badBreeds.has(f.breed)) append(span, icon('thumb-down', f.breed));
  else if (f.breed === 'Fun') append(span, icon('smile', 'Fun'));
  append(span, value(opts, f.app, 'app', f.app, `/apps/${encodeURIComponent(f.app)}`));
  if (f.risks && f.risks.length) {
    append(span, el('span', { class: 'mark' }, icon('warning', `Issues: ${f.risks.join(', ')}`)));
  }
  return span;
}

// l4Cell shows the protocol's name, with its number in the tooltip when the
// record gives only the number. Filters use the record's value.
function l4Cell(r, opts) {
  const raw = r.flow.l4;
  const label = l4Label(raw);
  const node = value(opts, label, 'l4', raw);
  if (label === raw) return node;
  const tip = `IP protocol ${raw}`;
  if (node.nodeType === Node.TEXT_NODE) return el('span', { title: tip }, node);
  node.title = `${tip}. ${node.title}`;
  return node;
}

function endpointCell(r, opts, side) {
  const f = r.flow;
  const ip = f[`${side}_ip`];
  const port = f[`${side}_port`];
  const geo = r[`${side}_geo`] || {};
  const host = value(opts, ip, `${side}_ip`, ip, `/hosts/${encodeURIComponent(ip)}`);
  const portNode = port > 0 ? value(opts, String(port), `${side}_port`, port, `/?port=${port}`) : null;
  const cell = el('span', { class: 'endpoint' }, endpoint(ip, port, host, portNode).map((part) =>
    (typeof part === 'string' ? el('span', { class: 'sep', text: part }) : part)));
  if (opts.onValue && geo.country) {
    const f2 = flag(geo.country);
    append(cell, el('span', { class: 'click', title: `Filter on ${side}_country = ${geo.country}`,
      onclick: () => opts.onValue(`${side}_country`, geo.country) }, f2));
    if (geo.self) append(cell, el('span', { class: 'mark' }, icon('self', 'Monitoring host')));
  } else {
    append(cell, hostMarks(geo));
  }
  if (side === 'server' && r.cast) append(cell, el('span', { class: 'mark' }, icon('multicast', r.cast === 'broadcast' ? 'Broadcast' : 'Multicast')));
  return cell;
}

function breakdownCell(r) {
  const total = (r.flow.c2s_bytes || 0) + (r.flow.s2c_bytes || 0);
  const c2s = total ? (100 * r.flow.c2s_bytes) / total : 0;
  const bar = el('div', { class: 'bar', title: `Client → Server ${fmtBytes(r.flow.c2s_bytes)}, Server → Client ${fmtBytes(r.flow.s2c_bytes)}` });
  const left = el('div', { class: 'c2s' });
  const right = el('div', { class: 's2c' });
  left.style.width = `${c2s}%`;
  right.style.width = `${total ? 100 - c2s : 0}%`;
  return append(bar, left, right);
}

function ja3Cell(r, opts) {
  const ja3 = r.flow.tls && r.flow.tls.ja3;
  if (!ja3) return '';
  return value(opts, ja3.slice(0, 12), 'tls.ja3', ja3);
}

// infoCell shows the record's info, or for an HTTP request its host and
// path, as a filter on the field the text comes from.
function infoCell(r, opts) {
  const f = r.flow;
  const http = f.http || {};
  let text = f.info || '';
  let field = f.tls && f.tls.sni === text ? 'tls.sni' : 'info';
  let raw = text;
  if (http.url) {
    text = http.url.startsWith('/') ? `${http.host || ''}${http.url}` : http.url;
    field = 'http.url';
    raw = http.url;
  }
  if (!text) return '';
  const node = value(opts, text, field, raw);
  return node.nodeType === Node.TEXT_NODE ? el('span', { title: text }, node) : node;
}

// renderFlowTable fills table with rows. opts: live (bool), sort and order
// (current sort), onSort(key) when a header is clicked, onValue(field,
// value) to turn values into filters instead of links.
export function renderFlowTable(table, rows, opts) {
  const cols = columns(opts.live);
  const head = el('tr', {}, cols.map((c) => {
    const cls = [c.key ? 'sortable' : '', c.num ? 'num' : '',
      c.key && c.key === opts.sort ? `sorted-${opts.order}` : ''].filter(Boolean).join(' ');
    return el('th', { class: cls || undefined, 'data-sort': c.key || undefined,
      onclick: c.key ? () => opts.onSort(c.key) : undefined }, c.label);
  }));
  const body = el('tbody');
  if (!rows.length) {
    append(body, el('tr', {}, el('td', { class: 'empty', colspan: cols.length, text: 'No flows' })));
  }
  for (const r of rows) {
    append(body, el('tr', { 'data-id': r.flow.id }, cols.map((c) =>
      el('td', { class: [c.num ? 'num' : '', c.cls || ''].join(' ').trim() || undefined }, c.cell(r, opts)))));
  }
  clear(table);
  append(table, el('thead', {}, head), body);
}

// renderPager draws "first–last of total" and page buttons; onPage(n)
// is called with the chosen page.
export function renderPager(container, total, page, size, onPage) {
  const pages = Math.max(1, Math.ceil(total / size));
  const first = total ? (page - 1) * size + 1 : 0;
  const last = Math.min(total, page * size);
  const button = (label, target, current) => el('button', {
    class: current ? 'current' : undefined, disabled: target < 1 || target > pages || undefined,
    'data-page': target, onclick: () => onPage(target),
  }, label);
  const numbers = [];
  for (let p = Math.max(1, page - 2); p <= Math.min(pages, page + 2); p++) numbers.push(button(String(p), p, p === page));
  clear(container);
  append(container,
    el('span', { class: 'showing', text: `Showing ${first} to ${last} of ${total.toLocaleString('en-US')} rows` }),
    el('span', { class: 'spacer' }),
    button('«', 1), button('‹', page - 1), numbers, button('›', page + 1), button('»', pages));
}

// sizeSelect returns the page-size dropdown. A size that is not one of the
// menu's values, such as ?size=1000 in the URL, is added as an option so
// that the menu shows the size in use.
export function sizeSelect(size, onChange) {
  const sizes = [10, 25, 50, 100];
  if (!sizes.includes(size)) sizes.push(size);
  sizes.sort((a, b) => a - b);
  return el('select', { id: 'page-size', onchange: (e) => onChange(Number(e.target.value)) },
    sizes.map((n) => el('option', { value: n, selected: n === size || undefined, text: String(n) })));
}
