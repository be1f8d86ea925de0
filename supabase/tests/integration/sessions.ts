// One-connection sessions to the test database, as the race and push tests
// hold them (each its own transaction), ended together after the suite.
import postgres from 'postgres';

export function sessions(url: string) {
  const open: postgres.Sql[] = [];
  return {
    connect(): postgres.Sql {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      open.push(sql);
      return sql;
    },
    endAll: () => Promise.all(open.map((sql) => sql.end({ timeout: 5 }))),
  };
}
