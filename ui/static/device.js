// The device view: everything known about one gateway, its steps, the timeline of every step
// attempt across Mender, DPS, Vault and IoT Hub (GET /api/devices/{id}/history), and the
// actions that apply in its state: Retry (failed), Run now (a step waiting out its backoff) and
// Revoke (after a confirmation). It follows the device live: a change of the device reloads the
// timeline.

import {
  $, call, element, exactTime, reconcile, relativeTime, setClock, setText, setTime, showNotice,
} from './common.js';
import { deviceById, onDevices, refreshSoon } from './devices.js';

export const STEP_NAMES = {
  menderName: 'Mender name check',
  dpsName: 'DPS name check',
  mender: 'Mender pre-authorisation',
  dps: 'DPS enrollment',
  vault: 'Vault certificate',
  hubManifest: 'IoT Hub manifest',
  menderRevoke: 'Mender decommission',
  dpsRevoke: 'DPS enrollment delete',
  vaultRevoke: 'Vault certificate revoke',
  hubRevoke: 'IoT Hub device disable',
};

const KIND_TEXT = {
  announced: 'announced',
  command: 'operator command',
  dispatched: 'attempt sent',
  result: 'attempt ended',
  step: 'step',
  credentials: 'credentials',
  phase: 'phase',
};

// Phases in which the engine takes a revocation.
const REVOCABLE = ['provisioning', 'delivering', 'provisioned', 'failed'];

let currentId = null;
let shownVersion = null;
let historyTimer = null;
const stepRows = new Map();

function stepName(slot) {
  return STEP_NAMES[slot] || slot || '';
}

function actionResult(text, ok) {
  const node = $('action-result');
  setText(node, text);
  node.className = ok ? 'result-ok' : 'result-error';
}

async function run(what, body, doing) {
  actionResult(doing, true);
  const result = await call('POST', '/api/devices/' + encodeURIComponent(currentId) + '/' + what,
                            body || {});
  if (result.ok) {
    actionResult(result.body && result.body.message ? result.body.message : 'Done', true);
    refreshSoon();
  } else {
    actionResult(result.error, false);
  }
}

function makeStepRow(entry) {
  const slot = entry[0];
  const tr = element('tr', { 'data-testid': 'step-row-' + slot });
  const row = {
    tr: tr,
    status: element('td', { 'data-testid': 'step-status-' + slot }),
    attempt: element('td', { 'data-testid': 'step-attempt-' + slot }),
    started: element('td'),
    retry: element('td', { 'data-testid': 'step-retry-' + slot }),
    error: element('td', { class: 'result-error', 'data-testid': 'step-error-' + slot }),
    runNow: element('button', { type: 'button', 'data-testid': 'run-now-' + slot }, 'Run now'),
  };
  const actions = element('td', { 'data-needs': 'operate' });
  actions.appendChild(row.runNow);
  row.runNow.addEventListener('click', () => run('run-now', { step: slot }, 'Starting…'));
  tr.append(element('td', {}, stepName(slot)), row.status, row.attempt, row.started, row.retry,
            row.error, actions);
  return row;
}

function updateStepRow(row, entry) {
  const step = entry[1];
  setText(row.status, step.status);
  row.status.className = 'state state-' + step.status;
  setText(row.attempt, step.attempt);
  setTime(row.started, step.startedAt);
  setTime(row.retry, step.status === 'waiting' ? step.retryAt : '');
  setText(row.error, step.error);
  row.runNow.hidden = step.status !== 'waiting';
}

function renderDevice() {
  const device = deviceById(currentId);
  if (!device) {
    setText($('device-title'), 'Unknown gateway');
    return;
  }
  setText($('device-title'), device.name ? device.name + ' (' + device.mac + ')' : device.mac);
  const state = $('device-detail-state');
  setText(state, device.state, device.phase !== device.state ? 'phase: ' + device.phase : '');
  state.className = 'state state-' + String(device.state).replace(/[^a-z]/g, '');
  setText($('device-detail-name'), device.name || '—');
  setText($('device-detail-mac'), device.mac);
  setText($('device-detail-fingerprint'), device.fingerprint);
  setText($('device-detail-check-code'), device.checkCode);
  setText($('device-detail-id'), device.id);
  setTime($('device-detail-first-seen'), device.firstSeen);
  setTime($('device-detail-last-seen'), device.lastSeen);
  setText($('device-detail-approved'), device.approvedBy
      ? 'by ' + device.approvedBy + ', ' + relativeTime(device.approvedAt) : '—',
          exactTime(device.approvedAt));
  setText($('device-detail-revoked'), device.revokedBy
      ? 'by ' + device.revokedBy + ', ' + relativeTime(device.revokeRequestedAt) +
            (device.revokedAt ? '; done ' + relativeTime(device.revokedAt) : '; in progress')
      : '—', exactTime(device.revokeRequestedAt));
  setText($('device-detail-error'), device.error);

  const steps = Object.entries(device.steps || {});
  reconcile($('step-rows'), stepRows, steps, (e) => e[0], makeStepRow, updateStepRow);
  $('action-retry').hidden = device.state !== 'failed';
  $('action-run-now').hidden = !steps.some((e) => e[1].status === 'waiting');
  $('action-revoke').hidden = !REVOCABLE.includes(device.phase);
  if (shownVersion !== device.version) {
    shownVersion = device.version;
    loadHistorySoon();
  }
}

function outcomeText(entry) {
  if (entry.kind === 'phase') {
    return entry.from + ' → ' + entry.to;
  }
  if (entry.kind === 'command') {
    return entry.command + ' by ' + entry.actor;
  }
  if (entry.kind === 'dispatched') {
    return 'attempt ' + entry.attempt;
  }
  if (entry.kind === 'result') {
    return 'attempt ' + entry.attempt + ': ' + entry.outcome;
  }
  return entry.outcome || '';
}

function detailsText(entry) {
  const parts = [];
  if (entry.kind === 'command' && entry.name) {
    parts.push(entry.command === 'approve' ? 'name ' + entry.name : 'step ' + entry.name);
  }
  if (entry.error) {
    parts.push(entry.error);
  }
  if (entry.retryAt) {
    parts.push('next attempt ' + relativeTime(entry.retryAt) + ' (' + entry.retryAt + ')');
  }
  if (entry.message) {
    parts.push(entry.message);
  }
  return parts.join('; ');
}

function renderHistory(entries) {
  const tbody = $('timeline-rows');
  // Newest first: what the operator looks for is what happened last.
  const rows = entries.slice().reverse().map((entry) => {
    const tr = element('tr', {
      'data-testid': 'timeline-row',
      'data-kind': entry.kind,
      'data-step': entry.step || '',
      'data-outcome': entry.outcome || '',
    });
    const time = element('td', { class: 'mono' });
    setClock(time, entry.at);
    const outcome = element('td', {}, outcomeText(entry));
    if (entry.outcome === 'failed' || entry.outcome === 'timeout' ||
        (entry.kind === 'phase' && entry.to === 'failed')) {
      outcome.className = 'result-error';
    } else if (entry.outcome === 'ok') {
      outcome.className = 'result-ok';
    }
    tr.append(time, element('td', {}, stepName(entry.step)),
              element('td', {}, KIND_TEXT[entry.kind] || entry.kind), outcome,
              element('td', { class: 'details' }, detailsText(entry)));
    return tr;
  });
  tbody.replaceChildren(...rows);
  $('timeline-empty').hidden = rows.length > 0;
}

async function loadHistory() {
  historyTimer = null;
  const id = currentId;
  if (!id) {
    return;
  }
  const result = await call('GET', '/api/devices/' + encodeURIComponent(id) + '/history');
  if (id !== currentId) {
    return;
  }
  if (result.ok && Array.isArray(result.body)) {
    renderHistory(result.body);
  } else if (result.status !== 401) {
    actionResult('Cannot load the timeline: ' + result.error, false);
  }
}

// Several changes in a burst load the timeline once.
function loadHistorySoon() {
  if (historyTimer === null) {
    historyTimer = setTimeout(loadHistory, 150);
  }
}

export function showDevice(id) {
  if (currentId !== id) {
    currentId = id;
    shownVersion = null;
    stepRows.clear();
    $('step-rows').replaceChildren();
    $('timeline-rows').replaceChildren();
    actionResult('', true);
  }
  renderDevice();
  loadHistorySoon();
}

export function hideDevice() {
  currentId = null;
}

export function initDevice() {
  onDevices((changed) => {
    if (currentId && (changed === null || changed.has(currentId))) {
      renderDevice();
    }
  });
  $('action-retry').addEventListener('click', () => run('retry', {}, 'Retrying…'));
  $('action-run-now').addEventListener('click', () => run('run-now', {}, 'Starting…'));
  const dialog = $('revoke-dialog');
  $('action-revoke').addEventListener('click', () => {
    const device = deviceById(currentId);
    setText($('revoke-text'), device ? (device.name || device.mac) + ' (' + device.mac + ')' : '');
    dialog.showModal();
  });
  dialog.addEventListener('close', () => {
    if (dialog.returnValue === 'revoke' && currentId) {
      run('revoke', {}, 'Revoking…');
      showNotice('Revocation requested', true);
    }
  });
}
