/**
 * Address checks and duration text shared by the HTTP plugins (health, ready, prometheus), in
 * Go's words: net.SplitHostPort's errors and time.Duration's String.
 */

/** Throws Go's net.SplitHostPort error when `addr` is not `host:port` / `[host]:port`. */
export function checkHostPort(addr: string): void {
  const missing = () => new Error(`address ${addr}: missing port in address`);
  if (addr.startsWith("[")) {
    const end = addr.indexOf("]");
    if (end < 0) throw new Error(`address ${addr}: missing ']' in address`);
    if (end + 1 === addr.length) throw missing();
    if (addr[end + 1] !== ":") throw missing();
    if (addr.slice(end + 2).includes(":")) throw new Error(`address ${addr}: too many colons in address`);
    return;
  }
  const i = addr.lastIndexOf(":");
  if (i < 0) throw missing();
  if (addr.slice(0, i).includes(":")) throw new Error(`address ${addr}: too many colons in address`);
}

/** Go's time.Duration.String for a whole number of milliseconds: "5s", "1m30s", "500ms", "0s". */
export function goDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000) return `${ms}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const sec = `${Number(s.toFixed(3))}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}
