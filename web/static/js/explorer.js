import { el, append, clear, api, apiURL, initTopBar, flag, fmtBytes, fmtTime, showError } from './common.js';
import { renderFlowTable, renderPager, sizeSelect } from './flowtable.js';
import { fields, operators, filterText, term } from './filter.js';

await initTopBar();
const content = document.getElementById('content');
const state = { filters: [], span: 3600, from: '', to: '', sort: 'last_seen', order: 'desc', page: 1, size: 25 };

const spans = [[300, 'Last 5 minutes'], [3600, 'Last hour'], [21600, 'Last 6 hours'], [86400, 'Last 24 hours'], [604800, 'Last 7 days'], [0, 'Custom']];

// range returns the request's from and to, in RFC 3339.
function range() {
  if (state.span) {
    const to = new Date();
    return { from: new Date(to.getTime() - state.span * 1000).toISOString(), to: to.toISOString() };
  }
  return { from: state.from, to: state.to };
}

function query() {
  return { filter: filterText(state.filters), ...range() };
}

// Controls: time range, filter builder, chips, downloads.
const fromInput = el('input', { id: 'range-from', type: 'datetime-local', disabled: true,
  onchange: (e) => { state.from = e.target.value ? new Date(e.target.value).toISOString() : ''; state.page = 1; reload(); } });
const toInput = el('input', { id: 'range-to', type: 'datetime-local', disabled: true,
  onchange: (e) => { state.to = e.target.value ? new Date(e.target.value).toISOString() : ''; state.page = 1; reload(); } });
const spanSelect = el('select', { id: 'range', onchange: (e) => {
  state.span = Number(e.target.value);
  state.page = 1;
  fromInput.disabled = toInput.disabled = state.span !== 0;
  reload();
} }, spans.map(([s, label]) => el('option', { value: s, selected: s === state.span || undefined, text: label })));

const fieldSelect = el('select', { id: 'add-field' }, fields.map((f) => el('option', { value: f, text: f })));
const opSelect = el('select', { id: 'add-op' }, operators.map((o) => el('option', { value: o, text: o })));
const valueInput = el('input', { id: 'add-value', placeholder: 'value (a, b for in)' });
const addButton = el('button', { id: 'add-filter', class: 'primary', title: 'Add filter', onclick: () => {
  if (!valueInput.value.trim()) return;
  addFilter(fieldSelect.value, valueInput.value.trim(), opSelect.value);
  valueInput.value = '';
} }, '+');

const chips = el('div', { class: 'chips', id: 'chips' });
const text = el('div', { class: 'filter-text', id: 'filter-text' });
const csv = el('a', { id: 'download-csv', href: '#', download: '' }, 'CSV');
const jsonl = el('a', { id: 'download-jsonl', href: '#', download: '' }, 'JSON Lines');
const controls = el('div', { class: 'panel' },
  el('div', { class: 'toolbar' }, el('label', {}, 'Time', spanSelect), fromInput, toInput,
    el('span', { class: 'spacer' }), el('span', { class: 'add-filter' }, fieldSelect, opSelect, valueInput, addButton),
    el('span', { class: 'spacer' }), 'Download: ', csv, ' · ', jsonl),
  chips, text);

const tops = [['app', 'Top applications'], ['client_ip', 'Top clients'], ['server_ip', 'Top servers'], ['server_country', 'Top server countries']];
const topPanels = tops.map(([field, title]) => el('div', { class: 'panel', id: `top-${field}` }, el('h2', { text: title }), el('table', { class: 'top-list' })));
const chart = el('div', { class: 'panel chart', id: 'bytes-chart' }, el('h2', { text: 'Bytes over time' }));
const table = el('table', { class: 'grid', id: 'history-flows' });
const pager = el('div', { class: 'pager' });
const hint = el('div', { class: 'hint', id: 'range-hint', hidden: true });
const tablePanel = el('div', { class: 'panel' }, hint, el('div', { class: 'toolbar' }, el('span', { class: 'spacer' }),
  el('label', {}, 'Rows', sizeSelect(state.size, (n) => { state.size = n; state.page = 1; loadFlows(); }))), table, pager);
append(content, controls, el('div', { class: 'explorer-top' }, topPanels), chart, tablePanel);

function addFilter(field, value, op = '=') {
  state.filters.push({ field, op, value, negated: false, join: 'and' });
  state.page = 1;
  reload();
}

function renderChips() {
  clear(chips);
  if (!state.filters.length) append(chips, el('span', { class: 'cc', text: 'No filter: click any value below, or use + to add one.' }));
  state.filters.forEach((f, i) => {
    if (i > 0) {
      append(chips, el('button', { class: 'join', title: 'Switch between AND and OR',
        onclick: () => { f.join = f.join === 'and' ? 'or' : 'and'; state.page = 1; reload(); } }, f.join.toUpperCase()));
    }
    append(chips, el('span', { class: f.negated ? 'chip negated' : 'chip', 'data-index': i },
      el('span', { class: 'chip-text', text: term(f) }),
      el('button', { class: 'negate', title: f.negated ? 'Remove negation' : 'Negate',
        onclick: () => { f.negated = !f.negated; state.page = 1; reload(); } }, '¬'),
      el('button', { class: 'remove', title: 'Remove filter',
        onclick: () => { state.filters.splice(i, 1); state.page = 1; reload(); } }, '×')));
  });
  text.textContent = filterText(state.filters) || '(all flows)';
}

// flowRequests counts the table's requests, so that a response that
// arrives after a later request was sent is dropped instead of undoing a
// change.
let flowRequests = 0;

async function loadFlows() {
  const q = { ...query(), sort: state.sort, order: state.order, page: state.page, size: state.size };
  csv.href = apiURL('/api/history/export', { ...q, format: 'csv', page: '', size: '' });
  jsonl.href = apiURL('/api/history/export', { ...q, format: 'jsonl', page: '', size: '' });
  const request = ++flowRequests;
  try {
    const data = await api('/api/history/flows', q);
    if (request !== flowRequests) return;
    showError(tablePanel, null);
    // The server moves a page past the last one back to the last page that
    // has rows, so the pager follows its page.
    state.page = data.page || 1;
    renderFlowTable(table, data.rows, {
      live: false, sort: state.sort, order: state.order, onValue: (field, value) => addFilter(field, value),
      onSort: (key) => {
        state.order = state.sort === key && state.order === 'desc' ? 'asc' : 'desc';
        state.sort = key;
        state.page = 1;
        loadFlows();
      },
    });
    renderPager(pager, data.total, state.page, state.size, (p) => { state.page = p; loadFlows(); });
    await showRangeHint(data.total);
  } catch (err) {
    if (request === flowRequests) showError(tablePanel, err);
  }
}

// localInput formats a time for a datetime-local input, in local time.
function localInput(date) {
  const d = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 16);
}

// showRangeHint explains an empty result: a replayed capture's flows carry
// its own old timestamps, and flows reach the store only when they end.
async function showRangeHint(total) {
  hint.hidden = total > 0;
  if (total > 0) return;
  const span = await api('/api/history/span', { filter: filterText(state.filters) });
  if (!span.flows) {
    hint.replaceChildren('No stored flow matches. Flows are stored when they end: after their idle timeout, ' +
      'or for every open flow when flowlens stops.');
    return;
  }
  const show = el('button', { id: 'show-stored', class: 'primary', onclick: () => {
    const first = new Date(span.first);
    const last = new Date(new Date(span.last).getTime() + 1000);
    Object.assign(state, { span: 0, from: first.toISOString(), to: last.toISOString(), page: 1 });
    spanSelect.value = '0';
    fromInput.disabled = toInput.disabled = false;
    fromInput.value = localInput(first);
    toInput.value = localInput(last);
    reload();
  } }, 'Show them');
  hint.replaceChildren(`No flows in this time range. The store holds ${span.flows} matching flows, started from ` +
    `${fmtTime(span.first)} to ${fmtTime(span.last)}. `, show);
}

async function loadTop(panel, field) {
  const list = panel.querySelector('table');
  try {
    const entries = await api('/api/history/top', { ...query(), field, n: 8 });
    const max = Math.max(1, ...entries.map((e) => e.bytes));
    list.replaceChildren(...entries.map((e) => {
      const share = el('div', { class: 'share' });
      share.style.width = `${(100 * e.bytes) / max}%`;
      const label = field.endsWith('country') ? [flag(e.value), ' ', e.value] : e.value;
      // A country located from the addresses is not in the store, so a
      // filter on it would match nothing.
      const entry = e.located
        ? el('span', { title: 'Located from the addresses: these flows were stored without --geoip, so they cannot be filtered by country' }, label)
        : el('span', { class: 'click', title: `Filter on ${field} = ${e.value}`, 'data-field': field,
          onclick: () => addFilter(field, e.value) }, label);
      return el('tr', {}, el('td', {}, entry, share), el('td', { class: 'num', text: fmtBytes(e.bytes) }));
    }));
    if (!entries.length) list.replaceChildren(el('tr', {}, el('td', { class: 'cc', text: 'No data' })));
  } catch (err) {
    list.replaceChildren(el('tr', {}, el('td', { class: 'error', text: err.message })));
  }
}

const svgNS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}) {
  const node = document.createElementNS(svgNS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

// drawChart draws the bytes per bucket as an area with a time axis.
function drawChart(data) {
  if (!data.buckets.some((b) => b.bytes)) {
    chart.replaceChildren(el('h2', { text: 'Bytes over time' }), el('div', { class: 'cc', text: 'No flow started in this time range.' }));
    return;
  }
  // The viewBox matches the panel's pixel size so that text keeps its shape.
  const width = Math.max(300, Math.round(chart.clientWidth - 24));
  const height = 150;
  const pad = { left: 60, right: 10, top: 8, bottom: 20 };
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Bytes over time' });
  const buckets = data.buckets;
  const max = Math.max(1, ...buckets.map((b) => b.bytes));
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  const x = (i) => pad.left + (buckets.length > 1 ? (i * w) / (buckets.length - 1) : 0);
  const y = (v) => pad.top + h - (v * h) / max;
  let d = `M ${x(0)} ${y(0)}`;
  buckets.forEach((b, i) => { d += ` L ${x(i)} ${y(b.bytes)}`; });
  d += ` L ${x(Math.max(0, buckets.length - 1))} ${y(0)} Z`;
  root.append(svg('line', { class: 'axis', x1: pad.left, y1: pad.top + h, x2: width - pad.right, y2: pad.top + h }));
  if (buckets.length) root.append(svg('path', { class: 'area', d }));
  const label = (txt, attrs) => { const t = svg('text', attrs); t.textContent = txt; root.append(t); };
  label(fmtBytes(max), { x: 4, y: pad.top + 10 });
  label('0', { x: 4, y: pad.top + h });
  label(fmtTime(data.from), { x: pad.left, y: height - 4 });
  label(fmtTime(data.to), { x: width - pad.right, y: height - 4, 'text-anchor': 'end' });
  chart.replaceChildren(el('h2', { text: 'Bytes over time' }), root);
}

async function loadChart() {
  try {
    drawChart(await api('/api/history/bytes', { ...query(), buckets: 60 }));
  } catch (err) {
    chart.replaceChildren(el('h2', { text: 'Bytes over time' }), el('div', { class: 'error', text: err.message }));
  }
}

function reload() {
  renderChips();
  loadFlows();
  loadChart();
  tops.forEach(([field], i) => loadTop(topPanels[i], field));
}

reload();
