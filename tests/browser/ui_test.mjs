// Browser tests of the gps-ui page, run by tests/browser/browser_test.cpp against a running stack.
// Headless Debian chromium through playwright-core; this script starts no service: it asks its
// driver for simulated gateways by printing "@@start-gateway <name> <mac>".
//
// Environment: BROWSER_TEST_UI_URL, BROWSER_TEST_APPROVER / _VIEWER / _ADMIN ("user:password"),
// BROWSER_TEST_FAULTS_URL (cloudsim's /_sim/faults/), BROWSER_TEST_SCREENSHOTS (a directory).
// Exits 0 when every step passed; otherwise prints the failing step and exits 1.

import { chromium } from 'playwright-core';

const UI = process.env.BROWSER_TEST_UI_URL;
const FAULTS = process.env.BROWSER_TEST_FAULTS_URL;
const SHOTS = process.env.BROWSER_TEST_SCREENSHOTS;
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
// Provisioning through every cloud simulator takes seconds; this bounds any one wait.
const LONG = 90_000;

function credentials(name) {
  const [user, password] = (process.env['BROWSER_TEST_' + name] || '').split(':');
  return { user, password };
}

function log(text) {
  console.log(new Date().toISOString() + ' ' + text);
}

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

function startGateway(name, mac) {
  console.log('@@start-gateway ' + name + ' ' + mac);
}

async function shot(page, name) {
  await page.screenshot({ path: SHOTS + '/' + name, fullPage: true });
  log('screenshot ' + SHOTS + '/' + name);
}

const byTestId = (page, id) => page.locator('[data-testid="' + id + '"]');

// A page that fails the test on any script error or refused resource (a CSP violation shows up
// as a console error).
async function newPage(browser, problems) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push('page error: ' + error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 40[139]|status of 50[23]/.test(message.text())) {
      problems.push('console error: ' + message.text());
    }
  });
  return page;
}

async function logIn(page, who) {
  await page.goto(UI + '/#pending');
  await byTestId(page, 'login-form').waitFor();
  await byTestId(page, 'login-username').fill(who.user);
  await byTestId(page, 'login-password').fill(who.password);
  await byTestId(page, 'login-submit').click();
  await byTestId(page, 'user-name').filter({ hasText: who.user }).waitFor();
}

// The pending row of the gateway with this MAC, once it is listed; returns its device id.
async function waitForPending(page, mac) {
  const row = page.locator('[data-testid^="pending-row-"]').filter({ hasText: mac });
  await row.waitFor({ timeout: 30_000 });
  return await row.getAttribute('data-device-id');
}

async function openDevice(page, id) {
  await page.goto(UI + '/#device/' + id);
  await byTestId(page, 'device-detail-id').filter({ hasText: id }).waitFor();
}

async function waitForState(page, state, timeout) {
  await byTestId(page, 'device-detail-state').filter({ hasText: new RegExp('^' + state + '$') })
      .waitFor({ timeout: timeout || LONG });
}

async function approve(page, id, name) {
  await byTestId(page, 'name-input-' + id).fill(name);
  await byTestId(page, 'approve-' + id).click();
}

async function setVaultFault(body) {
  const response = await fetch(FAULTS + 'vault', body
      ? { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }
      : { method: 'DELETE' });
  check(response.ok, 'cloudsim faults: HTTP ' + response.status);
}

// A POST from inside the page, as its own script would send it; headers as given.
async function postFromPage(page, path, headers) {
  return await page.evaluate(async ([path, headers]) => {
    const r = await fetch(path, {
      method: 'POST',
      headers: Object.assign({ 'Content-Type': 'application/json' }, headers),
      body: JSON.stringify({ name: 'gw-forged' }),
    });
    return { status: r.status, body: await r.text() };
  }, [path, headers]);
}

async function main() {
  const problems = [];
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: LAUNCH_ARGS });
  try {
    const page = await newPage(browser, problems);

    log('log in');
    await page.goto(UI + '/');
    await byTestId(page, 'login-form').waitFor();
    await shot(page, 'login.png');
    await byTestId(page, 'login-username').fill(credentials('APPROVER').user);
    await byTestId(page, 'login-password').fill('not the password');
    await byTestId(page, 'login-submit').click();
    await byTestId(page, 'login-error').filter({ hasText: 'wrong user name or password' }).waitFor();
    await logIn(page, credentials('APPROVER'));
    check(await byTestId(page, 'user-role').textContent() === 'approver', 'role shown');

    log('a gateway announces and appears without a reload');
    await page.evaluate(() => { window.stillTheSamePage = true; });
    startGateway('alpha', '02:42:ac:11:02:01');
    const alpha = await waitForPending(page, '02:42:ac:11:02:01');
    check(await page.evaluate(() => window.stillTheSamePage === true), 'the page was reloaded');
    check((await byTestId(page, 'check-code-' + alpha).textContent()).length > 0, 'check code');
    check((await byTestId(page, 'fingerprint-' + alpha).getAttribute('title')).startsWith('SHA256:'),
          'full fingerprint on hover');
    check(/ago|just now/.test(await byTestId(page, 'last-seen-' + alpha).textContent()),
          'last seen is relative');
    check((await byTestId(page, 'last-seen-' + alpha).getAttribute('title')).includes('T'),
          'exact last-seen time on hover');
    await shot(page, 'pending.png');

    log('the name is checked as it is typed');
    await byTestId(page, 'name-input-' + alpha).fill('Bad_Name');
    await byTestId(page, 'name-hint-' + alpha).filter({ hasText: 'only a-z, 0-9 and -' }).waitFor();
    check(await byTestId(page, 'approve-' + alpha).isDisabled(), 'approve disabled for a bad name');
    await byTestId(page, 'name-input-' + alpha).fill('gw-browser-alpha-');
    await byTestId(page, 'name-hint-' + alpha).filter({ hasText: 'start and end' }).waitFor();

    log('approve it and watch it reach provisioned');
    await approve(page, alpha, 'gw-browser-alpha');
    await byTestId(page, 'pending-row-' + alpha).waitFor({ state: 'detached', timeout: 30_000 });
    await page.goto(UI + '/#in-progress');
    await shot(page, 'in-progress.png');
    await openDevice(page, alpha);
    await waitForState(page, 'provisioned');
    await page.locator('[data-testid="timeline-row"][data-kind="result"][data-step="vault"]' +
                       '[data-outcome="ok"]').first().waitFor();
    await page.locator('[data-testid="timeline-row"][data-kind="command"]').first().waitFor();
    check(await byTestId(page, 'device-detail-approved').textContent().then((t) =>
          t.includes(credentials('APPROVER').user)), 'approved by the operator');
    await shot(page, 'device-provisioned.png');
    await page.goto(UI + '/#provisioned');
    await byTestId(page, 'device-row-' + alpha).waitFor();
    check(await byTestId(page, 'device-name-' + alpha).textContent() === 'gw-browser-alpha', 'name');
    await shot(page, 'provisioned.png');

    log('a taken name shows its reason and nothing is created');
    startGateway('bravo', '02:42:ac:11:02:02');
    await page.goto(UI + '/#pending');
    const bravo = await waitForPending(page, '02:42:ac:11:02:02');
    await approve(page, bravo, 'gw-browser-alpha');
    await byTestId(page, 'error-' + bravo).filter({ hasText: /reserved for another device|taken/ })
        .waitFor({ timeout: 30_000 });
    check(await byTestId(page, 'pending-row-' + bravo).isVisible(), 'still pending');
    await shot(page, 'taken-name.png');

    log('dismiss');
    await byTestId(page, 'dismiss-' + bravo).click();
    await byTestId(page, 'pending-row-' + bravo).waitFor({ state: 'detached', timeout: 30_000 });
    await page.goto(UI + '/#dismissed');
    await byTestId(page, 'device-row-' + bravo).waitFor();
    await shot(page, 'dismissed.png');

    log('a failed step shows the cloud\'s error, and Retry completes it');
    const refusal = 'common name gw-browser-charlie not allowed by role';
    await setVaultFault({ fail: { status: 400, message: refusal, method: 'POST',
                                  path: '/v1/pki/issue/*' } });
    startGateway('charlie', '02:42:ac:11:02:03');
    await page.goto(UI + '/#pending');
    const charlie = await waitForPending(page, '02:42:ac:11:02:03');
    await approve(page, charlie, 'gw-browser-charlie');
    await byTestId(page, 'pending-row-' + charlie).waitFor({ state: 'detached', timeout: 30_000 });
    await page.goto(UI + '/#failed');
    await byTestId(page, 'device-row-' + charlie).waitFor({ timeout: LONG });
    await byTestId(page, 'device-error-' + charlie).filter({ hasText: refusal }).waitFor();
    await shot(page, 'failed.png');
    await openDevice(page, charlie);
    await waitForState(page, 'failed');
    await byTestId(page, 'step-error-vault').filter({ hasText: refusal }).waitFor();
    await page.locator('[data-testid="timeline-row"][data-kind="result"][data-step="vault"]' +
                       '[data-outcome="failed"]').filter({ hasText: refusal }).first().waitFor();
    await shot(page, 'device-failed.png');
    await setVaultFault(null);
    await byTestId(page, 'action-retry').click();
    await waitForState(page, 'provisioned');
    check(await byTestId(page, 'step-attempt-vault').textContent() === '2', 'vault attempt 2');

    log('a request without the CSRF token is refused');
    startGateway('delta', '02:42:ac:11:02:04');
    await page.goto(UI + '/#pending');
    const delta = await waitForPending(page, '02:42:ac:11:02:04');
    const forged = await postFromPage(page, '/api/devices/' + delta + '/approve', {});
    check(forged.status === 403 && forged.body.includes('X-CSRF-Token'),
          'no CSRF token: ' + forged.status + ' ' + forged.body);
    const wrong = await postFromPage(page, '/api/devices/' + delta + '/approve',
                                     { 'X-CSRF-Token': '0'.repeat(64) });
    check(wrong.status === 403, 'wrong CSRF token: ' + wrong.status);
    check(await byTestId(page, 'pending-row-' + delta).isVisible(), 'delta still pending');

    log('a viewer cannot approve');
    const viewer = await newPage(browser, problems);
    await logIn(viewer, credentials('VIEWER'));
    await waitForPending(viewer, '02:42:ac:11:02:04');
    check(!(await byTestId(viewer, 'approve-' + delta).isVisible()), 'no approve button');
    check(!(await byTestId(viewer, 'name-input-' + delta).isVisible()), 'no name box');
    const csrf = await viewer.evaluate(async () => (await (await fetch('/api/session')).json())
        .csrfToken);
    const refused = await postFromPage(viewer, '/api/devices/' + delta + '/approve',
                                       { 'X-CSRF-Token': csrf });
    check(refused.status === 403 && refused.body.includes('viewer'),
          'viewer approve: ' + refused.status + ' ' + refused.body);
    await shot(viewer, 'viewer.png');

    log('bulk approval with a name pattern');
    startGateway('echo1', '02:42:ac:11:02:11');
    startGateway('echo2', '02:42:ac:11:02:12');
    const echo1 = await waitForPending(page, '02:42:ac:11:02:11');
    const echo2 = await waitForPending(page, '02:42:ac:11:02:12');
    await byTestId(page, 'select-' + echo1).check();
    await byTestId(page, 'select-' + echo2).check();
    await byTestId(page, 'bulk-pattern').fill('gw-bulk-{mac6}-{n:2}');
    await shot(page, 'bulk.png');
    await byTestId(page, 'bulk-approve').click();
    await byTestId(page, 'pending-row-' + echo1).waitFor({ state: 'detached', timeout: 30_000 });
    await byTestId(page, 'pending-row-' + echo2).waitFor({ state: 'detached', timeout: 30_000 });
    await openDevice(page, echo2);
    // The counter follows the order of the list, which follows the announces.
    await byTestId(page, 'device-detail-name').filter({ hasText: /^gw-bulk-110212-0[12]$/ })
        .waitFor();

    log('revoke asks for a confirmation');
    await openDevice(page, alpha);
    await byTestId(page, 'action-revoke').click();
    await byTestId(page, 'revoke-dialog').waitFor();
    await shot(page, 'revoke-dialog.png');
    await byTestId(page, 'revoke-cancel').click();
    await waitForState(page, 'provisioned', 5000);
    await byTestId(page, 'action-revoke').click();
    await byTestId(page, 'revoke-confirm').click();
    await waitForState(page, '(revoking|revoked)');

    log('the audit log');
    await page.goto(UI + '/#audit');
    // gps-ui records a command once the engine has answered it, which can be after the page saw
    // the state change: the view loads on demand, so Refresh until every action is there.
    const actions = ['approve', 'dismiss', 'retry', 'revoke', 'login'];
    const auditDeadline = Date.now() + 15_000;
    for (;;) {
      const counts = await Promise.all(actions.map((action) => page.locator(
          '[data-testid="audit-row"][data-action="' + action + '"]').count()));
      const missing = actions.filter((action, i) => counts[i] === 0);
      if (missing.length === 0) {
        break;
      }
      if (Date.now() > auditDeadline) {
        throw new Error('the audit log lacks ' + missing.join(', '));
      }
      await page.waitForTimeout(500);
      await byTestId(page, 'audit-refresh').click();
    }
    await shot(page, 'audit.png');

    log('an allow-listed gateway is approved without an operator');
    const admin = await newPage(browser, problems);
    await logIn(admin, credentials('ADMIN'));
    await admin.goto(UI + '/#allow-list');
    await byTestId(admin, 'allowlist-kind').selectOption('mac');
    await byTestId(admin, 'allowlist-value').fill('02:42:AC:11:02:21');
    await byTestId(admin, 'allowlist-name').fill('gw-browser-listed');
    await byTestId(admin, 'allowlist-add').click();
    await admin.locator('[data-testid="allowlist-row"][data-value="02:42:ac:11:02:21"]').waitFor();
    await shot(admin, 'allow-list.png');
    startGateway('foxtrot', '02:42:ac:11:02:21');
    await admin.goto(UI + '/#provisioned');
    await admin.locator('[data-testid^="device-row-"]').filter({ hasText: 'gw-browser-listed' })
        .waitFor({ timeout: LONG });
    await admin.goto(UI + '/#users');
    await byTestId(admin, 'user-row-' + credentials('VIEWER').user).waitFor();
    await shot(admin, 'users.png');
    check(!(await byTestId(page, 'nav-users').isVisible()), 'users tab only for admins');

    log('log out');
    await byTestId(page, 'logout').click();
    await byTestId(page, 'login-form').waitFor();
    await page.goto(UI + '/#pending');
    await byTestId(page, 'login-form').waitFor();

    check(problems.length === 0, problems.join('\n'));
    log('all browser checks passed');
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error('FAILED: ' + (error && error.stack ? error.stack : error));
  process.exit(1);
});
