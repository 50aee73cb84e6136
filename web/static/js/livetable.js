// The Active Flows table with its controls, refreshed without reloading.
import { el, append, api, showError } from './common.js';
import { renderFlowTable, renderPager, sizeSelect } from './flowtable.js';

// casts are the values of the cast filter, which selects flows by the kind
// of their server address.
const casts = [['', 'All'], ['unicast', 'Unicast'], ['multicast', 'Multicast'], ['broadcast', 'Broadcast']];

// mountLiveFlows builds the table in container. fixed contains the filters
// that the page sets, such as the host on the host page. The rest of the
// state is kept in the URL query, so links such as /?port=443 and reloads
// keep it.
export function mountLiveFlows(container, refreshMS, fixed = {}) {
  const params = new URLSearchParams(location.search);
  const state = {
    sort: params.get('sort') || 'bytes',
    order: params.get('order') || 'desc',
    page: Number(params.get('page')) || 1,
    size: Number(params.get('size')) || 25,
    app: params.get('app') || '',
    cast: params.get('cast') || '',
    host: fixed.host || params.get('host') || '',
    port: params.get('port') || '',
  };

  const appSelect = el('select', { id: 'app-filter', onchange: (e) => { state.app = e.target.value; state.page = 1; load(); } });
  const castSelect = el('select', { id: 'cast-filter', onchange: (e) => { state.cast = e.target.value; state.page = 1; load(); } },
    casts.map(([value, label]) => el('option', { value, selected: value === state.cast || undefined, text: label })));
  const hostInput = el('input', { id: 'host-search', type: 'search', placeholder: 'Search host (IP)', value: state.host,
    onchange: (e) => { state.host = e.target.value.trim(); state.page = 1; load(); } });
  const portNote = el('span', { id: 'port-filter' });
  const table = el('table', { class: 'grid', id: 'flows' });
  const pager = el('div', { class: 'pager', id: 'pager' });
  const toolbar = el('div', { class: 'toolbar' },
    el('label', {}, 'Application', appSelect),
    el('label', {}, 'Cast', castSelect),
    fixed.host ? null : hostInput,
    portNote,
    el('span', { class: 'spacer' }),
    el('label', {}, 'Rows', sizeSelect(state.size, (n) => { state.size = n; state.page = 1; load(); })));
  const panel = el('div', { class: 'panel' }, toolbar, table, pager);
  append(container, panel);

  const syncURL = () => {
    if (fixed.host) return;
    const q = new URLSearchParams();
    for (const key of ['sort', 'order', 'page', 'size', 'app', 'cast', 'host', 'port']) if (state[key]) q.set(key, state[key]);
    history.replaceState(null, '', `${location.pathname}?${q}`);
  };

  const loadApps = async () => {
    const apps = await api('/api/apps');
    const names = apps.map((a) => a.app);
    if (state.app && !names.includes(state.app)) names.push(state.app);
    appSelect.replaceChildren(el('option', { value: '', text: 'All applications' }),
      ...names.map((n) => el('option', { value: n, selected: n === state.app || undefined, text: n })));
  };

  // requests counts the table's requests, so that a response that arrives
  // after a later request was sent is dropped instead of undoing a change.
  let requests = 0;
  const load = async () => {
    syncURL();
    portNote.replaceChildren();
    if (state.port) {
      portNote.append(el('span', { class: 'chip' }, `port ${state.port}`,
        el('button', { title: 'Remove port filter', onclick: () => { state.port = ''; state.page = 1; load(); } }, '×')));
    }
    const request = ++requests;
    try {
      const data = await api('/api/flows/active', state);
      if (request !== requests) return;
      showError(panel, null);
      // The server moves a page past the last one back to the last page
      // that has rows, so the pager and the URL follow its page.
      state.page = data.page || 1;
      syncURL();
      renderFlowTable(table, data.rows, {
        live: true, sort: state.sort, order: state.order,
        onSort: (key) => {
          state.order = state.sort === key && state.order === 'desc' ? 'asc' : 'desc';
          state.sort = key;
          state.page = 1;
          load();
        },
      });
      renderPager(pager, data.total, state.page, state.size, (p) => { state.page = p; load(); });
    } catch (err) {
      if (request === requests) showError(panel, err);
    }
  };

  loadApps().catch((err) => showError(panel, err));
  load();
  setInterval(() => { load(); loadApps().catch(() => {}); }, refreshMS);
}
