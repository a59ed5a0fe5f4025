// Runs SQL statements read from stdin in one in-memory DuckDB and prints the last result as JSON.
// Used by the tests and benchmarks as an independent Parquet reader and writer.
import { DuckDBInstance } from '@duckdb/node-api';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const sql = Buffer.concat(chunks).toString('utf8');

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const reader = await connection.runAndReadAll(sql);
const columns = reader.columnNames();
const types = reader.columnTypes().map((t) => t.toString());
const rows = reader.getRowsJson();
process.stdout.write(JSON.stringify({ columns, types, rows }));
