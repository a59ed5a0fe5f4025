// DuckDB's side of the Parquet benchmark: reads the benchmark CSV and writes it as SNAPPY Parquet,
// timing only the COPY. Prints one JSON line: wall and CPU seconds, bytes, peak RSS (bytes) and threads.
// Usage: node bench-parquet.mjs <input.csv> <output.parquet>
import { DuckDBInstance } from '@duckdb/node-api';
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [input, output] = process.argv.slice(2);
const quote = (s) => "'" + s.replaceAll("'", "''") + "'";
const columns = {
  feed: 'VARCHAR', quarter: 'VARCHAR', sex: 'VARCHAR', nhs_token: 'VARCHAR', upn_token: 'VARCHAR',
  event_date: 'DATE', start_date: 'DATE', birth_year: 'INTEGER', sessions: 'INTEGER', flag: 'BOOLEAN',
};
const columnSql = '{' + Object.entries(columns).map(([k, v]) => `'${k}': '${v}'`).join(', ') + '}';

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const threads = (await connection.runAndReadAll("SELECT current_setting('threads')")).getRows()[0][0];
const cpuBefore = process.cpuUsage();
const started = performance.now();
await connection.run(
  `COPY (SELECT * FROM read_csv(${quote(input)}, header = true, delim = ',', quote = '', escape = '', nullstr = '', columns = ${columnSql})) ` +
  `TO ${quote(output)} (FORMAT PARQUET, COMPRESSION SNAPPY)`);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const bytes = statSync(output).size;
const peakRss = process.resourceUsage().maxRSS * 1024;
process.stdout.write(JSON.stringify({ seconds, cpuSeconds, bytes, peakRss, threads: Number(threads) }) + '\n');
