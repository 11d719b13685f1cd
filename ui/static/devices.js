// The device list the page shows, kept current by the live-update stream (GET /api/events,
// server-sent events): the first event is the whole list, then one event per changed device.
// When the stream cannot be opened (too many open, an old proxy) the page polls GET /api/devices
// every 2 s instead and tries the stream again now and then.

import { $, call, setText } from './common.js';

const POLL_MS = 2000;
const STREAM_RETRY_MS = 15000;

const devices = new Map();
const listeners = new Set();
let source = null;
let pollTimer = null;
let retryTimer = null;
let running = false;

export function allDevices() {
  return Array.from(devices.values());
}

export function deviceById(id) {
  return devices.get(id);
}

// listener(changedIds | null): null means everything may have changed.
export function onDevices(listener) {
  listeners.add(listener);
}

function notify(changed) {
  for (const listener of listeners) {
    listener(changed);
  }
}

function showProblem(text) {
  const banner = $('connection-error');
  setText(banner, text || '');
  banner.hidden = !text;
}

function replaceAll(list) {
  devices.clear();
  for (const d of list) {
    devices.set(String(d.id), d);
  }
  notify(null);
}

function upsert(device) {
  devices.set(String(device.id), device);
  notify(new Set([String(device.id)]));
}

function status(text) {
  setText($('refresh-status'), text);
}

async function pollOnce() {
  const result = await call('GET', '/api/devices');
  if (!running) {
    return;
  }
  if (result.ok && Array.isArray(result.body)) {
    replaceAll(result.body);
    showProblem('');
    status('Updated ' + new Date().toLocaleTimeString() + ' (polling)');
  } else if (result.status !== 401) {
    showProblem('Cannot load the device list: ' + result.error);
  }
  pollTimer = setTimeout(pollOnce, POLL_MS);
}

function startPolling() {
  if (pollTimer === null && running) {
    pollOnce();
  }
  clearTimeout(retryTimer);
  retryTimer = setTimeout(openStream, STREAM_RETRY_MS);
}

function stopPolling() {
  clearTimeout(pollTimer);
  pollTimer = null;
}

async function streamFailed() {
  if (source) {
    source.close();
    source = null;
  }
  if (!running) {
    return;
  }
  // The stream says nothing about why it failed; the session check tells a logout (401, which
  // brings back the login form) from anything else.
  const check = await call('GET', '/api/session');
  if (check.ok) {
    startPolling();
  }
}

function openStream() {
  if (!running || source) {
    return;
  }
  source = new EventSource('/api/events');
  source.addEventListener('devices', (event) => {
    stopPolling();
    clearTimeout(retryTimer);
    replaceAll(JSON.parse(event.data));
    showProblem('');
    status('Live');
  });
  source.addEventListener('device', (event) => {
    upsert(JSON.parse(event.data));
  });
  source.addEventListener('removed', (event) => {
    devices.delete(String(JSON.parse(event.data).id));
    notify(null);
  });
  source.addEventListener('problem', (event) => {
    showProblem('Cannot read the device list: ' + JSON.parse(event.data).error);
  });
  source.addEventListener('logout', () => {
    streamFailed();
  });
  source.addEventListener('error', () => {
    // A dropped stream reconnects by itself (CONNECTING); a refused one is CLOSED.
    if (source && source.readyState === EventSource.CLOSED) {
      streamFailed();
    } else {
      status('Reconnecting…');
    }
  });
}

export function startDevices() {
  running = true;
  openStream();
}

export function stopDevices() {
  running = false;
  if (source) {
    source.close();
    source = null;
  }
  stopPolling();
  clearTimeout(retryTimer);
  devices.clear();
}

// After a command: the stream brings the change, but a polling page should not wait for it.
export function refreshSoon() {
  if (pollTimer !== null) {
    stopPolling();
    pollTimer = setTimeout(pollOnce, 200);
  }
}
