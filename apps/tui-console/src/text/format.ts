/** Formatting of times, durations, money and phone numbers for the screen. */

/** `m:ss` below an hour, `h:mm:ss` above; negative durations show as `0:00`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Wall-clock time in Beijing time (the call centre's zone), `HH:mm`. */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs + 8 * 3600_000);
  return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

/** Date and time in Beijing time, `MM-DD HH:mm`. */
export function formatDateTime(epochMs: number): string {
  const d = new Date(epochMs + 8 * 3600_000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

/** Fen (分) as yuan with two decimals: `¥1,234.50`. */
export function formatYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100).toLocaleString('en-US');
  return `${sign}¥${yuan}.${String(abs % 100).padStart(2, '0')}`;
}

/** A share 0..1 as a whole percentage, or `—` when unknown. */
export function formatPercent(share: number | null | undefined): string {
  return share === null || share === undefined ? '—' : `${Math.round(share * 100)}%`;
}

/** Groups a tracking number in fours so it can be read aloud: `2026 0302 0001 7`. */
export function groupDigits(digits: string, size = 4): string {
  const groups: string[] = [];
  for (let i = 0; i < digits.length; i += size) groups.push(digits.slice(i, i + size));
  return groups.join(' ');
}

/** A phone number as shown (groups mobile numbers 3-4-4); empty caller id stays empty. */
export function formatPhone(number: string): string {
  if (/^1\d{10}$/.test(number)) return `${number.slice(0, 3)} ${number.slice(3, 7)} ${number.slice(7)}`;
  return number;
}
