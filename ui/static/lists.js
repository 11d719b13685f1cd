// The lists of gateways past the pending state: in progress (provisioning or revoking), failed,
// provisioned, revoked and dismissed. One table, filled by the list the navigation chose; each
// row links to the device view.

import {
  $, compareBy, element, matches, reconcile, setText, setTime, sortHeaders,
} from './common.js';
import { allDevices, onDevices } from './devices.js';

export const LISTS = {
  'in-progress': { title: 'In progress', states: ['provisioning', 'revoking'] },
  failed: { title: 'Failed', states: ['failed'] },
  provisioned: { title: 'Provisioned', states: ['provisioned'] },
  revoked: { title: 'Revoked', states: ['revoked'] },
  dismissed: { title: 'Dismissed', states: ['dismissed'] },
};

const STEP_SHORT = {
  menderName: 'Mender name', dpsName: 'DPS name', mender: 'Mender', dps: 'DPS', vault: 'Vault',
  hubManifest: 'IoT Hub', menderRevoke: 'Mender revoke', dpsRevoke: 'DPS revoke',
  vaultRevoke: 'Vault revoke', hubRevoke: 'IoT Hub revoke',
};

const rows = new Map();
const sort = { key: 'updatedAt', descending: true };
let current = null;

const tbody = $('device-rows');
const empty = $('device-empty');
const filter = $('list-filter');

export function stepErrors(device) {
  const parts = [];
  for (const step of Object.values(device.steps || {})) {
    // Step errors already name their cloud ("vault: HTTP 500: ...").
    if (step && step.status === 'failed' && step.error) {
      parts.push(step.error);
    }
  }
  return parts.join('; ');
}

function stepSummary(device) {
  return Object.entries(device.steps || {})
      .map(([slot, step]) => (STEP_SHORT[slot] || slot) + ' ' + step.status)
      .join(', ');
}

function makeRow(device) {
  const id = String(device.id);
  const tr = element('tr', { 'data-testid': 'device-row-' + id, 'data-device-id': id });
  const row = {
    tr: tr,
    mac: element('td', { class: 'mono', 'data-testid': 'device-mac-' + id }),
    link: element('a', { href: '#device/' + id }),
    name: element('td', { 'data-testid': 'device-name-' + id }),
    state: element('td', { 'data-testid': 'device-state-' + id }),
    steps: element('td', { class: 'steps', 'data-testid': 'device-steps-' + id }),
    updated: element('td', { 'data-testid': 'device-last-seen-' + id }),
    error: element('td', { class: 'result-error', 'data-testid': 'device-error-' + id }),
  };
  row.mac.appendChild(row.link);
  tr.append(row.mac, row.name, row.state, row.steps, row.updated, row.error);
  return row;
}

function updateRow(row, device) {
  setText(row.link, device.mac, device.id);
  setText(row.name, device.name);
  const phase = device.phase && device.phase !== device.state ? device.phase : '';
  setText(row.state, device.state, phase ? 'phase: ' + phase : '');
  row.state.className = 'state state-' + String(device.state).replace(/[^a-z]/g, '');
  setText(row.steps, stepSummary(device));
  setTime(row.updated, device.updatedAt || device.lastSeen);
  setText(row.error, device.error || stepErrors(device));
}

export function countFor(list) {
  return allDevices().filter((d) => LISTS[list].states.includes(d.state)).length;
}

export function renderList() {
  if (!current) {
    return;
  }
  const states = LISTS[current].states;
  const list = allDevices()
      .filter((d) => states.includes(d.state))
      .filter((d) => matches(filter.value, [d.mac, d.name, d.id, d.error, stepErrors(d)]))
      .sort(compareBy(sort, (d, key) => String(d[key] || '')));
  reconcile(tbody, rows, list, (d) => String(d.id), makeRow, updateRow);
  empty.hidden = list.length > 0;
}

export function showList(name) {
  current = name;
  setText($('list-title'), LISTS[name].title);
  renderList();
}

export function initLists() {
  sortHeaders($('device-table'), sort, renderList);
  filter.addEventListener('input', renderList);
  onDevices(() => renderList());
}
