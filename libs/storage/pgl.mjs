const {PGlite}=await import('@electric-sql/pglite'); const m=await import('@electric-sql/pglite-pgvector'); console.log(Object.keys(m));
const vector = m.vector ?? m.default;
const db=new PGlite('/tmp/pgldata',{extensions:{vector}}); await db.exec("create extension if not exists vector; create table if not exists t(id int, v vector(3)); insert into t values(1, '[1,2,3]')");
console.log((await db.query("select id, v <=> '[1,2,4]' as d from t")).rows);
