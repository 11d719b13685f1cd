// gps-ui page: polls GET /api/devices and keeps two tables up to date without disturbing what the
// operator is typing. Every value is put on the page with textContent or setAttribute, never as
// HTML, so nothing a device or the engine sends can inject markup or script.
'use strict';

(function () {
  const POLL_MS = 2000;

  const pendingRows = document.querySelector('[data-testid="pending-rows"]');
  const pendingEmpty = document.querySelector('[data-testid="pending-empty"]');
  const deviceRows = document.querySelector('[data-testid="device-rows"]');
  const deviceEmpty = document.querySelector('[data-testid="device-empty"]');
  const banner = document.querySelector('[data-testid="connection-error"]');
  const status = document.querySelector('[data-testid="refresh-status"]');
  const loginSection = document.querySelector('[data-testid="login"]');
  const loginForm = document.querySelector('[data-testid="login-form"]');
  const loginError = document.querySelector('[data-testid="login-error"]');
  const mainSection = document.querySelector('[data-testid="main"]');
  const userInfo = document.querySelector('[data-testid="user-info"]');

  // Who is logged in: {user, role, csrfToken}; null until the session is known.
  let session = null;

  // Rows by device id. A pending row lives until the device leaves the pending state, so its
  // name box and its last result survive every refresh.
  const pending = new Map();
  const others = new Map();
  // Server clock minus browser clock, from the Date header, so "last seen" is right even when
  // the operator's clock is off.
  let skewMs = 0;

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      node.setAttribute(name, String(value));
    }
    if (text !== undefined) {
      node.textContent = String(text);
    }
    return node;
  }

  function setText(node, text, title) {
    const value = text === undefined || text === null ? '' : String(text);
    if (node.textContent !== value) {
      node.textContent = value;
    }
    if (title === undefined || title === null || title === '') {
      node.removeAttribute('title');
    } else if (node.getAttribute('title') !== String(title)) {
      node.setAttribute('title', String(title));
    }
  }

  function relativeTime(iso) {
    const then = Date.parse(iso);
    if (Number.isNaN(then)) {
      return 'unknown';
    }
    const seconds = Math.max(0, Math.round((Date.now() + skewMs - then) / 1000));
    if (seconds < 5) {
      return 'just now';
    }
    if (seconds < 60) {
      return seconds + ' s ago';
    }
    if (seconds < 3600) {
      return Math.floor(seconds / 60) + ' min ago';
    }
    if (seconds < 86400) {
      return Math.floor(seconds / 3600) + ' h ago';
    }
    return Math.floor(seconds / 86400) + ' d ago';
  }

  function exactTime(iso) {
    const then = Date.parse(iso);
    return Number.isNaN(then) ? String(iso) : iso + ' (' + new Date(then).toLocaleString() + ')';
  }

  function shortFingerprint(fingerprint) {
    const text = String(fingerprint || '');
    return text.length > 19 ? text.slice(0, 19) + '…' : text;
  }

  // The error message of a failed response: {"error": "..."} when the server sent one.
  async function errorMessage(response) {
    try {
      const body = await response.json();
      if (body && typeof body.error === 'string' && body.error !== '') {
        return body.error;
      }
    } catch (ignored) {
      // Not JSON: fall back to the status line.
    }
    return 'HTTP ' + response.status + (response.statusText ? ' ' + response.statusText : '');
  }

  function showResult(row, text, ok) {
    setText(row.result, text);
    row.result.className = ok ? 'result-ok' : 'result-error';
  }

  async function sendCommand(row, command) {
    // Stray spaces from a paste are not part of a name; every other rule is the server's to check.
    const body = command === 'approve' ? JSON.stringify({ name: row.input.value.trim() }) : '{}';
    row.approve.disabled = true;
    row.dismiss.disabled = true;
    showResult(row, command === 'approve' ? 'Approving…' : 'Dismissing…', true);
    try {
      const response = await post('/api/devices/' + encodeURIComponent(row.id) + '/' + command, body);
      if (response.ok) {
        showResult(row, command === 'approve' ? 'Approved; provisioning…' : 'Dismissed', true);
        refreshSoon();
      } else {
        showResult(row, await errorMessage(response), false);
      }
    } catch (error) {
      showResult(row, 'The server could not be reached: ' + error.message, false);
    } finally {
      row.approve.disabled = false;
      row.dismiss.disabled = false;
    }
  }

  function makePendingRow(id) {
    const tr = element('tr', { 'data-testid': 'pending-row-' + id, 'data-device-id': id });
    const row = {
      id: id,
      tr: tr,
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
      approve: element('button', { type: 'button', class: 'approve', 'data-testid': 'approve-' + id },
                       'Approve'),
      dismiss: element('button', { type: 'button', class: 'dismiss', 'data-testid': 'dismiss-' + id },
                       'Dismiss'),
      result: element('td', { 'data-testid': 'error-' + id, 'aria-live': 'polite' }),
    };
    const nameCell = element('td');
    nameCell.appendChild(row.input);
    const actions = element('td');
    actions.appendChild(row.approve);
    actions.appendChild(row.dismiss);
    for (const cell of [row.mac, row.fingerprint, row.checkCode, row.lastSeen, nameCell, actions,
                        row.result]) {
      tr.appendChild(cell);
    }
    row.approve.addEventListener('click', () => sendCommand(row, 'approve'));
    row.dismiss.addEventListener('click', () => sendCommand(row, 'dismiss'));
    row.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !row.approve.disabled) {
        sendCommand(row, 'approve');
      }
    });
    return row;
  }

  function updatePendingRow(row, device) {
    setText(row.mac, device.mac);
    setText(row.fingerprint, shortFingerprint(device.fingerprint), device.fingerprint);
    setText(row.checkCode, device.checkCode);
    setText(row.lastSeen, relativeTime(device.lastSeen), exactTime(device.lastSeen));
  }

  function stepErrors(device) {
    const parts = [];
    for (const step of Object.values(device.steps || {})) {
      // Step errors already name their cloud ("vault: HTTP 500: ...").
      if (step && step.status === 'failed' && step.error) {
        parts.push(step.error);
      }
    }
    return parts.join('; ');
  }

  function makeOtherRow(id) {
    const tr = element('tr', { 'data-testid': 'device-row-' + id, 'data-device-id': id });
    const row = {
      id: id,
      tr: tr,
      mac: element('td', { class: 'mono', 'data-testid': 'device-mac-' + id }),
      name: element('td', { 'data-testid': 'device-name-' + id }),
      state: element('td', { 'data-testid': 'device-state-' + id }),
      lastSeen: element('td', { 'data-testid': 'device-last-seen-' + id }),
      error: element('td', { class: 'result-error', 'data-testid': 'device-error-' + id }),
    };
    for (const cell of [row.mac, row.name, row.state, row.lastSeen, row.error]) {
      tr.appendChild(cell);
    }
    return row;
  }

  function updateOtherRow(row, device) {
    setText(row.mac, device.mac, device.id);
    setText(row.name, device.name);
    const phase = device.phase && device.phase !== device.state ? device.phase : '';
    setText(row.state, device.state, phase ? 'phase: ' + phase : '');
    row.state.className = 'state state-' + String(device.state).replace(/[^a-z]/g, '');
    setText(row.lastSeen, relativeTime(device.lastSeen), exactTime(device.lastSeen));
    setText(row.error, device.error || stepErrors(device));
  }

  // Brings tbody's rows to `devices` (in order), creating, updating and removing rows in place.
  // Rows that leave go first, so a row that stays is only moved when the order really changed:
  // moving a row would take the focus out of a name box the operator is typing in.
  function reconcile(tbody, rows, devices, make, update) {
    const wanted = new Set(devices.map((d) => String(d.id)));
    for (const [id, row] of rows) {
      if (!wanted.has(id)) {
        row.tr.remove();
        rows.delete(id);
      }
    }
    let cursor = tbody.firstChild;
    for (const device of devices) {
      const id = String(device.id);
      let row = rows.get(id);
      if (!row) {
        row = make(id);
        rows.set(id, row);
      }
      update(row, device);
      if (row.tr === cursor) {
        cursor = cursor.nextSibling;
      } else {
        tbody.insertBefore(row.tr, cursor);
      }
    }
  }

  function render(devices) {
    const waiting = devices.filter((d) => d.state === 'pending');
    const rest = devices.filter((d) => d.state !== 'pending');
    reconcile(pendingRows, pending, waiting, makePendingRow, updatePendingRow);
    reconcile(deviceRows, others, rest, makeOtherRow, updateOtherRow);
    pendingEmpty.hidden = waiting.length > 0;
    deviceEmpty.hidden = rest.length > 0;
  }

  function showProblem(text) {
    if (text) {
      setText(banner, text);
      banner.hidden = false;
    } else {
      banner.hidden = true;
    }
  }

  // A state-changing request carries the session's CSRF token; the cookie alone is not enough.
  function post(path, body) {
    return fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session ? session.csrfToken : '' },
      body: body,
    });
  }

  function showSession(value) {
    session = value;
    loginSection.hidden = session !== null;
    mainSection.hidden = session === null;
    userInfo.hidden = session === null;
    if (session) {
      setText(document.querySelector('[data-testid="user-name"]'), session.user);
      setText(document.querySelector('[data-testid="user-role"]'), session.role);
      document.body.dataset.role = session.role;
    }
  }

  function loggedOut(message) {
    showSession(null);
    clearTimeout(timer);
    setText(loginError, message || '');
  }

  let timer = null;
  let inFlight = false;

  async function refresh() {
    if (inFlight) {
      return;
    }
    inFlight = true;
    clearTimeout(timer);
    try {
      const response = await fetch('/api/devices', {
        headers: { Accept: 'application/json' },
        cache: 'no-store',
      });
      const date = Date.parse(response.headers.get('Date') || '');
      if (!Number.isNaN(date)) {
        skewMs = date - Date.now();
      }
      if (response.status === 401) {
        loggedOut(await errorMessage(response));
        return;
      }
      if (!response.ok) {
        throw new Error(await errorMessage(response));
      }
      const devices = await response.json();
      if (!Array.isArray(devices)) {
        throw new Error('unexpected answer from the server');
      }
      render(devices);
      showProblem('');
      setText(status, 'Updated ' + new Date().toLocaleTimeString());
    } catch (error) {
      showProblem('Cannot load the device list: ' + error.message);
    } finally {
      inFlight = false;
      if (session) {
        timer = setTimeout(refresh, POLL_MS);
      }
    }
  }

  function refreshSoon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 200);
  }

  async function start() {
    try {
      const response = await fetch('/api/session', { cache: 'no-store' });
      if (response.ok) {
        showSession(await response.json());
        refresh();
      } else {
        loggedOut('');
      }
    } catch (error) {
      showProblem('The server could not be reached: ' + error.message);
    }
  }

  loginForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    setText(loginError, '');
    const data = new FormData(loginForm);
    try {
      const response = await fetch('/api/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: data.get('username'), password: data.get('password') }),
      });
      if (!response.ok) {
        setText(loginError, await errorMessage(response));
        return;
      }
      loginForm.reset();
      showSession(await response.json());
      refresh();
    } catch (error) {
      setText(loginError, 'The server could not be reached: ' + error.message);
    }
  });

  document.querySelector('[data-testid="logout"]').addEventListener('click', async () => {
    await post('/api/logout', '{}').catch(() => null);
    loggedOut('');
  });

  start();
})();
