// Helpers every view of the gps-ui page shares: building and updating elements (always through
// textContent and setAttribute, never as HTML, so nothing a device, a cloud or the engine sends
// can inject markup or script), times for people, the device-name rule, and the REST calls with
// the session's CSRF token.

// Server clock minus browser clock, from the Date header, so relative times are right even when
// the operator's clock is off.
let skewMs = 0;
// The session: {user, role, csrfToken}; null when logged out.
let session = null;
// Called when the server says the session is gone (401).
let onLoggedOut = () => {};

export function setSession(value) {
  session = value;
}

export function currentSession() {
  return session;
}

export function setLoggedOutHandler(handler) {
  onLoggedOut = handler;
}

export function can(need) {
  if (!session) {
    return false;
  }
  if (need === 'admin') {
    return session.role === 'admin';
  }
  if (need === 'operate') {
    return session.role === 'admin' || session.role === 'approver';
  }
  return true;
}

export function $(testid, root) {
  return (root || document).querySelector('[data-testid="' + testid + '"]');
}

export function element(tag, attributes, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    node.setAttribute(name, String(value));
  }
  if (text !== undefined) {
    node.textContent = String(text);
  }
  return node;
}

export function setText(node, text, title) {
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

// Shows or hides every element marked data-needs="operate|admin" for the session's role.
export function applyRole(root) {
  for (const node of (root || document).querySelectorAll('[data-needs]')) {
    node.hidden = !can(node.dataset.needs);
  }
}

export function noteServerDate(response) {
  const date = Date.parse(response.headers.get('Date') || '');
  if (!Number.isNaN(date)) {
    skewMs = date - Date.now();
  }
}

export function relativeTime(iso) {
  const then = Date.parse(iso);
  if (!iso || Number.isNaN(then)) {
    return '';
  }
  const seconds = Math.round((Date.now() + skewMs - then) / 1000);
  const future = seconds < 0;
  const s = Math.abs(seconds);
  let text;
  if (s < 5) {
    return 'just now';
  } else if (s < 60) {
    text = s + ' s';
  } else if (s < 3600) {
    text = Math.floor(s / 60) + ' min';
  } else if (s < 86400) {
    text = Math.floor(s / 3600) + ' h';
  } else {
    text = Math.floor(s / 86400) + ' d';
  }
  return future ? 'in ' + text : text + ' ago';
}

export function exactTime(iso) {
  const then = Date.parse(iso);
  return !iso || Number.isNaN(then) ? '' : iso + ' (' + new Date(then).toLocaleString() + ')';
}

// The time of day ("14:48:44.585"), with the date when it is not today: for timelines, where
// many things happen within seconds.
export function clockTime(iso) {
  const then = new Date(Date.parse(iso));
  if (!iso || Number.isNaN(then.getTime())) {
    return '';
  }
  const pad = (n, w) => String(n).padStart(w || 2, '0');
  const time = pad(then.getHours()) + ':' + pad(then.getMinutes()) + ':' + pad(then.getSeconds()) +
      '.' + pad(then.getMilliseconds(), 3);
  const today = new Date();
  if (then.toDateString() === today.toDateString()) {
    return time;
  }
  return then.getFullYear() + '-' + pad(then.getMonth() + 1) + '-' + pad(then.getDate()) + ' ' +
      time;
}

export function setClock(node, iso) {
  setText(node, clockTime(iso), iso ? relativeTime(iso) + ', ' + exactTime(iso) : '');
}

// A cell showing a time relatively, with the exact time on hover.
export function setTime(node, iso) {
  setText(node, relativeTime(iso), exactTime(iso));
  node.dataset.time = iso || '';
}

// Brings every time cell (setTime) up to date; called every few seconds.
export function refreshTimes(root) {
  for (const node of (root || document).querySelectorAll('[data-time]')) {
    setText(node, relativeTime(node.dataset.time), exactTime(node.dataset.time));
  }
}

export function shortFingerprint(fingerprint) {
  const text = String(fingerprint || '');
  return text.length > 19 ? text.slice(0, 19) + '…' : text;
}

// The naming rule of DPS registration ids the engine applies (lib/gps/protocol/names.h): empty
// when name is fine, else why not.
export function nameProblem(name) {
  if (name.length === 0) {
    return 'type a name';
  }
  if (name.length > 63) {
    return 'at most 63 characters';
  }
  if (!/^[a-z0-9-]+$/.test(name)) {
    return 'only a-z, 0-9 and -';
  }
  if (name.startsWith('-') || name.endsWith('-')) {
    return 'must start and end with a letter or digit';
  }
  return '';
}

export async function errorMessage(response) {
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

// A REST call: {ok, status, body (parsed JSON or null), error (a message)}. Never throws. A 401
// means the session is over: the page goes back to its login form.
export async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    headers['X-CSRF-Token'] = session ? session.csrfToken || '' : '';
  }
  let response;
  try {
    response = await fetch(path, {
      method: method,
      headers: headers,
      body: method === 'GET' ? undefined : JSON.stringify(body || {}),
      cache: 'no-store',
    });
  } catch (error) {
    return { ok: false, status: 0, body: null, error: 'the server could not be reached: ' +
        error.message };
  }
  noteServerDate(response);
  if (!response.ok) {
    const message = await errorMessage(response);
    if (response.status === 401 && path !== '/api/login') {
      onLoggedOut(message);
    }
    return { ok: false, status: response.status, body: null, error: message };
  }
  let parsed = null;
  try {
    parsed = await response.json();
  } catch (ignored) {
    parsed = null;
  }
  return { ok: true, status: response.status, body: parsed, error: '' };
}

export function showNotice(text, ok) {
  const notice = $('notice');
  setText(notice, text);
  notice.className = ok ? 'notice' : 'notice notice-error';
  notice.hidden = !text;
}

// Brings tbody's rows to `items` (in order), creating, updating and removing rows in place.
// Rows that leave go first, so a row that stays is only moved when the order really changed:
// moving a row would take the focus out of a name box the operator is typing in.
export function reconcile(tbody, rows, items, key, make, update) {
  const wanted = new Set(items.map(key));
  for (const [id, row] of rows) {
    if (!wanted.has(id)) {
      row.tr.remove();
      rows.delete(id);
    }
  }
  let cursor = tbody.firstChild;
  for (const item of items) {
    const id = key(item);
    let row = rows.get(id);
    if (!row) {
      row = make(item);
      rows.set(id, row);
    }
    update(row, item);
    if (row.tr === cursor) {
      cursor = cursor.nextSibling;
    } else {
      tbody.insertBefore(row.tr, cursor);
    }
  }
}

// Sorting by a column: state {key, descending}; clicking the same header turns the order.
export function sortHeaders(table, state, onChange) {
  for (const button of table.querySelectorAll('button.sort')) {
    button.addEventListener('click', () => {
      if (state.key === button.dataset.sort) {
        state.descending = !state.descending;
      } else {
        state.key = button.dataset.sort;
        state.descending = false;
      }
      for (const other of table.querySelectorAll('button.sort')) {
        other.removeAttribute('aria-sort');
        other.parentElement.removeAttribute('aria-sort');
      }
      button.parentElement.setAttribute('aria-sort', state.descending ? 'descending' : 'ascending');
      onChange();
    });
  }
}

export function compareBy(state, value) {
  return (a, b) => {
    const x = value(a, state.key);
    const y = value(b, state.key);
    const order = x < y ? -1 : x > y ? 1 : 0;
    return state.descending ? -order : order;
  };
}

// True when any of the values contains the filter text (case-insensitive).
export function matches(filter, values) {
  const needle = filter.trim().toLowerCase();
  return needle === '' || values.some((v) => String(v || '').toLowerCase().includes(needle));
}
