/**
 * `node cli-rss.js <tickfold args…>`: runs the tickfold CLI in this process, then prints its exit
 * code and the process's peak RSS (worker threads included: they share the process) as JSON on
 * stderr's last line. The bench times the whole process from outside.
 */
const { main } = (await import('../src/cli/main.js')) as { main: (argv: readonly string[]) => Promise<number> };
const code = await main(process.argv.slice(2));
process.stderr.write(`\n${JSON.stringify({ code, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
process.exitCode = code;
