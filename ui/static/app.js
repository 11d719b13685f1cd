// gps-ui page: logs in, keeps the device list live (devices.js) and shows one view at a time,
// chosen by the address's #fragment so that every view can be linked to and the back button
// works: #pending, #in-progress, #failed, #provisioned, #revoked, #dismissed, #device/<id>,
// #audit, #allow-list, #users.

import {
  $, applyRole, call, can, currentSession, refreshTimes, setLoggedOutHandler, setSession,
  setText, showNotice,
} from './common.js';
import { initAdmin, showAllowList, showAudit, showUsers } from './admin.js';
import { hideDevice, initDevice, showDevice } from './device.js';
import { allDevices, onDevices, startDevices, stopDevices } from './devices.js';
import { LISTS, countFor, initLists, showList } from './lists.js';
import { initPending, renderPending } from './pending.js';

const TIMES_MS = 5000;

function showSession(value) {
  setSession(value);
  $('login').hidden = value !== null;
  $('main').hidden = value === null;
  $('user-info').hidden = value === null;
  if (value) {
    setText($('user-name'), value.user);
    setText($('user-role'), value.role);
    document.body.dataset.role = value.role;
    applyRole();
  }
}

function loggedOut(message) {
  if (!currentSession()) {
    return;
  }
  stopDevices();
  showSession(null);
  showNotice('', true);
  setText($('login-error'), message || '');
  setText($('refresh-status'), 'Logged out');
}

function updateCounts() {
  setText($('count-pending'), allDevices().filter((d) => d.state === 'pending').length);
  for (const list of Object.keys(LISTS)) {
    setText($('count-' + list), countFor(list));
  }
}

function route() {
  if (!currentSession()) {
    return;
  }
  const hash = decodeURIComponent(location.hash.replace(/^#/, '')) || 'pending';
  let section = hash;
  let nav = hash;
  hideDevice();
  if (hash.startsWith('device/')) {
    section = 'device';
    nav = '';
    showDevice(hash.slice('device/'.length));
  } else if (LISTS[hash]) {
    section = 'list';
    showList(hash);
  } else if (hash === 'audit') {
    showAudit();
  } else if (hash === 'allow-list') {
    showAllowList();
  } else if (hash === 'users' && can('admin')) {
    showUsers();
  } else {
    section = 'pending';
    nav = 'pending';
    renderPending();
  }
  for (const node of document.querySelectorAll('[data-view-section]')) {
    node.hidden = node.dataset.viewSection !== section;
  }
  for (const link of document.querySelectorAll('nav a[data-view]')) {
    if (link.dataset.view === nav) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
}

function loggedIn(value) {
  showSession(value);
  startDevices();
  route();
}

async function start() {
  setLoggedOutHandler(loggedOut);
  initPending();
  initLists();
  initDevice();
  initAdmin();
  onDevices(updateCounts);
  window.addEventListener('hashchange', route);
  setInterval(() => refreshTimes(), TIMES_MS);

  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    setText($('login-error'), '');
    const form = new FormData($('login-form'));
    const result = await call('POST', '/api/login', {
      username: form.get('username'),
      password: form.get('password'),
    });
    if (!result.ok) {
      setText($('login-error'), result.error);
      return;
    }
    $('login-form').reset();
    loggedIn(result.body);
  });
  $('logout').addEventListener('click', async () => {
    await call('POST', '/api/logout', {});
    loggedOut('');
  });

  const who = await call('GET', '/api/session');
  if (who.ok) {
    loggedIn(who.body);
  } else {
    showSession(null);
    setText($('refresh-status'), who.status === 401 ? 'Logged out' : who.error);
  }
}

start();
