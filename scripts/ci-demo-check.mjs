#!/usr/bin/env node
// CI's proof of the README's run command, on the clean clone, before anything else installs the test host:
//   1. `npm run demo -- --no-open` is interrupted (SIGINT, as Ctrl+C) while it installs the host: nothing may be
//      left (no process of its group, no staging folder);
//   2. `npm run demo -- --no-open` again: it must install, print a URL that serves the workbench (HTTP 200 with the
//      workbench page), and stop cleanly on SIGINT (no process, no temporary profile, no staging folder left).
// Through `npm run`, like a newcomer: the nested npm install then inherits npm's environment, which once broke it.
// Prints the times the README quotes. Exit 0 only if every check passed.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, installedHost } from './testHost.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const problems = [];
const check = (ok, what) => {
  console.log(`ci-demo: ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) problems.push(what);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** pids whose process group is `pgid` (the demo is started as a group leader, like a terminal's foreground job). */
function groupMembers(pgid) {
  const out = [];
  for (const name of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (f[0] !== 'Z' && Number(f[2]) === pgid) out.push(Number(name));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}
const stagingLeft = () =>
  fs.existsSync(cacheDir()) ? fs.readdirSync(cacheDir()).filter((n) => n.startsWith('.staging-')) : [];

function startDemo(tag) {
  const child = spawn('npm', ['run', 'demo', '--', '--no-open'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run = {
    child,
    output: '',
    started: Date.now(),
    exit: new Promise((r) => child.on('exit', (code, sig) => r(code ?? sig))),
  };
  for (const s of [child.stdout, child.stderr])
    s.on('data', (d) => {
      run.output += d;
      process.stdout.write(d.toString().replace(/^(?=.)/gm, `[${tag}] `));
    });
  return run;
}
async function waitFor(run, re, timeoutMs) {
  const end = Date.now() + timeoutMs;
  let exited = false;
  run.exit.then(() => {
    exited = true;
  });
  while (!re.test(run.output)) {
    if (exited || Date.now() > end) return false;
    await sleep(250);
  }
  return true;
}
/** Ctrl+C: SIGINT to the whole group. Returns the exit status and what is left after 15 s at most. */
async function interrupt(run) {
  const pgid = run.child.pid;
  process.kill(-pgid, 'SIGINT');
  const status = await Promise.race([run.exit, sleep(30_000).then(() => 'still running after 30 s')]);
  let left = groupMembers(pgid);
  for (let i = 0; i < 60 && left.length; i++) {
    await sleep(250);
    left = groupMembers(pgid);
  }
  if (left.length)
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* gone */
    }
  return { status, left };
}

// 1. Interrupted first run (only meaningful while the host is not installed yet, as on a clean clone).
if (!installedHost()) {
  const t = Date.now();
  const first = startDemo('demo 1');
  const installing = await waitFor(first, /installing code-server/, 300_000);
  check(installing, 'first run starts installing the test host');
  await sleep(15_000); // well into npm's download and build
  const { left } = await interrupt(first);
  check(left.length === 0, `Ctrl+C during the install leaves no process (left: ${left.join(' ') || 'none'})`);
  check(
    stagingLeft().length === 0,
    `Ctrl+C during the install leaves no staging folder (${stagingLeft().join(' ') || 'none'})`,
  );
  console.log(`ci-demo: interrupted first run after ${((Date.now() - t) / 1000).toFixed(0)} s`);
} else {
  console.log(
    'ci-demo: the test host is already installed (cache kept between CI runs): the install part is not exercised',
  );
}

// 2. The retry: must print a working URL.
const t = Date.now();
const demo = startDemo('demo 2');
const ready = await waitFor(demo, /Stop with Ctrl\+C/, 30 * 60_000);
const readyS = ((Date.now() - t) / 1000).toFixed(0);
check(ready, `npm run demo prints its URL (after ${readyS} s)`);
const url = /^ Open:\s+(\S+)/m.exec(demo.output)?.[1];
const profile = /Temporary profile:\s+(\S+)/.exec(demo.output)?.[1];
if (ready && url) {
  const res = await fetch(url).catch((e) => ({ status: `error ${e.message}`, text: async () => '' }));
  const html = await res.text();
  check(res.status === 200, `the URL answers HTTP 200 (${res.status}): ${url}`);
  check(/workbench/i.test(html) && /<html/i.test(html), 'the page is the VS Code workbench');
  check(!/payload=/.test(url), 'the URL carries no test payload (code-server as a user runs it)');
}
const { status, left } = await interrupt(demo);
check(status === 130 || status === 'SIGINT', `Ctrl+C stops the demo (exit ${status})`);
check(left.length === 0, `Ctrl+C leaves no process (left: ${left.join(' ') || 'none'})`);
check(!profile || !fs.existsSync(profile), `Ctrl+C removes the temporary profile ${profile}`);
check(stagingLeft().length === 0, 'no staging folder is left in the test host cache');
check(!!installedHost(), 'the test host is installed for the suites that follow');
console.log(
  `ci-demo: demo ready in ${readyS} s on this run; ${problems.length ? `${problems.length} check(s) failed` : 'all checks passed'}`,
);
process.exit(problems.length ? 1 : 0);
