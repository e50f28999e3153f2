// bench/chart.svg: queries/s of each A/B pair of one run, as horizontal bars.

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
  const max = Math.max(1, ...rows.map((row) => row.qps));
  const barHeight = 22;
  const left = 260;
  const width = 760;
  const height = 40 + rows.length * (barHeight + 8);
  const bars = rows.map((row, i) => {
    const y = 30 + i * (barHeight + 8);
    const w = Math.max(1, Math.round(((width - left - 90) * row.qps) / max));
    const fill = row.ours ? COLORS.clusterdns : COLORS.other;
    return [
      `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${escape(`${row.group}: ${row.label}`)}</text>`,
      `<rect x="${left}" y="${y}" width="${w}" height="${barHeight}" fill="${fill}"/>`,
      `<text x="${left + w + 6}" y="${y + 15}">${row.qps.toLocaleString('en-US')}</text>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">`,
    `<text x="8" y="18" font-weight="bold">queries/s, loopback, 2 cores (${escape(results.date.slice(0, 10))}; best of A B A B)</text>`,
    ...bars,
    '</svg>',
    '',
  ].join('\n');
}

function escape(text) {
  return String(text).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
