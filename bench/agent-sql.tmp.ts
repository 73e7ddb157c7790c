import SqliteDatabase from 'better-sqlite3';
const stats = new Map<string, { n: number; ms: number }>();
const proto = (SqliteDatabase as any).prototype;
const origPrepare = proto.prepare;
proto.prepare = function (sqlText: string) {
  const statement = origPrepare.call(this, sqlText);
  for (const method of ['run', 'all', 'get', 'iterate']) {
    const orig = statement[method];
    if (typeof orig !== 'function') continue;
    statement[method] = function (...args: unknown[]) {
      const t = performance.now();
      try { return orig.apply(this, args); } finally {
        const s = stats.get(sqlText) ?? { n: 0, ms: 0 };
        s.n += 1; s.ms += performance.now() - t; stats.set(sqlText, s);
      }
    };
  }
  return statement;
};
const { benchAgent } = await import('./agent.ts');
console.log(JSON.stringify(await benchAgent({ turns: 500, concurrentConversations: 10, postgresUrl: null })));
const rows = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25);
for (const [sqlText, s] of rows) console.log(s.ms.toFixed(0).padStart(7), String(s.n).padStart(6), (s.ms / s.n).toFixed(3).padStart(8), sqlText.slice(0, 160).replace(/\s+/g, ' '));
