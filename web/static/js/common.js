// Shared helpers of every page. Values from the wire are only ever set
// with textContent or as attribute values, never parsed as markup.

// el creates an element. props sets attributes and properties ("class",
// "text", "on*" handlers); children are nodes or strings (added as text).
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = String(value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, ...children);
  return node;
}

// append adds children, turning strings and numbers into text nodes.
export function append(node, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// clear removes every child of node.
export function clear(node) {
  node.replaceChildren();
  return node;
}

// api fetches a JSON endpoint. A non-2xx response throws an Error with the
// message from its body and the HTTP status code in its status property.
export async function api(path, params = {}) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, value);
  }
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  const body = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) {
    const err = new Error(body.error || response.statusText);
    err.status = response.status;
    throw err;
  }
  return body;
}

// apiURL returns the URL of an endpoint with params, for links and downloads.
export function apiURL(path, params = {}) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, value);
  }
  return url.pathname + url.search;
}

export function icon(name, title) {
  return el('img', { class: 'icon', src: `/static/icons/${name}.svg`, alt: title, title });
}

const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

export function fmtBytes(n) {
  let i = 0;
  let v = Number(n) || 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

export function fmtBits(bps) {
  const steps = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];
  let i = 0;
  let v = Number(bps) || 0;
  while (v >= 1000 && i < steps.length - 1) { v /= 1000; i++; }
  return `${v.toFixed(i === 0 ? 0 : 2)} ${steps[i]}`;
}

export function fmtCount(n) {
  return (Number(n) || 0).toLocaleString('en-US');
}

export function fmtRate(n, unit) {
  const v = Number(n) || 0;
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M${unit}`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)} k${unit}`;
  return `${v.toFixed(0)} ${unit}`;
}

export function fmtDuration(seconds) {
  let s = Math.round(Number(seconds) || 0);
  if (s < 1) return '< 1 sec';
  const d = Math.floor(s / 86400); s %= 86400;
  const h = Math.floor(s / 3600); s %= 3600;
  const m = Math.floor(s / 60); s %= 60;
  const parts = [];
  if (d) parts.push(`${d} d`);
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${m} min`);
  if (s && !d) parts.push(`${s} sec`);
  return parts.join(', ');
}

// endpoint returns the parts that write an address and port as RFC 5952
// section 6 does: [fe80::1]:5353 for IPv6, 1.2.3.4:80 for IPv4, and the
// address alone when port is 0 or missing, as for ICMP. host and portNode
// show the address and the port, and default to their text, so that
// endpoint(ip, port).join('') is the plain text form.
export function endpoint(ip, port, host = ip, portNode = String(port)) {
  if (!(Number(port) > 0)) return [host];
  if (String(ip).includes(':')) return ['[', host, ']:', portNode];
  return [host, ':', portNode];
}

// l4Names are the IANA names of IP protocol numbers that the flow record
// writes as bare numbers. The record names TCP, UDP, ICMP, ICMPv6 and SCTP
// itself.
const l4Names = new Map([
  ['2', 'IGMP'], ['47', 'GRE'], ['50', 'ESP'], ['51', 'AH'], ['89', 'OSPF'],
  ['103', 'PIM'], ['112', 'VRRP'],
]);

// l4Label returns the name to show for a flow record's l4 value: the IANA
// name of a known protocol number, or the value unchanged.
export function l4Label(l4) {
  return l4Names.get(String(l4)) || String(l4);
}

export function fmtTime(value) {
  if (!value) return '';
  const t = new Date(value);
  if (Number.isNaN(t.getTime())) return String(value);
  return t.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

// flag returns a country flag drawn with Unicode regional indicator
// symbols, with the ISO code beside it for systems without flag glyphs.
export function flag(code) {
  if (!/^[A-Z]{2}$/.test(code || '')) return null;
  const glyph = String.fromCodePoint(...[...code].map((c) => 0x1f1e6 + c.charCodeAt(0) - 65));
  return el('span', { class: 'flag', title: code }, glyph, el('span', { class: 'cc', text: code }));
}

// hostMarks returns the flag, self and local marks of one address.
export function hostMarks(geo = {}) {
  const marks = [];
  if (geo.self) marks.push(el('span', { class: 'mark' }, icon('self', 'Monitoring host')));
  else if (geo.local) marks.push(el('span', { class: 'mark' }, icon('local', 'Local network')));
  const f = flag(geo.country);
  if (f) marks.push(f);
  return marks;
}

const pages = [
  ['/', 'Active Flows'],
  ['/alerts', 'Alerts'],
  ['/explorer', 'Explorer'],
];

// initTopBar draws the navigation and the live counters, and refreshes
// them. It returns the refresh interval in milliseconds that the server
// sets.
export async function initTopBar() {
  const bar = document.getElementById('topbar');
  const nav = el('nav', {}, pages.map(([href, label]) =>
    el('a', { href, class: location.pathname === href ? 'current' : undefined, text: label })));
  const stat = (cls, label) => {
    const value = el('b', { text: '–' });
    return [el('span', { class: `stat ${cls}`, title: label }, `${label} `, value), value];
  };
  const [pps, ppsValue] = stat('pps', 'Packets/s');
  const [bps, bpsValue] = stat('bps', 'Throughput');
  const [flows, flowsValue] = stat('flows', 'Active flows');
  const [alerts, alertsValue] = stat('alerts', 'Alerts');
  const alertsLink = el('a', { href: '/alerts' }, alerts);
  bar.replaceChildren(
    el('a', { class: 'brand', href: '/' }, el('img', { src: '/static/icons/favicon.svg', alt: '' }), 'flowlens'),
    nav, el('div', { class: 'stats' }, pps, bps, flows, alertsLink));
  await addSignOut(bar);

  let refresh = 3000;
  const update = async () => {
    try {
      const s = await api('/api/stats');
      ppsValue.textContent = fmtRate(s.packets_per_second, 'pps');
      bpsValue.textContent = fmtBits(s.bytes_per_second * 8);
      flowsValue.textContent = fmtCount(s.active_flows);
      alertsValue.textContent = s.alerts < 0 ? '?' : fmtCount(s.alerts);
      refresh = s.refresh_ms || refresh;
    } catch (err) {
      ppsValue.textContent = '?';
    }
  };
  await update();
  setInterval(update, refresh);
  return refresh;
}

// addSignOut adds the signed-in user's name and a sign-out button to the
// top bar when login is on. Without login the session endpoint does not
// exist, and the bar stays as it is.
async function addSignOut(bar) {
  let session;
  try {
    const response = await fetch('/api/auth/session', { credentials: 'same-origin' });
    if (!response.ok) return;
    session = await response.json();
  } catch {
    return;
  }
  const button = el('button', { type: 'button', id: 'signout', text: 'Sign out' });
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await fetch('/api/auth/logout', {
        method: 'POST',
        headers: { 'X-CSRF-Token': session.csrf_token || '' },
        credentials: 'same-origin',
      });
    } finally {
      location.assign('/login');
    }
  });
  bar.append(el('div', { class: 'session' }, el('span', { class: 'user', text: session.user }), button));
}

// showError puts an error box at the top of container, or removes it.
export function showError(container, err) {
  let box = container.querySelector(':scope > .error');
  if (!err) { if (box) box.remove(); return; }
  if (!box) { box = el('div', { class: 'error', role: 'alert' }); container.prepend(box); }
  box.textContent = err.message || String(err);
}

// pathTail returns the URL path segment after prefix, decoded.
export function pathTail(prefix) {
  return decodeURIComponent(location.pathname.slice(prefix.length));
}
