/**
 * chaos: answers TXT queries in class CH for version.bind, version.server, authors.bind,
 * hostname.bind and id.server (plugin/chaos); everything else goes to the next plugin.
 */
import { hostname } from "node:os";
import type { Answer } from "dns-packet";
import { replyTo } from "../../message/message.ts";
import {
  type Handler,
  nextOrFailure,
  type Plugin,
  type Request,
  type ResponseWriter,
  type Served,
} from "../../plugin.ts";

export interface ChaosOptions {
  version: string;
  authors: readonly string[];
  /** The host name hostname.bind and id.server report (default os.hostname()). */
  hostname?: () => string;
}

export function chaos(opts: ChaosOptions): Plugin {
  return (next) => new ChaosHandler(next, opts);
}

/** TXT strings are at most 255 bytes (chaos.trim). */
export function trim255(s: string): string {
  return s.length < 256 ? s : s.slice(0, 255);
}

class ChaosHandler implements Handler {
  readonly name = "chaos";
  constructor(
    private readonly next: Handler | undefined,
    private readonly opts: ChaosOptions,
  ) {}

  serveDNS(req: Request, w: ResponseWriter, signal: AbortSignal): Served {
    if (req.qclass !== "CH" || req.qtype !== "TXT")
      return nextOrFailure(this.name, this.next, req, w, signal);
    const txt = (s: string): Answer => ({ name: req.name, type: "TXT", class: "CH", ttl: 0, data: [s] });
    let answers: Answer[];
    switch (req.lname) {
      case "authors.bind.":
        answers = shuffled(this.opts.authors).map(txt);
        break;
      case "version.bind.":
      case "version.server.":
        answers = [txt(this.opts.version)];
        break;
      case "hostname.bind.":
      case "id.server.":
        answers = [txt(trim255(this.currentHostname()))];
        break;
      default:
        return nextOrFailure(this.name, this.next, req, w, signal);
    }
    const m = replyTo(req.msg);
    m.answers = answers;
    w.write(m);
    return 0;
  }

  private currentHostname(): string {
    try {
      return (this.opts.hostname ?? hostname)() || "localhost";
    } catch {
      return "localhost";
    }
  }
}

/** The authors in a random order, as CoreDNS answers authors.bind. */
function shuffled<T>(xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
