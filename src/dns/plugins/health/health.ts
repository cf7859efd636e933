/**
 * health: a process-wide liveness endpoint, GET /health → 200 "OK" (plugin/health). It polls
 * itself once a second to export how long that takes (coredns_health_*), and with `lameduck`
 * it delays a final shutdown while DNS and /health keep answering.
 */
import { request } from "node:http";
import { performance } from "node:perf_hooks";
import type { HttpRegistration } from "../../http.ts";
import type { SetupContext } from "../../plugin.ts";
import { goDuration } from "./hostport.ts";

export interface HealthConfig {
  /** `[host]:port`; CoreDNS's default is ":8080". */
  addr: string;
  /** Milliseconds to wait on final shutdown (0 = none). */
  lameduckMs: number;
}

/** plugin.SlimTimeBuckets: exponential from 0.25ms, factor 10, 5 buckets. */
const SLIM_BUCKETS = [0.00025, 0.0025, 0.025, 0.25, 2.5];

/** Wire the endpoint into the config's lifecycle. */
export function installHealth(ctx: SetupContext, cfg: HealthConfig): void {
  const duration = ctx.metrics.histogram(
    "coredns_health_request_duration_seconds",
    "Histogram of the time (in seconds) each request took.",
    [],
    SLIM_BUCKETS,
  );
  const failures = ctx.metrics.counter(
    "coredns_health_request_failures_total",
    "The number of times the health check failed.",
  );
  let reg: HttpRegistration | undefined;
  let timer: NodeJS.Timeout | undefined;

  ctx.onStartup(async () => {
    reg = await ctx.http.register(cfg.addr, "/health", (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end("OK");
    });
    // Poll one concrete address: an unspecified host is polled on localhost (health.go).
    const host = reg.host === "::" || reg.host === "0.0.0.0" || reg.host === "" ? "localhost" : reg.host;
    const url = { host, port: reg.port, path: "/health" };
    timer = setInterval(() => {
      const start = performance.now();
      selfCheck(url).then(
        () => {
          const elapsed = (performance.now() - start) / 1000;
          duration.observe(elapsed);
          if (elapsed > 1) {
            ctx.log.warn(
              `Local health request to "http://${host}:${url.port}/health" took more than 1s: ${elapsed}s`,
            );
          }
        },
        (err: Error) => {
          duration.observe((performance.now() - start) / 1000);
          failures.inc();
          ctx.log.warn(`Local health request to "http://${host}:${url.port}/health" failed: ${err.message}`);
        },
      );
    }, 1000);
    timer.unref();
  });

  ctx.onFinalShutdown(async () => {
    if (cfg.lameduckMs > 0) {
      ctx.log.info(`Going into lameduck mode for ${goDuration(cfg.lameduckMs)}`);
      await new Promise((resolve) => setTimeout(resolve, cfg.lameduckMs));
    }
  });

  ctx.onShutdown(async () => {
    clearInterval(timer);
    timer = undefined;
    await reg?.release();
    reg = undefined;
  });
}

function selfCheck(url: { host: string; port: number; path: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ ...url, method: "GET", agent: false, timeout: 3000 }, (res) => {
      res.resume();
      res.on("end", () => resolve());
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}
