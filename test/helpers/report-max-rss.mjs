// Preloaded (`node --import`) into a child process whose peak memory a test measures: at exit it
// writes the process's peak resident set size (all threads, KiB) as the last line of stderr.
process.on('exit', () => {
  process.stderr.write(`\nblt-test-max-rss-kb=${process.resourceUsage().maxRSS}\n`);
});
