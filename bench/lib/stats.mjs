// Median with min and max; percentiles by nearest rank.
export function summary(values) {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return { median: null, min: null, max: null, n: 0 };
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median: round(median), min: round(s[0]), max: round(s[s.length - 1]), n: s.length };
}
export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
export const round = (x, d = 3) => (x == null ? x : Math.round(x * 10 ** d) / 10 ** d);
