// The Pending view: gateways waiting for an operator, with a name box checked as you type,
// Approve and Dismiss per row, and a bulk approval of the selected rows with a name pattern.
// Rows are updated in place, so what an operator types, the focus and a row's last result
// survive every update.

import {
  $, applyRole, call, can, compareBy, element, matches, nameProblem, reconcile, setText,
  setTime, shortFingerprint, showNotice, sortHeaders,
} from './common.js';
import { allDevices, onDevices, refreshSoon } from './devices.js';

const rows = new Map();
const sort = { key: 'lastSeen', descending: true };
const selected = new Set();

const tbody = $('pending-rows');
const empty = $('pending-empty');
const filter = $('pending-filter');
const selectAll = $('select-all');
const bulkCount = $('bulk-count');
const bulkPattern = $('bulk-pattern');
const bulkStart = $('bulk-start');
const bulkApprove = $('bulk-approve');

function showResult(row, text, ok) {
  setText(row.result, text);
  row.result.className = ok ? 'result-ok' : 'result-error';
}

function checkName(row) {
  const name = row.input.value.trim();
  const problem = row.input.value === '' ? '' : nameProblem(name);
  setText(row.hint, problem);
  row.input.setAttribute('aria-invalid', problem ? 'true' : 'false');
  row.approve.disabled = row.busy || nameProblem(name) !== '';
}

async function command(row, what) {
  const name = row.input.value.trim();
  row.busy = true;
  row.approve.disabled = true;
  row.dismiss.disabled = true;
  showResult(row, what === 'approve' ? 'Checking the name…' : 'Dismissing…', true);
  const result = await call('POST', '/api/devices/' + encodeURIComponent(row.id) + '/' + what,
                            what === 'approve' ? { name: name } : {});
  row.busy = false;
  row.dismiss.disabled = false;
  checkName(row);
  if (result.ok) {
    showResult(row, what === 'approve' ? 'Approved; provisioning…' : 'Dismissed', true);
    showNotice(what === 'approve' ? row.mac.textContent + ' approved as ' + name +
                                    '; provisioning has started'
                                  : row.mac.textContent + ' dismissed', true);
    refreshSoon();
  } else {
    // A taken name (in Mender, in DPS, or reserved here) comes back as the engine's 409 message.
    showResult(row, result.error, false);
  }
}

function makeRow(device) {
  const id = String(device.id);
  const tr = element('tr', { 'data-testid': 'pending-row-' + id, 'data-device-id': id });
  const row = {
    id: id,
    tr: tr,
    busy: false,
    select: element('input', { type: 'checkbox', 'data-testid': 'select-' + id,
                               'aria-label': 'Select this gateway' }),
    mac: element('td', { class: 'mono', 'data-testid': 'mac-' + id }),
    fingerprint: element('td', { class: 'mono', 'data-testid': 'fingerprint-' + id }),
    checkCode: element('td', { class: 'mono', 'data-testid': 'check-code-' + id }),
    lastSeen: element('td', { 'data-testid': 'last-seen-' + id }),
    input: element('input', {
      type: 'text',
      'data-testid': 'name-input-' + id,
      'aria-label': 'Name for this gateway',
      placeholder: 'gw-site-0001',
      maxlength: 63,
      autocomplete: 'off',
      spellcheck: 'false',
    }),
    hint: element('span', { class: 'field-hint', 'data-testid': 'name-hint-' + id,
                            'aria-live': 'polite' }),
    approve: element('button', { type: 'button', class: 'primary', 'data-testid': 'approve-' + id,
                                 disabled: '' }, 'Approve'),
    dismiss: element('button', { type: 'button', 'data-testid': 'dismiss-' + id }, 'Dismiss'),
    result: element('td', { 'data-testid': 'error-' + id, 'aria-live': 'polite' }),
  };
  const selectCell = element('td', { 'data-needs': 'operate' });
  selectCell.appendChild(row.select);
  const link = element('a', { href: '#device/' + id, class: 'mono' });
  row.macLink = link;
  row.mac.appendChild(link);
  const nameCell = element('td', { 'data-needs': 'operate' });
  nameCell.append(row.input, row.hint);
  const actions = element('td', { 'data-needs': 'operate' });
  actions.append(row.approve, row.dismiss);
  tr.append(selectCell, row.mac, row.fingerprint, row.checkCode, row.lastSeen, nameCell, actions,
            row.result);
  row.select.addEventListener('change', () => {
    if (row.select.checked) {
      selected.add(id);
    } else {
      selected.delete(id);
    }
    updateBulk();
  });
  row.input.addEventListener('input', () => checkName(row));
  row.input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !row.approve.disabled) {
      command(row, 'approve');
    }
  });
  row.approve.addEventListener('click', () => command(row, 'approve'));
  row.dismiss.addEventListener('click', () => command(row, 'dismiss'));
  applyRole(tr);
  return row;
}

function updateRow(row, device) {
  setText(row.macLink, device.mac, device.id);
  setText(row.fingerprint, shortFingerprint(device.fingerprint), device.fingerprint);
  setText(row.checkCode, device.checkCode);
  setTime(row.lastSeen, device.lastSeen);
  row.select.checked = selected.has(row.id);
}

function shown() {
  return allDevices()
      .filter((d) => d.state === 'pending')
      .filter((d) => matches(filter.value, [d.mac, d.fingerprint, d.checkCode, d.id]))
      .sort(compareBy(sort, (d, key) => String(d[key] || '')));
}

export function renderPending() {
  const list = shown();
  reconcile(tbody, rows, list, (d) => String(d.id), makeRow, updateRow);
  empty.hidden = list.length > 0;
  // A selected gateway that is no longer pending (approved elsewhere) leaves the selection.
  const pendingIds = new Set(allDevices().filter((d) => d.state === 'pending').map((d) => d.id));
  for (const id of Array.from(selected)) {
    if (!pendingIds.has(id)) {
      selected.delete(id);
    }
  }
  updateBulk();
}

function updateBulk() {
  setText(bulkCount, selected.size + ' selected');
  bulkApprove.disabled = selected.size === 0 || bulkPattern.value.trim() === '';
  const visible = Array.from(rows.keys());
  selectAll.checked = visible.length > 0 && visible.every((id) => selected.has(id));
}

async function approveSelected() {
  const ids = Array.from(rows.keys()).filter((id) => selected.has(id));
  if (ids.length === 0) {
    return;
  }
  bulkApprove.disabled = true;
  for (const id of ids) {
    showResult(rows.get(id), 'Checking the name…', true);
  }
  const result = await call('POST', '/api/devices/approve', {
    ids: ids,
    pattern: bulkPattern.value.trim(),
    start: Number(bulkStart.value || 0),
  });
  if (!result.ok) {
    showNotice('Bulk approval refused: ' + result.error, false);
    for (const id of ids) {
      showResult(rows.get(id), result.error, false);
    }
    updateBulk();
    return;
  }
  let approved = 0;
  for (const r of result.body.results || []) {
    const row = rows.get(r.id);
    const ok = r.status === 202;
    approved += ok ? 1 : 0;
    if (ok) {
      selected.delete(r.id);
    }
    if (row) {
      showResult(row, ok ? 'Approved as ' + r.name : (r.name ? r.name + ': ' : '') + r.error, ok);
    }
  }
  showNotice(approved + ' of ' + ids.length + ' approved', approved === ids.length);
  refreshSoon();
  updateBulk();
}

export function initPending() {
  sortHeaders($('pending-table'), sort, renderPending);
  filter.addEventListener('input', renderPending);
  selectAll.addEventListener('change', () => {
    for (const id of rows.keys()) {
      if (selectAll.checked) {
        selected.add(id);
      } else {
        selected.delete(id);
      }
      rows.get(id).select.checked = selectAll.checked;
    }
    updateBulk();
  });
  bulkPattern.addEventListener('input', updateBulk);
  bulkApprove.addEventListener('click', approveSelected);
  onDevices(() => renderPending());
  if (!can('operate')) {
    selected.clear();
  }
}
