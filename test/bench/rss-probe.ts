/**
 * Preloaded (`node --require …/rss-probe.js`) into each measured child process: when the process exits
 * (process.exit included), it writes its peak resident set size and uptime to BENCH_PROBE_FILE.
 * `process.resourceUsage().maxRSS` is the kernel's figure for this process (KiB), as `/usr/bin/time -v` shows.
 */
import { writeFileSync } from 'node:fs';

const target = process.env.BENCH_PROBE_FILE;
if (target) {
  process.on('exit', () => {
    writeFileSync(target, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, uptimeSeconds: process.uptime() }));
  });
}
