// bench/chart.svg: queries/s of each A/B pair of one run, as horizontal bars,
// then the servers' CPU µs per answer (issue 19; shorter is better).

const COLORS = { clusterdns: '#326ce5', other: '#9aa0a6' };

export function chartSvg(results) {
  const rows = [];
  const add = (group, summary, ours) => {
    if (!summary) return;
    for (const [label, qps] of Object.entries(summary.best)) rows.push({ group, label, qps, ours: label === ours || label.startsWith('--') || label.includes('address') });
  };
  add('cluster answers', results.cluster, 'clusterdns');
  add('forwarded, cached', results.forward, 'clusterdns');
  add('workers', results.workers, '');
  add('answer size', results.size, '');
  const cpuRows = [];
  const addCpu = (group, summary) => {
    for (const [label, us] of Object.entries(summary?.cpu ?? {})) cpuRows.push({ group, label, value: us, ours: label === 'clusterdns' });
  };
  addCpu('UDP', results.cluster);
  addCpu('TCP', results.tcp);
  addCpu('cached forward', results.forward);
  const barHeight = 22;
  const left = 260;
  const width = 760;
  const qpsTop = 30;
  const cpuTop = qpsTop + rows.length * (barHeight + 8) + (cpuRows.length ? 34 : 0);
  const height = cpuTop + 10 + cpuRows.length * (barHeight + 8);
  const qpsBars = bars(rows.map((row) => ({ ...row, value: row.qps })), qpsTop, (value) => value.toLocaleString('en-US'));
  const cpuBars = bars(cpuRows, cpuTop, (value) => `${value.toFixed(2)} µs`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">`,
    `<text x="8" y="18" font-weight="bold">queries/s, loopback, 2 cores (${escape(results.date.slice(0, 10))}; best of A B A B)</text>`,
    ...qpsBars,
    ...(cpuRows.length ? [`<text x="8" y="${cpuTop - 12}" font-weight="bold">server CPU per answer, µs (least of the runs; shorter is better)</text>`] : []),
    ...cpuBars,
    '</svg>',
    '',
  ].join('\n');

  function bars(list, top, format) {
    const max = Math.max(1e-9, ...list.map((row) => row.value));
    return list.map((row, i) => {
      const y = top + i * (barHeight + 8);
      const w = Math.max(1, Math.round(((width - left - 90) * row.value) / max));
      const fill = row.ours ? COLORS.clusterdns : COLORS.other;
      return [
        `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${escape(`${row.group}: ${row.label}`)}</text>`,
        `<rect x="${left}" y="${y}" width="${w}" height="${barHeight}" fill="${fill}"/>`,
        `<text x="${left + w + 6}" y="${y + 15}">${escape(format(row.value))}</text>`,
      ].join('');
    });
  }
}

function escape(text) {
  return String(text).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
