// The Markdown table of bench/results.md (also printed by run.mjs and pasted into CONTRIBUTING.md's Performance section).
const kb = (b) => (b == null ? 'n/a' : `${(b / 1024).toFixed(1)} KB`);
const ms = (s) => (s?.median == null ? 'n/a' : `${fmt(s.median)} ms (${fmt(s.min)}–${fmt(s.max)})`);
const fmt = (x) => (x == null ? 'n/a' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const us = (x) => (x == null ? 'n/a' : `${fmt(x)} µs`);

export function renderMarkdown(r) {
  const b = r.bundle ?? {},
    a = r.activation,
    n = r.activationInNode,
    g = r.getSessions,
    f = r.refreshFanIn,
    s = r.signIn,
    h = r.httpRequests,
    m = r.memory,
    x = r.mcpBridge;
  const rows = [
    [
      'Node activation bundle (minified)',
      kb(b.nodeBytes),
      `github-authentication ${kb(b.githubAuthBytes)}, microsoft-authentication ${kb(b.microsoftAuthBytes)}`,
      b.nodeToGithubRatio != null ? `${b.nodeToGithubRatio}×` : 'n/a',
      '≤ 90 KB, ≤ 0.4×',
    ],
    ['Web activation bundle (minified)', kb(b.webBytes), '', '', '≤ 60 KB'],
    [
      'Engine bundles, loaded on first use: Node / web',
      `${kb(b.nodeEngineBytes)} / ${kb(b.webEngineBytes)}`,
      '',
      '',
      '',
    ],
    [
      'Activation, 10 providers, every start (`ext.activate()`, host included)',
      a ? ms(a.ms) : 'n/a',
      a ? `github-authentication ${ms(a.githubAuthMs)}` : '',
      a?.ratio != null ? `${a.ratio}×` : 'n/a',
      '≤ 0.75×',
    ],
    [
      '… of which our `activate()` call: wall / CPU time',
      a ? `${ms(a.activateCallMs)} / ${ms(a.activateCallCpuMs)}` : 'n/a',
      a?.firstStart
        ? `first start of a profile: ${ms(a.firstStart.activateCallMs)} / ${ms(a.firstStart.activateCallCpuMs)}`
        : '',
      '',
      a?.hostThreadPriority?.some((p) => p !== 0)
        ? `≤ 6 ms (wall); host thread at nice ${a.hostThreadPriority.join(', ')}, not as users run it`
        : '≤ 6 ms (wall)',
    ],
    ['… of which loading our activation bundle', a ? ms(a.codeLoadingMs) : 'n/a', '', '', ''],
    [
      'Our `activate()` alone: fresh plain Node process, `vscode` stubbed (no host calls, no other processes)',
      n ? ms(n.activateCallMs) : 'n/a',
      n
        ? `loading the bundle ${ms(n.codeLoadingMs)}; ${n.runs} runs, Node ${n.node}${n.systemManagedFilePresent ? '; a system managed file was present and parsed' : ''}`
        : '',
      '',
      '',
    ],
    [
      '… network requests / SecretStorage calls during activation',
      a ? `${a.networkRequestsDuringActivation} / ${a.secretStorageCallsDuringActivation}` : 'n/a',
      '',
      '',
      '0 / 0',
    ],
  ];
  for (const n of ['1', '100', '1000']) {
    const x = g?.[n];
    rows.push([
      `Cached \`getSessions(scopes)\`, ${Number(n).toLocaleString('en')} stored`,
      x ? `p50 ${us(x.p50us)}, p99 ${us(x.p99us)}` : 'n/a',
      x ? `all sessions: p50 ${us(x.allSessions?.p50us)}` : '',
      '',
      '≤ 50 µs p50, flat',
    ]);
  }
  rows.push(
    [
      'Refresh fan-in, 100 concurrent callers',
      f ? `${f.tokenRequests} token request(s), ${ms(f.ms)}` : 'n/a',
      '',
      '',
      '1 request',
    ],
    [
      'Sign-in, loopback, cold',
      s ? ms(s.ms) : 'n/a',
      s ? `bare openid-client ${ms(s.bareOpenidClientMs)}` : '',
      s?.ratio != null ? `${s.ratio}×` : 'n/a',
      s?.oursFetch && s.oursFetch !== 'node-fetch' ? `≤ 1.2×; ours with ${s.oursFetch}` : '≤ 1.2×',
    ],
    [
      'HTTP requests: 1st sign-in / 2nd sign-in / refresh / sign-out',
      h ? `${h.firstSignIn} / ${h.secondSignIn} / ${h.refresh} / ${h.signOut}` : 'n/a',
      '',
      '',
      'refresh exactly 1',
    ],
    [
      'Heap growth, 1,000 sessions loaded',
      m ? `${kb(m.heapBytesPer1000Sessions)} (${kb(m.bytes?.min)}–${kb(m.bytes?.max)})` : 'n/a',
      '',
      '',
      '',
    ],
    [
      'MCP bridge: added latency per tool call (p50, p99)',
      x ? `+${fmt(x.addedMs.p50)} ms, +${fmt(x.addedMs.p99)} ms` : 'n/a',
      x ? `direct call p50 ${fmt(x.directMs.p50)} ms, p99 ${fmt(x.directMs.p99)} ms` : '',
      '',
      '',
    ],
  );
  const lines = [
    `| Figure | OAuth Accounts: median (min–max) | VS Code's own / baseline | Ratio | Target |`,
    `|---|---|---|---|---|`,
    ...rows.map((c) => `| ${c.join(' | ')} |`),
  ];
  const un = Object.entries(r.unmeasured ?? {});
  const foot = [
    `\n_${r.date}, Node ${r.node}, ${r.cpus} CPUs, ${r.totalSeconds ?? '?'} s. Details and method notes: bench/results.json._`,
  ];
  if (un.length) foot.push('', '**Not measured:**', ...un.map(([k, v]) => `- ${k}: ${v.split('\n')[0]}`));
  return lines.join('\n') + '\n' + foot.join('\n') + '\n';
}
