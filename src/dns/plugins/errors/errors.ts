/**
 * errors: logs the errors the rest of the chain reports, as "RCODE qname. QTYPE: message"
 * (plugin/errors), optionally consolidating messages that match a pattern into one summary line
 * per period.
 */
import type { Handler, Logger, Plugin, Request, Served } from "../../plugin.ts";
import { PluginError, Rcode } from "../../plugin.ts";

export type Level = "warning" | "error" | "info" | "debug";

export interface Pattern {
  periodMs: number;
  /** The REGEXP as written, for the summary line. */
  source: string;
  re: RegExp;
  level: Level;
  showFirst: boolean;
}

interface PatternState {
  count: number;
  timer: NodeJS.Timeout | undefined;
}

export class ErrorHandler {
  private readonly state: PatternState[];

  constructor(
    readonly patterns: Pattern[],
    private readonly log: Logger,
  ) {
    this.state = patterns.map(() => ({ count: 0, timer: undefined }));
  }

  plugin(): Plugin {
    return (next) => {
      const self = this;
      const h: Handler = {
        name: "errors",
        serveDNS(req, w, signal) {
          if (!next) return Rcode.SERVFAIL;
          let r: Served;
          try {
            r = next.serveDNS(req, w, signal);
          } catch (err) {
            return self.failed(req, err);
          }
          return typeof r === "number" ? r : r.catch((err: unknown) => self.failed(req, err));
        },
      };
      return h;
    };
  }

  /** A plugin's error: logged (or counted), and its rcode (SERVFAIL when it has none). */
  failed(req: Request, err: unknown): number {
    const rcode = err instanceof PluginError ? err.rcode : Rcode.SERVFAIL;
    this.report(`${rcode} ${req.lname} ${req.qtype}: ${(err as Error).message}`);
    return rcode;
  }

  /** Log one error line, or count it towards its pattern's summary. */
  report(line: string): void {
    for (let i = 0; i < this.patterns.length; i++) {
      const p = this.patterns[i];
      if (!p.re.test(line)) continue;
      const st = this.state[i];
      st.count++;
      if (st.count === 1) {
        if (p.showFirst) this.emit(p.level, line);
        st.timer = setTimeout(() => this.flush(i), p.periodMs);
        st.timer.unref();
      }
      return;
    }
    this.log.error(line);
  }

  private flush(i: number): void {
    const p = this.patterns[i];
    const st = this.state[i];
    const n = st.count;
    st.count = 0;
    st.timer = undefined;
    if (p.showFirst && n === 1) return;
    if (n > 0)
      this.emit(p.level, `${n} errors like '${p.source}' occurred in last ${goDuration(p.periodMs)}`);
  }

  private emit(level: Level, line: string): void {
    if (level === "warning") this.log.warn(line);
    else if (level === "info") this.log.info(line);
    else if (level === "debug") this.log.debug(line);
    else this.log.error(line);
  }

  /** Print pending summaries and stop the timers (shutdown). */
  stop(): void {
    for (let i = 0; i < this.state.length; i++) {
      const st = this.state[i];
      if (st.timer) {
        clearTimeout(st.timer);
        this.flush(i);
      }
    }
  }
}

/** Go's Duration.String for whole periods: 30s, 5m0s, 1h0m0s, 1.5s. */
export function goDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${Number(s.toFixed(9))}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}
