// Building the store's filter text from the explorer's filter chips:
// `field op value` terms joined with and, or, not and parentheses.

// numericFields hold numbers; their values are written without quotes.
const numericFields = new Set(['client_port', 'server_port', 'vlan', 'ip_version', 'c2s_bytes', 's2c_bytes',
  'c2s_packets', 's2c_packets', 'bytes', 'risk_score', 'http.status']);

// fields are offered by the "+" filter builder. The store fills
// client_country and server_country of the flows that flowlens serve or
// flowlens import write with --geoip, and leaves them empty otherwise.
export const fields = ['app', 'master_protocol', 'category', 'breed', 'l4', 'client_ip', 'client_port', 'client_country',
  'server_ip', 'server_port', 'server_country', 'info', 'risks', 'tls.sni', 'tls.ja3', 'tls.ja3s', 'tls.ja4',
  'tls.version', 'dns.query', 'http.host', 'http.url', 'http.user_agent', 'ssh.client_banner', 'bytes', 'vlan'];

export const operators = ['=', '!=', '<', '>', '<=', '>=', 'contains', 'starts with', 'in', 'not in'];

// literal quotes a value unless the field is numeric and the value a number.
export function literal(field, value) {
  const text = String(value);
  if (numericFields.has(field) && /^\d+$/.test(text)) return text;
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

// term writes one filter: {field, op, value, negated}. The value of in and
// not in is a comma-separated list.
export function term(f) {
  let text;
  if (f.op === 'in' || f.op === 'not in') {
    const items = String(f.value).split(',').map((s) => s.trim()).filter(Boolean);
    text = `${f.field} ${f.op} (${items.map((v) => literal(f.field, v)).join(', ')})`;
  } else {
    text = `${f.field} ${f.op} ${literal(f.field, f.value)}`;
  }
  return f.negated ? `not ${text}` : text;
}

// filterText joins the filters. Each filter after the first carries
// join 'and' or 'or'; and binds tighter than or, so runs of and-joined
// filters become parenthesised groups joined by or.
export function filterText(filters) {
  const groups = [];
  for (const [i, f] of filters.entries()) {
    if (i === 0 || f.join === 'or') groups.push([]);
    groups[groups.length - 1].push(term(f));
  }
  if (groups.length === 1) return groups[0].join(' and ');
  return groups.map((g) => (g.length > 1 ? `(${g.join(' and ')})` : g[0])).join(' or ');
}
