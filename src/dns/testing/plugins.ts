/** Plugins for tests only (registered with startDNS's `plugins`). */
import type { Answer } from "dns-packet";
import { replyTo } from "../message/message.ts";
import type { PluginModule } from "../plugin.ts";

/**
 * `many [N]`: N (200) A records with TTL 30 for any name (RD and CD as asked): to force
 * truncation, or to make a cache entry worth a template.
 */
export const many: PluginModule = {
  name: "many",
  setup(ctx) {
    ctx.dispenser.next();
    const n = Number(ctx.dispenser.remainingArgs()[0] ?? "200");
    return () => ({
      name: "many",
      serveDNS(req, w) {
        const answers: Answer[] = [];
        for (let i = 0; i < n; i++)
          answers.push({ name: req.name, type: "A", ttl: 30, data: `10.0.${i >> 8}.${i & 255}` });
        w.write({ ...replyTo(req.msg), answers });
        return Promise.resolve(0);
      },
    });
  },
};
