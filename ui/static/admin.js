// The audit log, the allow-list, and users and API tokens (admins): views that load on demand
// from the REST API rather than from the live device list.

import {
  $, applyRole, call, can, currentSession, element, matches, nameProblem, setClock, setText,
  setTime,
} from './common.js';

const AUDIT_PAGE = 200;
let auditEntries = [];

function cellTime(iso) {
  const td = element('td');
  setTime(td, iso);
  return td;
}

function renderAudit() {
  const filter = $('audit-filter').value;
  const rows = auditEntries
      .filter((e) => matches(filter, [e.actor, e.action, e.name, e.device, e.outcome, e.message]))
      .map((e) => {
        const tr = element('tr', { 'data-testid': 'audit-row', 'data-action': e.action });
        const device = element('td', { class: 'mono' });
        if (e.device) {
          device.appendChild(element('a', { href: '#device/' + e.device }, e.device.slice(0, 12)));
        }
        const outcome = element('td', {}, e.outcome);
        if (!['accepted', 'ok'].includes(e.outcome)) {
          outcome.className = 'result-error';
        }
        const at = element('td', { class: 'mono' });
        setClock(at, e.at);
        tr.append(at, element('td', {}, e.actor), element('td', {}, e.action), device,
                  element('td', {}, e.name), outcome, element('td', {}, e.message));
        return tr;
      });
  $('audit-rows').replaceChildren(...rows);
  $('audit-empty').hidden = rows.length > 0;
}

async function loadAudit(more) {
  const offset = more ? auditEntries.length : 0;
  const result = await call('GET', '/api/audit?offset=' + offset + '&limit=' + AUDIT_PAGE);
  if (!result.ok) {
    setText($('audit-empty'), 'Cannot load the audit log: ' + result.error);
    $('audit-empty').hidden = false;
    return;
  }
  auditEntries = more ? auditEntries.concat(result.body) : result.body;
  $('audit-more').disabled = result.body.length < AUDIT_PAGE;
  renderAudit();
}

async function loadAllowList() {
  const result = await call('GET', '/api/allowlist');
  if (!result.ok) {
    setText($('allowlist-error'), result.error);
    return;
  }
  const rows = result.body.map((entry, i) => {
    const tr = element('tr', { 'data-testid': 'allowlist-row', 'data-value': entry.value });
    const remove = element('button', { type: 'button', 'data-testid': 'allowlist-delete-' + i },
                           'Remove');
    remove.addEventListener('click', async () => {
      const query = entry.kind + '=' + encodeURIComponent(entry.value);
      const done = await call('DELETE', '/api/allowlist?' + query);
      setText($('allowlist-error'), done.ok ? '' : done.error);
      loadAllowList();
    });
    const actions = element('td', { 'data-needs': 'admin' });
    actions.appendChild(remove);
    tr.append(element('td', {}, entry.kind === 'mac' ? 'MAC' : 'fingerprint'),
              element('td', { class: 'mono' }, entry.value), element('td', {}, entry.name),
              element('td', {}, entry.addedBy), cellTime(entry.addedAt), actions);
    return tr;
  });
  $('allowlist-rows').replaceChildren(...rows);
  $('allowlist-empty').hidden = rows.length > 0;
  applyRole($('allowlist-rows'));
}

async function addAllowListEntry(event) {
  event.preventDefault();
  const name = $('allowlist-name').value.trim();
  const problem = nameProblem(name);
  if (problem) {
    setText($('allowlist-error'), 'name: ' + problem);
    return;
  }
  const body = { name: name };
  body[$('allowlist-kind').value] = $('allowlist-value').value.trim();
  const result = await call('POST', '/api/allowlist', body);
  setText($('allowlist-error'), result.ok ? '' : result.error);
  if (result.ok) {
    $('allowlist-form').reset();
    loadAllowList();
  }
}

function roleSelect(current, onChange) {
  const select = element('select', { 'aria-label': 'Role' });
  for (const role of ['viewer', 'approver', 'admin']) {
    const option = element('option', { value: role }, role);
    option.selected = role === current;
    select.appendChild(option);
  }
  select.addEventListener('change', () => onChange(select.value));
  return select;
}

async function loadUsers() {
  const result = await call('GET', '/api/users');
  if (!result.ok) {
    setText($('user-error'), result.error);
    return;
  }
  const me = currentSession() ? currentSession().user : '';
  const rows = result.body.map((user) => {
    const tr = element('tr', { 'data-testid': 'user-row-' + user.username });
    const role = element('td');
    role.appendChild(roleSelect(user.role, async (value) => {
      const done = await call('PATCH', '/api/users/' + encodeURIComponent(user.username),
                              { role: value });
      setText($('user-error'), done.ok ? '' : done.error);
      loadUsers();
    }));
    const remove = element('button', { type: 'button', 'data-testid': 'user-delete-' +
                                       user.username }, 'Delete');
    remove.disabled = user.username === me;
    remove.addEventListener('click', async () => {
      const done = await call('DELETE', '/api/users/' + encodeURIComponent(user.username));
      setText($('user-error'), done.ok ? '' : done.error);
      loadUsers();
    });
    const actions = element('td');
    actions.appendChild(remove);
    tr.append(element('td', {}, user.username), role, element('td', {}, user.createdBy),
              cellTime(user.createdAt), actions);
    return tr;
  });
  $('user-rows').replaceChildren(...rows);
}

async function loadTokens() {
  const result = await call('GET', '/api/tokens');
  if (!result.ok) {
    setText($('token-error'), result.error);
    return;
  }
  const rows = result.body.map((token) => {
    const tr = element('tr', { 'data-testid': 'token-row-' + token.id });
    const remove = element('button', { type: 'button' }, 'Delete');
    remove.addEventListener('click', async () => {
      const done = await call('DELETE', '/api/tokens/' + encodeURIComponent(token.id));
      setText($('token-error'), done.ok ? '' : done.error);
      loadTokens();
    });
    const actions = element('td');
    actions.appendChild(remove);
    tr.append(element('td', { class: 'mono' }, token.id), element('td', {}, token.label),
              element('td', {}, token.role), element('td', {}, token.createdBy),
              cellTime(token.createdAt), actions);
    return tr;
  });
  $('token-rows').replaceChildren(...rows);
}

export function showAudit() {
  loadAudit(false);
}

export function showAllowList() {
  loadAllowList();
}

export function showUsers() {
  if (can('admin')) {
    loadUsers();
    loadTokens();
  }
}

export function initAdmin() {
  $('audit-filter').addEventListener('input', renderAudit);
  $('audit-refresh').addEventListener('click', () => loadAudit(false));
  $('audit-more').addEventListener('click', () => loadAudit(true));
  $('allowlist-form').addEventListener('submit', addAllowListEntry);
  $('user-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const result = await call('POST', '/api/users', {
      username: $('user-add-name').value.trim(),
      password: $('user-add-password').value,
      role: $('user-add-role').value,
    });
    setText($('user-error'), result.ok ? '' : result.error);
    if (result.ok) {
      $('user-form').reset();
      loadUsers();
    }
  });
  $('token-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const result = await call('POST', '/api/tokens', {
      label: $('token-add-label').value.trim(),
      role: $('token-add-role').value,
    });
    setText($('token-error'), result.ok ? '' : result.error);
    const shown = $('token-new');
    if (result.ok) {
      setText(shown, 'New token ' + result.body.label + ' (shown only now): ' + result.body.token);
      shown.hidden = false;
      $('token-form').reset();
      loadTokens();
    }
  });
}
