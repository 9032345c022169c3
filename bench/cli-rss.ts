/**
 * `node cli-rss.js <tickfold args…>`: runs the tickfold CLI in this process, then prints its exit
 * code, the process's peak RSS and its CPU time (user + system, ms; worker threads included: they
 * share the process) as JSON on stderr's last line. The bench times the whole process from outside.
 */
const { main } = (await import('../src/cli/main.js')) as { main: (argv: readonly string[]) => Promise<number> };
const code = await main(process.argv.slice(2));
const use = process.resourceUsage();
process.stderr.write(`\n${JSON.stringify({ code, maxRssBytes: use.maxRSS * 1024, cpuMs: (use.userCPUTime + use.systemCPUTime) / 1000 })}\n`);
process.exitCode = code;
